package server

import (
	"bytes"
	"math"
	"slices"
	"strconv"

	"cairn/internal/conv"
	"cairn/internal/ds/quicklist"
	"cairn/internal/keyspace"
	"cairn/internal/types"
)

// SORT and SORT_RO, as Redis 7.0's sort.c: the elements of a list, set or sorted set,
// ordered by their value or by the values of other keys (BY), ranged (LIMIT), replaced
// by the values of other keys (GET), replied or stored as a list (STORE).

var sortProcs = procTable{
	"sort":    sortCommand,
	"sort_ro": sortroCommand,
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA] [STORE destination]
func sortCommand(c *client) { c.sortGeneric(false) }

// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA]
func sortroCommand(c *client) { c.sortGeneric(true) }

// sortObject is one element being sorted (redisSortObject): its bytes, and what it is
// compared by — a score, or with ALPHA and BY the looked-up value (nil when missing).
type sortObject struct {
	obj    []byte
	score  float64
	cmpobj []byte
	hasCmp bool
}

// sortFlags are the options sortCompare reads (Redis's server.sort_* globals).
type sortFlags struct {
	desc, alpha, byPattern, store bool
}

// compare is Redis's sortCompare.
func (f *sortFlags) compare(a, b *sortObject) int {
	var cmp int
	switch {
	case !f.alpha:
		// Numeric, with the elements themselves as a tie-breaker so that the order
		// is deterministic.
		switch {
		case a.score > b.score:
			cmp = 1
		case a.score < b.score:
			cmp = -1
		default:
			cmp = bytes.Compare(a.obj, b.obj)
		}
	case f.byPattern:
		switch {
		case !a.hasCmp || !b.hasCmp:
			// A missing value sorts first.
			switch {
			case a.hasCmp == b.hasCmp:
				cmp = 0
			case !a.hasCmp:
				cmp = -1
			default:
				cmp = 1
			}
		case f.store:
			cmp = bytes.Compare(a.cmpobj, b.cmpobj)
		default:
			cmp = strcoll(a.cmpobj, b.cmpobj)
		}
	case f.store:
		cmp = bytes.Compare(a.obj, b.obj)
	default:
		cmp = strcoll(a.obj, b.obj)
	}
	if f.desc {
		return -cmp
	}
	return cmp
}

// strcoll is C's strcoll in the C and C.UTF-8 locales, where Redis runs: strcmp, which
// stops at the first NUL byte (Redis passes the bytes as C strings). Sorting a reply
// (no STORE) with ALPHA uses it; sorting for STORE compares all the bytes, so that
// what is stored does not depend on the locale.
func strcoll(a, b []byte) int { return bytes.Compare(cstr(a), cstr(b)) }

