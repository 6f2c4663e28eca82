package server

import (
	"crypto/subtle"
	"strconv"
	"strings"
	"time"

	"cairn/internal/resp"
)

var connectionProcs = procTable{
	"ping":            pingCommand,
	"echo":            echoCommand,
	"select":          selectCommand,
	"auth":            authCommand,
	"hello":           helloCommand,
	"reset":           resetCommand,
	"client|id":       clientIDCommand,
	"client|setname":  clientSetNameCommand,
	"client|getname":  clientGetNameCommand,
	"client|list":     clientListCommand,
	"client|info":     clientInfoCommand,
	"client|kill":     clientKillCommand,
	"client|reply":    clientReplyCommand,
	"client|no-evict": clientNoEvictCommand,
	"client|pause":    clientPauseCommand,
	"client|unpause":  clientUnpauseCommand,
	"client|help":     clientHelpCommand,
	"client|unblock":  clientUnblockCommand,

	"client|tracking":     clientTrackingCommand,
	"client|caching":      clientCachingCommand,
	"client|getredir":     clientGetredirCommand,
	"client|trackinginfo": clientTrackinginfoCommand,
}

// PING [message]
func pingCommand(c *client) {
	if len(c.argv) > 2 {
		c.addError("ERR wrong number of arguments for 'ping' command")
		return
	}
	if c.flags&flagPubSub != 0 && c.w.Proto == 2 {
		// A subscribed RESP2 client gets PING's answer in the shape of a message.
		c.w.ArrayLen(2)
		c.w.BulkString("pong")
		if len(c.argv) == 1 {
			c.w.BulkString("")
		} else {
			c.w.Bulk(c.argv[1])
		}
		return
	}
	if len(c.argv) == 1 {
		c.w.Raw(resp.Pong)
		return
	}
	c.w.Bulk(c.argv[1])
}

// ECHO message
func echoCommand(c *client) { c.w.Bulk(c.argv[1]) }

// SELECT index
func selectCommand(c *client) {
	id, ok := c.int32ArgOrReply(1)
	if !ok {
		return
	}
	if id < 0 || int(id) >= len(c.srv.ks.DBs) {
		c.addError(errDBIndex)
		return
	}
	c.db = c.srv.ks.DBs[id]
	c.w.OK()
}

// AUTH [username] password
func authCommand(c *client) {
	if len(c.argv) > 3 {
		c.addError(errSyntax)
		return
	}
	args := append([][]byte(nil), c.argv...)
	for i := 1; i < len(c.argv); i++ {
		c.redactArg(i) // MONITOR and the slow log show "(redacted)", as in Redis
	}
	user, pass := []byte("default"), args[1]
	if len(args) == 2 {
		if c.srv.cfg.RequirePass == "" {
			c.addError(errAuthNoPassword)
			return
		}
	} else {
		user, pass = args[1], args[2]
	}
	if !c.srv.checkPassword(user, pass) {
		c.addError(errWrongPass)
		return
	}
	c.setAuthenticated()
	c.w.OK()
}

// checkPassword authenticates against the default user, the only user until ACLs exist.
func (s *Server) checkPassword(user, pass []byte) bool {
	if string(user) != "default" {
		return false
	}
	want := s.cfg.RequirePass
	if want == "" {
		return true // the default user is "nopass"
	}
	return subtle.ConstantTimeCompare(pass, []byte(want)) == 1
}

