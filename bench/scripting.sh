#!/usr/bin/env bash
# scripting.sh: EVALSHA, MULTI/EXEC and PUBLISH, cairn-server against redis-server side
# by side (the performance rows of issue #4).
#
# Starts cairn-server and redis-server (both with --save '' --appendonly no) on free
# loopback ports and runs, against each in turn (Cairn, Redis, Cairn, Redis, ...):
#   evalsha set   EVALSHA of "return redis.call('SET', KEYS[1], ARGV[1])"
#   evalsha get   EVALSHA of "return redis.call('GET', KEYS[1])" (a read-only script)
#                 both with redis-benchmark, 50 clients, 100,000 random keys, at
#                 pipeline depths 1 and 16;
#   multi 10 set  MULTI, 10 SETs of random keys and EXEC sent as one pipeline, by
#                 bench/txload (redis-benchmark cannot send a transaction as one
#                 request) over 50 connections; its rps are transactions per second;
#   publish N     PUBLISH of a 5-byte message to a channel with N = 1 and N = 100
#                 subscribers (bench/subscribers, on the load CPU, reading and
#                 discarding), redis-benchmark, 50 clients, pipeline depths 1 and 16.
# Prints the median over the rounds of requests/s, the ratio Cairn/Redis, p50/p99
# latencies (ms) for both, and the CPU time each server used per request (µs, all its
# threads, from /proc/<pid>/task/*/schedstat) with the ratio Redis/Cairn: on a machine
# that other work keeps busy, throughput says little, CPU per request still compares
# the two servers' cost.
#
# usage: bench/scripting.sh [--quick] [--rounds N] [--requests N] [--pin] [--out FILE]
#   --quick        smoke run: 1 round, 20,000 requests
#   --rounds N     rounds of (Cairn, Redis) runs per row (default 2)
#   --requests N   requests per redis-benchmark run (default 300000); transactions per
#                  txload run are a tenth of it
#   --pin          run both servers on CPU 0 and the load on CPU 1 (taskset);
#                  BENCH_PIN=SERVER:LOAD picks other CPU lists (e.g. BENCH_PIN=0-1:2-3)
#   --out FILE     also write the table to FILE
#
# Needs go, redis-server, redis-benchmark and redis-cli.
set -euo pipefail
prog=scripting.sh
. "$(dirname "$0")/lib.sh"

rounds=2
requests=300000
pin=0
out=""
clients=50
keyspace=100000

usage() { sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) rounds=1 requests=20000; shift ;;
	--rounds) rounds="$2"; shift 2 ;;
	--requests) requests="$2"; shift 2 ;;
	--pin) pin=1; shift ;;
	--out) out="$2"; shift 2 ;;
	-h|--help) usage 0 ;;
	*) echo "$prog: unknown option $1" >&2; usage 2 >&2 ;;
	esac
done
case "$rounds$requests" in *[!0-9]*|"") echo "$prog: --rounds and --requests take numbers" >&2; exit 2 ;; esac
[ "$rounds" -ge 1 ] || { echo "$prog: --rounds must be at least 1" >&2; exit 2; }
[ "$requests" -ge 10 ] || { echo "$prog: --requests must be at least 10" >&2; exit 2; }

bench_need go redis-server redis-benchmark redis-cli
bench_pins "$pin"

bench_init
bench_build_cairn
(cd "$bench_root" && go build -o "$tmp/txload" ./bench/txload && go build -o "$tmp/subscribers" ./bench/subscribers)
bench_start_pair


setscript="return redis.call('SET', KEYS[1], ARGV[1])"
getscript="return redis.call('GET', KEYS[1])"
for port in "$cport" "$rport"; do
	setsha=$(redis-cli -p "$port" script load "$setscript")
	getsha=$(redis-cli -p "$port" script load "$getscript")
done

# load <server> <pid> <round> <test> <pipeline> <ops> COMMAND...: runs the load
# generator COMMAND (its CSV on stdout) for <ops> requests and appends its row to
# results.csv as server,test,pipeline,round,rps,avg,min,p50,p95,p99,max,cpu_us_per_op.
load() {
	local server=$1 spid=$2 round=$3 test=$4 p=$5 ops=$6 cpu0 cpu1
	shift 6
	echo "round $round/$rounds: $server $test -P $p" >&2
	cpu0=$(bench_cpu_ns "$spid")
	"${loadpin[@]}" "$@" >"$tmp/run.csv" 2>"$tmp/run.err" &
	local pid=$!
	bench_track "$pid"
	wait "$pid" || bench_die "$test against $server failed: $(cat "$tmp/run.err" "$tmp/run.csv")"
	bench_untrack "$pid"
	cpu1=$(bench_cpu_ns "$spid")
	[ "$(wc -l <"$tmp/run.csv")" -eq 2 ] || bench_die "$test against $server: no result: $(cat "$tmp/run.err" "$tmp/run.csv")"
	tr -d '"' <"$tmp/run.csv" |
		awk -F, -v OFS=, -v s="$server" -v t="$test" -v p="$p" -v r="$round" -v cpu=$(((cpu1 - cpu0) / ops)) \
			'NR == 2 { $1 = r; print s, t, p, $0, cpu / 1000 }' >>"$tmp/results.csv"
}

