#!/usr/bin/env bash
# compare.sh: redis-benchmark against cairn-server and redis-server, side by side.
#
# Builds cairn-server, starts it and redis-server (both with --save '' --appendonly no)
# on free loopback ports, and runs redis-benchmark against each in turn (Cairn, Redis,
# Cairn, Redis, ...) for SET, GET and INCR with 50 clients over 100,000 random keys, at
# pipeline depths 1 and 16. Prints, per test and depth, the median over the rounds of
# requests/s, the ratio Cairn/Redis, and p50/p99 latencies (ms) for both.
#
# usage: bench/compare.sh [--rounds N] [--requests N] [--tests LIST] [--pin] [--out FILE]
#   --rounds N     rounds of (Cairn, Redis) runs per depth (default 2)
#   --requests N   requests per redis-benchmark test (default 300000)
#   --tests LIST   redis-benchmark -t tests (default set,get,incr); the collection rows
#                  are lpush,lpop,lrange_100,sadd,spop,hset,zadd
#   --pin          run both servers on CPU 0 and redis-benchmark on CPU 1 (taskset);
#                  without it, the scheduler places them (results vary more)
#   --out FILE     also write the table to FILE
#
# Needs go, redis-server, redis-benchmark and redis-cli (apt-get install -y redis-server
# redis-tools). Both servers are stopped when the script exits, however it exits.
set -euo pipefail

rounds=2
requests=300000
pin=0
out=""
clients=50
keyspace=100000
tests="set,get,incr"
pipelines="1 16"

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
	case "$1" in
	--rounds) rounds="$2"; shift 2 ;;
	--requests) requests="$2"; shift 2 ;;
	--tests) tests="$2"; shift 2 ;;
	--pin) pin=1; shift ;;
	--out) out="$2"; shift 2 ;;
	-h|--help) usage 0 ;;
	*) echo "compare.sh: unknown option $1" >&2; usage 2 >&2 ;;
	esac
done
case "$rounds$requests" in *[!0-9]*) echo "compare.sh: --rounds and --requests take numbers" >&2; exit 2 ;; esac
[ "$rounds" -ge 1 ] || { echo "compare.sh: --rounds must be at least 1" >&2; exit 2; }

for bin in go redis-server redis-benchmark redis-cli; do
	command -v "$bin" >/dev/null || { echo "compare.sh: $bin not found (apt-get install -y redis-server redis-tools)" >&2; exit 1; }
done
srvpin=() loadpin=()
if [ "$pin" = 1 ]; then
	command -v taskset >/dev/null || { echo "compare.sh: --pin needs taskset (util-linux)" >&2; exit 1; }
	[ "$(nproc)" -ge 2 ] || { echo "compare.sh: --pin needs at least 2 CPUs" >&2; exit 1; }
	srvpin=(taskset -c 0) loadpin=(taskset -c 1)
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench.XXXXXX")"
pids=()
bench=""
cleanup() {
	if [ -n "$bench" ]; then kill "$bench" 2>/dev/null || true; fi
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# freeport prints a loopback TCP port nobody listens on.
freeport() {
	local p
	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	echo "compare.sh: no free port found" >&2
	exit 1
}

# waitping waits until the server on port $1 answers PING.
waitping() {
	for _ in $(seq 200); do
		[ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ] && return 0
		sleep 0.05
	done
	echo "compare.sh: server on port $1 did not start; its log:" >&2
	cat "$tmp/$2.log" >&2
	exit 1
}

echo "building cairn-server..." >&2
(cd "$root" && go build -o "$tmp/cairn-server" ./cmd/cairn-server)

cport=$(freeport)
"${srvpin[@]}" "$tmp/cairn-server" --port "$cport" --bind 127.0.0.1 --save '' --appendonly no \
	--dir "$tmp" >"$tmp/cairn.log" 2>&1 &
pids+=($!)
waitping "$cport" cairn
rport=$(freeport)
while [ "$rport" = "$cport" ]; do rport=$(freeport); done
"${srvpin[@]}" redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no \
	--dir "$tmp" --daemonize no >"$tmp/redis.log" 2>&1 &
pids+=($!)
waitping "$rport" redis

# run <name> <port> <pipeline> <round>: one redis-benchmark run, CSV rows prefixed with
# name,pipeline,round.
# redis-benchmark runs in the background so that a signal interrupts `wait` and the
# trap stops everything at once, instead of after the benchmark.
run() {
	echo "round $4/$rounds: $1 -P $3" >&2
	"${loadpin[@]}" redis-benchmark -h 127.0.0.1 -p "$2" -t "$tests" -n "$requests" \
		-c "$clients" -r "$keyspace" -P "$3" --csv >"$tmp/run.csv" &
	bench=$!
	wait "$bench"
	bench=""
	tr -d '"' <"$tmp/run.csv" |
		awk -F, -v n="$1" -v p="$3" -v r="$4" 'NR > 1 && NF >= 7 { print n "," p "," r "," $0 }' >>"$tmp/results.csv"
}

: >"$tmp/results.csv"
for round in $(seq "$rounds"); do
	for p in $pipelines; do
		run cairn "$cport" "$p" "$round"
		run redis "$rport" "$p" "$round"
	done
done

# Columns of results.csv: server,pipeline,round,test,rps,avg,min,p50,p95,p99,max.
{
	echo "cairn-server vs redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p'): redis-benchmark -c $clients -r $keyspace -n $requests, median of $rounds round(s), $(nproc) CPUs, $([ "$pin" = 1 ] && echo "servers pinned to CPU 0, load to CPU 1" || echo "not pinned")"
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
	}
	END {
		printf "%-22s %3s %12s %12s %8s %10s %10s %10s %10s\n", "test", "P", "cairn rps", "redis rps", "ratio", "cairn p50", "redis p50", "cairn p99", "redis p99"
		for (i = 1; i <= rows; i++) {
			split(order[i], k, SUBSEP)
			cr = median("cairn" SUBSEP order[i] SUBSEP "rps"); rr = median("redis" SUBSEP order[i] SUBSEP "rps")
			printf "%-22s %3s %12.0f %12.0f %8.2f %10.3f %10.3f %10.3f %10.3f\n", k[1], k[2], cr, rr, (rr > 0 ? cr / rr : 0),
				median("cairn" SUBSEP order[i] SUBSEP "p50"), median("redis" SUBSEP order[i] SUBSEP "p50"),
				median("cairn" SUBSEP order[i] SUBSEP "p99"), median("redis" SUBSEP order[i] SUBSEP "p99")
		}
	}' "$tmp/results.csv"
} >"$tmp/table.txt"

cat "$tmp/table.txt"
if [ -n "$out" ]; then cp "$tmp/table.txt" "$out"; fi
