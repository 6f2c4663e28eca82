package rdb

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cairn/internal/conv"
	"cairn/internal/ds/intset"
	"cairn/internal/ds/listpack"
	"cairn/internal/ds/quicklist"
	"cairn/internal/keyspace"
)

func testSeed(t testing.TB) uint64 {
	t.Helper()
	seed := rand.Uint64()
	if s := os.Getenv("SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("SEED=%d", seed)
	return seed
}

// describe renders a value's contents in a canonical text, independent of its
// encoding: sets and hashes sorted, sorted sets in Redis's order, numbers as Go's
// shortest float text.
func describe(v *Value) (string, error) {
	q := strconv.Quote
	var items []string
	switch v.Type {
	case keyspace.TypeString:
		if v.Enc == EncInt {
			return "string:" + q(strconv.FormatInt(v.Int, 10)), nil
		}
		return "string:" + q(string(v.Str)), nil
	case keyspace.TypeList:
		switch v.Enc {
		case EncQuicklist:
			for _, n := range v.Nodes {
				if n.Plain {
					items = append(items, q(string(n.Data)))
					continue
				}
				lp, err := listpack.FromBytes(slices.Clone(n.Data))
				if err != nil {
					return "", err
				}
				for p := lp.First(); p != -1; p = lp.Next(p) {
					items = append(items, q(lp.Get(p).String()))
				}
			}
		case EncElems:
			for _, e := range v.Elems {
				items = append(items, q(string(e)))
			}
		default:
			return "", fmt.Errorf("list with encoding %d", v.Enc)
		}
		return "list:[" + strings.Join(items, " ") + "]", nil
	case keyspace.TypeSet:
		switch v.Enc {
		case EncIntset:
			is, err := intset.FromBytes(v.Blob)
			if err != nil {
				return "", err
			}
			is.ForEach(func(x int64) bool { items = append(items, q(strconv.FormatInt(x, 10))); return true })
		case EncElems:
			for _, e := range v.Elems {
				items = append(items, q(string(e)))
			}
		default:
			return "", fmt.Errorf("set with encoding %d", v.Enc)
		}
		slices.Sort(items)
		return "set:{" + strings.Join(items, " ") + "}", nil
	case keyspace.TypeHash:
		var flat []string
		switch v.Enc {
		case EncListpack:
			lp, err := listpack.FromBytes(slices.Clone(v.Blob))
			if err != nil {
				return "", err
			}
			for p := lp.First(); p != -1; p = lp.Next(p) {
				flat = append(flat, lp.Get(p).String())
			}
		case EncElems:
			for _, e := range v.Elems {
				flat = append(flat, string(e))
			}
		default:
			return "", fmt.Errorf("hash with encoding %d", v.Enc)
		}
		for i := 0; i+1 < len(flat); i += 2 {
			items = append(items, q(flat[i])+"="+q(flat[i+1]))
		}
		slices.Sort(items)
		return "hash:{" + strings.Join(items, " ") + "}", nil
	case keyspace.TypeZSet:
		var ms []string
		var ss []float64
		switch v.Enc {
		case EncListpack:
			lp, err := listpack.FromBytes(slices.Clone(v.Blob))
			if err != nil {
				return "", err
			}
			for p := lp.First(); p != -1; p = lp.Next(p) {
				m := lp.Get(p).String()
				p = lp.Next(p)
				f, _, _ := conv.Strtod([]byte(lp.Get(p).String()))
				ms, ss = append(ms, m), append(ss, f)
			}
		case EncElems:
			for i, e := range v.Elems {
				ms, ss = append(ms, string(e)), append(ss, v.Scores[i])
			}
		default:
			return "", fmt.Errorf("zset with encoding %d", v.Enc)
		}
		return describeZSet(ms, ss), nil
	}
	return "", fmt.Errorf("type %v", v.Type)
}

func describeZSet(ms []string, ss []float64) string {
	idx := make([]int, len(ms))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if ss[a] != ss[b] {
			if ss[a] < ss[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(ms[a], ms[b])
	})
	var items []string
	for _, i := range idx {
		items = append(items, strconv.Quote(ms[i])+"@"+strconv.FormatFloat(ss[i], 'g', -1, 64))
	}
	return "zset:[" + strings.Join(items, " ") + "]"
}

func mustDescribe(t testing.TB, v *Value) string {
	t.Helper()
	s, err := describe(v)
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	return s
}

// Builders of values in each encoding.

func strVal(s string) Value { return Value{Type: keyspace.TypeString, Enc: EncRaw, Str: []byte(s)} }

func intVal(n int64) Value { return Value{Type: keyspace.TypeString, Enc: EncInt, Int: n} }

func quicklistVal(fill int, elems []string) Value {
	q := quicklist.New(fill, 0)
	for _, e := range elems {
		q.PushTail([]byte(e))
	}
	var nodes []ListNode
	q.Nodes(func(data []byte, plain bool) bool {
		nodes = append(nodes, ListNode{Data: slices.Clone(data), Plain: plain})
		return true
	})
	return Value{Type: keyspace.TypeList, Enc: EncQuicklist, Nodes: nodes}
}

func elemsVal(t keyspace.Type, elems []string) Value {
	v := Value{Type: t, Enc: EncElems}
	for _, e := range elems {
		v.Elems = append(v.Elems, []byte(e))
	}
	return v
}

func intsetVal(xs ...int64) Value {
	is := intset.New()
	for _, x := range xs {
		is.Add(x)
	}
	return Value{Type: keyspace.TypeSet, Enc: EncIntset, Blob: slices.Clone(is.Bytes())}
}

func listpackVal(t keyspace.Type, entries []string) Value {
	lp := listpack.New()
	for _, e := range entries {
		lp.Append([]byte(e))
	}
	return Value{Type: t, Enc: EncListpack, Blob: slices.Clone(lp.Bytes())}
}

func zsetElemsVal(ms []string, ss []float64) Value {
	v := elemsVal(keyspace.TypeZSet, ms)
	v.Scores = ss
	return v
}

func seq(n int, f func(i int) string) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = f(i)
	}
	return s
}
