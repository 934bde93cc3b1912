//go:build !unix

package monitor

import "time"

func processCPU() (time.Duration, bool) { return 0, false }
