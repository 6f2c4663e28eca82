package server

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestCrashLosesNoAcknowledgedWrite runs concurrent writers against a real
// cairn-server process with appendfsync always, kills it with SIGKILL at a random
// moment, restarts it on the same files and checks that every write it acknowledged
// is there. Repeated a few times; the counts are logged. (SIGKILL keeps the page
// cache, so this proves that no reply goes out before its record is written; that an
// fsync covers it first is proven in internal/persist/aof with a file that records syncs.)
func TestCrashLosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "cairn-server")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/cairn-server")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building cairn-server: %v\n%s", err, out)
	}
	seed := rand.Uint64()
	t.Logf("SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	for round := 0; round < 3; round++ {
		dir := t.TempDir()
		port := pickPort(t)
		args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "",
			"--appendonly", "yes", "--appendfsync", "always"}
		srv := startProcess(t, bin, args)

		const writers = 8
		acked := make([][]int, writers)
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
				if err != nil {
					return
				}
				defer conn.Close()
				r := bufio.NewReader(conn)
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := conn.Write([]byte(encodeCommand("SET", fmt.Sprintf("w%d:%d", w, i), "v"))); err != nil {
						return
					}
					line, err := r.ReadString('\n')
					if err != nil {
						return // the server died: this write was not acknowledged
					}
					if line == "+OK\r\n" {
						acked[w] = append(acked[w], i)
					}
				}
			}(w)
		}
		time.Sleep(time.Duration(100+rng.IntN(400)) * time.Millisecond)
		srv.Process.Signal(syscall.SIGKILL) //nolint:errcheck
		srv.Wait()                          //nolint:errcheck
		close(stop)
		wg.Wait()

		srv = startProcess(t, bin, args)
		conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		rc := &rawConn{t: t, conn: conn, r: bufio.NewReader(conn)}
		total, lost := 0, 0
		for w := range acked {
			for _, i := range acked[w] {
				total++
				if rc.do("EXISTS", fmt.Sprintf("w%d:%d", w, i)) != ":1\r\n" {
					lost++
				}
			}
		}
		conn.Close()
		srv.Process.Kill() //nolint:errcheck
		srv.Wait()         //nolint:errcheck
		t.Logf("round %d: %d acknowledged writes, %d lost after SIGKILL and restart", round, total, lost)
		if total == 0 {
			t.Fatalf("round %d: no write was acknowledged before the kill", round)
		}
		if lost != 0 {
			t.Fatalf("round %d: %d of %d acknowledged writes lost", round, lost, total)
		}
	}
}

func pickPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startProcess runs bin and waits until it answers PING.
func startProcess(t *testing.T, bin string, args []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, args...)
	if testing.Verbose() {
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) //nolint:errcheck
	port := args[1]
	for i := 0; i < 200; i++ {
		if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			c.Write([]byte("PING\r\n")) //nolint:errcheck
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if line == "+PONG\r\n" {
				return cmd
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("cairn-server did not start")
	return nil
}
