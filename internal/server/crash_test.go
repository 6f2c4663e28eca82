package server

import (
	"bufio"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestCrashLosesNoAcknowledgedWrite runs concurrent writers against a real
// cairn-server process with appendfsync always, then everysec, kills it with SIGKILL at
// a random moment, restarts it on the same files and checks that every write it
// acknowledged is there. Repeated a few times, with one I/O loop and with one per CPU;
// the counts are logged. (SIGKILL keeps the
// page cache, so this proves that no reply goes out before its record is written, under
// either policy; what a power loss costs — nothing with always, the last second with
// everysec — is measured by TestAOFLossWindow with a file that records fsyncs.)
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
	for round := 0; round < 4; round++ {
		policy := []string{"always", "everysec"}[round%2]
		dir := t.TempDir()
		port := pickPort(t)
		loops := []string{"1", "0"}[round/2%2] // one I/O loop (as when pinned to a CPU), then one per CPU
		args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "",
			"--appendonly", "yes", "--appendfsync", policy, "--cairn-io-loops", loops}
		srv := startProcess(t, bin, args)

		stop := make(chan struct{})
		finish := setWriters("127.0.0.1:"+strconv.Itoa(port), 8, stop)
		time.Sleep(time.Duration(100+rng.IntN(400)) * time.Millisecond)
		srv.Process.Signal(syscall.SIGKILL) //nolint:errcheck
		srv.Wait()                          //nolint:errcheck
		close(stop)
		acked := finish()

		srv = startProcess(t, bin, args)
		conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		rc := &rawConn{t: t, conn: conn, r: bufio.NewReader(conn)}
		keys := make([]string, len(acked))
		for i, a := range acked {
			keys[i] = a.key
		}
		total, lost := len(keys), len(missingOn(rc, keys))
		conn.Close()
		srv.Process.Kill() //nolint:errcheck
		srv.Wait()         //nolint:errcheck
		t.Logf("round %d, appendfsync %s, cairn-io-loops %s: %d acknowledged writes, %d lost after SIGKILL and restart", round, policy, loops, total, lost)
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
