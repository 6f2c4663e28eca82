#!/usr/bin/env bash
# compare.sh: redis-benchmark against cairn-server and redis-server, side by side.
#
# Builds cairn-server, starts it and redis-server (both with --save '' --appendonly no)
# on free loopback ports, and runs redis-benchmark against each in turn (Cairn, Redis,
# Cairn, Redis, ...; FLUSHALL before each group) over 100,000 random keys:
#   P1     50 clients, no pipelining: SET GET INCR LPUSH LPOP SADD HSET ZADD MSET (10 keys)
#   P16    the same tests, 50 clients, pipeline depth 16
#   1KB    SET and GET with 1,024-byte values, 50 clients, no pipelining
#   c1000  SET and GET with 1,000 clients, no pipelining
# Prints one row per test and group: requests/s of each server (median over the rounds),
# the throughput ratio Cairn/Redis, p50 and p99 latency (ms) of each and the p99 ratio
# Cairn/Redis, and the CPU time each server used per request (µs, all its threads, from
# /proc/<pid>/task/*/schedstat) with the ratio Redis/Cairn (above 1: Cairn uses less);
# then the geometric mean of the throughput ratios, the lowest throughput ratio, the
# highest p99 ratio and the CPU ratios' geometric mean and lowest, with their rows. On
# a machine other work keeps busy, throughput and latency say little; CPU per request
# still compares the servers' efficiency.
#
# usage: bench/compare.sh [--quick] [--rounds N] [--requests N] [--tests LIST] [--pin] [--out FILE]
#   --quick        smoke run: 1 round of 20,000 requests per test
#   --rounds N     rounds of (Cairn, Redis) runs per group (default 2)
#   --requests N   requests per redis-benchmark test (default 300000)
#   --tests LIST   redis-benchmark -t tests of the P1 and P16 groups
#                  (default set,get,incr,lpush,lpop,sadd,hset,zadd,mset)
#   --pin          run both servers on CPU 0 and redis-benchmark on CPU 1 (taskset): the
#                  per-core figure; without it, the scheduler places them, and Cairn may
#                  use the second core (results vary more); BENCH_PIN=SERVER:LOAD picks
#                  other CPU lists (e.g. BENCH_PIN=0-1:2-3)
#   --out FILE     also write the table to FILE
#
# Needs go, redis-server, redis-benchmark and redis-cli (apt-get install -y redis-server
# redis-tools). Raises the open-files limit for the 1,000-client group. Both servers are
# stopped when the script exits, however it exits.
set -euo pipefail
prog=compare.sh
. "$(dirname "$0")/lib.sh"

rounds=2
requests=300000
pin=0
out=""
keyspace=100000
tests="set,get,incr,lpush,lpop,sadd,hset,zadd,mset"

usage() { sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) rounds=1 requests=20000; shift ;;
	--rounds) rounds="$2"; shift 2 ;;
	--requests) requests="$2"; shift 2 ;;
	--tests) tests="$2"; shift 2 ;;
	--pin) pin=1; shift ;;
	--out) out="$2"; shift 2 ;;
	-h|--help) usage 0 ;;
	*) echo "$prog: unknown option $1" >&2; usage 2 >&2 ;;
	esac
done
case "$rounds$requests" in *[!0-9]*|"") echo "$prog: --rounds and --requests take numbers" >&2; exit 2 ;; esac
[ "$rounds" -ge 1 ] || { echo "$prog: --rounds must be at least 1" >&2; exit 2; }

# The groups: label|pipeline|clients|value bytes|tests.
groups=(
	"P1|1|50|3|$tests"
	"P16|16|50|3|$tests"
	"1KB|1|50|1024|set,get"
	"c1000|1|1000|3|set,get"
)

bench_need go redis-server redis-benchmark redis-cli
bench_pins "$pin"
# 1,000 clients: a descriptor each in redis-benchmark and in the server, plus spares.
bench_nofile 2048

bench_init
bench_build_cairn
bench_start_pair

