package server

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSubscribeModeRESP2(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	// Replayed against redis-server 7.0.15; these are its bytes.
	rc.send("UNSUBSCRIBE\r\nPUNSUBSCRIBE\r\nSUBSCRIBE a b a\r\nPSUBSCRIBE h*\r\nGET x\r\nPING\r\nPING hi\r\nUNSUBSCRIBE\r\nPUNSUBSCRIBE x h*\r\nSSUBSCRIBE s1\r\nSUNSUBSCRIBE\r\nPING\r\n")
	want := "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n*3\r\n$10\r\npsubscribe\r\n$2\r\nh*\r\n:3\r\n-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n*2\r\n$4\r\npong\r\n$2\r\nhi\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:1\r\n*3\r\n$12\r\npunsubscribe\r\n$1\r\nx\r\n:1\r\n*3\r\n$12\r\npunsubscribe\r\n$2\r\nh*\r\n:0\r\n*3\r\n$10\r\nssubscribe\r\n$2\r\ns1\r\n:1\r\n*3\r\n$12\r\nsunsubscribe\r\n$2\r\ns1\r\n:0\r\n+PONG\r\n"
	var got strings.Builder
	for got.Len() < len(want) {
		got.WriteString(rc.readReply())
	}
	if got.String() != want {
		t.Fatalf("got  %q\nwant %q", got.String(), want)
	}
}

func TestPublishDelivery(t *testing.T) {
	s := startServer(t)
	sub, pub := dial(t, s), dial(t, s)
	sub.send("SUBSCRIBE news\r\nPSUBSCRIBE n*\r\n")
	sub.readReply()
	sub.readReply()
	pub.expect(":2\r\n", "PUBLISH", "news", "hello")
	pub.expect(":0\r\n", "PUBLISH", "other", "x")
	if got := sub.readReply(); got != "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n" {
		t.Fatalf("message: %q", got)
	}
	if got := sub.readReply(); got != "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n" {
		t.Fatalf("pmessage: %q", got)
	}
	pub.expect("*4\r\n$4\r\nnews\r\n:1\r\n$1\r\nx\r\n:0\r\n", "PUBSUB", "NUMSUB", "news", "x")
	pub.expect(":1\r\n", "PUBSUB", "NUMPAT")
	pub.expect("*1\r\n$4\r\nnews\r\n", "PUBSUB", "CHANNELS")
	pub.expect("*0\r\n", "PUBSUB", "CHANNELS", "x*")

	// Messages keep publish order under a stream of publishes.
	for i := 0; i < 200; i++ {
		pub.send(encodeCommand("PUBLISH", "news", strings.Repeat("m", i%7)+string(rune('a'+i%26))))
	}
	for i := 0; i < 200; i++ {
		pub.readReply()
	}
	for i := 0; i < 200; i++ {
		msg := strings.Repeat("m", i%7) + string(rune('a'+i%26))
		if got := sub.readReply(); !strings.HasSuffix(got, "$"+strconv.Itoa(len(msg))+"\r\n"+msg+"\r\n") || !strings.HasPrefix(got, "*3") {
			t.Fatalf("message %d out of order: %q", i, got)
		}
		sub.readReply() // the pmessage
	}
}

func TestPublishToSelfKeepsReplyOrder(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.send("HELLO 3\r\n")
	rc.readReply()
	// Redis's order: subscribe confirmation, the message, then PUBLISH's reply.
	rc.send("SUBSCRIBE a\r\nPUBLISH a hello\r\nGET x\r\n")
	want := []string{
		">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n",
		">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$5\r\nhello\r\n",
		":1\r\n",
		"_\r\n",
	}
	for i, w := range want {
		if got := rc.readReply(); got != w {
			t.Fatalf("reply %d: got %q, want %q", i, got, w)
		}
	}
}

func TestKeyspaceNotifications(t *testing.T) {
	s := startServer(t, "--notify-keyspace-events", "KEA")
	sub, c := dial(t, s), dial(t, s)
	sub.send("PSUBSCRIBE __key*\r\n")
	sub.readReply()
	c.expect("+OK\r\n", "SET", "foo", "bar")
	c.expect(":1\r\n", "DEL", "foo")
	want := []string{
		"*4\r\n$8\r\npmessage\r\n$6\r\n__key*\r\n$18\r\n__keyspace@0__:foo\r\n$3\r\nset\r\n",
		"*4\r\n$8\r\npmessage\r\n$6\r\n__key*\r\n$18\r\n__keyevent@0__:set\r\n$3\r\nfoo\r\n",
		"*4\r\n$8\r\npmessage\r\n$6\r\n__key*\r\n$18\r\n__keyspace@0__:foo\r\n$3\r\ndel\r\n",
		"*4\r\n$8\r\npmessage\r\n$6\r\n__key*\r\n$18\r\n__keyevent@0__:del\r\n$3\r\nfoo\r\n",
	}
	for i, w := range want {
		if got := sub.readReply(); got != w {
			t.Fatalf("event %d: got %q, want %q", i, got, w)
		}
	}
	// Expiry fires "expired".
	c.expect("+OK\r\n", "SET", "t", "v", "PX", "20")
	time.Sleep(200 * time.Millisecond) // the active expiry cycle reclaims it
	var events []string
	for i := 0; i < 6; i++ {
		events = append(events, sub.readReply())
		if strings.Contains(events[len(events)-1], "expired") && strings.Contains(events[len(events)-1], "keyevent") {
			return
		}
	}
	t.Fatalf("no expired event: %q", events)
}

func TestSubscribedClientDisconnectCleansUp(t *testing.T) {
	s := startServer(t)
	sub, pub := dial(t, s), dial(t, s)
	sub.send("SUBSCRIBE ch\r\n")
	sub.readReply()
	sub.conn.Close()
	deadline := time.Now().Add(2 * time.Second)
	for {
		if got := pub.do("PUBLISH", "ch", "x"); got == ":0\r\n" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("a disconnected subscriber still receives messages")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestKeyMissEvent(t *testing.T) {
	s := startServer(t, "--notify-keyspace-events", "Em")
	sub, c := dial(t, s), dial(t, s)
	sub.send("SUBSCRIBE __keyevent@0__:keymiss\r\n")
	sub.readReply()
	c.expect("$-1\r\n", "GET", "nope")
	c.expect(":0\r\n", "DEL", "nope") // a write lookup fires nothing
	c.expect("*1\r\n$-1\r\n", "MGET", "also")
	for _, key := range []string{"nope", "also"} {
		want := "*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:keymiss\r\n$" + strconv.Itoa(len(key)) + "\r\n" + key + "\r\n"
		if got := sub.readReply(); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}
