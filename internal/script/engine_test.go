package script

import (
	"context"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// The interrupt check gopher-lua makes before every instruction once a context is set
// (how SCRIPT KILL stops a script): its cost, against the same loop without it.
func benchLoop(b *testing.B, withCtx bool) {
	L := lua.NewState()
	defer L.Close()
	if withCtx {
		e := &Engine{}
		e.intr.e = e
		e.run = &Run{}
		e.host = nopHost{}
		L.SetContext(&e.intr)
	}
	fn, err := L.Load(strings.NewReader("local n = 0 for i = 1, 100000 do n = n + i end return n"), "loop")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		L.Push(fn)
		L.Call(0, 1)
		L.Pop(1)
	}
}

func BenchmarkLoopNoInterrupt(b *testing.B)   { benchLoop(b, false) }
func BenchmarkLoopWithInterrupt(b *testing.B) { benchLoop(b, true) }
func BenchmarkLoopCancelCtx(b *testing.B) {
	L := lua.NewState()
	defer L.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	L.SetContext(ctx)
	fn, _ := L.Load(strings.NewReader("local n = 0 for i = 1, 100000 do n = n + i end return n"), "loop")
	b.ResetTimer()
	for range b.N {
		L.Push(fn)
		L.Call(0, 1)
		L.Pop(1)
	}
}

type nopHost struct{}

func (nopHost) Call(*Run, [][]byte) ([]byte, string)   { return []byte("+OK\r\n"), "" }
func (nopHost) CheckACL(*Run, [][]byte) (bool, string) { return true, "" }
func (nopHost) Log(int, string)                        {}
func (nopHost) Tick(*Run)                              {}
func (nopHost) CountError(string)                      {}
