// Package redislog is a log/slog handler that writes lines in redis-server's format,
// so tools and people that read Redis logs read Cairn's:
//
//	12345:M 22 Nov 2026 02:47:49.123 * Ready to accept connections tcp port=6379
//
// The level characters are Redis's: '.' debug, '-' verbose, '*' notice, '#' warning.
// slog's Debug, Info, Warn and Error map to debug, notice, warning and warning; Verbose
// is the extra level between debug and notice. Attributes follow the message as
// key=value pairs.
package redislog

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"
)

// LevelVerbose is Redis's "verbose" level, between debug and notice.
const LevelVerbose = slog.Level(-2)

// ParseLevel maps a redis.conf loglevel (debug, verbose, notice, warning, nothing) to a
// slog level.
func ParseLevel(s string) slog.Level {
	switch s {
	case "debug":
		return slog.LevelDebug
	case "verbose":
		return LevelVerbose
	case "warning":
		return slog.LevelWarn
	case "nothing":
		return slog.LevelError + 100
	default:
		return slog.LevelInfo
	}
}

// Handler writes Redis-format lines to an io.Writer.
type Handler struct {
	mu    *sync.Mutex
	out   io.Writer
	level slog.Leveler
	pid   int
	role  byte
	attrs []byte // pre-formatted attributes from WithAttrs
	group string
}

// New makes a handler writing lines at or above level to out.
func New(out io.Writer, level slog.Leveler) *Handler {
	return &Handler{mu: new(sync.Mutex), out: out, level: level, pid: os.Getpid(), role: 'M'}
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

// Handle implements slog.Handler.
func (h *Handler) Handle(_ context.Context, r slog.Record) error {
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	b := make([]byte, 0, 128)
	b = strconv.AppendInt(b, int64(h.pid), 10)
	b = append(b, ':', h.role, ' ')
	b = t.AppendFormat(b, "02 Jan 2006 15:04:05.000")
	b = append(b, ' ', levelChar(r.Level), ' ')
	b = append(b, r.Message...)
	b = append(b, h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		b = appendAttr(b, h.group, a)
		return true
	})
	b = append(b, '\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.out.Write(b)
	return err
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h2 := *h
	h2.attrs = append([]byte(nil), h.attrs...)
	for _, a := range attrs {
		h2.attrs = appendAttr(h2.attrs, h.group, a)
	}
	return &h2
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	h2 := *h
	if h2.group != "" {
		name = h2.group + "." + name
	}
	h2.group = name
	return &h2
}

func levelChar(l slog.Level) byte {
	switch {
	case l < LevelVerbose:
		return '.'
	case l < slog.LevelInfo:
		return '-'
	case l < slog.LevelWarn:
		return '*'
	default:
		return '#'
	}
}

func appendAttr(b []byte, group string, a slog.Attr) []byte {
	if a.Equal(slog.Attr{}) {
		return b
	}
	b = append(b, ' ')
	if group != "" {
		b = append(b, group...)
		b = append(b, '.')
	}
	b = append(b, a.Key...)
	b = append(b, '=')
	v := a.Value.Resolve().String()
	if needsQuote(v) {
		b = strconv.AppendQuote(b, v)
	} else {
		b = append(b, v...)
	}
	return b
}

func needsQuote(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == '"' || c == '=' || c >= 0x7f {
			return true
		}
	}
	return false
}
