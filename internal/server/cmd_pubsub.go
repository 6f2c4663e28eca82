package server

import (
	"sort"
	"strconv"

	"cairn/internal/config"
	"cairn/internal/keyspace"
	"cairn/internal/pubsub"
	"cairn/internal/resp"
)

var pubsubProcs = procTable{
	"subscribe":            subscribeCommand,
	"unsubscribe":          unsubscribeCommand,
	"psubscribe":           psubscribeCommand,
	"punsubscribe":         punsubscribeCommand,
	"ssubscribe":           ssubscribeCommand,
	"sunsubscribe":         sunsubscribeCommand,
	"publish":              publishCommand,
	"spublish":             spublishCommand,
	"pubsub|channels":      pubsubChannelsCommand,
	"pubsub|numsub":        pubsubNumsubCommand,
	"pubsub|numpat":        pubsubNumpatCommand,
	"pubsub|shardchannels": pubsubShardChannelsCommand,
	"pubsub|shardnumsub":   pubsubShardNumsubCommand,
	"pubsub|help":          pubsubHelpCommand,
}

// pubsubState is a client's subscriptions, in subscription order. Guarded by the
// executor lock.
type pubsubState struct {
	channels, patterns, shard []string
}

func (p *pubsubState) count() int { return len(p.channels) + len(p.patterns) }

// subscriptionKind selects one of a client's three subscription lists and the
// server-wide registry that goes with it.
type subscriptionKind int

const (
	subChannel subscriptionKind = iota
	subPattern
	subShard
)

var (
	subscribeNames   = [...]string{"subscribe", "psubscribe", "ssubscribe"}
	unsubscribeNames = [...]string{"unsubscribe", "punsubscribe", "sunsubscribe"}
)

func (c *client) subList(kind subscriptionKind) *[]string {
	switch kind {
	case subPattern:
		return &c.pubsub.patterns
	case subShard:
		return &c.pubsub.shard
	}
	return &c.pubsub.channels
}

// subCount is the count Redis reports after a (un)subscription: channels plus
// patterns, or shard channels for the S variants.
func (c *client) subCount(kind subscriptionKind) int {
	if kind == subShard {
		return len(c.pubsub.shard)
	}
	return c.pubsub.count()
}

func (s *Server) registry(kind subscriptionKind) *pubsub.Registry[*client] {
	if kind == subShard {
		return s.shardPubsub
	}
	return s.pubsub
}

// SUBSCRIBE channel [channel ...]
func subscribeCommand(c *client) { c.subscribe(subChannel) }

// PSUBSCRIBE pattern [pattern ...]
func psubscribeCommand(c *client) { c.subscribe(subPattern) }

// SSUBSCRIBE shardchannel [shardchannel ...]
func ssubscribeCommand(c *client) { c.subscribe(subShard) }

func (c *client) subscribe(kind subscriptionKind) {
	s := c.srv
	c.enablePush()
	list := c.subList(kind)
	for _, a := range c.argv[1:] {
		name := string(a)
		var added bool
		if kind == subPattern {
			added = s.pubsub.PSubscribe(c, name)
		} else {
			added = s.registry(kind).Subscribe(c, name)
		}
		if added {
			*list = append(*list, name)
		}
		c.flags |= flagPubSub
		c.w.PushLen(3)
		c.w.BulkString(subscribeNames[kind])
		c.w.Bulk(a)
		c.w.Int(int64(c.subCount(kind)))
	}
}

// UNSUBSCRIBE [channel ...]
func unsubscribeCommand(c *client) { c.unsubscribe(subChannel, c.argv[1:], true) }

// PUNSUBSCRIBE [pattern ...]
func punsubscribeCommand(c *client) { c.unsubscribe(subPattern, c.argv[1:], true) }

// SUNSUBSCRIBE [shardchannel ...]
func sunsubscribeCommand(c *client) { c.unsubscribe(subShard, c.argv[1:], true) }

// unsubscribe removes the named subscriptions, or all of them of this kind when names
// is empty, replying once per name (or once with a null name when there were none).
func (c *client) unsubscribe(kind subscriptionKind, names [][]byte, reply bool) {
	s := c.srv
	list := c.subList(kind)
	if len(names) == 0 {
		// A fresh slice: names may alias the batch's argument array.
		names = make([][]byte, 0, len(*list))
		for _, n := range *list {
			names = append(names, []byte(n))
		}
		if len(names) == 0 {
			if reply {
				c.unsubscribeReply(kind, nil)
			}
			return
		}
	}
	for _, a := range names {
		name := string(a)
		if kind == subPattern {
			s.pubsub.PUnsubscribe(c, name)
		} else {
			s.registry(kind).Unsubscribe(c, name)
		}
		for i, have := range *list {
			if have == name {
				*list = append((*list)[:i], (*list)[i+1:]...)
				break
			}
		}
		if reply {
			c.unsubscribeReply(kind, a)
		}
	}
	if c.pubsub.count()+len(c.pubsub.shard) == 0 {
		c.flags &^= flagPubSub
	}
}

func (c *client) unsubscribeReply(kind subscriptionKind, name []byte) {
	c.w.PushLen(3)
	c.w.BulkString(unsubscribeNames[kind])
	if name == nil {
		c.w.Null()
	} else {
		c.w.Bulk(name)
	}
	c.w.Int(int64(c.subCount(kind)))
}

