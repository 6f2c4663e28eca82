package server

import (
	"strconv"
	"time"
)

// feedMonitors sends a command line to every MONITOR client, in Redis's format:
// +<unix>.<usec> [<db> <addr>] "arg" "arg"...
func (s *Server) feedMonitors(c *client, argv [][]byte, at time.Time) {
	line := make([]byte, 0, 64)
	line = append(line, '+')
	line = strconv.AppendInt(line, at.Unix(), 10)
	line = append(line, '.')
	us := at.Nanosecond() / 1000
	usText := strconv.Itoa(us)
	for i := len(usText); i < 6; i++ {
		line = append(line, '0')
	}
	line = append(line, usText...)
	line = append(line, " ["...)
	line = strconv.AppendInt(line, int64(c.db.ID), 10)
	line = append(line, ' ')
	line = append(line, c.addr...)
	line = append(line, ']')
	for _, a := range argv {
		line = append(line, ' ')
		line = appendRepr(line, a)
	}
	line = append(line, '\r', '\n')
	for _, m := range s.monitors {
		m.pushBytes(line)
	}
}

// addMonitor makes c a MONITOR client. Its push writer starts now, so that the +OK of
// MONITOR and every line fed afterwards leave in order. Caller holds the executor lock.
func (s *Server) addMonitor(c *client) {
	c.flags |= flagMonitor
	c.enablePush()
	s.monitors = append(s.monitors, c)
}

// redactedArg replaces secret arguments in what MONITOR and the slow log show.
var redactedArg = []byte("(redacted)")

// redactArg hides argument i of the running command from MONITOR and the slow log, as
// Redis's redactClientCommandArgument does for AUTH, HELLO AUTH and CONFIG SET of
// sensitive directives. Only the client's view of its arguments changes.
func (c *client) redactArg(i int) { c.argv[i] = redactedArg }

func (s *Server) removeMonitor(c *client) {
	for i, m := range s.monitors {
		if m == c {
			s.monitors = append(s.monitors[:i], s.monitors[i+1:]...)
			break
		}
	}
}

// appendRepr is Redis's sdscatrepr: a double-quoted string with C escapes and \xHH for
// bytes that are not printable.
func appendRepr(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, ch := range s {
		switch ch {
		case '\\', '"':
			dst = append(dst, '\\', ch)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		default:
			if ch >= 32 && ch < 127 {
				dst = append(dst, ch)
			} else {
				dst = append(dst, '\\', 'x', hex[ch>>4], hex[ch&15])
			}
		}
	}
	return append(dst, '"')
}
