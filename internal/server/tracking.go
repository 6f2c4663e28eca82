package server

import (
	"bytes"
	"slices"
	"strconv"

	"cairn/internal/cmdtable"
)

// Client-side caching, as Redis's tracking.c.
//
// A client enables it with CLIENT TRACKING ON. In the default mode the server remembers,
// in the tracking table, which clients may have cached which keys: every key a tracking
// client reads with a read-only command (the keys come from the command table's key
// specs). When a key is modified (signalModifiedKey: every write, expiry, eviction) the
// clients remembered for it get an invalidation message and the key is forgotten until
// someone reads it again. FLUSHDB and FLUSHALL send every tracking client an
// invalidation with a null payload and empty the table. The table holds key names only,
// not databases, as in Redis: writing "k" in db 1 invalidates readers of "k" in db 0.
//
// In BCAST mode nothing is remembered: the client subscribes to key prefixes (the empty
// prefix by default) and is told about every modified key that starts with one of them.
// Redis collects those keys per prefix and sends one message per prefix from
// beforeSleep, once per event-loop iteration. Cairn sends them at the end of each
// top-level command (after its reply), and for keys changed outside a command (the
// active expiry cycle) as soon as the executor lock is free again; see
// trackingBroadcastInvalidationMessages.
//
// Messages: a RESP3 client gets a push ">2 invalidate [keys]". A client can redirect its
// messages to another connection (REDIRECT id): a RESP3 target gets the same push, a
// RESP2 target in Pub/Sub mode gets a message on the __redis__:invalidate channel whose
// payload is the array of keys, any other RESP2 target gets nothing. When the redirect
// target has disconnected, a RESP3 tracking client gets "tracking-redir-broken" pushes
// and CLIENT TRACKINGINFO shows broken_redirect.
//
// Ordering: invalidations for the client whose command is running are held in
// trackingTable.pending and sent after its reply (after EXEC's whole reply), as Redis's
// tracking_pending_keys. Invalidations for other clients go into their push buffers at
// once.
//
// Memory: the table maps each key to the IDs (not pointers) of the clients that may have
// cached it, with the first ID inline, so a key read by one client costs one map entry
// and its string. IDs of clients that turned tracking off or disconnected stay until the
// key is invalidated, as in Redis: IDs are never reused, so a stale one is harmless.
// tracking-table-max-keys bounds the number of keys: past it, random keys are
// invalidated (trackingLimitUsedSlots).

// trackingFlags are a client's tracking options (Redis's CLIENT_TRACKING_* flags).
type trackingFlags uint8

const (
	trackOn          trackingFlags = 1 << iota // CLIENT_TRACKING
	trackBcast                                 // BCAST
	trackOptin                                 // OPTIN
	trackOptout                                // OPTOUT
	trackCaching                               // CLIENT CACHING given for the next command
	trackNoloop                                // NOLOOP
	trackBrokenRedir                           // the redirect target disconnected
)

// clientTracking is one client's tracking state. Guarded by the executor lock.
type clientTracking struct {
	flags    trackingFlags
	redirect uint64   // REDIRECT client ID; 0 for none. Kept after OFF, as in Redis
	prefixes []string // BCAST prefixes, sorted
}

func (t *clientTracking) on() bool { return t.flags&trackOn != 0 }

// trackingTable is the server's tracking state. Guarded by the executor lock.
type trackingTable struct {
	keys     map[string]trackedIDs  // key -> clients that may have it cached
	items    int                    // client IDs in keys (tracking_total_items)
	prefixes map[string]*bcastState // BCAST prefix -> subscribers and modified keys
	clients  int                    // clients with tracking on (tracking_clients)

	pending []pendingInvalidation // for the running client (trackingCurrent), sent after its reply

	bcastKeys      int  // modified keys waiting in the prefixes' states
	flushScheduled bool // a goroutine will send the BCAST messages when the lock is free

	limitTimeouts int // trackingLimitUsedSlots calls that ended still over the limit

	keyPos []int  // scratch for key positions
	buf    []byte // scratch for message payloads
}

// trackedIDs is the set of client IDs remembered for one key: the first inline, the
// rest (rare: several clients caching the same key) in more.
type trackedIDs struct {
	first uint64
	more  []uint64
}

func (t trackedIDs) has(id uint64) bool {
	return t.first == id || slices.Contains(t.more, id)
}

func (t trackedIDs) len() int { return 1 + len(t.more) }

