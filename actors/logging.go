package actors

import (
	"context"
	"log/slog"
)

// levelTrace is the level of protocol tracing (-V), below slog's Debug.
const levelTrace = slog.Level(-8)

// demoteInfo routes protoactor's logging into the server's logger one level down: its Info
// lines (actor recovered, dead letters) are Debug here, while warnings and errors stay as they
// are.
type demoteInfo struct{ h slog.Handler }

func (d demoteInfo) Enabled(ctx context.Context, l slog.Level) bool {
	if l == slog.LevelInfo {
		l = slog.LevelDebug
	}
	return d.h.Enabled(ctx, l)
}

func (d demoteInfo) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelInfo {
		r.Level = slog.LevelDebug
	}
	return d.h.Handle(ctx, r)
}

func (d demoteInfo) WithAttrs(a []slog.Attr) slog.Handler { return demoteInfo{d.h.WithAttrs(a)} }
func (d demoteInfo) WithGroup(n string) slog.Handler      { return demoteInfo{d.h.WithGroup(n)} }
