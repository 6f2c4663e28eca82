package server

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestGoRedisBlockingWorkQueue: several go-redis clients consume a queue with BLPOP
// while a producer pushes; every item reaches exactly one consumer.
func TestGoRedisBlockingWorkQueue(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	newClient := func() *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: s.Addr().String(), DisableIdentity: true, ReadTimeout: 10 * time.Second})
		t.Cleanup(func() { c.Close() })
		return c
	}
	const consumers, items = 8, 400
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	for i := 0; i < consumers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newClient()
			for {
				res, err := c.BLPop(ctx, 2*time.Second, "queue").Result()
				if errors.Is(err, redis.Nil) {
					return // timed out: the queue stayed empty
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				got[res[1]]++
				mu.Unlock()
			}
		}()
	}
	producer := newClient()
	for i := 0; i < items; i++ {
		if err := producer.RPush(ctx, "queue", fmt.Sprintf("item-%03d", i)).Err(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if len(got) != items {
		t.Fatalf("%d distinct items consumed, want %d", len(got), items)
	}
	for k, n := range got {
		if n != 1 {
			t.Fatalf("%s consumed %d times", k, n)
		}
	}
}

// TestGoRedisBlockedClientsServedInOrder: clients blocked on one key are served first
// come, first served, for BLPOP and BZPOPMIN alike.
func TestGoRedisBlockedClientsServedInOrder(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	admin := redis.NewClient(&redis.Options{Addr: s.Addr().String(), DisableIdentity: true})
	defer admin.Close()
	for _, kind := range []string{"list", "zset"} {
		const n = 5
		results := make(chan string, n)
		for i := 0; i < n; i++ {
			c := redis.NewClient(&redis.Options{Addr: s.Addr().String(), DisableIdentity: true, ReadTimeout: 10 * time.Second})
			defer c.Close()
			name := fmt.Sprintf("client-%d", i)
			go func() {
				if kind == "list" {
					res, err := c.BLPop(ctx, 5*time.Second, "k-"+kind).Result()
					if err == nil {
						results <- name + "=" + res[1]
						return
					}
					results <- name + " " + err.Error()
					return
				}
				res, err := c.BZPopMin(ctx, 5*time.Second, "k-"+kind).Result()
				if err == nil {
					results <- name + "=" + res.Member.(string)
					return
				}
				results <- name + " " + err.Error()
			}()
			// Wait until this client is blocked before starting the next one.
			deadline := time.Now().Add(5 * time.Second)
			for {
				info, _ := admin.Info(ctx, "clients").Result()
				if containsLine(info, fmt.Sprintf("blocked_clients:%d", i+1)) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: client %d never blocked", kind, i)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
		for i := 0; i < n; i++ {
			v := fmt.Sprintf("v%d", i)
			if kind == "list" {
				admin.RPush(ctx, "k-"+kind, v)
			} else {
				admin.ZAdd(ctx, "k-"+kind, redis.Z{Score: float64(i), Member: v})
			}
		}
		var got []string
		for i := 0; i < n; i++ {
			got = append(got, <-results)
		}
		sort.Strings(got)
		for i, g := range got {
			if want := fmt.Sprintf("client-%d=v%d", i, i); g != want {
				t.Fatalf("%s: got %v, want client-i served vi (first come, first served)", kind, got)
			}
		}
	}
}

func containsLine(text, line string) bool {
	for len(text) > 0 {
		i := 0
		for i < len(text) && text[i] != '\n' {
			i++
		}
		l := text[:i]
		if len(l) > 0 && l[len(l)-1] == '\r' {
			l = l[:len(l)-1]
		}
		if l == line {
			return true
		}
		if i == len(text) {
			break
		}
		text = text[i+1:]
	}
	return false
}