// bcastState is one BCAST prefix: its subscribers and the keys with the prefix modified
// since the last broadcast, each with the ID of the client that modified it last (0:
// none, e.g. expiry), for NOLOOP.
type bcastState struct {
	clients []uint64
	keys    map[string]uint64
}

// pendingInvalidation is a key (or, null, a flush) to announce to the running client
// after its reply.
type pendingInvalidation struct {
	key  string
	null bool
}

// trackingInvalidateChannel is the Pub/Sub channel of RESP2 redirect targets.
const trackingInvalidateChannel = "__redis__:invalidate"

var trackingChannelHeader = []byte("*3\r\n$7\r\nmessage\r\n$20\r\n" + trackingInvalidateChannel + "\r\n")

// active reports whether call has tracking work to do after a command.
func (t *trackingTable) active() bool {
	return t.clients > 0 || len(t.pending) > 0 || t.bcastKeys > 0
}

// CLIENT TRACKING ON|OFF [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]]
// [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
func clientTrackingCommand(c *client) {
	s := c.srv
	var (
		redir    int64
		opts     trackingFlags
		prefixes [][]byte
	)
	for j := 3; j < len(c.argv); j++ {
		more := j < len(c.argv)-1
		switch {
		case c.argIs(j, "redirect") && more:
			j++
			if redir != 0 {
				c.addError("ERR A client can only redirect to a single other client")
				return
			}
			n, ok := c.int64ArgOrReply(j)
			if !ok {
				return
			}
			if n <= 0 || s.clients[uint64(n)] == nil {
				c.addError("ERR The client ID you want redirect to does not exist")
				return
			}
			redir = n
		case c.argIs(j, "bcast"):
			opts |= trackBcast
		case c.argIs(j, "optin"):
			opts |= trackOptin
		case c.argIs(j, "optout"):
			opts |= trackOptout
		case c.argIs(j, "noloop"):
			opts |= trackNoloop
		case c.argIs(j, "prefix") && more:
			j++
			prefixes = append(prefixes, c.argv[j])
		default:
			c.addError(errSyntax)
			return
		}
	}
	switch {
	case c.argIs(2, "on"):
		t := &c.tracking
		switch {
		case opts&trackBcast == 0 && len(prefixes) > 0:
			c.addError("ERR PREFIX option requires BCAST mode to be enabled")
			return
		case t.on() && (t.flags&trackBcast != 0) != (opts&trackBcast != 0):
			c.addError("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.")
			return
		case opts&trackBcast != 0 && opts&(trackOptin|trackOptout) != 0:
			c.addError("ERR OPTIN and OPTOUT are not compatible with BCAST")
			return
		case opts&trackOptin != 0 && opts&trackOptout != 0:
			c.addError("ERR You can't specify both OPTIN mode and OPTOUT mode")
			return
		case (opts&trackOptin != 0 && t.flags&trackOptout != 0) ||
			(opts&trackOptout != 0 && t.flags&trackOptin != 0):
			c.addError("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.")
			return
		}
		if opts&trackBcast != 0 && !c.checkPrefixCollisionsOrReply(prefixes) {
			return
		}
		s.enableTracking(c, uint64(redir), opts, prefixes)
	case c.argIs(2, "off"):
		s.disableTracking(c)
	default:
		c.addError(errSyntax)
		return
	}
	c.w.OK()
}

// checkPrefixCollisionsOrReply refuses BCAST prefixes that overlap (one is a prefix of
// the other) with the client's prefixes or with each other.
func (c *client) checkPrefixCollisionsOrReply(prefixes [][]byte) bool {
	overlap := func(a, b []byte) bool {
		n := min(len(a), len(b))
		return bytes.Equal(a[:n], b[:n])
	}
	for i, p := range prefixes {
		for _, have := range c.tracking.prefixes {
			if overlap([]byte(have), p) {
				c.addError("ERR Prefix '" + string(p) + "' overlaps with an existing prefix '" + have +
					"'. Prefixes for a single client must not overlap.")
				return false
			}
		}
		for _, q := range prefixes[i+1:] {
			if overlap(p, q) {
				c.addError("ERR Prefix '" + string(p) + "' overlaps with another provided prefix '" + string(q) +
					"'. Prefixes for a single client must not overlap.")
				return false
			}
		}
	}
	return true
}

