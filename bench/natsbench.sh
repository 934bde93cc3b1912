#!/usr/bin/env bash
# natsbench.sh: the core four of the design brief (publish-only, 1:1, 1:4 fan-out,
# request/reply) measured with natscli's `nats bench` (v0.5.0) against nats-server (the version
# go.mod pins) and Troupe, both built from this checkout and started the same way as
# `go run ./bench` starts them, interleaved (A B, B A, ...) over several repetitions.
# It prints every result as it comes, then the medians and the ratio Troupe / nats-server.
set -euo pipefail

usage() {
	cat <<EOF
usage: bash bench/natsbench.sh [-r reps] [-n msgs] [-q requests] [-s size] [-p gomaxprocs]
  -r  repetitions per server (default 3)
  -n  messages per pub/sub run (default 2000000)
  -q  requests per request/reply run (default 100000)
  -s  message size in bytes (default 16)
  -p  GOMAXPROCS of the servers (default 2)
Needs natscli: go install github.com/nats-io/natscli/nats@v0.5.0
EOF
}

REPS=3 MSGS=2000000 REQS=100000 SIZE=16 PROCS=2
while getopts "r:n:q:s:p:h" opt; do
	case $opt in
	r) REPS=$OPTARG ;;
	n) MSGS=$OPTARG ;;
	q) REQS=$OPTARG ;;
	s) SIZE=$OPTARG ;;
	p) PROCS=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done

if ! command -v nats >/dev/null 2>&1; then
	echo "natsbench.sh: natscli (the nats command) is not installed. Install it with:" >&2
	echo "  go install github.com/nats-io/natscli/nats@v0.5.0   # then make sure \$(go env GOPATH)/bin is on PATH" >&2
	exit 1
fi
if ! nats --version 2>&1 | grep -q 'v0\.5\.0'; then
	echo "natsbench.sh: warning: nats is $(nats --version 2>&1), not v0.5.0; flags or output may differ" >&2
fi

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/troupe-natsbench-XXXXXX")
SERVER_PID=""
BG_PID=""
cleanup() {
	[ -n "$BG_PID" ] && kill "$BG_PID" 2>/dev/null || true
	[ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

echo "building nats-server and Troupe in $TMP" >&2
(cd "$ROOT" && go build -o "$TMP/nats-server" github.com/nats-io/nats-server/v2 && go build -o "$TMP/troupe" ./cmd/server)

# start_server BIN: a fresh server on a random loopback port; sets SERVER_PID and URL.
start_server() {
	local dir
	dir=$(mktemp -d "$TMP/ports-XXXXXX")
	GOMAXPROCS=$PROCS "$1" -p -1 -a 127.0.0.1 --ports_file_dir "$dir" >"$TMP/server.log" 2>&1 &
	SERVER_PID=$!
	for _ in $(seq 1 300); do
		local f
		f=$(ls "$dir"/*_"$SERVER_PID".ports 2>/dev/null || true)
		if [ -n "$f" ] && grep -q nats "$f"; then
			URL=$(sed -E 's/.*"(nats:[^"]*)".*/\1/' "$f")
			return 0
		fi
		sleep 0.05
	done
	echo "natsbench.sh: $1 did not start:" >&2
	cat "$TMP/server.log" >&2
	exit 1
}

stop_server() {
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=""
}

# rate FILE: the msgs/sec of the last "stats:" line of a nats bench output.
rate() {
	grep -E 'stats: [0-9,]+ msgs/sec' "$1" | tail -1 | sed -E 's/.*stats: ([0-9,]+) msgs\/sec.*/\1/' | tr -d , || true
}

NB=(timeout 300 nats --timeout 10s)

# bench_pub: publish-only, rate at the publisher.
bench_pub() {
	"${NB[@]}" -s "$URL" bench pub bench.foo --size "$SIZE" --msgs "$MSGS" --no-progress >"$TMP/out" 2>&1 || true
	rate "$TMP/out"
}

# bench_sub CLIENTS: CLIENTS subscribers (each gets every message) and one publisher; the
# subscribers' (aggregated) rate.
bench_sub() {
	"${NB[@]}" -s "$URL" bench sub bench.foo --clients "$1" --size "$SIZE" --msgs "$MSGS" --no-progress >"$TMP/sub" 2>&1 &
	BG_PID=$!
	sleep 1
	"${NB[@]}" -s "$URL" bench pub bench.foo --size "$SIZE" --msgs "$MSGS" --no-progress >/dev/null 2>&1 || true
	wait "$BG_PID" || true
	BG_PID=""
	rate "$TMP/sub"
}

# bench_req: a service and one requester; the requester's rate.
bench_req() {
	"${NB[@]}" -s "$URL" bench service serve bench.svc --no-progress >/dev/null 2>&1 &
	BG_PID=$!
	sleep 1
	"${NB[@]}" -s "$URL" bench service request bench.svc --size "$SIZE" --msgs "$REQS" --no-progress >"$TMP/out" 2>&1 || true
	kill "$BG_PID" 2>/dev/null || true
	wait "$BG_PID" 2>/dev/null || true
	BG_PID=""
	rate "$TMP/out"
}

RESULTS=$TMP/results
: >"$RESULTS"
echo "nats bench $(nats --version 2>&1), size $SIZE B, $MSGS msgs, $REQS requests, GOMAXPROCS=$PROCS, $REPS reps, $(nproc) cores" >&2
for rep in $(seq 1 "$REPS"); do
	order="nats-server troupe"
	[ $((rep % 2)) -eq 0 ] && order="troupe nats-server"
	for srv in $order; do
		for scen in pub 1:1 1:4 reqrep; do
			start_server "$TMP/$srv"
			case $scen in
			pub) v=$(bench_pub) ;;
			1:1) v=$(bench_sub 1) ;;
			1:4) v=$(bench_sub 4) ;;
			reqrep) v=$(bench_req) ;;
			esac
			stop_server
			[ -z "$v" ] && v=failed
			printf 'rep %d  %-11s  %-6s  %s msgs/s\n' "$rep" "$srv" "$scen" "$v"
			echo "$scen $srv $v" >>"$RESULTS"
		done
	done
done

echo
printf '%-7s  %14s  %14s  %s\n' scenario nats-server troupe "ratio (troupe/nats-server)"
for scen in pub 1:1 1:4 reqrep; do
	med() {
		awk -v s="$scen" -v v="$1" '$1 == s && $2 == v && $3 != "failed" { print $3 }' "$RESULTS" | sort -n |
			awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) printf "%.0f\n", a[(NR + 1) / 2]; else printf "%.0f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
	}
	r=$(med nats-server)
	t=$(med troupe)
	ratio=$(awk -v r="$r" -v t="$t" 'BEGIN { if (r + 0 > 0 && t != "n/a") printf "%.2f", t / r; else print "n/a" }')
	printf '%-7s  %14s  %14s  %s\n' "$scen" "$r" "$t" "$ratio"
done