func (c *client) setAuthenticated() {
	c.authenticated = true
	c.parser.Unauthenticated = false
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
func helloCommand(c *client) {
	var ver int64
	next := 1
	if len(c.argv) >= 2 {
		v, ok := parseInt64(c.argv[1])
		if !ok {
			c.addError("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			c.addError(errNoProto)
			return
		}
		ver, next = v, 2
	}
	var user, pass, name []byte
	for j := next; j < len(c.argv); j++ {
		more := len(c.argv) - 1 - j
		opt := c.argv[j]
		switch {
		case strings.EqualFold(string(opt), "auth") && more >= 2:
			user, pass = c.argv[j+1], c.argv[j+2]
			c.redactArg(j + 1)
			c.redactArg(j + 2)
			j += 2
		case strings.EqualFold(string(opt), "setname") && more >= 1:
			name = c.argv[j+1]
			j++
		default:
			c.addError("ERR Syntax error in HELLO option '" + clip(opt, len(opt)) + "'")
			return
		}
	}
	if user != nil {
		if !c.srv.checkPassword(user, pass) {
			c.addError(errWrongPass)
			return
		}
		c.setAuthenticated()
	}
	if !c.authenticated {
		c.addError("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if name != nil && !c.setName(name) {
		return
	}
	if ver != 0 {
		c.w.Proto = int(ver)
	}
	c.w.MapLen(7)
	c.w.BulkString("server")
	c.w.BulkString("redis")
	c.w.BulkString("version")
	c.w.BulkString(Version)
	c.w.BulkString("proto")
	c.w.Int(int64(c.w.Proto))
	c.w.BulkString("id")
	c.w.Int(int64(c.id))
	c.w.BulkString("mode")
	c.w.BulkString("standalone")
	c.w.BulkString("role")
	c.w.BulkString("master")
	c.w.BulkString("modules")
	c.w.ArrayLen(0)
}

// RESET
func resetCommand(c *client) {
	s := c.srv
	c.discardTransaction()
	c.unsubscribeAll()
	s.disableTracking(c)
	if c.flags&flagMonitor != 0 {
		s.removeMonitor(c)
		c.flags &^= flagMonitor
	}
	c.db = s.ks.DBs[0]
	c.w.Proto = 2
	c.name = ""
	c.replyMode = replyOn
	c.flags &^= flagNoEvict
	c.authenticated = s.cfg.RequirePass == ""
	c.parser.Unauthenticated = !c.authenticated
	c.w.SimpleString("RESET")
}

// setName validates and sets the client name, replying with Redis's error if invalid.
func (c *client) setName(name []byte) bool {
	for _, ch := range name {
		if ch < '!' || ch > '~' {
			c.addError("ERR Client names cannot contain spaces, newlines or special characters.")
			return false
		}
	}
	c.name = string(name)
	return true
}

// CLIENT ID
func clientIDCommand(c *client) { c.w.Int(int64(c.id)) }

// CLIENT SETNAME connection-name
func clientSetNameCommand(c *client) {
	if c.setName(c.argv[2]) {
		c.w.OK()
	}
}

// CLIENT GETNAME
func clientGetNameCommand(c *client) {
	if c.name == "" {
		c.w.Null()
		return
	}
	c.w.BulkString(c.name)
}

// CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]
// (Redis 7.0 accepts one of the two forms, not both.)
func clientListCommand(c *client) {
	var typ string
	var ids map[uint64]bool
	switch {
	case len(c.argv) == 2:
	case len(c.argv) == 4 && c.argIs(2, "type"):
		typ = strings.ToLower(string(c.argv[3]))
		if !validClientType(typ) {
			c.addError("ERR Unknown client type '" + string(c.argv[3]) + "'")
			return
		}
		typ = canonicalClientType(typ)
	case len(c.argv) > 3 && c.argIs(2, "id"):
		ids = make(map[uint64]bool)
		for _, a := range c.argv[3:] {
			id, ok := parseInt64(a)
			if !ok {
				c.addError("ERR Invalid client ID")
				return
			}
			ids[uint64(id)] = true
		}
	default:
		c.addError(errSyntax)
		return
	}
	var out []byte
	for _, cl := range c.srv.sortedClients() {
		if (ids != nil && !ids[cl.id]) || (typ != "" && cl.typeName() != typ) {
			continue
		}
		out = cl.appendInfo(out)
		out = append(out, '\n')
	}
	c.w.Verbatim(string(out), "txt")
}

// CLIENT INFO
func clientInfoCommand(c *client) {
	out := c.appendInfo(nil)
	out = append(out, '\n')
	c.w.Verbatim(string(out), "txt")
}

func validClientType(t string) bool {
	switch t {
	case "normal", "master", "replica", "slave", "pubsub":
		return true
	}
	return false
}

func canonicalClientType(t string) string {
	if t == "slave" {
		return "replica"
	}
	return t
}

func (c *client) typeName() string {
	if c.flags&flagPubSub != 0 {
		return "pubsub"
	}
	return "normal"
}

// appendInfo formats the client as one line of CLIENT LIST, with Redis 7.0's fields.
func (c *client) appendInfo(b []byte) []byte {
	now := time.Now().UnixMilli()
	flags := ""
	if c.flags&flagMonitor != 0 {
		flags += "O"
	}
	if c.flags&flagPubSub != 0 {
		flags += "P"
	}
	if c.flags&flagMulti != 0 {
		flags += "x"
	}
	if c.flags&flagBlocked != 0 {
		flags += "b"
	}
	flags = c.appendTrackingFlags(flags)
	if c.closing.Load() {
		flags += "A"
	}
	if c.flags&flagNoEvict != 0 {
		flags += "e"
	}
	if flags == "" {
		flags = "N"
	}
	cmdName := "NULL"
	if c.lastCmd != nil {
		cmdName = c.lastCmd.name
	}
	if c.cmd != nil && c == c.srv.currentClient() {
		cmdName = c.cmd.name
	}
	argvMem := 0
	for _, a := range c.argv {
		argvMem += len(a)
	}
	kv := func(k string, v string) {
		b = append(b, k...)
		b = append(b, '=')
		b = append(b, v...)
		b = append(b, ' ')
	}
	ki := func(k string, v int64) {
		b = append(b, k...)
		b = append(b, '=')
		b = strconv.AppendInt(b, v, 10)
		b = append(b, ' ')
	}
	ki("id", int64(c.id))
	kv("addr", c.addr)
	kv("laddr", c.laddr)
	ki("fd", int64(c.fd))
	kv("name", c.name)
	ki("age", (now-c.created)/1000)
	ki("idle", (now-c.lastInteraction)/1000)
	kv("flags", flags)
	ki("db", int64(c.db.ID))
	ki("sub", int64(len(c.pubsub.channels)))
	ki("psub", int64(len(c.pubsub.patterns)))
	ki("ssub", int64(len(c.pubsub.shard)))
	multi, multiMem := int64(-1), int64(0)
	if c.multi != nil {
		multi, multiMem = int64(len(c.multi.queue)), int64(c.multi.bytes)
	}
	ki("multi", multi)
	ki("qbuf", int64(c.qbufLen))
	ki("qbuf-free", int64(c.qbufCap-c.qbufLen))
	ki("argv-mem", int64(argvMem))
	ki("multi-mem", multiMem)
	ki("rbs", int64(c.qbufCap))
	ki("rbp", int64(c.qbufCap))
	obl, ocap := c.outLen, c.outCap // as of its last batch: another client's buffer is its own
	if c == c.srv.current {
		obl, ocap = len(c.w.B), cap(c.w.B)
	}
	ki("obl", int64(obl))
	ki("oll", 0)
	ki("omem", 0)
	ki("tot-mem", int64(c.qbufCap+ocap+argvMem))
	kv("events", "r")
	kv("cmd", cmdName)
	kv("user", "default")
	ki("redir", c.trackingRedirect())
	b = append(b, "resp="...)
	b = strconv.AppendInt(b, int64(c.w.Proto), 10)
	return b
}

// CLIENT KILL ip:port
// CLIENT KILL [ID id] [TYPE type] [USER name] [ADDR ip:port] [LADDR ip:port] [SKIPME yes|no] ...
func clientKillCommand(c *client) {
	s := c.srv
	if len(c.argv) == 3 {
		addr := string(c.argv[2])
		for _, cl := range s.clients {
			if cl.addr == addr {
				c.w.OK()
				c.killClient(cl)
				return
			}
		}
		c.addError(errNoSuchClient)
		return
	}
	var (
		id          uint64
		typ, user   string
		addr, laddr string
		skipMe      = true
	)
	for i := 2; i < len(c.argv); i += 2 {
		moreArgs := i+1 < len(c.argv)
		switch {
		case c.argIs(i, "id") && moreArgs:
			n, ok := parseInt64(c.argv[i+1])
			if !ok || n <= 0 {
				c.addError("ERR client-id should be greater than 0")
				return
			}
			id = uint64(n)
		case c.argIs(i, "type") && moreArgs:
			typ = strings.ToLower(string(c.argv[i+1]))
			if !validClientType(typ) {
				c.addError("ERR Unknown client type '" + string(c.argv[i+1]) + "'")
				return
			}
			typ = canonicalClientType(typ)
		case c.argIs(i, "addr") && moreArgs:
			addr = string(c.argv[i+1])
		case c.argIs(i, "laddr") && moreArgs:
			laddr = string(c.argv[i+1])
		case c.argIs(i, "user") && moreArgs:
			user = string(c.argv[i+1])
			if user != "default" {
				c.addError("ERR No such user '" + user + "'")
				return
			}
		case c.argIs(i, "skipme") && moreArgs && c.argIs(i+1, "yes"):
			skipMe = true
		case c.argIs(i, "skipme") && moreArgs && c.argIs(i+1, "no"):
			skipMe = false
		default:
			c.addError(errSyntax)
			return
		}
	}
	killed := 0
	for _, cl := range s.sortedClients() {
		if (id != 0 && cl.id != id) || (typ != "" && cl.typeName() != typ) ||
			(addr != "" && cl.addr != addr) || (laddr != "" && cl.laddr != laddr) ||
			(skipMe && cl == c) {
			continue
		}
		c.killClient(cl)
		killed++
	}
	c.w.Int(int64(killed))
}

// killClient disconnects cl; a client killing itself gets its reply first.
func (c *client) killClient(cl *client) {
	if cl == c {
		c.closeAfterReply()
		return
	}
	cl.kill()
}

// CLIENT REPLY ON|OFF|SKIP
func clientReplyCommand(c *client) {
	switch strings.ToLower(string(c.argv[2])) {
	case "on":
		c.replyMode = replyOn
		c.w.OK()
	case "off":
		c.replyMode = replyOff
	case "skip":
		if c.replyMode != replyOff {
			c.replyMode = replySkip
		}
	default:
		c.addError(errSyntax)
	}
}

// CLIENT NO-EVICT ON|OFF
func clientNoEvictCommand(c *client) {
	switch strings.ToLower(string(c.argv[2])) {
	case "on":
		c.flags |= flagNoEvict
	case "off":
		c.flags &^= flagNoEvict
	default:
		c.addError(errSyntax)
		return
	}
	c.w.OK()
}

// CLIENT PAUSE timeout [WRITE|ALL]
func clientPauseCommand(c *client) {
	if len(c.argv) > 4 {
		c.subcommandSyntaxError()
		return
	}
	all := true
	if len(c.argv) == 4 {
		switch {
		case c.argIs(3, "write"):
			all = false
		case c.argIs(3, "all"):
		default:
			c.addError("ERR CLIENT PAUSE mode must be WRITE or ALL")
			return
		}
	}
	ms, ok := parseInt64(c.argv[2])
	if !ok {
		c.addError(errTimeoutNotInt)
		return
	}
	if ms < 0 {
		c.addError(errTimeoutNeg)
		return
	}
	c.srv.pause.start(time.Now().Add(time.Duration(ms)*time.Millisecond), all)
	c.w.OK()
}

// CLIENT UNPAUSE
func clientUnpauseCommand(c *client) {
	c.srv.pause.lift()
	c.w.OK()
}

// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
func clientUnblockCommand(c *client) {
	if len(c.argv) > 4 {
		c.subcommandSyntaxError()
		return
	}
	withError := false
	if len(c.argv) == 4 {
		switch {
		case c.argIs(3, "timeout"):
		case c.argIs(3, "error"):
			withError = true
		default:
			c.addError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
			return
		}
	}
	id, ok := c.int64ArgOrReply(2)
	if !ok {
		return
	}
	target := c.srv.clients[uint64(id)]
	if target == nil || target.blocked == nil {
		c.w.Int(0)
		return
	}
	if withError {
		target.unblockWith("UNBLOCKED client unblocked via CLIENT UNBLOCK")
	} else {
		target.unblockWith("")
	}
	c.w.Int(1)
}

// CLIENT HELP
func clientHelpCommand(c *client) { c.replyHelp("client") }
