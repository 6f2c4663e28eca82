package quicklist

import (
	"bytes"
	"cairn/internal/redisoracle"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cairn/internal/ds/listpack"
)

// TestOracle runs random list commands on redis-server 7.0.15 and on a List
// side by side, comparing every reply and, after every command, the node
// layout byte for byte: DUMP's quicklist-2 payload lists each node's
// container (plain or packed) and listpack bytes. It is skipped when
// redis-server is not on PATH.
func TestOracle(t *testing.T) {
	o := startOracle(t)
	for _, c := range []struct {
		fill, threshold int
	}{{-2, 0}, {-1, 0}, {4, 0}, {128, 0}, {1, 0}, {-1, 200}, {3, 200}} {
		t.Run(fmt.Sprintf("fill%d/threshold%d", c.fill, c.threshold), func(t *testing.T) {
			withPackedThreshold(t, c.threshold)
			oracleMust(o, t, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", strconv.Itoa(c.threshold))
			defer o.Do(t, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0")
			oracleMust(o, t, "CONFIG", "SET", "list-max-listpack-size", strconv.Itoa(c.fill))
			oracleMust(o, t, "FLUSHALL")
			runOracle(t, o, c.fill)
		})
	}
}

func runOracle(t *testing.T, o *redisoracle.Conn, fill int) {
	seed := testSeed(t)
	r := newRand(seed)
	rounds := 3000
	if testing.Short() {
		rounds = 500
	}
	q := New(fill, 0)
	str := strconv.Itoa
	for round := range rounds {
		v := oracleValue(r)
		n := q.Len()
		idx := func() int { return r.IntN(n+3) - (n+3)/2 }
		pivot := func() []byte {
			if e, ok := q.Index(r.IntN(n + 1)); ok && r.IntN(4) > 0 {
				return e.AppendString(nil)
			}
			return v
		}
		var cmd []string
		var want any // our reply, in oracle.do's terms
		switch op := r.IntN(22); {
		case op < 5:
			cmd = []string{"RPUSH", "k", string(v)}
			q.PushTail(v)
			want = int64(q.Len())
		case op < 8:
			cmd = []string{"LPUSH", "k", string(v)}
			q.PushHead(v)
			want = int64(q.Len())
		case op == 8 || op == 9:
			where := End(op - 8)
			cmd = []string{[]string{"LPOP", "RPOP"}[where], "k"}
			if got, ok := q.Pop(where, nil); ok {
				want = string(got)
			}
		case op == 10:
			count := 1 + r.IntN(n/3+2)
			where := End(r.IntN(2))
			cmd = []string{[]string{"LPOP", "RPOP"}[where], "k", str(count)}
			var got []any
			if where == Head {
				q.Range(0, count-1, false, func(e listpack.Entry) bool { got = append(got, e.String()); return true })
				q.DelRange(0, count)
			} else {
				q.Range(-count, -1, true, func(e listpack.Entry) bool { got = append(got, e.String()); return true })
				q.DelRange(-min(count, n), count)
			}
			want = got
			if n == 0 {
				want = nil
			}
		case op == 11 || op == 12:
			i := idx()
			cmd = []string{"LSET", "k", str(i), string(v)}
			switch {
			case n == 0:
				want = "-ERR no such key"
			case q.Set(i, v):
				want = "OK"
			default:
				want = "-ERR index out of range"
			}
		case op == 13 || op == 14 || op == 15:
			p := pivot()
			after := r.IntN(2) == 0
			cmd = []string{"LINSERT", "k", map[bool]string{false: "BEFORE", true: "AFTER"}[after], string(p), string(v)}
			switch {
			case n == 0:
				want = int64(0)
			case q.insertPivot(p, v, after):
				want = int64(q.Len())
			default:
				want = int64(-1)
			}
		case op == 16:
			s, e := idx(), idx()
			cmd = []string{"LTRIM", "k", str(s), str(e)}
			q.Trim(s, e)
			want = "OK"
		case op == 17:
			count := r.IntN(5) - 2
			p := pivot()
			cmd = []string{"LREM", "k", str(count), string(p)}
			want = int64(q.Rem(p, count))
		case op == 18:
			i := idx()
			cmd = []string{"LINDEX", "k", str(i)}
			if e, ok := q.Index(i); ok {
				want = e.String()
			}
		case op == 19:
			s, e := idx(), idx()
			cmd = []string{"LRANGE", "k", str(s), str(e)}
			got := []any{}
			q.Range(s, e, false, func(e listpack.Entry) bool { got = append(got, e.String()); return true })
			want = got
		case op == 20:
			p := pivot()
			rank := r.IntN(5) - 2
			if rank == 0 {
				rank = 1
			}
			count, maxlen := r.IntN(3), r.IntN(n+2)
			cmd = []string{"LPOS", "k", string(p), "RANK", str(rank), "COUNT", str(count), "MAXLEN", str(maxlen)}
			got := []any{}
			q.Pos(p, rank, maxlen, func(i int) bool { got = append(got, int64(i)); return count == 0 || len(got) < count })
			want = got
		default:
			// Remove the whole list now and then, so new lists start.
			if r.IntN(8) > 0 {
				continue
			}
			cmd = []string{"DEL", "k"}
			want = int64(min(n, 1))
			q = New(fill, 0)
		}
		if got := o.Do(t, cmd...); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("round %d: %.60q: redis-server %.200q, we %.200q (SEED=%d)", round, cmd, got, want, seed)
		}
		if err := q.check(false); err != nil {
			t.Fatalf("round %d: after %.60q: %v (SEED=%d)", round, cmd, err, seed)
		}
		theirs, err := dumpNodes(o.Do(t, "DUMP", "k"))
		if err != nil {
			t.Fatalf("round %d: after %.60q: %v", round, cmd, err)
		}
		var ours []rdbNode
		q.Nodes(func(data []byte, plain bool) bool {
			ours = append(ours, rdbNode{plain, string(data)})
			return true
		})
		if !slices.Equal(ours, theirs) {
			t.Fatalf("round %d: after %.60q: node layouts differ (SEED=%d):\n ours   %s\n theirs %s",
				round, cmd, seed, layout(ours), layout(theirs))
		}
		if q.Len() > 2000 {
			oracleMust(o, t, "LTRIM", "k", "0", "999")
			q.Trim(0, 999)
		}
	}
}

// oracleValue: values of every kind, printable so that failures read well.
func oracleValue(r *rand.Rand) []byte {
	switch k := r.IntN(100); {
	case k < 25:
		return []byte(strconv.Itoa(r.IntN(10)))
	case k < 32:
		return []byte(strconv.FormatInt(int64(r.Uint64())>>r.IntN(64)-1<<30, 10))
	case k < 35:
		return []byte([]string{"-0", "007", "+1", "a", "b"}[r.IntN(5)])
	case k < 85:
		return bytes.Repeat([]byte{byte('a' + r.IntN(3))}, 1+r.IntN(30))
	case k < 95:
		return bytes.Repeat([]byte{byte('m' + r.IntN(2))}, 60+r.IntN(300))
	default:
		return bytes.Repeat([]byte{'L'}, 1000+r.IntN(5000))
	}
}

type rdbNode struct {
	plain bool
	data  string
}

func layout(nodes []rdbNode) string {
	var b strings.Builder
	for _, n := range nodes {
		if n.plain {
			fmt.Fprintf(&b, "P(%d) ", len(n.data))
		} else {
			fmt.Fprintf(&b, "[%d: %d B] ", binary.LittleEndian.Uint16([]byte(n.data[4:])), len(n.data))
		}
	}
	return b.String()
}

// dumpNodes decodes a DUMP payload of a quicklist (RDB type 18) into its
// nodes; a missing key is no nodes.
func dumpNodes(reply any) ([]rdbNode, error) {
	if reply == nil {
		return nil, nil
	}
	p, ok := reply.(string)
	if !ok || len(p) < 11 || p[0] != 18 {
		return nil, fmt.Errorf("DUMP reply %.40q is not a quicklist", reply)
	}
	b := []byte(p[1 : len(p)-10])
	count, b, err := rdbLen(b)
	if err != nil {
		return nil, err
	}
	var nodes []rdbNode
	for range count {
		var container, n int
		if container, b, err = rdbLen(b); err != nil {
			return nil, err
		}
		if n, b, err = rdbLen(b); err != nil {
			return nil, err
		}
		nodes = append(nodes, rdbNode{container == 1, string(b[:n])})
		b = b[n:]
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%d bytes after the nodes", len(b))
	}
	return nodes, nil
}

func rdbLen(b []byte) (int, []byte, error) {
	if len(b) == 0 {
		return 0, nil, io.ErrUnexpectedEOF
	}
	switch b[0] >> 6 {
	case 0:
		return int(b[0] & 63), b[1:], nil
	case 1:
		return int(b[0]&63)<<8 | int(b[1]), b[2:], nil
	case 2:
		if b[0] == 0x80 {
			return int(binary.BigEndian.Uint32(b[1:])), b[5:], nil
		}
		return int(binary.BigEndian.Uint64(b[1:])), b[9:], nil
	}
	return 0, nil, fmt.Errorf("special string encoding %#x", b[0])
}

func oracleMust(o *redisoracle.Conn, t *testing.T, args ...string) {
	t.Helper()
	if r, ok := o.Do(t, args...).(string); ok && strings.HasPrefix(r, "-") {
		t.Fatalf("%q: %s", args, r)
	}
}

// startOracle runs redis-server 7.0.15, the reference, for this test (redisoracle).
func startOracle(t *testing.T) *redisoracle.Conn {
	t.Helper()
	return redisoracle.Start(t, "differential test against the reference skipped", "--rdbcompression", "no", "--enable-debug-command", "yes")
}