// enableTracking turns tracking on with the given options (Redis's enableTracking):
// calling it again replaces the options and the redirect, and adds BCAST prefixes.
func (s *Server) enableTracking(c *client, redirect uint64, opts trackingFlags, prefixes [][]byte) {
	t := &c.tracking
	tt := &s.tracking
	if !t.on() {
		tt.clients++
	}
	t.flags = trackOn | t.flags&trackCaching
	t.redirect = redirect
	if tt.keys == nil {
		tt.keys = make(map[string]trackedIDs)
		tt.prefixes = make(map[string]*bcastState)
	}
	if opts&trackBcast != 0 {
		t.flags |= trackBcast
		if len(prefixes) == 0 {
			s.enableBcastTrackingForPrefix(c, "")
		}
		for _, p := range prefixes {
			s.enableBcastTrackingForPrefix(c, string(p))
		}
	}
	t.flags |= opts & (trackOptin | trackOptout | trackNoloop)
	// Messages for a client (or its redirect target) go through its push buffer, and so
	// do its replies from now on: a reply read before an invalidation cannot reach the
	// socket after it.
	c.enablePush()
	if target := s.clients[redirect]; target != nil {
		target.enablePush()
	}
}

// enableBcastTrackingForPrefix subscribes c to a BCAST prefix.
func (s *Server) enableBcastTrackingForPrefix(c *client, prefix string) {
	bs := s.tracking.prefixes[prefix]
	if bs == nil {
		bs = &bcastState{}
		s.tracking.prefixes[prefix] = bs
	}
	if slices.Contains(bs.clients, c.id) {
		return
	}
	bs.clients = append(bs.clients, c.id)
	i, _ := slices.BinarySearch(c.tracking.prefixes, prefix)
	c.tracking.prefixes = slices.Insert(c.tracking.prefixes, i, prefix)
}

// disableTracking turns tracking off (CLIENT TRACKING OFF, RESET, disconnect). The
// keys the client read stay in the table until invalidated.
func (s *Server) disableTracking(c *client) {
	t := &c.tracking
	if t.flags&trackBcast != 0 {
		for _, p := range t.prefixes {
			bs := s.tracking.prefixes[p]
			if bs == nil {
				continue
			}
			if i := slices.Index(bs.clients, c.id); i >= 0 {
				bs.clients = slices.Delete(bs.clients, i, i+1)
			}
			if len(bs.clients) == 0 {
				s.tracking.bcastKeys -= len(bs.keys)
				delete(s.tracking.prefixes, p)
			}
		}
		t.prefixes = nil
	}
	if t.on() {
		s.tracking.clients--
		t.flags = 0
	}
}