# run <server> <port> <pid> <group> <round>: the group's tests on an empty data set, one
# redis-benchmark run per test (in the order given, so GET finds SET's keys), each with
# the server's CPU time around it; the CSV rows go to results.csv prefixed with
# server,group,round and followed by the CPU µs per request.
# redis-benchmark runs in the background so that a signal interrupts `wait` and the
# trap stops everything at once, instead of after the benchmark.
run() {
	local label pipeline clients size gtests t bench cpu0 cpu1
	IFS='|' read -r label pipeline clients size gtests <<<"$4"
	echo "round $5/$rounds: $1 $label (-P $pipeline -c $clients -d $size -t $gtests)" >&2
	redis-cli -p "$2" flushall >/dev/null
	for t in ${gtests//,/ }; do
		cpu0=$(bench_cpu_ns "$3")
		"${loadpin[@]}" redis-benchmark -h 127.0.0.1 -p "$2" -t "$t" -n "$requests" \
			-c "$clients" -r "$keyspace" -P "$pipeline" -d "$size" --csv >"$tmp/run.csv" 2>"$tmp/run.err" &
		bench=$!
		bench_track "$bench"
		wait "$bench" || bench_die "redis-benchmark -t $t failed against $1: $(cat "$tmp/run.err" "$tmp/run.csv")"
		bench_untrack "$bench"
		cpu1=$(bench_cpu_ns "$3")
		[ "$(wc -l <"$tmp/run.csv")" -eq 2 ] ||
			bench_die "redis-benchmark -t $t against $1 reported no result: $(cat "$tmp/run.err" "$tmp/run.csv")"
		tr -d '"' <"$tmp/run.csv" |
			awk -F, -v s="$1" -v g="$label|$pipeline|$clients|$size" -v r="$5" -v cpu="$(((cpu1 - cpu0) / requests))" \
				'NR == 2 && NF >= 8 { print s "," g "," r "," $0 "," cpu / 1000 }' >>"$tmp/results.csv"
	done
}

: >"$tmp/results.csv"
for round in $(seq "$rounds"); do
	for g in "${groups[@]}"; do
		run cairn "$cport" "$cpid" "$g" "$round"
		run redis "$rport" "$rpid" "$g" "$round"
	done
done

# Columns of results.csv: server,group|P|clients|size,round,test,rps,avg,min,p50,p95,p99,max,cpu.
{
	echo "cairn-server $(cd "$bench_root" && git rev-parse --short HEAD 2>/dev/null || echo '?') vs redis-server $(bench_redis_version): redis-benchmark -r $keyspace -n $requests, median of $rounds round(s), $(nproc) CPUs, $pin_desc"
	awk -F, '
	function median(key,   n, i, j, t, a) {
		n = split(vals[key], a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{
		row = $4 SUBSEP $2
		if (!(row in seen)) { seen[row] = 1; order[++rows] = row }
		vals[$1, row, "rps"] = vals[$1, row, "rps"] " " $5
		vals[$1, row, "p50"] = vals[$1, row, "p50"] " " $8
		vals[$1, row, "p99"] = vals[$1, row, "p99"] " " $10
		vals[$1, row, "cpu"] = vals[$1, row, "cpu"] " " $12
	}
	END {
		printf "%-15s %-6s %3s %5s %5s %10s %10s %6s %7s %7s %7s %7s %6s %6s %6s %6s\n", "test", "group", "P", "c", "bytes",
			"cairn rps", "redis rps", "ratio", "c p50", "r p50", "c p99", "r p99", "p99 r", "c cpu", "r cpu", "cpu r"
		logsum = 0; nratio = 0; low = -1; high = -1; cpulog = 0; ncpu = 0; cpulow = -1
		for (i = 1; i <= rows; i++) {
			split(order[i], k, SUBSEP)
			split(k[2], g, "|")
			name = k[1] " " g[1]
			cr = median("cairn" SUBSEP order[i] SUBSEP "rps"); rr = median("redis" SUBSEP order[i] SUBSEP "rps")
			c99 = median("cairn" SUBSEP order[i] SUBSEP "p99"); r99 = median("redis" SUBSEP order[i] SUBSEP "p99")
			ratio = rr > 0 ? cr / rr : 0
			p99r = r99 > 0 ? c99 / r99 : 0
			cc = median("cairn" SUBSEP order[i] SUBSEP "cpu"); rc = median("redis" SUBSEP order[i] SUBSEP "cpu")
			cpur = (cc > 0) ? rc / cc : 0
			printf "%-15s %-6s %3s %5s %5s %10.0f %10.0f %6.2f %7.3f %7.3f %7.3f %7.3f %6.2f %6.2f %6.2f %6.2f\n", k[1], g[1], g[2], g[3], g[4],
				cr, rr, ratio, median("cairn" SUBSEP order[i] SUBSEP "p50"), median("redis" SUBSEP order[i] SUBSEP "p50"), c99, r99, p99r,
				cc, rc, cpur
			if (cpur > 0) { cpulog += log(cpur); ncpu++ }
			if (cpulow < 0 || cpur < cpulow) { cpulow = cpur; cpulowrow = name }
			if (ratio > 0) { logsum += log(ratio); nratio++ }
			if (low < 0 || ratio < low) { low = ratio; lowrow = name }
			if (p99r > high) { high = p99r; highrow = name }
		}
		if (nratio > 0) printf "geometric mean of the throughput ratios: %.2f over %d rows\n", exp(logsum / nratio), nratio
		printf "lowest throughput ratio: %.2f (%s)\n", low, lowrow
		printf "highest p99 ratio: %.2f (%s)\n", high, highrow
		if (ncpu > 0) printf "CPU per request, ratio Redis/Cairn: geometric mean %.2f, lowest %.2f (%s)\n", exp(cpulog / ncpu), cpulow, cpulowrow
	}' "$tmp/results.csv"
} >"$tmp/table.txt"

cat "$tmp/table.txt"
if [ -n "$out" ]; then cp "$tmp/table.txt" "$out"; fi
