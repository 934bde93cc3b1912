//go:build !linux

package monitor

// rss falls back to the memory the Go runtime holds from the system where /proc is missing.
func rss() int64 { return goMemory() }
