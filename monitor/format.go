package monitor

import (
	"strconv"
	"time"
)

// uptime formats a duration as nats-server does for uptime and idle (monitor.go myUptime):
// whole seconds, with the larger units that are not zero, e.g. "45s", "3m24s", "2d1h0m7s",
// "1y2d0h0m0s".
func uptime(d time.Duration) string {
	secs := int64(d / time.Second)
	mins, hours := secs/60, secs/3600
	days := hours / 24
	years := days / 365
	var b []byte
	unit := func(n int64, u byte) {
		b = strconv.AppendInt(b, n, 10)
		b = append(b, u)
	}
	switch {
	case years > 0:
		unit(years, 'y')
		unit(days%365, 'd')
		unit(hours%24, 'h')
		unit(mins%60, 'm')
	case days > 0:
		unit(days, 'd')
		unit(hours%24, 'h')
		unit(mins%60, 'm')
	case hours > 0:
		unit(hours, 'h')
		unit(mins%60, 'm')
	case mins > 0:
		unit(mins, 'm')
	}
	unit(secs%60, 's')
	return string(b)
}

// rtt formats a round-trip time as nats-server does (client.go getRTT): microsecond precision
// below a millisecond, Go's duration text.
func rtt(d time.Duration) string {
	if d > time.Microsecond && d < time.Millisecond {
		d = d.Truncate(time.Microsecond)
	}
	return d.String()
}
