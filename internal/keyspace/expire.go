package keyspace

import "time"

// Redis's active expiry constants (expire.c), at the default active-expire-effort 1.
const (
	expireKeysPerLoop     = 20 // ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP
	expireAcceptableStale = 10 // percent of expired keys tolerated in a sample
	expireSlowTimePerc    = 25 // percent of a cron period the slow cycle may use
)

// ActiveExpireCycle is Redis's slow activeExpireCycle, run from the cron hz times a
// second: it samples keys with deadlines in each DB, deletes the expired ones, and
// repeats on a DB while more than the acceptable share of a sample had expired, within
// 25% of the cron period. It returns the number of keys it deleted.
func (ks *Keyspace) ActiveExpireCycle(hz int, now func() int64) int {
	if hz <= 0 {
		hz = 10
	}
	start := time.Now()
	limit := time.Duration(expireSlowTimePerc) * time.Second / time.Duration(hz) / 100
	deleted := 0
	var sampled, expired int64
	timedOut := false
	for n := 0; n < len(ks.DBs) && !timedOut; n++ {
		db := ks.DBs[ks.expireDB%len(ks.DBs)]
		ks.expireDB++
		for iteration := 0; ; iteration++ {
			if db.volatile.Len() == 0 {
				break
			}
			t := now()
			ks.scratch = ks.scratch[:0]
			checked := 0
			var ttlSum, ttlSamples int64
			db.volatile.SomeKeys(ks.rnd, expireKeysPerLoop, func(key string, _ *struct{}) {
				checked++
				e, ok := db.keys.FindString(key)
				if !ok {
					return
				}
				if e.ExpireAt <= t {
					ks.scratch = append(ks.scratch, []byte(key))
				} else {
					ttlSum += e.ExpireAt - t
					ttlSamples++
				}
			})
			for _, k := range ks.scratch {
				db.expire(k)
			}
			deleted += len(ks.scratch)
			sampled += int64(checked)
			expired += int64(len(ks.scratch))
			if ttlSamples > 0 {
				avg := ttlSum / ttlSamples
				if db.AvgTTL == 0 {
					db.AvgTTL = avg
				} else {
					db.AvgTTL = db.AvgTTL/50*49 + avg/50
				}
			}
			if iteration%16 == 15 && time.Since(start) > limit {
				timedOut = true
				ks.ExpiredTimeCapReached++
				break
			}
			if checked == 0 || len(ks.scratch)*100/checked <= expireAcceptableStale {
				break
			}
		}
	}
	if sampled > 0 {
		perc := float64(expired) / float64(sampled)
		ks.ExpiredStalePerc = perc*0.05 + ks.ExpiredStalePerc*0.95
	}
	return deleted
}
