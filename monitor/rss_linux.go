package monitor

import (
	"bytes"
	"os"
	"strconv"
)

// rss is the resident set size in bytes, from /proc/self/statm (as nats-server's pse reads
// /proc/<pid>/stat).
func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return goMemory()
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return goMemory()
	}
	pages, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil {
		return goMemory()
	}
	return pages * int64(os.Getpagesize())
}
