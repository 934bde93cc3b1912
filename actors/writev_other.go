//go:build !unix

package actors

import "errors"

// writev is not available: inline writes hand everything to a worker.
func writev(int, [][]byte) (int, error) { return 0, errors.New("no inline writes here") }

// write1 is not available: inline writes hand everything to a worker.
func write1(int, []byte) (int, error) { return 0, errors.New("no inline writes here") }
