// Command subscribers holds -n connections SUBSCRIBEd to -channel and reads and
// discards what they receive, for PUBLISH benchmarks: redis-benchmark publishes, these
// are the receivers. It prints "ready" once every subscription is confirmed, and on
// SIGTERM or SIGINT the number of bytes received in total.
//
//	go run ./bench/subscribers -addr 127.0.0.1:6379 -n 100 -channel ch
//
// A subscriber that cannot read (a dead server) ends the program with an error.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	n := flag.Int("n", 1, "subscriber connections")
	channel := flag.String("channel", "ch", "channel to subscribe to")
	flag.Parse()

	var received atomic.Int64
	failed := make(chan error, *n)
	for range *n {
		conn, err := subscribe(*addr, *channel)
		if err != nil {
			fmt.Fprintln(os.Stderr, "subscribers:", err)
			os.Exit(1)
		}
		go func() {
			buf := make([]byte, 64<<10)
			for {
				k, err := conn.Read(buf)
				received.Add(int64(k))
				if err != nil {
					failed <- err
					return
				}
			}
		}()
	}
	fmt.Println("ready")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-sig:
		fmt.Println(received.Load())
	case err := <-failed:
		fmt.Fprintln(os.Stderr, "subscribers: reading:", err)
		os.Exit(1)
	}
}

// subscribe connects, subscribes to channel and waits for the confirmation.
func subscribe(addr, channel string) (net.Conn, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	cmd := fmt.Sprintf("*2\r\n$9\r\nSUBSCRIBE\r\n$%d\r\n%s\r\n", len(channel), channel)
	if _, err := io.WriteString(conn, cmd); err != nil {
		conn.Close()
		return nil, err
	}
	// The confirmation is *3 $9 subscribe $<len> <channel> :1 — six lines.
	r := bufio.NewReaderSize(conn, 256)
	for range 6 {
		if _, err := r.ReadString('\n'); err != nil {
			conn.Close()
			return nil, fmt.Errorf("subscribe confirmation: %w", err)
		}
	}
	if r.Buffered() > 0 {
		conn.Close()
		return nil, fmt.Errorf("unexpected data after the subscribe confirmation")
	}
	return conn, nil
}