// unsubscribeAll drops every subscription without replying (disconnect, RESET).
func (c *client) unsubscribeAll() {
	for _, kind := range []subscriptionKind{subChannel, subPattern, subShard} {
		if len(*c.subList(kind)) > 0 {
			c.unsubscribe(kind, nil, false)
		}
	}
	c.flags &^= flagPubSub
}

// PUBLISH channel message
func publishCommand(c *client) {
	c.w.Int(int64(c.srv.publish(c.srv.pubsub, "message", c.argv[1], c.argv[2])))
}

// SPUBLISH shardchannel message
func spublishCommand(c *client) {
	c.w.Int(int64(c.srv.publish(c.srv.shardPubsub, "smessage", c.argv[1], c.argv[2])))
}

// publish delivers a message to the subscribers of channel and its matching patterns,
// each in its own protocol, and returns the number of deliveries.
func (s *Server) publish(reg *pubsub.Registry[*client], kind string, channel, msg []byte) int {
	return reg.Publish(channel, func(target *client, pattern string) {
		w := s.pushWriter(target)
		if pattern == "" {
			w.PushLen(3)
			w.BulkString(kind)
		} else {
			w.PushLen(4)
			w.BulkString("pmessage")
			w.BulkString(pattern)
		}
		w.Bulk(channel)
		w.Bulk(msg)
		s.sendPush(target, w)
	})
}

// pushWriter returns a writer for out-of-band data to target: target's own reply
// writer when target is the client running the current command (so the data keeps its
// place among that client's replies, as in Redis), else a scratch writer in target's
// protocol that sendPush hands to target's push buffer.
func (s *Server) pushWriter(target *client) *resp.Writer {
	if target == s.current {
		return &target.w
	}
	s.scratch.B = s.scratch.B[:0]
	s.scratch.Proto = target.w.Proto
	return &s.scratch
}

// sendPush completes a pushWriter write.
func (s *Server) sendPush(target *client, w *resp.Writer) {
	if w == &s.scratch {
		target.pushBytes(w.B)
	}
}

// PUBSUB CHANNELS [pattern]
func pubsubChannelsCommand(c *client) { c.replyChannels(c.srv.pubsub) }

// PUBSUB SHARDCHANNELS [pattern]
func pubsubShardChannelsCommand(c *client) { c.replyChannels(c.srv.shardPubsub) }

func (c *client) replyChannels(reg *pubsub.Registry[*client]) {
	if len(c.argv) > 3 {
		c.subcommandSyntaxError()
		return
	}
	var pattern []byte
	if len(c.argv) == 3 {
		pattern = c.argv[2]
	}
	chans := reg.Channels(pattern)
	sort.Strings(chans)
	c.w.ArrayLen(len(chans))
	for _, ch := range chans {
		c.w.BulkString(ch)
	}
}

// PUBSUB NUMSUB [channel ...]
func pubsubNumsubCommand(c *client) { c.replyNumsub(c.srv.pubsub) }

// PUBSUB SHARDNUMSUB [shardchannel ...]
func pubsubShardNumsubCommand(c *client) { c.replyNumsub(c.srv.shardPubsub) }

func (c *client) replyNumsub(reg *pubsub.Registry[*client]) {
	c.w.ArrayLen(2 * (len(c.argv) - 2))
	for _, ch := range c.argv[2:] {
		c.w.Bulk(ch)
		c.w.Int(int64(reg.NumSub(string(ch))))
	}
}

// PUBSUB NUMPAT
func pubsubNumpatCommand(c *client) { c.w.Int(int64(c.srv.pubsub.NumPat())) }

// PUBSUB HELP
func pubsubHelpCommand(c *client) { c.replyHelp("pubsub") }

// allowedInRESP2PubSub lists what a RESP2 client may run while subscribed.
func allowedInRESP2PubSub(cmd *command) bool {
	switch cmd.name {
	case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe",
		"psubscribe", "punsubscribe", "quit", "reset":
		return true
	}
	return false
}

// notifyKeyspaceEvent publishes a keyspace event (Redis's notifyKeyspaceEvent): the
// event name on __keyspace@<db>__:<key> and the key on __keyevent@<db>__:<event>,
// as notify-keyspace-events selects. Caller holds the executor lock.
func (s *Server) notifyKeyspaceEvent(class int, event string, key []byte, dbID int) {
	flags := s.cfg.NotifyKeyspaceEvents
	if flags&class == 0 {
		return
	}
	prefix := func(kind string) []byte {
		ch := make([]byte, 0, 24+len(key)+len(event))
		ch = append(ch, "__key"...)
		ch = append(ch, kind...)
		ch = append(ch, '@')
		ch = strconv.AppendInt(ch, int64(dbID), 10)
		return append(ch, "__:"...)
	}
	if flags&config.NotifyKeyspace != 0 {
		s.publish(s.pubsub, "message", append(prefix("space"), key...), []byte(event))
	}
	if flags&config.NotifyKeyevent != 0 {
		s.publish(s.pubsub, "message", append(prefix("event"), event...), key)
	}
}

// KeyMiss implements keyspace.Hooks: the "keymiss" event for a read of a missing key.
func (s *Server) KeyMiss(db *keyspace.DB, key []byte) {
	s.notifyKeyspaceEvent(config.NotifyKeyMiss, "keymiss", key, db.ID)
}
