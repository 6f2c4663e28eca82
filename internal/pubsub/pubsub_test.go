package pubsub

import (
	"reflect"
	"sort"
	"testing"
)

type delivery struct {
	sub     int
	pattern string
}

func publish(r *Registry[int], ch string) ([]delivery, int) {
	var got []delivery
	n := r.Publish([]byte(ch), func(s int, p string) { got = append(got, delivery{s, p}) })
	return got, n
}

func TestDeliveryOrder(t *testing.T) {
	r := New[int]()
	r.Subscribe(2, "news")
	r.Subscribe(1, "news")
	if r.Subscribe(1, "news") {
		t.Fatal("double subscribe reported new")
	}
	r.PSubscribe(1, "n*")
	r.PSubscribe(3, "*s")
	r.PSubscribe(2, "n*")
	r.PSubscribe(4, "x*")
	got, n := publish(r, "news")
	want := []delivery{{2, ""}, {1, ""}, {1, "n*"}, {2, "n*"}, {3, "*s"}}
	if n != 5 || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v (%d), want %v", got, n, want)
	}
}

func TestUnsubscribe(t *testing.T) {
	r := New[int]()
	r.Subscribe(1, "a")
	r.PSubscribe(1, "a*")
	r.PSubscribe(2, "b*")
	r.PSubscribe(3, "a*")
	if !r.Unsubscribe(1, "a") || r.Unsubscribe(1, "a") {
		t.Fatal("Unsubscribe results")
	}
	if !r.PUnsubscribe(2, "b*") || r.PUnsubscribe(2, "b*") || r.NumPat() != 1 {
		t.Fatalf("PUnsubscribe: numpat %d", r.NumPat())
	}
	got, n := publish(r, "abc")
	if want := []delivery{{1, "a*"}, {3, "a*"}}; n != 2 || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
	if r.NumSub("a") != 0 || len(r.Channels(nil)) != 0 {
		t.Fatal("empty channel kept")
	}
}

func TestChannels(t *testing.T) {
	r := New[int]()
	for i, ch := range []string{"news.a", "news.b", "sport"} {
		r.Subscribe(i, ch)
	}
	got := r.Channels([]byte("news.*"))
	sort.Strings(got)
	if !reflect.DeepEqual(got, []string{"news.a", "news.b"}) {
		t.Fatalf("got %v", got)
	}
	if len(r.Channels(nil)) != 3 {
		t.Fatal("all channels")
	}
}
