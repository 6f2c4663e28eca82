package lzf

import "errors"

const (
	hlog   = 16
	hsize  = 1 << hlog
	maxLit = 1 << 5
	maxOff = 1 << 13
	maxRef = 1<<8 + 1<<3
)

// MaxRatio bounds the expansion of Decompress: a back reference of 3 bytes yields at
// most 264 bytes, so a stream of n bytes decompresses to less than n*MaxRatio. A
// reader can refuse a claimed uncompressed length beyond that before allocating it.
const MaxRatio = 89

// Errors of Decompress (liblzf's EINVAL and E2BIG).
var (
	ErrCorrupt  = errors.New("lzf: corrupt input")
	ErrTooLarge = errors.New("lzf: output larger than expected")
)

// Compressor compresses with a reusable hash table. The zero value is ready to use.
type Compressor struct {
	// htab holds, per hash slot, base+position of the last 3-byte sequence seen with
	// that hash in the current call; values at or below base are from earlier calls and
	// count as empty (a zeroed slot in liblzf).
	htab [hsize]uint32
	base uint32
}

func idx(h uint32) uint32 { return ((h >> (3*8 - hlog)) - h*5) & (hsize - 1) }

// Compress appends the compression of in to dst and returns it, with ok false (and
// dst unchanged) when the compressed form would be longer than maxOut bytes or in
// is empty: lzf_compress(in, len(in), out, maxOut) returning 0. Redis calls it with
// maxOut = len(in)-4 and stores the string plain when it fails.
func (c *Compressor) Compress(dst, in []byte, maxOut int) (out []byte, ok bool) {
	if len(in) == 0 || maxOut <= 0 {
		return dst, false
	}
	if uint64(c.base)+uint64(len(in))+2 >= 1<<32 || c.base == 0 {
		c.htab = [hsize]uint32{}
		c.base = 1
	}
	base := c.base
	c.base += uint32(len(in)) + 1
	start := len(dst)
	// Reserve the worst case within maxOut so the loop writes by index.
	if cap(dst)-start < maxOut+1 {
		nd := make([]byte, start, start+maxOut+1)
		copy(nd, dst)
		dst = nd
	}
	o := dst[start : start+maxOut+1] // one spare byte: liblzf writes the run header ahead
	outEnd := maxOut
	inEnd := len(in)
	ip, op, lit := 0, 1, 0 // op 1: start run

	if inEnd >= 3 {
		hval := uint32(in[0])<<8 | uint32(in[1])
		for ip < inEnd-2 {
			hval = hval<<8 | uint32(in[ip+2])
			slot := &c.htab[idx(hval)]
			stored := *slot
			*slot = base + uint32(ip)
			ref := int(stored) - int(base) // position in in, when stored > base
			if stored > base && ref < ip && ip-ref-1 < maxOff &&
				in[ref+2] == in[ip+2] && in[ref] == in[ip] && in[ref+1] == in[ip+1] {
				off := ip - ref - 1
				length := 2
				maxlen := min(inEnd-ip-length, maxRef)
				if op+3+1 >= outEnd {
					if op-b2i(lit == 0)+3+1 >= outEnd {
						return dst[:start], false
					}
				}
				o[op-lit-1] = byte(lit - 1) // stop run
				op -= b2i(lit == 0)         // undo run if length is zero
				// liblzf unrolls the first 16 comparisons when maxlen > 16, without the
				// maxlen bound, then always takes one more step.
				mismatch := false
				if maxlen > 16 {
					for range 16 {
						length++
						if in[ref+length] != in[ip+length] {
							mismatch = true
							break
						}
					}
				}
				if !mismatch {
					for {
						length++
						if length >= maxlen || in[ref+length] != in[ip+length] {
							break
						}
					}
				}
				length -= 2 // now octets - 1
				ip++
				if length < 7 {
					o[op] = byte(off>>8) + byte(length<<5)
					op++
				} else {
					o[op] = byte(off>>8) + 7<<5
					o[op+1] = byte(length - 7)
					op += 2
				}
				o[op] = byte(off)
				op++
				lit = 0
				op++ // start run
				ip += length + 1
				if ip >= inEnd-2 {
					break
				}
				ip -= 2
				hval = uint32(in[ip])<<8 | uint32(in[ip+1])
				hval = hval<<8 | uint32(in[ip+2])
				c.htab[idx(hval)] = base + uint32(ip)
				ip++
				hval = hval<<8 | uint32(in[ip+2])
				c.htab[idx(hval)] = base + uint32(ip)
				ip++
				continue
			}
			if op >= outEnd {
				return dst[:start], false
			}
			lit++
			o[op] = in[ip]
			op++
			ip++
			if lit == maxLit {
				o[op-lit-1] = byte(lit - 1) // stop run
				lit = 0
				op++ // start run
			}
		}
	}
	if op+3 > outEnd {
		return dst[:start], false
	}
	for ip < inEnd {
		lit++
		o[op] = in[ip]
		op++
		ip++
		if lit == maxLit {
			o[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	o[op-lit-1] = byte(lit - 1) // end run
	op -= b2i(lit == 0)
	return dst[:start+op], true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Decompress appends the decompression of in to dst, which must come to exactly n
// bytes (the length an RDB string records), and returns it. It fails with ErrCorrupt
// on a truncated stream or a reference before the start of the output, and with
// ErrTooLarge when the output would exceed n or stops short of it. It never reads
// outside in nor allocates more than n bytes.
func Decompress(dst, in []byte, n int) ([]byte, error) {
	if n < 0 {
		return dst, ErrTooLarge
	}
	start := len(dst)
	if cap(dst)-start < n {
		nd := make([]byte, start, start+n)
		copy(nd, dst)
		dst = nd
	}
	o := dst[start : start+n]
	ip, op := 0, 0
	for ip < len(in) {
		ctrl := int(in[ip])
		ip++
		if ctrl < 1<<5 { // literal run
			ctrl++
			if op+ctrl > n {
				return dst[:start], ErrTooLarge
			}
			if ip+ctrl > len(in) {
				return dst[:start], ErrCorrupt
			}
			copy(o[op:], in[ip:ip+ctrl])
			op += ctrl
			ip += ctrl
			continue
		}
		length := ctrl >> 5
		ref := op - (ctrl&0x1f)<<8 - 1
		if ip >= len(in) {
			return dst[:start], ErrCorrupt
		}
		if length == 7 {
			length += int(in[ip])
			ip++
			if ip >= len(in) {
				return dst[:start], ErrCorrupt
			}
		}
		ref -= int(in[ip])
		ip++
		if op+length+2 > n {
			return dst[:start], ErrTooLarge
		}
		if ref < 0 {
			return dst[:start], ErrCorrupt
		}
		// Overlapping copies repeat the pattern, byte by byte as liblzf does.
		for end := op + length + 2; op < end; {
			if op-ref >= end-op {
				op += copy(o[op:end], o[ref:ref+end-op])
				break
			}
			k := copy(o[op:end], o[ref:op])
			op += k
		}
	}
	if op != n {
		return dst[:start], ErrTooLarge
	}
	return dst[:start+n], nil
}
