#!/usr/bin/env bash
# memory.sh: memory per item, cairn-server against redis-server, in one run.
#
# For each data set, starts a fresh server (--save '' --appendonly no) on a free loopback
# port, Cairn then Redis, loads the same commands into each with `redis-cli --pipe`,
# waits two seconds for the heap to settle, and prints the RSS growth (VmRSS from /proc,
# after minus before loading) per item and the ratio Cairn/Redis:
#   strings  1,000,000 keys (key:0000000) with 10-byte values
#   hashes   100 hashes of 10,000 fields (field:00000 -> value:00000): 1,000,000 fields
#   zset     one sorted set of 1,000,000 members (member:0000000, scores i*1.5)
# RSS is what the machine pays, so it is the figure compared; it includes Go's heap
# headroom (GOGC) and garbage not yet collected, as it includes jemalloc's fragmentation
# for Redis.
#
# usage: bench/memory.sh [--out FILE]
# Needs go, redis-server, redis-cli, python3, bc.
set -euo pipefail
prog=memory.sh
. "$(dirname "$0")/lib.sh"

out=""
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out="$2"; shift 2 ;;
	-h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "$prog: unknown option $1" >&2; exit 2 ;;
	esac
done

bench_need go redis-server redis-cli python3 bc
bench_init
bench_build_cairn

# gen KIND: the RESP commands that load data set KIND, on stdout.
gen() {
	python3 - "$1" <<'PY'
import sys
kind = sys.argv[1]
w = sys.stdout.buffer
def cmd(*a):
    w.write(b"*%d\r\n" % len(a))
    for x in a:
        x = x if isinstance(x, bytes) else str(x).encode()
        w.write(b"$%d\r\n%s\r\n" % (len(x), x))
if kind == "strings":
    for i in range(1000000):
        cmd("SET", "key:%07d" % i, "v%09d" % i)
elif kind == "hashes":
    for h in range(100):
        for f in range(0, 10000, 100):
            args = ["HSET", "hash:%03d" % h]
            for j in range(f, f + 100):
                args += ["field:%05d" % j, "value:%05d" % j]
            cmd(*args)
elif kind == "zset":
    for i in range(0, 1000000, 100):
        args = ["ZADD", "zset"]
        for j in range(i, i + 100):
            args += [str(j * 1.5), "member:%07d" % j]
        cmd(*args)
PY
}

# measure KIND NAME COMMAND...: start the server, load KIND, set `growth` to the RSS
# growth in bytes.
measure() {
	local kind=$1 name=$2 port before after
	shift 2
	port=$(bench_freeport)
	bench_start "$name" "$port" "$@" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp"
	before=$(bench_rss_kb "$started")
	redis-cli -p "$port" --pipe <"$tmp/$kind.resp" >"$tmp/pipe.out" ||
		bench_die "loading $kind into $name failed: $(cat "$tmp/pipe.out")"
	grep -q 'errors: 0,' "$tmp/pipe.out" || bench_die "loading $kind into $name: $(cat "$tmp/pipe.out")"
	sleep 2
	after=$(bench_rss_kb "$started")
	bench_stop "$started" "$port"
	growth=$(((after - before) * 1024))
}

items=1000000
printf '%-8s %8s %14s %14s %7s\n' "data" "items" "cairn B/item" "redis B/item" "ratio" | tee "$tmp/table"
for kind in strings hashes zset; do
	gen "$kind" >"$tmp/$kind.resp"
	measure "$kind" cairn "$tmp/cairn-server"
	c=$growth
	measure "$kind" redis redis-server --daemonize no
	r=$growth
	rm -f "$tmp/$kind.resp"
	printf '%-8s %8d %14.1f %14.1f %7.2f\n' "$kind" "$items" "$(echo "$c / $items" | bc -l)" \
		"$(echo "$r / $items" | bc -l)" "$(echo "$c / $r" | bc -l)" | tee -a "$tmp/table"
done
if [ -n "$out" ]; then cp "$tmp/table" "$out"; fi
