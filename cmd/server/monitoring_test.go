package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Monitoring and profiling through the binary: the flags and configuration keys open the ports
// nats-server would, the ports file names them, and the endpoints answer.

// portsOf waits for the ports file in dir to list the monitoring (and, if profile, profiling)
// URLs besides the client one, and returns the file's contents.
func (p *proc) portsOf(dir string, profile bool) ports {
	p.t.Helper()
	var got ports
	waitFor(p.t, startTimeout, "the ports file", func() bool {
		if !p.running() {
			p.t.Fatalf("the server exited with %d before writing its ports file:\n%s", p.code, p.stderr)
		}
		b, err := os.ReadFile(p.portsFile(dir))
		return err == nil && json.Unmarshal(b, &got) == nil && len(got.Nats) > 0 &&
			len(got.Monitoring) > 0 && (!profile || len(got.Profile) > 0)
	})
	return got
}

// httpGet fetches url and returns its status and body.
func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: ioTimeout}
	r, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return r.StatusCode, string(b)
}

// varzOf reads /varz at base.
func varzOf(t *testing.T, base string) map[string]any {
	t.Helper()
	code, body := httpGet(t, base+"/varz")
	if code != http.StatusOK {
		t.Fatalf("GET %s/varz: %d %s", base, code, body)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("/varz: %v\n%s", err, body)
	}
	return v
}

// -m -1 (and --http_port -1) opens monitoring on a random port of the client host: the ports
// file lists it as nats-server's does, the log says where, /varz describes the running server.
func TestMonitoringFlag(t *testing.T) {
	t.Parallel()
	for _, flag := range []string{"-m", "--http_port"} {
		t.Run(flag, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			p := startProc(t, "-p", "-1", "-a", "127.0.0.1", "--ports_file_dir", dir, flag, "-1")
			pf := p.portsOf(dir, false)
			p.waitLog("Server is ready")
			mon := pf.Monitoring[0]
			if !strings.HasPrefix(mon, "http://127.0.0.1:") || len(pf.Monitoring) != 1 || pf.Profile != nil {
				t.Fatalf("ports file %+v, want one monitoring URL on 127.0.0.1 and no profile", pf)
			}
			if !strings.Contains(p.stderr.String(), "[INF] Starting monitor on "+mon+"\n") {
				t.Errorf("the log does not say where monitoring listens:\n%s", p.stderr)
			}
			if strings.Contains(p.stderr.String(), "[WRN]") {
				t.Errorf("warnings:\n%s", p.stderr)
			}
			nc := connect(t, pf.Nats[0])
			if err := nc.Flush(); err != nil {
				t.Fatal(err)
			}
			v := varzOf(t, mon)
			clientPort := pf.Nats[0][strings.LastIndex(pf.Nats[0], ":")+1:]
			if fmt.Sprint(v["port"]) != clientPort || v["http_port"] != -1.0 || v["http_host"] != "127.0.0.1" ||
				v["connections"] != 1.0 {
				t.Errorf("/varz: port %v (client port %s), http_port %v, http_host %v, connections %v",
					v["port"], clientPort, v["http_port"], v["http_host"], v["connections"])
			}
			if code, body := httpGet(t, mon+"/healthz"); code != http.StatusOK || body != `{"status":"ok"}` {
				t.Errorf("/healthz: %d %s", code, body)
			}
			p.signal(syscall.SIGTERM)
			p.expectExit(0)
		})
	}
}

// --profile -1 opens Go's profiles on a random port, listed in the ports file under "profile".
func TestProfileFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := startProc(t, "-p", "-1", "-a", "127.0.0.1", "--ports_file_dir", dir, "-m", "-1", "--profile", "-1")
	pf := p.portsOf(dir, true)
	prof := pf.Profile[0]
	if !strings.HasPrefix(prof, "http://127.0.0.1:") || prof == pf.Monitoring[0] {
		t.Fatalf("ports file %+v", pf)
	}
	if code, body := httpGet(t, prof+"/debug/pprof/"); code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("/debug/pprof/: %d %.200s", code, body)
	}
	if code, _ := httpGet(t, prof+"/debug/pprof/heap?debug=1"); code != http.StatusOK {
		t.Errorf("/debug/pprof/heap: %d", code)
	}
	// The monitoring tree shows both HTTP listeners.
	code, tree := httpGet(t, pf.Monitoring[0]+"/actorz?format=text")
	if code != http.StatusOK || !strings.Contains(tree, "\n    monitor [running]") || !strings.Contains(tree, "\n    profiler [running]") {
		t.Errorf("/actorz?format=text: %d\n%s", code, tree)
	}
}

// -ms asks for HTTPS monitoring, which needs TLS: Troupe refuses it rather than serve plain HTTP.
func TestHTTPSMonitoringIsRefused(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-ms", "-1"}, {"--https_port", "8443"}} {
		_, stderr, code := runCmd(t, append([]string{"-p", "-1", "-a", "127.0.0.1"}, args...)...)
		if code != 1 || !strings.Contains(stderr, "HTTPS monitoring (-ms, --https_port) is not supported yet") {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
		}
	}
	conf := writeFile(t, t.TempDir(), "troupe.conf", "https_port: 8443\n")
	if _, stderr, code := runCmd(t, "-c", conf); code != 1 || !strings.Contains(stderr, `field "https_port" is not supported by Troupe yet`) {
		t.Errorf("https_port in a file: exit %d, stderr %q", code, stderr)
	}
}

// A monitoring port that cannot be bound fails the start, as nats-server's does.
func TestMonitoringPortBusy(t *testing.T) {
	t.Parallel()
	_, stderr, code := runCmd(t, "-p", "-1", "-a", "127.0.0.1", "-m", strconv.Itoa(busyPort(t)))
	if code != 1 || !strings.Contains(stderr, "could not listen on monitor port") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// The configuration keys: http_port and its alias monitor_port, http (host:port),
// http_base_path and prof_port; varz reports the file's digest.
func TestConfigMonitoring(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		content, base string
		profile       bool
	}{
		{"http_port: -1\n", "", false},
		{"monitor_port: -1\n", "", false},
		{"http: \"127.0.0.1:-1\"\n", "", false},
		{"http: \"127.0.0.1:-1\"\nhttp_base_path: \"/nats\"\nprof_port: -1\n", "/nats", true},
	} {
		t.Run(strings.TrimSpace(strings.ReplaceAll(tc.content, "\n", "; ")), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			conf := writeFile(t, dir, "troupe.conf", tc.content)
			p := startProc(t, "-p", "-1", "-a", "127.0.0.1", "--ports_file_dir", dir, "-c", conf)
			pf := p.portsOf(dir, tc.profile)
			v := varzOf(t, pf.Monitoring[0]+tc.base)
			if d, _ := v["config_digest"].(string); !strings.HasPrefix(d, "sha256:") || v["http_base_path"] != tc.base {
				t.Errorf("/varz: config_digest %q, http_base_path %v", d, v["http_base_path"])
			}
			if tc.profile {
				if code, _ := httpGet(t, pf.Profile[0]+"/debug/pprof/"); code != http.StatusOK {
					t.Errorf("profiler: %d", code)
				}
			}
		})
	}
}
