#!/usr/bin/env bash
# memory.sh: memory per item, cairn-server against redis-server, in one run.
#
# Starts both servers (--save '' --appendonly no) on free loopback ports, loads the
# same data into each with `redis-cli --pipe`, and prints the RSS growth (VmRSS from
# /proc) per item and the ratio Cairn/Redis for each data set:
#   strings  1,000,000 keys with 10-byte values
#   hashes   100 hashes of 10,000 fields
#   zset     one sorted set of 1,000,000 members
# usage: bench/memory.sh [--out FILE]
# Needs go, redis-server, redis-cli, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
out=""
[ "${1:-}" = "--out" ] && out="$2"

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/cairn-server" ./cmd/cairn-server
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

gen() { # gen KIND: RESP commands on stdout
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

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

measure() { # measure NAME BINARY... -> prints "rss_growth_bytes"
	local kind=$1; shift
	local port; port=$(free_port)
	"$@" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/log.$port" 2>&1 &
	local pid=$!
	pids+=("$pid")
	for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
	local before; before=$(rss_kb "$pid")
	gen "$kind" | redis-cli -p "$port" --pipe >/dev/null
	sleep 1
	local after; after=$(rss_kb "$pid")
	redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || kill "$pid"
	wait "$pid" 2>/dev/null || true
	echo $(((after - before) * 1024))
}

printf '%-8s %8s %14s %14s %7s\n' "data" "items" "cairn B/item" "redis B/item" "ratio" | tee "$work/table"
for kind in strings hashes zset; do
	items=1000000
	c=$(measure "$kind" "$work/cairn-server")
	r=$(measure "$kind" redis-server)
	printf '%-8s %8d %14.1f %14.1f %7.2f\n' "$kind" "$items" "$(echo "$c / $items" | bc -l)" "$(echo "$r / $items" | bc -l)" "$(echo "$c / $r" | bc -l)" | tee -a "$work/table"
done
[ -n "$out" ] && cp "$work/table" "$out"
exit 0
