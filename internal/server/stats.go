package server

import (
	"runtime/metrics"
	"strings"
	"time"
)

// stats are the server-wide counters INFO reports. Guarded by the executor lock.
type stats struct {
	commandsProcessed int64
	totalConnections  int64
	rejectedConns     int64
	netInputBytes     int64
	netOutputBytes    int64
	readsProcessed    int64 // batches read from clients (total_reads_processed)
	writesProcessed   int64 // batches of replies written (total_writes_processed)
	totalErrorReplies int64
	panics            int64            // commands that panicked and were recovered (executor_panics)
	errorCounts       map[string]int64 // by error code, for INFO errorstats

	// instantaneous_ops_per_sec etc.: Redis samples every 100 ms into a ring of 16.
	lastSample     time.Time
	lastSampleCmds int64
	lastSampleIn   int64
	lastSampleOut  int64
	opsSamples     [16]float64
	inSamples      [16]float64
	outSamples     [16]float64
	sampleIdx      int

	mem memStats // not reset by CONFIG RESETSTAT
}

// countError records an error reply under its code (the first word, without '-').
func (st *stats) countError(msg string) {
	st.totalErrorReplies++
	code := msg
	if i := strings.IndexByte(msg, ' '); i >= 0 {
		code = msg[:i]
	}
	if st.errorCounts == nil {
		st.errorCounts = make(map[string]int64)
	}
	if _, ok := st.errorCounts[code]; !ok && len(st.errorCounts) >= 128 {
		// Redis stops tracking new error codes past 128 to bound memory.
		return
	}
	st.errorCounts[code]++
}

// sampleOps updates the instantaneous rates and the memory figures, at most every
// 100 ms. Called by the cron.
func (st *stats) sampleOps(now time.Time) {
	if st.lastSample.IsZero() {
		st.lastSample = now
		st.mem.sample()
		st.mem.startup = st.mem.used
		return
	}
	dt := now.Sub(st.lastSample)
	if dt < 100*time.Millisecond {
		return
	}
	secs := dt.Seconds()
	i := st.sampleIdx % len(st.opsSamples)
	st.opsSamples[i] = float64(st.commandsProcessed-st.lastSampleCmds) / secs
	st.inSamples[i] = float64(st.netInputBytes-st.lastSampleIn) / secs / 1024
	st.outSamples[i] = float64(st.netOutputBytes-st.lastSampleOut) / secs / 1024
	st.sampleIdx++
	st.lastSample, st.lastSampleCmds = now, st.commandsProcessed
	st.lastSampleIn, st.lastSampleOut = st.netInputBytes, st.netOutputBytes
	st.mem.sample()
}

func average(s []float64) float64 {
	var sum float64
	for _, v := range s {
		sum += v
	}
	return sum / float64(len(s))
}

// reset is the stats part of CONFIG RESETSTAT (Redis's resetServerStats). The
// instantaneous rates restart from zero; the memory figures are not statistics and
// stay.
func (st *stats) reset(now time.Time) {
	*st = stats{lastSample: now, mem: st.mem}
}

// memStats are the Go runtime's memory figures, read through runtime/metrics, mapped to
// what Redis's INFO memory shows: the heap's live objects are "used memory" (Redis's
// zmalloc_used_memory counts the bytes it allocated), the heap spans in use are the
// allocator's "active" bytes, and the memory mapped and not released is its "resident".
type memStats struct {
	used, peak, startup    int64
	allocated, active, res int64
	samples                []metrics.Sample
}

var memMetricNames = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/total:bytes",
	"/memory/classes/heap/released:bytes",
}

// sample reads the runtime's figures (a few microseconds) and updates the peak.
func (m *memStats) sample() {
	if m.samples == nil {
		m.samples = make([]metrics.Sample, len(memMetricNames))
		for i, name := range memMetricNames {
			m.samples[i].Name = name
		}
	}
	metrics.Read(m.samples)
	v := func(i int) int64 {
		if m.samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return int64(m.samples[i].Value.Uint64())
	}
	m.used = v(0)
	m.allocated = v(0)
	m.active = v(0) + v(1)
	m.res = v(2) - v(3)
	m.peak = max(m.peak, m.used)
}
