// Package aof is Cairn's append-only file: Redis 7.0's multi-part layout (a manifest
// naming one base file and the incremental files after it, in a directory), a log
// writer with group commit, and a reader that replays the commands.
//
// # Group commit
//
// The server's executor appends each write's RESP-encoded command to the Log under a
// short mutex (no I/O) and gets back the log offset at its end. A group commit takes
// everything appended so far, writes it with one write, and — with appendfsync
// always — one fsync, then publishes the synced offset. One fsync covers every record
// appended meanwhile, and the executor never waits for the disk: a client whose batch
// wrote waits (with no lock held) until the synced offset passes its own before its
// replies are sent; reads never wait. The first waiter to find no commit running does
// the next one itself (the others wait for it), so a write needs no hand-off to another
// goroutine; a flusher goroutine writes what nobody waits for. An event loop does not
// block in Wait: its connections' records are queued (Queue) without waking anyone, the
// loop kicks the log (Kick) when it has served the connections that were ready — one
// commit for all of them, as Redis writes and fsyncs its AOF once per event-loop turn
// — and polls DurableOffset when the log's notification (SetNotify) comes. Under
// always, a loop with a Committer runs the commit it kicks: it writes the batch, submits
// its fdatasync to the kernel and goes on serving; the Committer's descriptor, in the
// loop's epoll set, tells it when to reap the fsync and end the commit. The flusher
// then takes records a loop's clients wait for only when asked (Kick without a
// Committer, the gathering timer), and Close reaps a loop's commit in flight. A commit that
// ends with records queued meanwhile is followed by the next one, which under always
// first gathers: it waits, for a few fsync times at most, until at least half the
// writers the ended commit released have queued their next records, so that the
// clients of a steady load share fewer, larger fsyncs while the stragglers' return
// overlaps the fsync (see gatheredLocked; waits that time out make the next commits
// start at once, with backoff). Under always the leader yields the processor once before it takes the
// batch, so that clients ready to run queue their records first and share its fsync (an
// fdatasync, as Redis's). With
// everysec records are written promptly and fsynced once a second; with no syncing is
// left to the OS. Under both, Wait returns once the record is written (handed to the
// OS): a crash of the process loses no acknowledged write, a power loss up to the last
// second's (everysec).
//
// A write that fails part-way is cut off the file again (when the File can Truncate),
// so the file keeps ending with a complete command.
//
// A write or fsync error is sticky: Err reports it and the server stops accepting
// writes (Redis's MISCONF behaviour) instead of acknowledging data that is not on disk.
//
// The Log is safe for concurrent use: Append from the executor, Wait from clients.
package aof
