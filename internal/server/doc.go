// Package server is Cairn's network server: it accepts connections, parses requests,
// runs commands through one gate under the executor lock, and writes replies.
//
// # Concurrency
//
// Connections are served by I/O loops, one per GOMAXPROCS or cairn-io-loops of them
// (ioloop.go): a loop reads from each readable socket, parses every complete command in
// what it read, and then takes the executor lock (Server.mu) once for the whole batch.
// A connection whose replies wait for an AOF fsync is parked in its loop; one whose
// command must wait otherwise (a blocking pop, CLIENT PAUSE, a busy script, a slow
// reader) gets a goroutine of its own, which does the same; so does every connection
// where there is no epoll. Commands run one at a time under that lock, so each command,
// EXEC and script is atomic and isolated exactly as in single-threaded Redis; command
// procs never lock anything themselves. Replies are appended to the client's writer
// while the lock is held and sent with one write after it is released (by a loop, once it
// has served every connection that was ready, as Redis writes before it next polls):
// reading, parsing and writing run in parallel on all cores, execution is serial.
//
// Data that other clients send to a client (MONITOR lines, and later pub/sub messages
// and wake-ups) goes into that client's push buffer under its pushMu, and a writer
// goroutine started for such clients sends it. Lock order: Server.mu, then
// client.pushMu, then client.writeMu. Nothing writes to a socket while holding
// Server.mu.
//
// Fields marked "guarded by mu" belong to the executor lock.
package server
