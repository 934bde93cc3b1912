package actors

import (
	"fmt"
	"time"

	"github.com/troupe/troupe/protocol"
)

// Messages a client connection actor receives (besides deliver, in deliver.go, and Drained, in
// actors/mailbox).

// closeConn asks the connection to write what it has, then close. Its reader sends it after a
// protocol error (the -ERR is already queued), the clients supervisor on shutdown, lame duck and
// account failure.
type closeConn struct {
	reason CloseReason
	err    string // an -ERR text to write last, if any
}

// readerExit says the reader hit end of file or a read error.
type readerExit struct{ reason CloseReason }

// readerPanic carries a panic recovered on the reader goroutine; the actor re-panics with it so
// that its supervisor applies the connection policy.
type readerPanic struct {
	value any
	stack []byte
}

func (p *readerPanic) String() string { return fmt.Sprintf("reader panic: %v\n%s", p.value, p.stack) }

// connected carries the options of an accepted CONNECT (without secrets) from the reader, and
// when its credentials expire (zero: never).
type connected struct {
	opts    protocol.Connect
	expires time.Time
}

// authTimeout is the connection's own timer: CONNECT did not come in time.
type authTimeout struct{}

// authExpired is the connection's own timer: its credentials ran out.
type authExpired struct{ text string }

// pingTick fires the connection's ping timer.
type pingTick struct{}

// slowConsumer comes from a publisher that found the connection over max_pending.
type slowConsumer struct{}

// asyncInfo asks the connection to send its client an INFO now, if it takes async INFO: the
// server entered lame-duck mode (ldm), or the cluster's client URLs changed.
type asyncInfo struct{ ldm bool }

// crashConnection makes a connection actor panic; tests use it to prove a failed connection is
// stopped and nothing else is disturbed.
type crashConnection struct{}

func (*closeConn) IgnoreDeadLetterLogging()    {}
func (*readerExit) IgnoreDeadLetterLogging()   {}
func (*readerPanic) IgnoreDeadLetterLogging()  {}
func (*connected) IgnoreDeadLetterLogging()    {}
func (*pingTick) IgnoreDeadLetterLogging()     {}
func (*authTimeout) IgnoreDeadLetterLogging()  {}
func (*authExpired) IgnoreDeadLetterLogging()  {}
func (*slowConsumer) IgnoreDeadLetterLogging() {}
func (*asyncInfo) IgnoreDeadLetterLogging()    {}
