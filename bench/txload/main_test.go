package main

import (
	"net"
	"strings"
	"testing"

	"cairn/internal/servertest"
)

// TestRunCountsTransactions: every transaction is run and timed once, and the keys
// written are within the key space.
func TestRunCountsTransactions(t *testing.T) {
	addr := servertest.Start(t)
	res, err := run(options{addr: addr, clients: 3, requests: 50, sets: 4, keyspace: 7, size: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.lat) != 50 || res.rps <= 0 {
		t.Fatalf("%d latencies at %.0f/s, want 50 transactions", len(res.lat), res.rps)
	}
	for i := 1; i < len(res.lat); i++ {
		if res.lat[i] < res.lat[i-1] {
			t.Fatal("latencies not sorted")
		}
	}
	if q := res.quantile(0.5); q < res.lat[0] || q > res.lat[len(res.lat)-1] {
		t.Fatalf("median %v outside [%v, %v]", q, res.lat[0], res.lat[len(res.lat)-1])
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("KEYS *\r\n")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	reply := string(buf[:n])
	if strings.Contains(reply, "key:7") || !strings.Contains(reply, "key:") {
		t.Fatalf("KEYS * after the run: %q, want keys among key:0..key:6", reply)
	}
}

// A server that answers a transaction with anything else stops the run with an error.
func TestRunChecksReplies(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 4096)
		c.Read(buf)                                              //nolint:errcheck
		c.Write([]byte("+OK\r\n+QUEUED\r\n*1\r\n-ERR nope\r\n")) //nolint:errcheck
	}()
	_, err = run(options{addr: ln.Addr().String(), clients: 1, requests: 1, sets: 1, keyspace: 1, size: 1})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("run against a server that fails the SET: %v, want its error", err)
	}
}
