// Command saveprobe measures what a background save costs a server, and how long a
// server takes to load its data set at start: the probe of bench/durability.sh.
//
// saveprobe bgsave -addr A -pid P: runs a PING loop (one PING in flight, a fresh one as
// soon as the reply arrives) for -baseline, then sends BGSAVE on a second connection and
// keeps the loop going until INFO persistence says the save has ended
// (rdb_bgsave_in_progress:0). The longest PING round trip during the save is the
// longest pause of the server's executor (for Redis, the fork; for Cairn, the longest
// snapshot step). Meanwhile it samples the server's RSS (/proc/P/status) every
// millisecond. It prints one line of key=value fields: save_ms, pings, ping_max_ms and
// ping_p99_ms during the save, base_max_ms (the longest PING before it), rss_kb before
// the save, rss_peak_kb during it, and cow_kb (rdb_last_cow_size / 1024: what Redis's fork
// child copied; 0 for Cairn, which does not fork). With -aof it measures BGREWRITEAOF
// instead (aof_rewrite_in_progress, aof_last_bgrewrite_status, aof_last_cow_size).
//
// saveprobe waitload -addr A -since NS: polls PING on fresh connections every
// millisecond until the server answers +PONG (not -LOADING, not refused) and prints
// load_ms, the time since NS (Unix nanoseconds, e.g. `date +%s%N` taken before the
// server was started).
//
//	go run ./bench/saveprobe bgsave -addr 127.0.0.1:6379 -pid $(pidof redis-server)
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "bgsave":
		err = bgsaveCmd(os.Args[2:])
	case "waitload":
		err = waitloadCmd(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "saveprobe:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: saveprobe bgsave -addr HOST:PORT -pid PID [-baseline 1s]\n       saveprobe waitload -addr HOST:PORT -since UNIXNANO [-timeout 5m]")
	os.Exit(2)
}

// conn is a minimal RESP client: one command, one reply, read in full.
type conn struct {
	c net.Conn
	r *bufio.Reader
}

func dial(addr string) (*conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &conn{c, bufio.NewReader(c)}, nil
}

// do sends an inline command and returns the first line of the reply (without CRLF)
// and, for a bulk string, its body.
func (c *conn) do(cmd string) (string, string, error) {
	if _, err := c.c.Write([]byte(cmd + "\r\n")); err != nil {
		return "", "", err
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if !strings.HasPrefix(line, "$") {
		return line, "", nil
	}
	n, err := strconv.Atoi(line[1:])
	if err != nil || n < 0 {
		return line, "", err
	}
	body := make([]byte, n+2)
	if _, err := io.ReadFull(c.r, body); err != nil {
		return "", "", err
	}
	return line, string(body[:n]), nil
}

// infoField returns field's value in an INFO reply.
func infoField(info, field string) string {
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			return v
		}
	}
	return ""
}

// pingLoop sends PINGs one at a time until stop is closed and returns each round
// trip.
func pingLoop(c *conn, stop <-chan struct{}) ([]time.Duration, error) {
	var rtts []time.Duration
	for {
		select {
		case <-stop:
			return rtts, nil
		default:
		}
		start := time.Now()
		line, _, err := c.do("PING")
		if err != nil {
			return rtts, err
		}
		if line != "+PONG" {
			return rtts, fmt.Errorf("PING: %s", line)
		}
		rtts = append(rtts, time.Since(start))
	}
}

// rssKB reads VmRSS of pid in kB.
func rssKB(pid int) (int64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, errors.New("no VmRSS in /proc/" + strconv.Itoa(pid) + "/status")
}

