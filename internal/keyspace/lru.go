package keyspace

// The access clock kept in Object.LRU, for OBJECT IDLETIME and OBJECT FREQ (and, later,
// eviction). As in Redis (evict.c), the field holds one of two things depending on the
// maxmemory policy:
//
//   - LRU: the time of the last access in seconds, modulo 2^24 (LRU_CLOCK), so the idle
//     time of a key wraps every 194 days, exactly as Redis's does;
//   - LFU: the time of the last decrement in minutes, modulo 2^16, shifted left 8 bits,
//     over an 8-bit logarithmic access counter.
//
// Lookups that "touch" a key (every read or write lookup except the ones Redis flags
// LOOKUP_NOTOUCH: TYPE, EXISTS, TTL, OBJECT, SCAN ...) store one of these with a single
// write, computed from the `now` the command already has: no clock call per lookup.

const (
	// LRUClockMax is LRU_CLOCK_MAX: the LRU field keeps 24 bits of seconds.
	LRUClockMax = 1<<24 - 1
	// lruClockResolution is LRU_CLOCK_RESOLUTION, in milliseconds.
	lruClockResolution = 1000
	// lfuInitVal is LFU_INIT_VAL: the counter a new key starts with, so it is not
	// evicted before it had a chance to be accessed.
	lfuInitVal = 5
)

// LRUClock is Redis's LRU_CLOCK for the time now (Unix milliseconds).
func LRUClock(now int64) uint32 { return uint32(now/lruClockResolution) & LRUClockMax }

// lfuMinutes is LFUGetTimeInMinutes.
func lfuMinutes(now int64) uint32 { return uint32(now/60000) & 65535 }

// initLRU is the clock a newly created value gets (createObject).
func (ks *Keyspace) initLRU(now int64) uint32 {
	if ks.LFU {
		return lfuMinutes(now)<<8 | lfuInitVal
	}
	return LRUClock(now)
}

// touch records an access to o (lookupKey's LRU/LFU update).
func (ks *Keyspace) touch(o *Object, now int64) {
	if !ks.LFU {
		o.LRU = LRUClock(now)
		return
	}
	counter := ks.lfuDecr(o.LRU, now)
	counter = ks.lfuLogIncr(counter)
	o.LRU = lfuMinutes(now)<<8 | counter
}

// IdleMillis is estimateObjectIdleTime: the milliseconds since o was last accessed, at
// LRU clock resolution. Meaningful only when the LRU field holds an LRU clock.
func (o *Object) IdleMillis(now int64) int64 {
	clock := LRUClock(now)
	if clock >= o.LRU {
		return int64(clock-o.LRU) * lruClockResolution
	}
	return int64(clock+(LRUClockMax-o.LRU)) * lruClockResolution
}

// LFUCounter is LFUDecrAndReturn: o's access frequency counter after the decay for
// the time elapsed since its last decrement (without storing it). Meaningful only
// under an LFU policy.
func (ks *Keyspace) LFUCounter(o *Object, now int64) uint32 { return ks.lfuDecr(o.LRU, now) }

func (ks *Keyspace) lfuDecr(lru uint32, now int64) uint32 {
	ldt, counter := lru>>8, lru&255
	if ks.LFUDecayTime <= 0 {
		return counter
	}
	t := lfuMinutes(now)
	var elapsed uint32
	if t >= ldt {
		elapsed = t - ldt
	} else {
		elapsed = 65535 - ldt + t
	}
	periods := elapsed / uint32(ks.LFUDecayTime)
	if periods > counter {
		return 0
	}
	return counter - periods
}

// lfuLogIncr is LFULogIncr: increment the counter with a probability that falls as
// the counter grows, scaled by lfu-log-factor.
func (ks *Keyspace) lfuLogIncr(counter uint32) uint32 {
	if counter == 255 {
		return 255
	}
	r := float64(ks.rnd.Uint64()>>11) / (1 << 53)
	base := float64(counter) - lfuInitVal
	if base < 0 {
		base = 0
	}
	if r < 1/(base*float64(ks.LFULogFactor)+1) {
		counter++
	}
	return counter
}

// RestoredClock is Redis's objectSetLRUOrLFU for RESTORE and RDB loading: the access
// clock of a value that was idle idleSecs seconds (LRU policies) or had LFU counter
// freq (LFU policies); a negative argument means "not given" and the value gets a
// fresh clock.
func (ks *Keyspace) RestoredClock(now, idleSecs, freq int64) uint32 {
	if ks.LFU {
		if freq < 0 {
			return ks.initLRU(now)
		}
		return lfuMinutes(now)<<8 | uint32(freq)
	}
	if idleSecs < 0 {
		return ks.initLRU(now)
	}
	clock := int64(LRUClock(now)) - idleSecs*1000/lruClockResolution
	for clock < 0 {
		clock += LRUClockMax + 1
	}
	return uint32(clock) & LRUClockMax
}
