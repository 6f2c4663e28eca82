// Command idleconns opens -n connections to a server and holds them idle: the load
// of bench/idle.sh, which measures the server's memory per idle client. Each
// connection sends one PING and reads the PONG first (a pooled client at rest has done
// some work; a server may allocate on the first command), unless -ping=false. When all
// are open it prints "ready <n>" and waits until its standard input closes or it gets
// SIGINT/SIGTERM, then closes them.
//
//	go run ./bench/idleconns -addr 127.0.0.1:6379 -n 10000 </dev/tty
//
// Needs an open-files limit above -n (ulimit -n), as the server does.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	n := flag.Int("n", 10000, "connections")
	ping := flag.Bool("ping", true, "send one PING on each connection before idling")
	flag.Parse()
	if *n < 1 {
		fmt.Fprintln(os.Stderr, "idleconns: -n must be positive")
		os.Exit(2)
	}
	conns, err := open(*addr, *n, *ping)
	if err != nil {
		fmt.Fprintln(os.Stderr, "idleconns:", err)
		os.Exit(1)
	}
	fmt.Println("ready", len(conns))

	done := make(chan struct{}, 2)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() { <-sig; done <- struct{}{} }()
	go func() { io.Copy(io.Discard, os.Stdin); done <- struct{}{} }() //nolint:errcheck // any end of stdin ends the wait
	<-done
	for _, c := range conns {
		c.Close()
	}
}

// open dials n connections (and PINGs on each when ping is set). On an error it
// closes what it opened.
func open(addr string, n int, ping bool) ([]net.Conn, error) {
	conns := make([]net.Conn, 0, n)
	fail := func(err error) ([]net.Conn, error) {
		for _, c := range conns {
			c.Close()
		}
		return nil, fmt.Errorf("connection %d: %w", len(conns)+1, err)
	}
	for range n {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			return fail(err)
		}
		if ping {
			c.SetDeadline(time.Now().Add(10 * time.Second)) //nolint:errcheck // a failed deadline shows as a read error
			if _, err := c.Write([]byte("PING\r\n")); err != nil {
				c.Close()
				return fail(err)
			}
			line, err := bufio.NewReader(io.LimitReader(c, 64)).ReadString('\n')
			if err != nil || line != "+PONG\r\n" {
				c.Close()
				return fail(fmt.Errorf("PING: got %q (%v)", line, err))
			}
			c.SetDeadline(time.Time{}) //nolint:errcheck // no deadline while idle
		}
		conns = append(conns, c)
	}
	return conns, nil
}
