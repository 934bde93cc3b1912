//go:build unix

package actors

import "golang.org/x/sys/unix"

// writev writes bufs to a non-blocking socket once; it returns EAGAIN rather than waiting.
func writev(fd int, bufs [][]byte) (int, error) { return unix.Writev(fd, bufs) }

// write1 writes one buffer to a non-blocking socket once.
func write1(fd int, b []byte) (int, error) { return unix.Write(fd, b) }