func bgsaveCmd(args []string) error {
	fs := flag.NewFlagSet("bgsave", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:6379", "server address")
	pid := fs.Int("pid", 0, "the server's process id (for its RSS)")
	baseline := fs.Duration("baseline", time.Second, "PING loop before the save, for comparison")
	rewrite := fs.Bool("aof", false, "measure BGREWRITEAOF instead of BGSAVE")
	fs.Parse(args) //nolint:errcheck // ExitOnError
	if *pid <= 0 {
		return errors.New("bgsave needs -pid")
	}
	pinger, err := dial(*addr)
	if err != nil {
		return err
	}
	ctl, err := dial(*addr)
	if err != nil {
		return err
	}

	stop := make(chan struct{})
	time.AfterFunc(*baseline, func() { close(stop) })
	base, err := pingLoop(pinger, stop)
	if err != nil {
		return err
	}
	rssBefore, err := rssKB(*pid)
	if err != nil {
		return err
	}

	// During the save: the PING loop and an RSS sampler run until the save has ended.
	stop = make(chan struct{})
	var peak atomic.Int64
	peak.Store(rssBefore)
	var wg sync.WaitGroup
	wg.Add(2)
	var rtts []time.Duration
	var pingErr error
	go func() {
		defer wg.Done()
		rtts, pingErr = pingLoop(pinger, stop)
	}()
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if kb, err := rssKB(*pid); err == nil && kb > peak.Load() {
				peak.Store(kb)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	cmd, started, running, status, cowField := "BGSAVE", "+Background saving started", "rdb_bgsave_in_progress", "rdb_last_bgsave_status", "rdb_last_cow_size"
	if *rewrite {
		cmd, started, running, status, cowField = "BGREWRITEAOF", "+Background append only file rewriting started", "aof_rewrite_in_progress", "aof_last_bgrewrite_status", "aof_last_cow_size"
	}
	start := time.Now()
	line, _, err := ctl.do(cmd)
	if err != nil || !strings.HasPrefix(line, started) {
		close(stop)
		wg.Wait()
		return fmt.Errorf("%s: %s %v", cmd, line, err)
	}
	var info string
	for {
		time.Sleep(5 * time.Millisecond)
		if _, info, err = ctl.do("INFO persistence"); err != nil {
			break
		}
		if infoField(info, running) == "0" {
			break
		}
	}
	saveTime := time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil {
		return err
	}
	if pingErr != nil {
		return pingErr
	}
	if s := infoField(info, status); s != "ok" {
		return fmt.Errorf("%s:%s", status, s)
	}
	cow, _ := strconv.ParseInt(infoField(info, cowField), 10, 64)
	slices.Sort(rtts)
	ms := func(d time.Duration) string { return strconv.FormatFloat(d.Seconds()*1000, 'f', 3, 64) }
	quantile := func(q float64) time.Duration {
		if len(rtts) == 0 {
			return 0
		}
		return rtts[min(len(rtts)-1, int(q*float64(len(rtts))))]
	}
	fmt.Printf("save_ms=%s pings=%d ping_max_ms=%s ping_p99_ms=%s base_max_ms=%s rss_kb=%d rss_peak_kb=%d cow_kb=%d\n",
		ms(saveTime), len(rtts), ms(quantile(1)), ms(quantile(0.99)), ms(slices.Max(append(base, 0))),
		rssBefore, peak.Load(), cow/1024)
	return nil
}

func waitloadCmd(args []string) error {
	fs := flag.NewFlagSet("waitload", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:6379", "server address")
	since := fs.Int64("since", 0, "Unix nanoseconds the load time counts from")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after")
	fs.Parse(args) //nolint:errcheck // ExitOnError
	if *since <= 0 {
		return errors.New("waitload needs -since")
	}
	deadline := time.Now().Add(*timeout)
	for time.Now().Before(deadline) {
		if c, err := dial(*addr); err == nil {
			line, _, err := c.do("PING")
			c.c.Close()
			if err == nil && line == "+PONG" {
				took := time.Since(time.Unix(0, *since))
				fmt.Printf("load_ms=%.1f\n", took.Seconds()*1000)
				return nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("%s did not answer PONG within %v", *addr, *timeout)
}
