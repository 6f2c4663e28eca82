package server

import (
	"sort"
	"strings"

	"cairn/internal/conv"
)

// parseInt64 is Redis's string2ll: strict decimal, no '+', spaces or leading zeros.
func parseInt64(b []byte) (int64, bool) { return conv.ParseInt(b) }

// parseInt32 parses an int that must fit in a C int (Redis's getIntFromObject).
func parseInt32(b []byte) (int32, bool) {
	n, ok := parseInt64(b)
	if !ok || n < -1<<31 || n > 1<<31-1 {
		return 0, false
	}
	return int32(n), true
}

// int32ArgOrReply parses argument i as a C int, replying Redis's errors
// (getIntFromObjectOrReply) if it is not an integer or does not fit.
func (c *client) int32ArgOrReply(i int) (int32, bool) {
	n, ok := parseInt64(c.argv[i])
	if !ok {
		c.addError(errNotInteger)
		return 0, false
	}
	if n < -1<<31 || n > 1<<31-1 {
		c.addError("ERR value is out of range, value must between -2147483648 and 2147483647")
		return 0, false
	}
	return int32(n), true
}

// subcommandSyntaxError is Redis's addReplySubcommandSyntaxError.
func (c *client) subcommandSyntaxError() {
	c.addError("ERR unknown subcommand or wrong number of arguments for '" + clip(c.argv[1], 128) +
		"'. Try " + strings.ToUpper(string(c.argv[0])) + " HELP.")
}

// int64ArgOrReply parses argument i as an integer, replying Redis's error if it is not.
func (c *client) int64ArgOrReply(i int) (int64, bool) {
	n, ok := parseInt64(c.argv[i])
	if !ok {
		c.addError(errNotInteger)
	}
	return n, ok
}

// argIs reports whether argument i equals opt, ignoring case.
func (c *client) argIs(i int, opt string) bool {
	return len(c.argv[i]) == len(opt) && strings.EqualFold(string(c.argv[i]), opt)
}

// sortedClients returns the connected clients in id order. Caller holds the lock.
func (s *Server) sortedClients() []*client {
	list := make([]*client, 0, len(s.clients))
	for _, c := range s.clients {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].id < list[j].id })
	return list
}

// currentClient is the client whose command is executing. Caller holds the lock.
func (s *Server) currentClient() *client { return s.current }

// replyHelp sends the HELP text of a container command, as Redis 7.0.15 prints it.
func (c *client) replyHelp(name string) {
	lines := helpTexts[name]
	c.w.ArrayLen(len(lines))
	for _, l := range lines {
		c.w.SimpleString(l)
	}
}