// CLIENT CACHING YES|NO
func clientCachingCommand(c *client) {
	t := &c.tracking
	if !t.on() {
		c.addError("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
		return
	}
	switch {
	case c.argIs(2, "yes"):
		if t.flags&trackOptin == 0 {
			c.addError("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
			return
		}
	case c.argIs(2, "no"):
		if t.flags&trackOptout == 0 {
			c.addError("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
			return
		}
	default:
		c.addError(errSyntax)
		return
	}
	t.flags |= trackCaching
	c.w.OK()
}

// trackingResetCaching runs after every command of a client that gave CLIENT CACHING:
// the option holds for the next command only, or for the whole transaction, as Redis's
// resetClient clears it unless the client is in MULTI or the command was a CLIENT
// subcommand (even a failed one).
func (s *Server) trackingResetCaching(c *client) {
	if c.multi != nil {
		return
	}
	if cmd, unknownSub := s.lookupCommand(c.argv); cmd != nil && !unknownSub &&
		cmd.parent != nil && cmd.parent.name == "client" {
		return
	}
	c.tracking.flags &^= trackCaching
}

// CLIENT GETREDIR
func clientGetredirCommand(c *client) {
	if !c.tracking.on() {
		c.w.Int(-1)
		return
	}
	c.w.Int(int64(c.tracking.redirect))
}

// CLIENT TRACKINGINFO
func clientTrackinginfoCommand(c *client) {
	t := &c.tracking
	var flags [6]string
	n := 0
	add := func(f string) { flags[n] = f; n++ }
	if t.on() {
		add("on")
	} else {
		add("off")
	}
	if t.flags&trackBcast != 0 {
		add("bcast")
	}
	if t.flags&trackOptin != 0 {
		add("optin")
		if t.flags&trackCaching != 0 {
			add("caching-yes")
		}
	}
	if t.flags&trackOptout != 0 {
		add("optout")
		if t.flags&trackCaching != 0 {
			add("caching-no")
		}
	}
	if t.flags&trackNoloop != 0 {
		add("noloop")
	}
	if t.flags&trackBrokenRedir != 0 {
		add("broken_redirect")
	}
	c.w.MapLen(3)
	c.w.BulkString("flags")
	c.w.SetLen(n)
	for _, f := range flags[:n] {
		c.w.BulkString(f)
	}
	c.w.BulkString("redirect")
	c.w.Int(c.trackingRedirect())
	c.w.BulkString("prefixes")
	c.w.ArrayLen(len(t.prefixes))
	for _, p := range t.prefixes {
		c.w.BulkString(p)
	}
}

// trackingRedirect is the redirect CLIENT LIST and TRACKINGINFO show: -1 when tracking
// is off.
func (c *client) trackingRedirect() int64 {
	if !c.tracking.on() {
		return -1
	}
	return int64(c.tracking.redirect)
}

// appendTrackingFlags appends CLIENT LIST's tracking flags (t, R, B).
func (c *client) appendTrackingFlags(flags string) string {
	if c.tracking.on() {
		flags += "t"
	}
	if c.tracking.flags&trackBrokenRedir != 0 {
		flags += "R"
	}
	if c.tracking.flags&trackBcast != 0 {
		flags += "B"
	}
	return flags
}

// trackingAfterCall is call's tracking step, after the command ran and its reply was
// written: remember the keys a read-only command read for a tracking client, and at the
// top level (not inside EXEC) send the invalidations held for the running client, keep
// the table within tracking-table-max-keys and send the BCAST invalidations.
func (s *Server) trackingAfterCall(c *client, cmd *command, top bool) {
	if cmd.flags&cmdtable.FlagReadonly != 0 {
		switch cmd.name {
		case "eval_ro", "evalsha_ro", "fcall_ro":
			// Its keys are remembered when the script runs a read-only command.
		default:
			// A read inside a script counts for the script's caller, with the keys
			// of the caller's command (EVAL's declared keys), as in Redis 7.0.
			tc := c
			if caller := s.scripts.caller; caller != nil && c.flags&flagScript != 0 {
				tc = caller
			}
			if tc.tracking.flags&(trackOn|trackBcast) == trackOn && tc.cmd != nil {
				s.trackingRememberKeys(tc, tc.cmd)
			}
		}
	}
	if !top {
		return
	}
	s.trackingHandlePendingKeyInvalidations(c)
	if s.tracking.clients > 0 {
		s.trackingLimitUsedSlots()
		s.trackingHandlePendingKeyInvalidations(c)
	}
	if !s.inBatch {
		// In a batch, they go out when it ends (endBatch).
		s.trackingBroadcastInvalidationMessages()
	}
}

// trackingRememberKeys adds the keys of the running read-only command to the table
// for c, honouring OPTIN/OPTOUT and CLIENT CACHING.
func (s *Server) trackingRememberKeys(c *client, cmd *command) {
	f := c.tracking.flags
	caching := f&trackCaching != 0
	if (f&trackOptin != 0 && !caching) || (f&trackOptout != 0 && caching) {
		return
	}
	// c.argv is the arguments of cmd: the running command, or a script's caller's.
	if cmd.flags&cmdtable.FlagPubsub != 0 || cmd.spec == nil {
		return
	}
	t := &s.tracking
	t.keyPos = cmd.spec.AppendKeys(t.keyPos[:0], c.argv)
	for _, pos := range t.keyPos {
		key := c.argv[pos]
		ids, ok := t.keys[string(key)]
		switch {
		case !ok:
			t.keys[string(key)] = trackedIDs{first: c.id}
		case ids.has(c.id):
			continue
		default:
			ids.more = append(ids.more, c.id)
			t.keys[string(key)] = ids
		}
		t.items++
	}
}

// trackingInvalidateKey is called for every modified key (Redis's
// trackingInvalidateKey): with bcast, the key is noted for the BCAST prefixes it
// matches, with modifier (the client whose command changed it, the script client for a
// script's write, nil for none) for BCAST NOLOOP; the clients remembered for it are
// told, except a NOLOOP client whose command is running, and it is forgotten.
func (s *Server) trackingInvalidateKey(modifier *client, key []byte, bcast bool) {
	t := &s.tracking
	if t.keys == nil {
		return
	}
	if bcast && len(t.prefixes) > 0 {
		s.trackingRememberKeyToBroadcast(modifier, key)
	}
	ids, ok := t.keys[string(key)]
	if !ok {
		return
	}
	delete(t.keys, string(key))
	t.items -= ids.len()
	s.invalidateFor(ids.first, key)
	for _, id := range ids.more {
		s.invalidateFor(id, key)
	}
}

// invalidateFor sends one client remembered for key its invalidation.
func (s *Server) invalidateFor(id uint64, key []byte) {
	target := s.clients[id]
	// A client that switched to BCAST after reading the key gets nothing for it.
	if target == nil || target.tracking.flags&(trackOn|trackBcast) != trackOn {
		return
	}
	current := s.trackingCurrent()
	if target.tracking.flags&trackNoloop != 0 && target == current {
		return
	}
	if target == current {
		// Its reply is being written: the message goes after it.
		s.tracking.pending = append(s.tracking.pending, pendingInvalidation{key: string(key)})
		return
	}
	s.sendTrackingMessage(target, s.keyPayload(key))
}

// trackingCurrent is Redis's server.current_client as tracking sees it: the client
// whose command is running, or the caller of the running script.
func (s *Server) trackingCurrent() *client {
	if c := s.current; c != nil && c.flags&flagScript != 0 && s.scripts.caller != nil {
		return s.scripts.caller
	}
	return s.current
}

// keyPayload is the array of one key, in the scratch buffer.
func (s *Server) keyPayload(key []byte) []byte {
	b := append(s.tracking.buf[:0], "*1\r\n$"...)
	b = strconv.AppendInt(b, int64(len(key)), 10)
	b = append(b, '\r', '\n')
	b = append(b, key...)
	b = append(b, '\r', '\n')
	s.tracking.buf = b
	return b
}

// nullPayload is the null of c's protocol. Like Redis, a flush is announced with the
// null of the tracking client's protocol even when a redirect target speaks another.
func nullPayload(c *client) []byte {
	if c.w.Proto > 2 {
		return null3
	}
	return null2
}

var (
	null2 = []byte("$-1\r\n")
	null3 = []byte("_\r\n")
)

// trackingHandlePendingKeyInvalidations sends the invalidations held for c, the
// client whose top-level command just ran.
func (s *Server) trackingHandlePendingKeyInvalidations(c *client) {
	t := &s.tracking
	if len(t.pending) == 0 {
		return
	}
	for _, p := range t.pending {
		if p.null {
			s.sendTrackingMessage(c, nullPayload(c))
		} else {
			s.sendTrackingMessage(c, s.keyPayload([]byte(p.key)))
		}
	}
	clear(t.pending)
	t.pending = t.pending[:0]
}

// sendTrackingMessage sends c an invalidation whose payload (an array of keys, or a
// null) is already encoded (Redis's sendTrackingMessage), to c or to its redirect target.
func (s *Server) sendTrackingMessage(c *client, payload []byte) {
	target := c
	redirected := false
	if id := c.tracking.redirect; id != 0 {
		r := s.clients[id]
		if r == nil {
			c.tracking.flags |= trackBrokenRedir
			if c.w.Proto > 2 {
				w := s.pushWriter(c)
				w.PushLen(2)
				w.BulkString("tracking-redir-broken")
				w.Int(int64(id))
				s.sendPush(c, w)
			}
			return
		}
		target, redirected = r, true
	}
	w := s.pushWriter(target)
	switch {
	case target.w.Proto > 2:
		w.PushLen(2)
		w.BulkString("invalidate")
	case redirected && target.flags&flagPubSub != 0:
		w.Raw(trackingChannelHeader)
	default:
		// RESP2 without a Pub/Sub redirect target: nowhere to send it.
		return
	}
	w.Raw(payload)
	s.sendPush(target, w)
}

// trackingInvalidateKeysOnFlush tells every tracking client, BCAST ones too, that
// everything is invalid (a null payload) and empties the table: FLUSHDB and FLUSHALL
// (Redis's trackingInvalidateKeysOnFlush, once per flush whatever the database).
func (s *Server) trackingInvalidateKeysOnFlush() {
	t := &s.tracking
	if t.clients > 0 {
		for _, c := range s.sortedClients() {
			if !c.tracking.on() {
				continue
			}
			if c == s.trackingCurrent() {
				t.pending = append(t.pending, pendingInvalidation{null: true})
				continue
			}
			s.sendTrackingMessage(c, nullPayload(c))
		}
	}
	if t.keys != nil {
		t.keys = make(map[string]trackedIDs) // a new map: Go maps never shrink
		t.items = 0
	}
}

// trackingLimitUsedSlots keeps the table within tracking-table-max-keys by invalidating
// random keys (Redis's trackingLimitUsedSlots): up to 100 keys per call, 100 more for
// every previous call that ended still over the limit. Redis runs it before every command
// and from serverCron; Cairn after every top-level command, which covers every way the
// table can grow and CONFIG SET lowering the limit.
func (s *Server) trackingLimitUsedSlots() {
	t := &s.tracking
	maxKeys := int(s.cfg.TrackingTableMaxKeys)
	if t.keys == nil || maxKeys == 0 {
		return
	}
	if len(t.keys) <= maxKeys {
		t.limitTimeouts = 0
		return
	}
	for effort := 100 * (t.limitTimeouts + 1); effort > 0; effort-- {
		var key string
		for k := range t.keys { // Go randomises where iteration starts
			key = k
			break
		}
		s.trackingInvalidateKey(nil, []byte(key), false)
		if len(t.keys) <= maxKeys {
			t.limitTimeouts = 0
			return
		}
	}
	t.limitTimeouts++
}

// trackingRememberKeyToBroadcast notes a modified key in every BCAST prefix it matches.
func (s *Server) trackingRememberKeyToBroadcast(modifier *client, key []byte) {
	var id uint64
	if modifier != nil {
		id = modifier.id
	}
	t := &s.tracking
	for p, bs := range t.prefixes {
		if len(key) < len(p) || string(key[:len(p)]) != p {
			continue
		}
		if bs.keys == nil {
			bs.keys = make(map[string]uint64)
		}
		if _, ok := bs.keys[string(key)]; !ok {
			t.bcastKeys++
		}
		bs.keys[string(key)] = id
	}
	if s.current == nil && !t.flushScheduled {
		// Not inside a command (the active expiry cycle): no command end will send them.
		// Send them as soon as the lock is free, batched like Redis's beforeSleep.
		t.flushScheduled = true
		go func() {
			s.mu.Lock()
			s.tracking.flushScheduled = false
			s.trackingBroadcastInvalidationMessages()
			s.mu.Unlock()
		}()
	}
}

// trackingBroadcastInvalidationMessages sends the BCAST invalidations collected since
// the last call: for each prefix, in prefix order, one message with its modified keys in
// key order to each subscriber, without the keys a NOLOOP subscriber modified itself.
// Redis does this once per event-loop iteration; Cairn at the end of each top-level
// command, so a pipeline of writes gives one message per command rather than one per
// batch.
func (s *Server) trackingBroadcastInvalidationMessages() {
	t := &s.tracking
	if t.bcastKeys == 0 {
		return
	}
	prefixes := make([]string, 0, len(t.prefixes))
	for p, bs := range t.prefixes {
		if len(bs.keys) > 0 {
			prefixes = append(prefixes, p)
		}
	}
	slices.Sort(prefixes)
	var keys []string
	for _, p := range prefixes {
		bs := t.prefixes[p]
		keys = keys[:0]
		for k := range bs.keys {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		proto := bcastPayload(nil, keys, bs.keys, 0)
		for _, id := range bs.clients {
			c := s.clients[id]
			if c == nil {
				continue
			}
			if c.tracking.flags&trackNoloop != 0 {
				if adhoc := bcastPayload(t.buf[:0], keys, bs.keys, id); adhoc != nil {
					t.buf = adhoc
					s.sendTrackingMessage(c, adhoc)
				}
				continue
			}
			s.sendTrackingMessage(c, proto)
		}
		clear(bs.keys)
	}
	t.bcastKeys = 0
}

// bcastPayload encodes keys as an array, leaving out those last modified by the client
// with ID except (0: none); nil if no key is left.
func bcastPayload(b []byte, keys []string, modifiers map[string]uint64, except uint64) []byte {
	n := 0
	for _, k := range keys {
		if except == 0 || modifiers[k] != except {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, '\r', '\n')
	for _, k := range keys {
		if except != 0 && modifiers[k] == except {
			continue
		}
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(k)), 10)
		b = append(b, '\r', '\n')
		b = append(b, k...)
		b = append(b, '\r', '\n')
	}
	return b
}

// trackingInfo returns INFO's tracking_clients, tracking_total_keys,
// tracking_total_items and tracking_total_prefixes.
func (s *Server) trackingInfo() (clients, keys, items, prefixes int) {
	t := &s.tracking
	return t.clients, len(t.keys), t.items, len(t.prefixes)
}
