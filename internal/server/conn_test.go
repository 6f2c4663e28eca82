package server

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestHello(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	id := strings.TrimSuffix(strings.TrimPrefix(rc.do("CLIENT", "ID"), ":"), "\r\n")
	hello := func(proto string) string {
		head := "*14\r\n"
		if proto == "3" {
			head = "%7\r\n"
		}
		return head + "$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:" + proto +
			"\r\n$2\r\nid\r\n:" + id + "\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"
	}
	rc.expect(hello("3"), "HELLO", "3")
	rc.expect("_\r\n", "CLIENT", "GETNAME")
	rc.expect(hello("2"), "HELLO", "2", "SETNAME", "x")
	rc.expect("$1\r\nx\r\n", "CLIENT", "GETNAME")
	rc.expect("-NOPROTO unsupported protocol version\r\n", "HELLO", "4")
	rc.expect("-ERR Protocol version is not an integer or out of range\r\n", "HELLO", "abc")
	rc.expect("-ERR Syntax error in HELLO option 'auth'\r\n", "HELLO", "3", "auth")
	rc.expect("-ERR Syntax error in HELLO option 'foo'\r\n", "HELLO", "3", "foo")
	rc.expect(hello("3"), "HELLO", "3", "AUTH", "default", "anything")
	rc.expect("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", "HELLO", "3", "SETNAME", "a b")
}

func TestHelloAuthWithRequirePass(t *testing.T) {
	s := startServer(t, "--requirepass", "pw")
	rc := dial(t, s)
	rc.expect("-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n", "HELLO", "3")
	rc.expect("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "HELLO", "3", "AUTH", "default", "bad")
	if got := rc.do("HELLO", "3", "AUTH", "default", "pw"); !strings.HasPrefix(got, "%7\r\n") {
		t.Fatalf("HELLO with AUTH: %q", got)
	}
	rc.expect("_\r\n", "GET", "k")
	rc.expect("+RESET\r\n", "RESET")
	rc.expect("-NOAUTH Authentication required.\r\n", "GET", "k")
}

func TestSelectAndErrors(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "SELECT", "15")
	rc.expect("-ERR DB index is out of range\r\n", "SELECT", "16")
	rc.expect("-ERR DB index is out of range\r\n", "SELECT", "-1")
	rc.expect("-ERR value is not an integer or out of range\r\n", "SELECT", "abc")
	rc.expect("-ERR value is out of range, value must between -2147483648 and 2147483647\r\n", "SELECT", "99999999999")
	rc.expect("-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n", "AUTH", "x")
	rc.expect("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "a", "b")
	rc.expect("+OK\r\n", "AUTH", "default", "whatever")
	rc.expect("-ERR syntax error\r\n", "AUTH", "a", "b", "c")
	rc.expect("$5\r\nhello\r\n", "PING", "hello")
	rc.expect("-ERR wrong number of arguments for 'ping' command\r\n", "PING", "a", "b")
}

func TestClientCommands(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "CLIENT", "SETNAME", "worker-1")
	rc.expect("$8\r\nworker-1\r\n", "CLIENT", "GETNAME")
	rc.expect("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", "CLIENT", "SETNAME", "a b")
	rc.expect("+OK\r\n", "CLIENT", "SETNAME", "")
	rc.expect("$-1\r\n", "CLIENT", "GETNAME")
	rc.expect("-ERR Unknown client type 'foo'\r\n", "CLIENT", "LIST", "TYPE", "foo")
	rc.expect("-ERR Invalid client ID\r\n", "CLIENT", "LIST", "ID", "abc")
	rc.expect("-ERR syntax error\r\n", "CLIENT", "LIST", "foo")
	rc.expect("-ERR client-id should be greater than 0\r\n", "CLIENT", "KILL", "ID", "0")
	rc.expect("-ERR Unknown client type 'foo'\r\n", "CLIENT", "KILL", "TYPE", "foo")
	rc.expect("-ERR No such user 'bob'\r\n", "CLIENT", "KILL", "USER", "bob")
	rc.expect("-ERR syntax error\r\n", "CLIENT", "KILL", "ADDR", "1.1.1.1:1", "SKIPME", "maybe")
	rc.expect("-ERR No such client\r\n", "CLIENT", "KILL", "1.2.3.4:5")
	rc.expect(":0\r\n", "CLIENT", "KILL", "ID", "99999")
	rc.expect("-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n", "CLIENT", "PAUSE", "10", "foo")
	rc.expect("-ERR timeout is not an integer or out of range\r\n", "CLIENT", "PAUSE", "abc")
	rc.expect("-ERR timeout is negative\r\n", "CLIENT", "PAUSE", "-1")
	rc.expect("-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n", "CLIENT", "PAUSE", "10", "write", "x")
	rc.expect("-ERR syntax error\r\n", "CLIENT", "NO-EVICT", "maybe")
	rc.expect("+OK\r\n", "CLIENT", "NO-EVICT", "on")
	rc.expect("-ERR syntax error\r\n", "CLIENT", "REPLY", "foo")

	info := rc.do("CLIENT", "INFO")
	line := regexp.MustCompile(`^\$\d+\r\nid=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=\d+ name= age=\d+ idle=\d+ flags=e db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=\d+ qbuf-free=\d+ argv-mem=\d+ multi-mem=0 rbs=\d+ rbp=\d+ obl=\d+ oll=0 omem=0 tot-mem=\d+ events=r cmd=client\|info user=default redir=-1 resp=2\n\r\n$`)
	if !line.MatchString(info) {
		t.Fatalf("CLIENT INFO has not Redis's format: %q", info)
	}
}

