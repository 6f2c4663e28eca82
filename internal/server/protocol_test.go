package server

import (
	"strconv"
	"strings"
	"testing"
)

func TestProtocolErrorsCloseTheConnection(t *testing.T) {
	s := startServer(t)
	cases := []struct{ name, in, want string }{
		{"multibulk length not a number", "*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"multibulk length above INT_MAX", "*3000000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"missing dollar", "*1\r\nx\r\n", "-ERR Protocol error: expected '$', got 'x'\r\n"},
		{"negative bulk length", "*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"bulk length with junk", "*1\r\n$4x\r\nPING\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"unbalanced quotes", "set \"a b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
		{"closing quote not followed by space", "set \"a\"b c\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
		{"bulk longer than proto-max-bulk-len", "*1\r\n$536870913\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"too big inline", strings.Repeat("a", 70*1024), "-ERR Protocol error: too big inline request\r\n"},
		{"too big multibulk count", "*1" + strings.Repeat("1", 70*1024), "-ERR Protocol error: too big mbulk count string\r\n"},
		{"too big bulk count", "*1\r\n$1" + strings.Repeat("1", 70*1024), "-ERR Protocol error: too big bulk count string\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := dial(t, s)
			rc.send(tc.in)
			if got := rc.readReply(); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			rc.readEOF()
		})
	}
}

func TestProtocolRequestForms(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	cases := []struct{ in, want string }{
		{"*1\r\n$4\r\nPING\r\n", "+PONG\r\n"},
		{"PING\r\n", "+PONG\r\n"},
		{"PING\n", "+PONG\r\n"},
		{"*0\r\nPING\r\n", "+PONG\r\n"},
		{"*-1\r\nPING\r\n", "+PONG\r\n"},
		{"\r\n\r\nPING\r\n", "+PONG\r\n"},
		{"ECHO \"a\\x41b\"\r\n", "$3\r\naAb\r\n"},
		{"ECHO 'it\\'s'\r\n", "$4\r\nit's\r\n"},
		{"ECHO \"tab\\there\"\r\n", "$8\r\ntab\there\r\n"},
		// Redis skips the two bytes after a bulk without checking them.
		{"*1\r\n$4\r\nPINGxx", "+PONG\r\n"},
	}
	for _, tc := range cases {
		rc.send(tc.in)
		if got := rc.readReply(); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestProtocolSplitAcrossWrites(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	cmd := encodeCommand("SET", "key", strings.Repeat("v", 100000)) + encodeCommand("GET", "key") + "PING\r\n"
	// Byte at a time for the head, then in uneven chunks.
	for i := 0; i < 40; i++ {
		rc.send(cmd[i : i+1])
	}
	for i := 40; i < len(cmd); i += 7919 {
		rc.send(cmd[i:min(i+7919, len(cmd))])
	}
	if got := rc.readReply(); got != "+OK\r\n" {
		t.Fatalf("SET: got %q", got)
	}
	if got := rc.readReply(); got != "$100000\r\n"+strings.Repeat("v", 100000)+"\r\n" {
		t.Fatalf("GET: got %d bytes", len(got))
	}
	if got := rc.readReply(); got != "+PONG\r\n" {
		t.Fatalf("PING: got %q", got)
	}
}

func TestPipelineRepliesInOrder(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	var in strings.Builder
	for i := 0; i < 1000; i++ {
		in.WriteString(encodeCommand("INCR", "counter"))
	}
	rc.send(in.String())
	for i := 1; i <= 1000; i++ {
		want := ":" + strconv.Itoa(i) + "\r\n"
		if got := rc.readReply(); got != want {
			t.Fatalf("reply %d: got %q, want %q", i, got, want)
		}
	}
}

func TestGateErrors(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n", "foo", "a", "b")
	rc.expect("-ERR unknown subcommand 'xyz'. Try CONFIG HELP.\r\n", "config", "xyz", "a")
	rc.expect("-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n", "COMMAND", "FOO")
	rc.expect("-ERR wrong number of arguments for 'get' command\r\n", "get")
	rc.expect("-ERR wrong number of arguments for 'config|get' command\r\n", "config", "get")
	rc.expect("-ERR wrong number of arguments for 'config' command\r\n", "config")
	long := strings.Repeat("x", 140)
	rc.expect("-ERR unknown command '"+long[:128]+"', with args beginning with: '"+strings.Repeat("y", 128)+"' \r\n", long, strings.Repeat("y", 140))
}

func TestAuth(t *testing.T) {
	s := startServer(t, "--requirepass", "pw")
	rc := dial(t, s)
	rc.expect("-NOAUTH Authentication required.\r\n", "GET", "x")
	rc.expect("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "nope")
	rc.expect("+OK\r\n", "AUTH", "pw")
	rc.expect("$-1\r\n", "GET", "x")

	rc2 := dial(t, s)
	rc2.send("*11\r\n")
	if got := rc2.readReply(); got != "-ERR Protocol error: unauthenticated multibulk length\r\n" {
		t.Fatalf("got %q", got)
	}
	rc2.readEOF()
}

func TestQuit(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "QUIT")
	rc.readEOF()
}
