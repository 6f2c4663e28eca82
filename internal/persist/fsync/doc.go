// Package fsync makes files durable without stalling the server's other goroutines.
//
// A blocking fsync(2) holds its Go processor (P) for as long as the disk takes. The
// runtime hands the processor to another thread only when its monitor (sysmon) notices
// the stuck call, and the monitor backs off to a 10 ms poll while nothing blocks: with
// one processor (a server pinned to one CPU) the fsync that ends a 1M-key BGSAVE (30 ms
// here) stopped every I/O loop for 10 ms before the processor was handed over
// (measured: the longest PING during the save, 14–20 ms). On Linux a Syncer has the
// kernel do the fsync (Linux AIO, IOCB_CMD_FSYNC, 4.18 and later): io_submit returns at
// once, the kernel signals an eventfd when it is done, and the goroutine waits for that
// in Go's netpoller like a socket read, holding nothing. Where AIO cannot be set up (an
// old kernel, a sandbox) or on other systems, it falls back to os.File.Sync.
//
// File is fsync and Data fdatasync, both that way. The AOF's group commits use Data
// too, though they fsync every few hundred microseconds: a blocking fdatasync there is
// often not noticed by the monitor at all (it backs off while each call is shorter than
// its poll), so on one CPU the I/O loop waited behind it, as Redis's reads wait behind
// its fsync; through the kernel, a lone reader during a write load is answered 1.6x as
// often, and the writes' throughput is the same (measured, bench/RESULTS.md).
//
// io_submit, io_getevents and the eventfd's read are raw system calls: none of them
// blocks (the fsync runs in a kernel worker), and entering a system call the runtime's
// way while every processor was idle wakes the monitor, which then polls every 20 µs
// for a millisecond or more. Under appendfsync always that happened after every group
// commit; raw, SET -P 1 with 50 clients gained 3.5% unpinned and 1–2% pinned (measured,
// bench/RESULTS.md). The AOF's write(2) (package aof) stays a normal call: it can
// block.
//
// Async is the same fdatasync for an event loop that waits in an epoll set of its own:
// its descriptor becomes readable when the fsync completes, and Reap never blocks (the
// AOF's group commits under always, package aof's Committer).
//
// Writer adds Redis's incremental fsync (rdb-save-incremental-fsync): a large file
// written through it has an fsync started in the background every few megabytes, so
// dirty pages never pile up (no write throttling) and the final fsync is short.
package fsync