func TestClientReplyModes(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.send(encodeCommand("CLIENT", "REPLY", "OFF") + encodeCommand("SET", "a", "1") + encodeCommand("CLIENT", "REPLY", "ON"))
	if got := rc.readReply(); got != "+OK\r\n" {
		t.Fatalf("after REPLY OFF/ON got %q, want only ON's +OK", got)
	}
	rc.send(encodeCommand("CLIENT", "REPLY", "SKIP") + encodeCommand("GET", "a") + encodeCommand("GET", "a"))
	if got := rc.readReply(); got != "$1\r\n1\r\n" {
		t.Fatalf("after REPLY SKIP got %q", got)
	}
}

func TestClientKillAndList(t *testing.T) {
	s := startServer(t)
	a, b := dial(t, s), dial(t, s)
	a.expect("+OK\r\n", "CLIENT", "SETNAME", "victim")
	idB := strings.TrimSuffix(strings.TrimPrefix(b.do("CLIENT", "ID"), ":"), "\r\n")
	list := b.do("CLIENT", "LIST")
	if !strings.Contains(list, " name=victim ") || strings.Count(list, " addr=") != 2 {
		t.Fatalf("CLIENT LIST: %q", list)
	}
	if got := b.do("CLIENT", "LIST", "ID", idB); strings.Count(got, "id=") != 1 || !strings.Contains(got, "id="+idB+" ") {
		t.Fatalf("CLIENT LIST ID: %q", got)
	}
	b.expect(":1\r\n", "CLIENT", "KILL", "SKIPME", "yes")
	a.readEOF()
	b.expect("+PONG\r\n", "PING")
	b.expect(":1\r\n", "CLIENT", "KILL", "ID", idB, "SKIPME", "no")
	b.readEOF()
}

func TestClientPauseWrite(t *testing.T) {
	s := startServer(t)
	a, b := dial(t, s), dial(t, s)
	a.expect("+OK\r\n", "CLIENT", "PAUSE", "300", "WRITE")
	start := time.Now()
	b.expect("$-1\r\n", "GET", "k") // reads are not paused
	if time.Since(start) > 200*time.Millisecond {
		t.Fatalf("a read waited for a WRITE pause")
	}
	b.expect("+OK\r\n", "SET", "k", "v") // waits for the pause to end
	if time.Since(start) < 250*time.Millisecond {
		t.Fatalf("a write ran during a WRITE pause")
	}
	// Under an ALL pause every client waits, CLIENT UNPAUSE included, as in Redis;
	// a WRITE pause can be lifted.
	a.expect("+OK\r\n", "CLIENT", "PAUSE", "10000", "WRITE")
	b.send(encodeCommand("SET", "k", "w"))
	time.Sleep(50 * time.Millisecond)
	a.expect("+OK\r\n", "CLIENT", "UNPAUSE")
	if got := b.readReply(); got != "+OK\r\n" {
		t.Fatalf("after UNPAUSE got %q", got)
	}
}
