package debughttp

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	inf := math.Inf(1)
	bounds := []float64{math.Inf(-1), 0, 1, 2, 4, 8, inf}
	for _, tc := range []struct {
		name   string
		counts []uint64
		want   PauseSummary
	}{
		{"empty", []uint64{0, 0, 0, 0, 0, 0}, PauseSummary{}},
		{"one value", []uint64{0, 0, 1, 0, 0, 0}, PauseSummary{Count: 1, P50: 2, P99: 2, P999: 2, Max: 2}},
		// 1000 values: 500 in [0,1), 490 in [1,2), 9 in [2,4), 1 in [4,8).
		{"spread", []uint64{0, 500, 490, 9, 1, 0}, PauseSummary{Count: 1000, P50: 1, P99: 2, P999: 4, Max: 8}},
		// The 990th value is the last of [1,2): p99 = 2; the 999th is in [2,4).
		{"rank boundary", []uint64{0, 0, 990, 9, 1, 0}, PauseSummary{Count: 1000, P50: 2, P99: 2, P999: 4, Max: 8}},
		// A value in the open-ended bucket reports its finite lower bound.
		{"overflow", []uint64{0, 1, 0, 0, 0, 1}, PauseSummary{Count: 2, P50: 1, P99: 8, P999: 8, Max: 8}},
	} {
		if got := Summarize(nonEmpty(tc.counts, bounds)); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestPauseDelta(t *testing.T) {
	before := []Bucket{{0, 1, 5}, {1, 2, 3}}
	after := []Bucket{{0, 1, 5}, {1, 2, 4}, {4, 8, 2}}
	want := []Bucket{{1, 2, 1}, {4, 8, 2}}
	got := PauseDelta(before, after)
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("got %+v, want %+v", got, want)
		}
	}
	if s := Summarize(got); s != (PauseSummary{Count: 3, P50: 8, P99: 8, P999: 8, Max: 8}) {
		t.Errorf("summary of the delta: %+v", s)
	}
}

func TestHandlerGC(t *testing.T) {
	runtime.GC()
	runtime.GC()
	srv := httptest.NewServer(Handler())
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/debug/gc")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var r GCReport
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if r.Cycles < 2 || r.Pauses.Count < 2 {
		t.Errorf("after two runtime.GC calls: %d cycles, %d pauses", r.Cycles, r.Pauses.Count)
	}
	p := r.Pauses
	if !(p.P50 > 0 && p.P50 <= p.P99 && p.P99 <= p.P999 && p.P999 <= p.Max) {
		t.Errorf("pause percentiles out of order: %+v", p)
	}
	var n uint64
	for _, b := range r.PauseBuckets {
		if b.Count == 0 || !(b.Lower < b.Upper) {
			t.Errorf("bad bucket %+v", b)
		}
		n += b.Count
	}
	if n != p.Count {
		t.Errorf("histogram holds %d pauses, summary %d", n, p.Count)
	}
	if r.HeapLive == 0 || r.HeapObjects == 0 || r.HeapObjectsNum == 0 || r.HeapGoal < r.HeapLive || r.Total < r.HeapObjects {
		t.Errorf("implausible heap figures: %+v", r)
	}
	if r.MemoryLimit == 0 {
		t.Errorf("memory limit 0")
	}
}

func TestHandlerPprof(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	for path, want := range map[string]string{
		"/":                              "/debug/pprof/",
		"/debug/pprof/":                  "goroutine",
		"/debug/pprof/goroutine?debug=1": "goroutine profile:",
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("%s: status %d, body %.200q, want it to contain %q", path, resp.StatusCode, body, want)
		}
	}
	resp, err := http.Get(srv.URL + "/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/nothing: status %d", resp.StatusCode)
	}
}
