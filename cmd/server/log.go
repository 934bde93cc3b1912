package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/troupe/troupe/config"
)

// levelTrace is below slog's Debug: -V, protocol tracing.
const levelTrace = slog.Level(-8)

// logLevels says which levels below Info are logged. As in nats-server, debug (-D) and trace
// (-V) are independent: -V alone logs [TRC] lines but not [DBG] ones.
type logLevels struct{ debug, trace bool }

func (v logLevels) enabled(l slog.Level) bool {
	switch {
	case l >= slog.LevelInfo:
		return true
	case l >= slog.LevelDebug:
		return v.debug
	default:
		return v.trace
	}
}

// logOutput is stderr or a log file that SIGUSR1 reopens (for log rotation).
type logOutput struct {
	mu   sync.Mutex
	path string
	w    io.Writer
	f    *os.File
}

func newLogOutput(path string) (*logOutput, error) {
	o := &logOutput{path: path, w: os.Stderr}
	if path != "" {
		if err := o.reopen(); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func (o *logOutput) reopen() error {
	if o.path == "" {
		return nil
	}
	f, err := os.OpenFile(o.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o660)
	if err != nil {
		return fmt.Errorf("error opening file: %w", err)
	}
	o.mu.Lock()
	old := o.f
	o.f, o.w = f, f
	o.mu.Unlock()
	if old != nil {
		_ = old.Close()
	}
	return nil
}

func (o *logOutput) write(b []byte) {
	o.mu.Lock()
	_, _ = o.w.Write(b)
	o.mu.Unlock()
}

// logHandler writes nats-server style lines:
//
//	[1234] 2026/11/25 15:47:02.123456 [INF] Server is ready
//
// with any attributes appended as key=value.
type logHandler struct {
	out   *logOutput
	level logLevels
	attrs string
	pid   string
	time  bool
}

func newLogHandler(out *logOutput, o *config.Options) *logHandler {
	return &logHandler{out: out, level: logLevels{debug: o.Debug, trace: o.Trace}, pid: fmt.Sprintf("[%d] ", os.Getpid()), time: o.Logtime}
}

func (h *logHandler) Enabled(_ context.Context, l slog.Level) bool { return h.level.enabled(l) }

func (h *logHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(h.pid)
	if h.time {
		b.WriteString(r.Time.Format("2006/01/02 15:04:05.000000"))
		b.WriteByte(' ')
	}
	b.WriteString(levelTag(r.Level))
	b.WriteByte(' ')
	b.WriteString(r.Message)
	b.WriteString(h.attrs)
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, a)
		return true
	})
	b.WriteByte('\n')
	h.out.write([]byte(b.String()))
	return nil
}

func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	var b strings.Builder
	b.WriteString(h.attrs)
	for _, a := range attrs {
		writeAttr(&b, a)
	}
	c.attrs = b.String()
	return &c
}

func (h *logHandler) WithGroup(string) slog.Handler { return h }

func writeAttr(b *strings.Builder, a slog.Attr) {
	b.WriteByte(' ')
	b.WriteString(a.Key)
	b.WriteByte('=')
	v := a.Value.Resolve()
	if v.Kind() == slog.KindDuration {
		b.WriteString(v.Duration().String())
		return
	}
	s := v.String()
	if strings.ContainsAny(s, " \t\n\"") {
		fmt.Fprintf(b, "%q", s)
	} else {
		b.WriteString(s)
	}
}

func levelTag(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "[ERR]"
	case l >= slog.LevelWarn:
		return "[WRN]"
	case l >= slog.LevelInfo:
		return "[INF]"
	case l >= slog.LevelDebug:
		return "[DBG]"
	default:
		return "[TRC]"
	}
}

var _ slog.Handler = (*logHandler)(nil)
