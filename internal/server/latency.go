package server

import (
	"bufio"
	"bytes"
	"math/bits"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

const latencyHistoryLen = 160 // LATENCY_TS_LEN

type latencySample struct {
	time   int64 // unix seconds
	millis int64
}

type latencySeries struct {
	samples []latencySample // oldest first, at most latencyHistoryLen
	max     int64
}

// latencyMonitor is Redis's latency monitor: per event, the worst latency of each
// second, kept when it reaches latency-monitor-threshold. Guarded by the executor lock.
type latencyMonitor struct {
	events map[string]*latencySeries
}

// sample records a command's duration under "command" or "fast-command".
func (m *latencyMonitor) sample(event string, d time.Duration, fast bool, thresholdMS int64) {
	if thresholdMS <= 0 {
		return
	}
	ms := d.Milliseconds()
	if ms < thresholdMS {
		return
	}
	if fast {
		event = "fast-command"
	}
	m.add(event, ms)
}

// add is Redis's latencyAddSample.
func (m *latencyMonitor) add(event string, ms int64) {
	if m.events == nil {
		m.events = make(map[string]*latencySeries)
	}
	ts := m.events[event]
	if ts == nil {
		ts = &latencySeries{}
		m.events[event] = ts
	}
	now := time.Now().Unix()
	if ms > ts.max {
		ts.max = ms
	}
	if n := len(ts.samples); n > 0 && ts.samples[n-1].time == now {
		if ms > ts.samples[n-1].millis {
			ts.samples[n-1].millis = ms
		}
		return
	}
	ts.samples = append(ts.samples, latencySample{now, ms})
	if len(ts.samples) > latencyHistoryLen {
		ts.samples = ts.samples[1:]
	}
}

// reset drops the named events (all of them when none is named) and returns how many
// existed.
func (m *latencyMonitor) reset(events []string) int {
	if len(events) == 0 {
		n := len(m.events)
		m.events = nil
		return n
	}
	n := 0
	for _, e := range events {
		if _, ok := m.events[e]; ok {
			delete(m.events, e)
			n++
		}
	}
	return n
}

// eventNames returns the events in a stable order (Redis's is its dict's order).
func (m *latencyMonitor) eventNames() []string {
	names := make([]string, 0, len(m.events))
	for name := range m.events {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// latencyStats is Redis's struct latencyStats, filled by analyze.
type latencyStats struct {
	allTimeHigh, avg, min, max, mad int64
	samples                         int
	period                          int64 // seconds from the oldest sample to now
}

// analyze is Redis's analyzeLatencyForEvent.
func (ts *latencySeries) analyze(now int64) latencyStats {
	ls := latencyStats{allTimeHigh: ts.max}
	var sum int64
	for i, s := range ts.samples {
		ls.samples++
		if i == 0 {
			ls.min, ls.max = s.millis, s.millis
		} else {
			ls.min = min(ls.min, s.millis)
			ls.max = max(ls.max, s.millis)
		}
		sum += s.millis
		if ls.period == 0 || s.time < ls.period {
			ls.period = s.time
		}
	}
	if ls.samples == 0 {
		return ls
	}
	ls.avg = sum / int64(ls.samples)
	ls.period = now - ls.period
	if ls.period == 0 {
		ls.period = 1
	}
	sum = 0
	for _, s := range ts.samples {
		d := ls.avg - s.millis
		if d < 0 {
			d = -d
		}
		sum += d
	}
	ls.mad = sum / int64(ls.samples)
	return ls
}

// doctorReport is Redis's createLatencyReport, with the advice that applies to the
// events Cairn records (command, fast-command, expire-cycle, eviction-*): Cairn has no
// fork and no AOF yet, so the fork and disk advice never appears.
func (s *Server) latencyDoctorReport() string {
	m := &s.latency
	threshold := s.cfg.LatencyMonitorThreshold
	if len(m.events) == 0 && threshold == 0 {
		return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
	}
	var (
		b                                                   strings.Builder
		adviseSlowlogEnabled, adviseSlowlogTuning           bool
		adviseSlowlogInspect, adviseScheduler, adviseHz     bool
		adviseLargeObjects, adviseMassEviction, adviseNoTHP bool
		advices, eventnum                                   int
	)
	now := time.Now().Unix()
	for _, event := range m.eventNames() {
		ts := m.events[event]
		eventnum++
		if eventnum == 1 {
			b.WriteString("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n")
		}
		ls := ts.analyze(now)
		b.WriteString(strconv.Itoa(eventnum) + ". " + event + ": " + strconv.Itoa(ls.samples) +
			" latency spikes (average " + strconv.FormatInt(ls.avg, 10) + "ms, mean deviation " +
			strconv.FormatInt(ls.mad, 10) + "ms, period " +
			strconv.FormatFloat(float64(ls.period)/float64(ls.samples), 'f', 2, 64) +
			" sec). Worst all time event " + strconv.FormatInt(ts.max, 10) + "ms.")
		switch event {
		case "command":
			if s.cfg.SlowlogLogSlowerThan < 0 || s.cfg.SlowlogMaxLen == 0 {
				adviseSlowlogEnabled = true
				advices++
			} else if s.cfg.SlowlogLogSlowerThan/1000 > threshold {
				adviseSlowlogTuning = true
				advices++
			}
			adviseSlowlogInspect, adviseLargeObjects = true, true
			advices += 2
		case "fast-command":
			adviseScheduler = true
			advices++
		case "expire-cycle":
			adviseHz, adviseLargeObjects = true, true
			advices += 2
		case "eviction-del":
			adviseLargeObjects = true
			advices++
		case "eviction-cycle":
			adviseMassEviction = true
			advices++
		}
		b.WriteByte('\n')
	}
	if anonHugePagesSize() > 0 {
		adviseNoTHP = true
		advices++
	}
	switch {
	case eventnum == 0 && advices == 0:
		b.WriteString("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep tonight.\n")
	case eventnum > 0 && advices == 0:
		b.WriteString("\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n")
	default:
		b.WriteString("\nI have a few advices for you:\n\n")
		us := strconv.FormatInt(threshold*1000, 10)
		if adviseSlowlogEnabled {
			b.WriteString("- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than " + us + "'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n")
		}
		if adviseSlowlogTuning {
			b.WriteString("- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than " + us + "'.\n")
		}
		if adviseSlowlogInspect {
			b.WriteString("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n")
		}
		if adviseScheduler {
			b.WriteString("- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n" +
				"  1) Lower the system load.\n" +
				"  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
				"  3) Check if you have a \"noisy neighbour\" problem.\n" +
				"  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
				"  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n")
		}
		if adviseHz && s.cfg.Hz < 100 {
			b.WriteString("- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n")
		}
		if adviseLargeObjects {
			b.WriteString("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n")
		}
		if adviseMassEviction {
			b.WriteString("- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n")
		}
		if adviseNoTHP {
			b.WriteString("- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n")
		}
	}
	return b.String()
}

// anonHugePagesSize is Redis's THPGetAnonHugePagesSize: the AnonHugePages of
// /proc/self/smaps, in bytes; 0 where that file does not exist.
func anonHugePagesSize() int64 {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0
	}
	defer f.Close()
	var total int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		if rest, ok := bytes.CutPrefix(line, []byte("AnonHugePages:")); ok {
			fields := bytes.Fields(rest)
			if len(fields) > 0 {
				kb, _ := strconv.ParseInt(string(fields[0]), 10, 64)
				total += kb * 1024
			}
		}
	}
	return total
}

// latencyGraph is Redis's latencyCommandGenSparkeline: a header line, a rule, and the
// samples rendered by sparklineRender (80 columns, 4 rows, filled), labelled with how
// long ago each happened.
func latencyGraph(event string, ts *latencySeries, now int64) string {
	var seq sparkSequence
	var lo, hi int64
	for i, s := range ts.samples {
		if i == 0 {
			lo, hi = s.millis, s.millis
		} else {
			lo, hi = min(lo, s.millis), max(hi, s.millis)
		}
		elapsed := now - s.time
		var label string
		switch {
		case elapsed < 60:
			label = strconv.FormatInt(elapsed, 10) + "s"
		case elapsed < 3600:
			label = strconv.FormatInt(elapsed/60, 10) + "m"
		case elapsed < 3600*24:
			label = strconv.FormatInt(elapsed/3600, 10) + "h"
		default:
			label = strconv.FormatInt(elapsed/(3600*24), 10) + "d"
		}
		seq.add(float64(s.millis), label)
	}
	var b []byte
	b = append(b, event...)
	b = append(b, " - high "...)
	b = strconv.AppendInt(b, hi, 10)
	b = append(b, " ms, low "...)
	b = strconv.AppendInt(b, lo, 10)
	b = append(b, " ms (all time high "...)
	b = strconv.AppendInt(b, ts.max, 10)
	b = append(b, " ms)\n"...)
	b = append(b, strings.Repeat("-", 80)...)
	b = append(b, '\n')
	b = seq.render(b, 80, 4)
	return string(b)
}

// sparkSequence is Redis's sparkline.c sequence.
type sparkSequence struct {
	values   []float64
	labels   []string
	min, max float64
	nlabels  int
}

func (q *sparkSequence) add(v float64, label string) {
	if len(q.values) == 0 {
		q.min, q.max = v, v
	} else if v < q.min {
		q.min = v
	} else if v > q.max {
		q.max = v
	}
	q.values = append(q.values, v)
	q.labels = append(q.labels, label)
	if label != "" {
		q.nlabels++
	}
}

// render is sparklineRender with SPARKLINE_FILL.
func (q *sparkSequence) render(out []byte, columns, rows int) []byte {
	for j := 0; j < len(q.values); j += columns {
		sub := min(len(q.values)-j, columns)
		if j != 0 {
			out = append(out, '\n')
		}
		out = q.renderRange(out, rows, j, sub)
	}
	return out
}

func (q *sparkSequence) renderRange(out []byte, rows, offset, n int) []byte {
	const charsetFill = "_o#"
	const charsetLen = 3
	const labelMarginTop = 1
	relmax := q.max - q.min
	if relmax == 0 {
		relmax = 1
	}
	steps := charsetLen * rows
	chars := make([]byte, n)
	for row := 0; ; row++ {
		loop := false
		for j := range chars {
			chars[j] = ' '
		}
		for j := 0; j < n; j++ {
			relval := q.values[j+offset] - q.min
			step := int(float64(int(relval*float64(steps))) / relmax)
			step = max(step, 0)
			step = min(step, steps-1)
			if row < rows {
				charidx := step - (rows-row-1)*charsetLen
				loop = true
				if charidx >= 0 && charidx < charsetLen {
					chars[j] = charsetFill[charidx]
				} else if charidx >= charsetLen {
					chars[j] = '|'
				}
				continue
			}
			if q.nlabels > 0 && row-rows < labelMarginTop {
				loop = true
				break
			}
			if label := q.labels[j+offset]; label != "" {
				labelChar := row - rows - labelMarginTop
				if len(label) > labelChar {
					loop = true
					chars[j] = label[labelChar]
				}
			}
		}
		if !loop {
			return out
		}
		out = append(out, chars...)
		out = append(out, '\n')
	}
}

// Per-command latency histograms (latency-tracking): HdrHistogram with Redis's
// parameters, 1 ns to 1 s at 2 significant figures, so that INFO latencystats and
// LATENCY HISTOGRAM give the numbers redis-server gives for the same durations.
const (
	hdrLowest     = 1
	hdrHighest    = 1_000_000_000
	hdrSubBuckets = 256 // 2^ceil(log2(2 * 10^2))
	hdrHalfCount  = hdrSubBuckets / 2
	hdrHalfMag    = 7 // log2(hdrHalfCount)
	hdrUnitMag    = 0 // floor(log2(hdrLowest))
	hdrSubMask    = (hdrSubBuckets - 1) << hdrUnitMag
)

// hdrBucketCount is hdr_init's buckets_needed_to_cover_value(hdrHighest).
var hdrBucketCount = func() int {
	smallestUntrackable := int64(hdrSubBuckets) << hdrUnitMag
	n := 1
	for smallestUntrackable <= hdrHighest {
		smallestUntrackable <<= 1
		n++
	}
	return n
}()

var hdrCountsLen = (hdrBucketCount + 1) * hdrHalfCount

// latencyHistogram counts a command's durations in nanoseconds.
type latencyHistogram struct {
	counts []int64
	total  int64
}

func hdrBucketIndex(v int64) int {
	pow2ceiling := 64 - bits.LeadingZeros64(uint64(v|hdrSubMask))
	return pow2ceiling - hdrUnitMag - (hdrHalfMag + 1)
}

func hdrCountsIndex(v int64) int {
	bi := hdrBucketIndex(v)
	sub := int(v >> (bi + hdrUnitMag))
	return (bi+1)<<hdrHalfMag + sub - hdrHalfCount
}

func hdrValueAtIndex(i int) int64 {
	bi := i>>hdrHalfMag - 1
	sub := i&(hdrHalfCount-1) + hdrHalfCount
	if bi < 0 {
		sub -= hdrHalfCount
		bi = 0
	}
	return int64(sub) << (bi + hdrUnitMag)
}

func hdrLowestEquivalent(v int64) int64 {
	bi := hdrBucketIndex(v)
	sub := v >> (bi + hdrUnitMag)
	return sub << (bi + hdrUnitMag)
}

func hdrRangeSize(v int64) int64 {
	bi := hdrBucketIndex(v)
	sub := v >> (bi + hdrUnitMag)
	if sub >= hdrSubBuckets {
		bi++
	}
	return 1 << (hdrUnitMag + bi)
}

func hdrHighestEquivalent(v int64) int64 { return hdrLowestEquivalent(v) + hdrRangeSize(v) - 1 }

// record is Redis's updateCommandLatencyHistogram: ns is clamped to the range.
func (h *latencyHistogram) record(ns int64) {
	ns = max(ns, hdrLowest)
	ns = min(ns, hdrHighest)
	if h.counts == nil {
		h.counts = make([]int64, hdrCountsLen)
	}
	h.counts[hdrCountsIndex(ns)]++
	h.total++
}

// valueAtPercentile is hdr_value_at_percentile.
func (h *latencyHistogram) valueAtPercentile(p float64) int64 {
	p = min(p, 100)
	want := max(int64(p/100*float64(h.total)+0.5), 1)
	var total int64
	for i, n := range h.counts {
		total += n
		if total >= want {
			return hdrHighestEquivalent(hdrValueAtIndex(i))
		}
	}
	return 0
}

// cdf is the (microseconds, cumulative count) list of Redis's fillCommandCDF: an
// HdrHistogram logarithmic iteration from 1024 ns doubling at each step, keeping the
// steps where the cumulative count grew.
func (h *latencyHistogram) cdf() [][2]int64 {
	var out [][2]int64
	var (
		idx        = -1
		cumulative int64
		prev       int64
		value      int64
		highest    int64
		level      int64 = 1024
		levelLow         = hdrLowestEquivalent(level)
	)
	moveNext := func() bool {
		idx++
		if idx >= len(h.counts) {
			return false
		}
		cumulative += h.counts[idx]
		value = hdrValueAtIndex(idx)
		highest = hdrHighestEquivalent(value)
		return true
	}
	for {
		// log_iter_next
		if !(cumulative < h.total || hdrValueAtIndex(idx+1) > levelLow) {
			return out
		}
		for {
			if value >= levelLow {
				level *= 2
				levelLow = hdrLowestEquivalent(level)
				break
			}
			if !moveNext() {
				break
			}
		}
		if cumulative > prev {
			out = append(out, [2]int64{highest / 1000, cumulative})
		}
		prev = cumulative
		if idx >= len(h.counts) {
			return out
		}
	}
}
