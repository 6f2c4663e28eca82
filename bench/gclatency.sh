#!/usr/bin/env bash
# gclatency.sh: latency with a large data set, and Cairn's GC pauses, against redis-server.
#
# For each server in turn (Cairn, then Redis: one 10M-key data set in memory at a time),
# starts it (--save '' --appendonly no), fills it with DEBUG POPULATE <keys> (keys
# key:N, values value:N), and runs bench/getload at 50 clients:
#   GET          GET of random existing keys (every reply checked)
#   GET+SET10%   the same with 10% of the requests SETting new keys, so that the server
#                keeps allocating while it holds the large data set
# Prints, per row, requests/s and the p50, p99, p99.9 and max latency (ms) of each
# server, and the p99.9 and max ratios Cairn/Redis; the time DEBUG POPULATE took and
# the RSS after it. Cairn runs with its debug listener (cairn-debug-addr), and getload
# prints the Go GC cycles and pause percentiles during each row (from the runtime's
# pause histogram, /debug/gc) and since start (which includes the populate).
#
# Why getload and not redis-benchmark: redis-benchmark's random keys (key:<12 digits>)
# never match DEBUG POPULATE's, so its GETs would all miss. getload's request loop
# allocates nothing and runs with its GC off, so no pause of its own is in the figures.
#
# usage: bench/gclatency.sh [--quick] [--keys N] [--requests N] [--pin] [--out FILE]
#   --quick        smoke run: 1,000,000 keys, 100,000 requests per row
#   --keys N       keys in the data set (default 10000000)
#   --requests N   requests per row (default 1000000)
#   --pin          servers on CPU 0, getload on CPU 1 (taskset); BENCH_PIN=SERVER:LOAD
#                  picks other CPU lists (e.g. BENCH_PIN=0-1:2-3)
#   --out FILE     also write the table to FILE
#
# Needs go, redis-server, redis-cli. 10M keys take about 1.5 GB per server.
set -euo pipefail
prog=gclatency.sh
. "$(dirname "$0")/lib.sh"

keys=10000000
requests=1000000
clients=50
pin=0
out=""
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) keys=1000000 requests=100000; shift ;;
	--keys) keys="$2"; shift 2 ;;
	--requests) requests="$2"; shift 2 ;;
	--pin) pin=1; shift ;;
	--out) out="$2"; shift 2 ;;
	-h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "$prog: unknown option $1" >&2; exit 2 ;;
	esac
done
case "$keys$requests" in *[!0-9]*|"") echo "$prog: --keys and --requests take numbers" >&2; exit 2 ;; esac

bench_need go redis-server redis-cli
bench_pins "$pin"
bench_init
bench_build_cairn
(cd "$bench_root" && go build -o "$tmp/getload" ./bench/getload)

rows=("GET|0" "GET+SET10%|10")

# measure NAME DEBUGURL COMMAND...: start, populate, run the rows, stop. getload's
# lines go to $tmp/NAME.out, prefixed with the server's name.
measure() {
	local name=$1 debug=$2 port t0 t1 row label pct load
	shift 2
	port=$(bench_freeport)
	while [ "$port" = "$dport" ]; do port=$(bench_freeport); done # free, but the debug listener's
	bench_start "$name" "$port" "${srvpin[@]}" "$@" --port "$port" --bind 127.0.0.1 --save '' \
		--appendonly no --dir "$tmp" --enable-debug-command local
	echo "$name: DEBUG POPULATE $keys..." >&2
	t0=$(date +%s.%N)
	[ "$(redis-cli -p "$port" debug populate "$keys")" = OK ] || bench_die "$name: DEBUG POPULATE failed"
	t1=$(date +%s.%N)
	[ "$(redis-cli -p "$port" dbsize)" = "$keys" ] || bench_die "$name: DBSIZE is not $keys after DEBUG POPULATE"
	printf '%s: populate %.1f s, RSS %d MB\n' "$name" "$(echo "$t1 - $t0" | bc -l)" $(($(bench_rss_kb "$started") / 1024)) >>"$tmp/$name.out"
	for row in "${rows[@]}"; do
		IFS='|' read -r label pct <<<"$row"
		echo "$name: $label, $requests requests at $clients clients..." >&2
		"${loadpin[@]}" "$tmp/getload" -addr "127.0.0.1:$port" -clients "$clients" -requests "$requests" \
			-keyspace "$keys" -set-percent "$pct" -name "$label" ${debug:+-debug "$debug"} >"$tmp/load.out" &
		load=$!
		bench_track "$load"
		wait "$load" || bench_die "getload against $name failed"
		bench_untrack "$load"
		sed "s/^/$name: /" "$tmp/load.out" >>"$tmp/$name.out"
	done
	bench_stop "$started" "$port"
}

dport=$(bench_freeport)
measure cairn "http://127.0.0.1:$dport" "$tmp/cairn-server" --cairn-debug-addr "127.0.0.1:$dport"
measure redis "" redis-server --daemonize no

{
	echo "cairn-server $(cd "$bench_root" && git rev-parse --short HEAD 2>/dev/null || echo '?') vs redis-server $(bench_redis_version): DEBUG POPULATE $keys, getload -clients $clients -requests $requests, $(nproc) CPUs, $pin_desc"
	# getload's line: "<server>: <row>: N requests, R requests/s, latency ms: p50 a p99 b p99.9 c max d".
	cat "$tmp/cairn.out" "$tmp/redis.out" | awk '
	/ requests\/s, latency ms:/ {
		s = $1; sub(":", "", s); r = $2; sub(":", "", r)
		if (!(r in seen)) { seen[r] = 1; order[++n] = r }
		rps[s, r] = $5; p50[s, r] = $10; p99[s, r] = $12; p999[s, r] = $14; mx[s, r] = $16
	}
	END {
		printf "%-11s %9s %9s %7s %7s %7s %7s %8s %8s %8s %8s %7s %6s\n", "row", "cairn rps", "redis rps",
			"c p50", "r p50", "c p99", "r p99", "c p99.9", "r p99.9", "c max", "r max", "p99.9 r", "max r"
		for (i = 1; i <= n; i++) {
			r = order[i]
			q999 = (p999["redis", r] > 0) ? p999["cairn", r] / p999["redis", r] : 0
			qmax = (mx["redis", r] > 0) ? mx["cairn", r] / mx["redis", r] : 0
			printf "%-11s %9.0f %9.0f %7.3f %7.3f %7.3f %7.3f %8.3f %8.3f %8.3f %8.3f %7.2f %6.2f\n", r,
				rps["cairn", r], rps["redis", r], p50["cairn", r], p50["redis", r], p99["cairn", r], p99["redis", r],
				p999["cairn", r], p999["redis", r], mx["cairn", r], mx["redis", r], q999, qmax
		}
	}'
	grep -h -v ' requests/s, latency ms:' "$tmp/cairn.out" "$tmp/redis.out"
} >"$tmp/table.txt"

cat "$tmp/table.txt"
if [ -n "$out" ]; then cp "$tmp/table.txt" "$out"; fi
