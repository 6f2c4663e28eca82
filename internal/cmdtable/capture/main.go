// Command capture records the command metadata of a running redis-server as raw RESP
// replies, the input of the cmdtable generator and of its byte-exact tests.
//
// It is run by hand, not by tests or go generate:
//
//	redis-server --port 7302 --save '' --daemonize yes
//	cd internal/cmdtable && go run ./capture -addr 127.0.0.1:7302
//
// On one connection it sends HELLO 3, COMMAND INFO and COMMAND DOCS, then HELLO 2 and the
// same two commands again, and writes the four replies byte for byte into
// testdata/redis-<version>-command-{info,docs}.resp (RESP3) and
// testdata/redis-<version>-command-{info,docs}-resp2.resp. The order of entries in these
// replies is the order of the server's command dicts (seeded randomly at startup, and
// shifted by incremental rehashing); capture repeats until the order holds still across
// the four replies, so that they can be compared entry by entry.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7302", "address of the redis-server to capture")
	dir := flag.String("dir", "testdata", "directory to write the .resp files into")
	version := flag.String("version", "7.0.15", "redis_version the server must report")
	flag.Parse()
	if err := run(*addr, *dir, *version); err != nil {
		fmt.Fprintln(os.Stderr, "capture:", err)
		os.Exit(1)
	}
}

func run(addr, dir, version string) error {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return err
	}
	r := bufio.NewReader(conn)
	call := func(args ...string) ([]byte, error) {
		if _, err := conn.Write(encodeCommand(args)); err != nil {
			return nil, err
		}
		reply, err := readReply(r, nil)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", args, err)
		}
		if reply[0] == '-' || reply[0] == '!' {
			return nil, fmt.Errorf("%v: %q", args, reply)
		}
		return reply, nil
	}

	hello, err := call("HELLO", "3")
	if err != nil {
		return err
	}
	// The HELLO 3 reply is a map with "version" => server version; check it byte-wise
	// rather than decoding the map.
	want := fmt.Sprintf("$7\r\nversion\r\n$%d\r\n%s\r\n", len(version), version)
	if !bytes.Contains(hello, []byte(want)) {
		return fmt.Errorf("server at %s is not redis %s: HELLO reply %q", addr, version, hello)
	}

	// The order of the entries, and of the subcommands inside a container's entry, is the
	// order of Redis's command dicts. A dict still being rehashed (some are, after startup)
	// changes its order a little at every lookup in it, so capture in a loop until the
	// RESP3 replies before and after the RESP2 ones are identical: then all four replies
	// share one order.
	steps := [][]string{
		{"COMMAND", "INFO"}, {"COMMAND", "DOCS"},
		{"HELLO", "2"}, {"COMMAND", "INFO"}, {"COMMAND", "DOCS"},
		{"HELLO", "3"}, {"COMMAND", "INFO"}, {"COMMAND", "DOCS"},
	}
	for attempt := 1; ; attempt++ {
		var replies [][]byte
		for _, args := range steps {
			reply, err := call(args...)
			if err != nil {
				return err
			}
			if args[0] == "COMMAND" {
				replies = append(replies, reply)
			}
		}
		if bytes.Equal(replies[0], replies[4]) && bytes.Equal(replies[1], replies[5]) {
			return writeFiles(dir, version, replies[:4])
		}
		if attempt == 20 {
			return errors.New("the command dicts do not settle: COMMAND INFO keeps changing order")
		}
	}
}

func writeFiles(dir, version string, replies [][]byte) error {
	names := []string{"command-info.resp", "command-docs.resp", "command-info-resp2.resp", "command-docs-resp2.resp"}
	for i, name := range names {
		path := filepath.Join(dir, "redis-"+version+"-"+name)
		if err := os.WriteFile(path, replies[i], 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %d bytes\n", path, len(replies[i]))
	}
	return nil
}

func encodeCommand(args []string) []byte {
	b := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// readReply appends to dst the raw bytes of exactly one RESP2 or RESP3 reply read from r.
// It frames replies only; it does not interpret them.
func readReply(r *bufio.Reader, dst []byte) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return dst, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return dst, fmt.Errorf("malformed line %q", line)
	}
	dst = append(dst, line...)
	kind, body := line[0], string(line[1:len(line)-2])
	switch kind {
	case '+', '-', ':', ',', '(', '#', '_':
		return dst, nil
	case '$', '!', '=': // blob string, blob error, verbatim string
		n, err := strconv.Atoi(body)
		if err != nil {
			return dst, fmt.Errorf("bad length in %q", line)
		}
		if n < 0 {
			return dst, nil // RESP2 null bulk
		}
		start := len(dst)
		dst = append(dst, make([]byte, n+2)...)
		if _, err := io.ReadFull(r, dst[start:]); err != nil {
			return dst, err
		}
		if dst[len(dst)-2] != '\r' || dst[len(dst)-1] != '\n' {
			return dst, errors.New("blob not terminated by CRLF")
		}
		return dst, nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil {
			return dst, fmt.Errorf("bad length in %q", line)
		}
		if n < 0 {
			return dst, nil // RESP2 null array
		}
		if kind == '%' || kind == '|' {
			n *= 2
		}
		if kind == '|' {
			n++ // an attribute is followed by the value it annotates
		}
		for range n {
			if dst, err = readReply(r, dst); err != nil {
				return dst, err
			}
		}
		return dst, nil
	}
	return dst, fmt.Errorf("unsupported reply type %q", line)
}
