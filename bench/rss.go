package main

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Memory per idle connection: p.Conns raw TCP connections, each sends CONNECT, one SUB and a
// PING and reads up to the PONG, then stays idle. Raw sockets keep the generator light (nats.go
// would run goroutines and buffers per connection in this process, not in the server's).
// The result is (server RSS with them open - RSS before) / p.Conns.

const rssDialers = 32 // connections being opened at once

func idleConnRSS(s *server, p Params) (Result, error) {
	addr := strings.TrimPrefix(s.URL, "nats://")
	time.Sleep(200 * time.Millisecond) // let the fresh server settle
	before, err := s.rssKB()
	if err != nil {
		return Result{}, err
	}
	start := time.Now()
	conns, err := openIdleConns(addr, p.Conns)
	defer closeAll(conns)
	if err != nil {
		return Result{}, err
	}
	connect := time.Since(start)
	time.Sleep(time.Second) // let the server's per-connection work finish
	after, err := s.rssKB()
	if err != nil {
		return Result{}, err
	}
	n := float64(p.Conns)
	return Result{
		Sent: int64(p.Conns), Elapsed: connect,
		Metrics: []Metric{
			{Name: "rss_per_conn", Label: "RSS per idle connection", Unit: "B/conn", Value: float64(after-before) * 1024 / n, Show: true},
			{Name: "rss_before", Label: "RSS before", Unit: "KiB", Value: float64(before)},
			{Name: "rss_after", Label: "RSS with the connections", Unit: "KiB", Value: float64(after)},
			{Name: "connect_rate", Label: "connections/s", Unit: "conns/s", Value: n / connect.Seconds(), Higher: true},
		},
	}, nil
}

// openIdleConns opens n idle connections to addr, rssDialers at a time; on failure it returns
// those it opened with the first error.
func openIdleConns(addr string, n int) ([]net.Conn, error) {
	conns := make([]net.Conn, n)
	jobs := make(chan int)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range rssDialers {
		wg.Go(func() {
			for i := range jobs {
				c, err := openIdle(addr, i)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("connection %d: %w", i, err)
				}
				mu.Unlock()
				conns[i] = c
			}
		})
	}
	for i := range conns {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return conns, firstErr
}

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}

// openIdle opens one connection, subscribes it to s.<i> and waits for the PONG.
func openIdle(addr string, i int) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := fmt.Fprintf(c, "CONNECT {\"verbose\":false}\r\nSUB s.%d 1\r\nPING\r\n", i); err != nil {
		c.Close()
		return nil, err
	}
	r := bufio.NewReaderSize(c, 1024)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("reading up to PONG: %w", err)
		}
		switch {
		case strings.HasPrefix(line, "PONG"):
			_ = c.SetDeadline(time.Time{})
			return c, nil
		case strings.HasPrefix(line, "-ERR"):
			c.Close()
			return nil, fmt.Errorf("server: %s", strings.TrimSpace(line))
		}
	}
}

// raiseFileLimit lifts the soft limit on open files to the hard one, for this process and the
// servers it starts (children inherit it): the rss scenario holds 10k sockets on each side.
func raiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	return lim.Cur, nil
}