// cstr is b up to its first NUL byte: what C sees of a string.
func cstr(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// sortValue is what lookupKeyByPattern found: a string value (an integer when isInt,
// for an int-encoded string or listpack integer) or a hash field's value.
type sortValue struct {
	b     []byte
	i     int64
	isInt bool
}

// appendTo appends the value's text to dst.
func (v sortValue) appendTo(dst []byte) []byte {
	if v.isInt {
		return strconv.AppendInt(dst, v.i, 10)
	}
	return append(dst, v.b...)
}

// lookupKeyByPattern is Redis's lookupKeyByPattern: "#" is the element itself;
// otherwise the first '*' of pattern is replaced by subst to make a key name, and,
// when "->field" follows the '*', the value is that field of the hash at the key,
// else the string at the key. It reports false when there is no '*', no such key, or
// the key holds another type. The search for '*' and "->" stops at a NUL byte, as it
// does in C.
func (c *client) lookupKeyByPattern(pattern, subst []byte, buf *[]byte) (sortValue, bool) {
	spat := cstr(pattern)
	if len(spat) == 1 && spat[0] == '#' {
		return sortValue{b: subst}, true
	}
	p := bytes.IndexByte(spat, '*')
	if p < 0 {
		return sortValue{}, false
	}
	fieldlen := 0
	var field []byte
	if f := bytes.Index(spat[p+1:], []byte("->")); f >= 0 && p+1+f+2 < len(spat) {
		f += p + 1
		fieldlen = len(pattern) - f - 2
		field = pattern[f+2:]
	}
	postfixlen := len(pattern) - (p + 1)
	if fieldlen > 0 {
		postfixlen -= fieldlen + 2
	}
	key := append((*buf)[:0], pattern[:p]...)
	key = append(key, subst...)
	key = append(key, pattern[p+1:p+1+postfixlen]...)
	*buf = key

	e := c.db.LookupRead(key, keyspace.Now())
	if e == nil {
		return sortValue{}, false
	}
	if fieldlen > 0 {
		if e.Obj.Type != keyspace.TypeHash {
			return sortValue{}, false
		}
		v, ok := e.Obj.Ptr.(*types.Hash).Get(field)
		if !ok {
			return sortValue{}, false
		}
		return sortValue{b: v.Str, i: v.Int, isInt: v.IsInt}, true
	}
	if e.Obj.Type != keyspace.TypeString {
		return sortValue{}, false
	}
	if e.Obj.Enc == keyspace.EncInt {
		return sortValue{i: e.Obj.Int, isInt: true}, true
	}
	return sortValue{b: e.Obj.Str}, true
}

// sortGeneric is Redis's sortCommandGeneric.
func (c *client) sortGeneric(readonly bool) {
	var (
		desc, alpha, dontsort bool
		limitStart            int64
		limitCount            int64 = -1
		sortby, storekey      []byte
		getops                [][]byte
	)
	// Options, left to right; the first bad one is the error.
	for j := 2; j < len(c.argv); j++ {
		leftargs := len(c.argv) - j - 1
		switch {
		case c.argIs(j, "asc"):
			desc = false
		case c.argIs(j, "desc"):
			desc = true
		case c.argIs(j, "alpha"):
			alpha = true
		case c.argIs(j, "limit") && leftargs >= 2:
			var ok bool
			if limitStart, ok = c.int64ArgOrReply(j + 1); !ok {
				return
			}
			if limitCount, ok = c.int64ArgOrReply(j + 2); !ok {
				return
			}
			j += 2
		case !readonly && c.argIs(j, "store") && leftargs >= 1:
			storekey = c.argv[j+1]
			j++
		case c.argIs(j, "by") && leftargs >= 1:
			sortby = c.argv[j+1]
			// Without a '*' there is nothing to sort by.
			if bytes.IndexByte(cstr(sortby), '*') < 0 {
				dontsort = true
			}
			j++
		case c.argIs(j, "get") && leftargs >= 1:
			getops = append(getops, c.argv[j+1])
			j++
		default:
			c.addError(errSyntax)
			return
		}
	}

	// The key to sort: a list, set or sorted set; a missing key is an empty list.
	var sortType keyspace.Type = keyspace.TypeList
	var sortval any
	if e := c.db.LookupRead(c.argv[1], keyspace.Now()); e != nil {
		switch e.Obj.Type {
		case keyspace.TypeList, keyspace.TypeSet, keyspace.TypeZSet:
			sortType, sortval = e.Obj.Type, e.Obj.Ptr
		default:
			c.addError(errWrongType)
			return
		}
	}

	// A set has no order of its own: when the result is stored or comes from a
	// script, it is sorted anyway, so that it is the same on replicas and replays.
	if dontsort && sortType == keyspace.TypeSet && (storekey != nil || c.flags&flagScript != 0) {
		dontsort, alpha, sortby = false, true, nil
	}

	// Redis 7.0 converts a sorted set to its skiplist encoding for SORT, for good.
	if sortType == keyspace.TypeZSet {
		sortval.(*types.ZSet).ConvertToSkiplist()
	}

	var vectorlen int64
	switch v := sortval.(type) {
	case *types.List:
		vectorlen = int64(v.Len())
	case *types.Set:
		vectorlen = int64(v.Len())
	case *types.ZSet:
		vectorlen = int64(v.Len())
	}

	// LIMIT, with the inputs bounded by the size so that nothing overflows.
	start := min(max(limitStart, 0), vectorlen)
	limitCount = min(max(limitCount, -1), vectorlen)
	end := vectorlen - 1
	if limitCount >= 0 {
		end = start + limitCount - 1
	}
	if start >= vectorlen {
		start = vectorlen - 1
		end = vectorlen - 2
	}
	if end >= vectorlen {
		end = vectorlen - 1
	}

	// A list or sorted set in its own order loads only the range asked for.
	if (sortType == keyspace.TypeZSet || sortType == keyspace.TypeList) && dontsort &&
		(start != 0 || end != vectorlen-1) {
		vectorlen = end - start + 1
	}

	// Load the elements, copied into one arena (a list's elements may live in a
	// buffer reused from node to node).
	var arena []byte
	var offs []int
	add := func(b []byte) {
		arena = append(arena, b...)
		offs = append(offs, len(arena))
	}
	var scratch []byte
	switch v := sortval.(type) {
	case *types.List:
		if dontsort {
			if end >= start && vectorlen > 0 {
				n := v.Len()
				from, to := int(start), int(start+vectorlen-1)
				if desc {
					from, to = n-1-int(start)-int(vectorlen-1), n-1-int(start)
				}
				v.Range(from, to, desc, func(e types.ListEntry) bool {
					scratch = e.AppendString(scratch[:0])
					add(scratch)
					return true
				})
				end -= start
				start = 0
			}
		} else {
			v.Each(func(e types.ListEntry) bool {
				scratch = e.AppendString(scratch[:0])
				add(scratch)
				return true
			})
		}
	case *types.Set:
		v.Iterate(func(m types.Member) bool {
			scratch = m.Append(scratch[:0])
			add(scratch)
			return true
		})
	case *types.ZSet:
		if dontsort {
			if vectorlen > 0 {
				v.RangeByRank(int(start), int(start+vectorlen-1), desc, func(m []byte, _ float64) { add(m) })
			}
			end -= start
			start = 0
		} else {
			v.Each(func(m []byte, _ float64) bool {
				add(m)
				return true
			})
		}
	}
	vector := make([]sortObject, len(offs))
	prev := 0
	for i, o := range offs {
		vector[i].obj = arena[prev:o:o]
		prev = o
	}

	// Scores, or the values to compare, then the sort.
	intConversionError := false
	flags := sortFlags{desc: desc, alpha: alpha, byPattern: sortby != nil, store: storekey != nil}
	if !dontsort {
		var keybuf []byte
		for j := range vector {
			var byval sortValue
			if sortby != nil {
				var ok bool
				if byval, ok = c.lookupKeyByPattern(sortby, vector[j].obj, &keybuf); !ok {
					continue
				}
			} else {
				byval = sortValue{b: vector[j].obj}
			}
			switch {
			case alpha:
				if sortby != nil {
					vector[j].cmpobj = byval.appendTo(nil)
					vector[j].hasCmp = true
				}
			case byval.isInt:
				vector[j].score = float64(byval.i)
			default:
				// strtod must take all of the C string, without overflow or NaN.
				f, n, rangeErr := conv.Strtod(byval.b)
				vector[j].score = f
				if (n < len(byval.b) && byval.b[n] != 0) || rangeErr || math.IsNaN(f) {
					intConversionError = true
				}
			}
		}
		cmp := func(a, b sortObject) int { return flags.compare(&a, &b) }
		if sortby != nil && (start != 0 || end != int64(len(vector))-1) {
			pqsort(vector, cmp, int(start), int(end))
		} else {
			// glibc's qsort is a merge sort: stable.
			slices.SortStableFunc(vector, cmp)
		}
	}

	// The output: the elements or what GET finds for them.
	outputlen := end - start + 1
	if len(getops) > 0 {
		outputlen *= int64(len(getops))
	}
	var keybuf []byte
	switch {
	case intConversionError:
		c.addError("ERR One or more scores can't be converted into double")
	case storekey == nil:
		c.w.ArrayLen(int(outputlen))
		for j := start; j <= end; j++ {
			if len(getops) == 0 {
				c.w.Bulk(vector[j].obj)
			}
			for _, pat := range getops {
				val, ok := c.lookupKeyByPattern(pat, vector[j].obj, &keybuf)
				switch {
				case !ok:
					c.w.Null()
				case val.isInt:
					c.w.BulkInt(val.i)
				default:
					c.w.Bulk(val.b)
				}
			}
		}
	default:
		// STORE: the result as a list. Redis 7.0 makes it with createQuicklistObject()
		// and never applies list-max-listpack-size or list-compress-depth to it (as
		// every other list-creating path does), so it keeps quicklist's defaults: 8 KB
		// nodes, uncompressed, until a load. DUMP and memory show the difference.
		lim := c.srv.limits()
		lim.ListMaxListpackSize, lim.ListCompressDepth = quicklist.DefaultFill, 0
		list := types.NewList(lim)
		for j := start; j <= end; j++ {
			if len(getops) == 0 {
				list.Push(vector[j].obj, types.ListTail)
				continue
			}
			for _, pat := range getops {
				val, ok := c.lookupKeyByPattern(pat, vector[j].obj, &keybuf)
				if !ok {
					list.Push(nil, types.ListTail) // a missing value is stored as ""
					continue
				}
				scratch = val.appendTo(scratch[:0])
				list.Push(scratch, types.ListTail)
			}
		}
		s := c.srv
		if outputlen > 0 {
			existed := c.db.LookupWrite(storekey, keyspace.Now()) != nil
			c.db.Set(storekey, keyspace.Object{Type: keyspace.TypeList, Enc: keyspace.EncQuicklist, Ptr: list}, false)
			s.signalModifiedKey(c.db, storekey)
			if !existed {
				// A new list may serve clients blocked on the key (Redis's dbAdd).
				s.signalKeyAsReady(c.db, storekey)
			}
			s.notifyKeyspaceEvent(notifyList, "sortstore", storekey, c.db.ID)
			s.dirty += outputlen
		} else if c.db.Delete(storekey, keyspace.Now()) {
			s.signalModifiedKey(c.db, storekey)
			s.notifyKeyspaceEvent(notifyGeneric, "del", storekey, c.db.ID)
			s.dirty++
		}
		c.w.Int(outputlen)
	}
}

// pqsort is Redis's pqsort (pqsort.c): Bentley and McIlroy's quicksort, as in NetBSD's
// qsort, that only sorts the partitions overlapping the range [lrange, rrange] of
// indexes, which SORT with BY and LIMIT uses. It is ported step by step so that
// elements comparing equal end up where Redis puts them.
func pqsort(a []sortObject, cmp func(a, b sortObject) int, lrange, rrange int) {
	pqsortRange(a, 0, len(a), cmp, lrange, rrange)
}

// pqsortRange sorts the n elements of a from index lo.
func pqsortRange(a []sortObject, lo, n int, cmp func(a, b sortObject) int, lrange, rrange int) {
	swap := func(i, j int) { a[i], a[j] = a[j], a[i] }
	vecswap := func(i, j, n int) {
		for k := range n {
			swap(i+k, j+k)
		}
	}
	med3 := func(x, y, z int) int {
		if cmp(a[x], a[y]) < 0 {
			switch {
			case cmp(a[y], a[z]) < 0:
				return y
			case cmp(a[x], a[z]) < 0:
				return z
			}
			return x
		}
		switch {
		case cmp(a[y], a[z]) > 0:
			return y
		case cmp(a[x], a[z]) < 0:
			return x
		}
		return z
	}
	for {
		if n < 7 {
			for pm := lo + 1; pm < lo+n; pm++ {
				for pl := pm; pl > lo && cmp(a[pl-1], a[pl]) > 0; pl-- {
					swap(pl, pl-1)
				}
			}
			return
		}
		pm := lo + n/2
		if n > 7 {
			pl, pn := lo, lo+n-1
			if n > 40 {
				d := n / 8
				pl = med3(pl, pl+d, pl+2*d)
				pm = med3(pm-d, pm, pm+d)
				pn = med3(pn-2*d, pn-d, pn)
			}
			pm = med3(pl, pm, pn)
		}
		swap(lo, pm)
		pa, pb := lo+1, lo+1
		pc, pd := lo+n-1, lo+n-1
		for {
			for pb <= pc {
				r := cmp(a[pb], a[lo])
				if r > 0 {
					break
				}
				if r == 0 {
					swap(pa, pb)
					pa++
				}
				pb++
			}
			for pb <= pc {
				r := cmp(a[pc], a[lo])
				if r < 0 {
					break
				}
				if r == 0 {
					swap(pc, pd)
					pd--
				}
				pc--
			}
			if pb > pc {
				break
			}
			swap(pb, pc)
			pb++
			pc--
		}
		pn := lo + n
		r := min(pa-lo, pb-pa)
		vecswap(lo, pb-r, r)
		r = min(pd-pc, pn-pd-1)
		vecswap(pb, pn-r, r)
		// Recurse into the left part, then loop on the right one, skipping a part
		// that lies wholly before or after the range.
		overlaps := func(first, last int) bool {
			return !((lrange < first && rrange < first) || (lrange > last && rrange > last))
		}
		if r = pb - pa; r > 1 && overlaps(lo, lo+r-1) {
			pqsortRange(a, lo, r, cmp, lrange, rrange)
		}
		if r = pd - pc; r > 1 {
			lo, n = pn-r, r
			if overlaps(lo, lo+n-1) {
				continue
			}
		}
		return
	}
}
