package server

import (
	"errors"
	"strings"
	"syscall"
	"time"
	"unicode"

	"cairn/internal/config"
)

var configProcs = procTable{
	"config|get":       configGetCommand,
	"config|set":       configSetCommand,
	"config|resetstat": configResetStatCommand,
	"config|rewrite":   configRewriteCommand,
	"config|help":      func(c *client) { c.replyHelp("config") },
}

// CONFIG GET parameter [parameter ...]
func configGetCommand(c *client) {
	patterns := make([]string, 0, len(c.argv)-2)
	for _, a := range c.argv[2:] {
		patterns = append(patterns, string(a))
	}
	pairs := c.srv.cfg.Get(patterns)
	c.w.MapLen(len(pairs))
	for _, p := range pairs {
		c.w.BulkString(p[0])
		c.w.BulkString(p[1])
	}
}

// CONFIG SET parameter value [parameter value ...]
//
// All or nothing, as in Redis: the config package checks every name, parses and stores
// every value, runs the apply hooks, and restores everything if one fails. Then the
// limits that connection goroutines read without the executor lock are republished.
func configSetCommand(c *client) {
	if len(c.argv) < 4 || len(c.argv)%2 != 0 {
		c.addError(errSyntax)
		return
	}
	pairs := make([][2]string, 0, (len(c.argv)-2)/2)
	for i := 2; i+1 < len(c.argv); i += 2 {
		pairs = append(pairs, [2]string{string(c.argv[i]), string(c.argv[i+1])})
		if d, ok := config.Lookup(string(c.argv[i])); ok && d.Flags&config.Sensitive != 0 {
			c.redactArg(i + 1)
		}
	}
	s := c.srv
	err := s.cfg.SetFrom(pairs, config.SetContext{LocalClient: c.isLocal()})
	if err != nil {
		c.addError(replyErrorText(err))
		return
	}
	s.applyLimits()
	c.w.OK()
}

// replyErrorText is the error reply for an error from the config package: its text
// when it is already a Redis reply (config.ReplyError), else an ERR reply.
func replyErrorText(err error) string {
	var re config.ReplyError
	if errors.As(err, &re) {
		return string(re)
	}
	return "ERR " + err.Error()
}

// CONFIG RESETSTAT: Redis's resetServerStats, resetCommandTableStats and
// resetErrorTableStats. The slow log, the latency monitor and the memory peak stay.
func configResetStatCommand(c *client) {
	c.srv.resetStats()
	c.w.OK()
}

// resetStats clears the statistics INFO shows. Caller holds the executor lock.
func (s *Server) resetStats() {
	s.stats.reset(time.Now())
	ks := s.ks
	ks.ExpiredKeys, ks.KeyspaceHits, ks.KeyspaceMisses = 0, 0, 0
	ks.ExpiredStalePerc, ks.ExpiredTimeCapReached = 0, 0
	s.eachCommand(func(cmd *command) {
		cmd.calls, cmd.usec, cmd.rejectedCalls, cmd.failedCalls = 0, 0, 0, 0
		cmd.hist = latencyHistogram{}
	})
}

// CONFIG REWRITE
func configRewriteCommand(c *client) {
	s := c.srv
	if s.cfg.File() == "" {
		c.addError("ERR The server is running without a config file")
		return
	}
	if err := s.cfg.Rewrite(); err != nil {
		s.log.Warn("CONFIG REWRITE failed: " + rewriteErrorText(err))
		c.addError("ERR Rewriting config file: " + rewriteErrorText(err))
		return
	}
	s.log.Warn("CONFIG REWRITE executed with success.")
	c.w.OK()
}

// rewriteErrorText is the reason a rewrite failed, as C's strerror gives it
// ("Permission denied"): the config package's reply text without its prefix, or the
// system error inside err.
func rewriteErrorText(err error) string {
	var re config.ReplyError
	if errors.As(err, &re) {
		return strings.TrimPrefix(string(re), "ERR Rewriting config file: ")
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	text := []rune(errno.Error())
	if len(text) > 0 {
		text[0] = unicode.ToUpper(text[0])
	}
	return string(text)
}