: >"$tmp/results.csv"
servers=("cairn $cport $cpid" "redis $rport $rpid")
for round in $(seq "$rounds"); do
	for p in 1 16; do
		for server in "${servers[@]}"; do
			read -r name port pid <<<"$server"
			load "$name" "$pid" "$round" "evalsha set" "$p" "$requests" redis-benchmark -h 127.0.0.1 -p "$port" \
				-n "$requests" -c "$clients" -r "$keyspace" -P "$p" --csv EVALSHA "$setsha" 1 "key:__rand_int__" xxx
		done
		for server in "${servers[@]}"; do
			read -r name port pid <<<"$server"
			load "$name" "$pid" "$round" "evalsha get" "$p" "$requests" redis-benchmark -h 127.0.0.1 -p "$port" \
				-n "$requests" -c "$clients" -r "$keyspace" -P "$p" --csv EVALSHA "$getsha" 1 "key:__rand_int__"
		done
	done
	for server in "${servers[@]}"; do
		read -r name port pid <<<"$server"
		load "$name" "$pid" "$round" "multi 10 set" 1 $((requests / 10)) "$tmp/txload" -addr "127.0.0.1:$port" \
			-clients "$clients" -requests $((requests / 10)) -keyspace "$keyspace" -sets 10
	done
	for nsubs in 1 100; do
		for server in "${servers[@]}"; do
			read -r name port pid <<<"$server"
			"${loadpin[@]}" "$tmp/subscribers" -addr "127.0.0.1:$port" -n "$nsubs" -channel ch >"$tmp/subs.out" 2>"$tmp/subs.err" &
			subs=$!
			bench_track "$subs"
			for _ in $(seq 200); do
				grep -q ready "$tmp/subs.out" && break
				kill -0 "$subs" 2>/dev/null || bench_die "subscribers for $name failed: $(cat "$tmp/subs.err")"
				sleep 0.05
			done
			grep -q ready "$tmp/subs.out" || bench_die "subscribers for $name not ready"
			for p in 1 16; do
				load "$name" "$pid" "$round" "publish $nsubs" "$p" "$requests" redis-benchmark -h 127.0.0.1 -p "$port" \
					-n "$requests" -c "$clients" -P "$p" --csv PUBLISH ch hello
			done
			kill "$subs"
			wait "$subs" 2>/dev/null || true
			bench_untrack "$subs"
		done
	done
done

# Columns of results.csv: server,test,pipeline,round,rps,avg,min,p50,p95,p99,max,cpu.
{
	echo "cairn-server $(cd "$bench_root" && git rev-parse --short HEAD 2>/dev/null || echo '?') vs redis-server $(bench_redis_version): $clients clients, -r $keyspace, $requests requests ($((requests / 10)) transactions), median of $rounds round(s), $(nproc) CPUs, $pin_desc"
	echo "cpu: server CPU time per request in µs (all threads); cpu ratio = redis/cairn (above 1: Cairn uses less)"
	awk -F, '
	function median(key,   n, i, j, t, a) {
		n = split(vals[key], a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function m(server, what) { return median(server SUBSEP order[i] SUBSEP what) }
	{
		row = $2 SUBSEP $3
		if (!(row in seen)) { seen[row] = 1; order[++rows] = row }
		vals[$1, row, "rps"] = vals[$1, row, "rps"] " " $5
		vals[$1, row, "p50"] = vals[$1, row, "p50"] " " $8
		vals[$1, row, "p99"] = vals[$1, row, "p99"] " " $10
		vals[$1, row, "cpu"] = vals[$1, row, "cpu"] " " $12
	}
	END {
		printf "%-13s %3s %10s %10s %6s %7s %7s %7s %7s %7s %7s %6s\n", "test", "P", "cairn rps", "redis rps", "ratio",
			"c p50", "r p50", "c p99", "r p99", "c cpu", "r cpu", "cpu r"
		for (i = 1; i <= rows; i++) {
			split(order[i], k, SUBSEP)
			cr = m("cairn", "rps"); rr = m("redis", "rps"); cc = m("cairn", "cpu"); rc = m("redis", "cpu")
			printf "%-13s %3s %10.0f %10.0f %6.2f %7.3f %7.3f %7.3f %7.3f %7.2f %7.2f %6.2f\n", k[1], k[2], cr, rr, (rr > 0 ? cr / rr : 0),
				m("cairn", "p50"), m("redis", "p50"), m("cairn", "p99"), m("redis", "p99"), cc, rc, (cc > 0 ? rc / cc : 0)
		}
	}' "$tmp/results.csv"
} >"$tmp/table.txt"

cat "$tmp/table.txt"
if [ -n "$out" ]; then cp "$tmp/table.txt" "$out"; fi
