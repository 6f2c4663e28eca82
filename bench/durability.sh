#!/usr/bin/env bash
# durability.sh: durability at speed, Cairn against redis-server (the figures of issue #5).
#
# Each server runs in turn on a free loopback port, its files in one temporary directory
# (so both use the same disk; its filesystem is printed). Rows:
#   SET always -P 1|16       redis-benchmark -t set, 50 clients, random keys over 100,000,
#                            with appendonly yes and appendfsync always: requests/s
#   GET during SET -P 1|16   redis-benchmark -t get from 50 other clients while a second
#                            redis-benchmark keeps the SET load above running at the same
#                            depth: requests/s of the GETs (reads should not wait for the
#                            fsync that the writes wait for); under it, every command
#                            the server ran per second meanwhile (SETs and GETs, from
#                            INFO's total_commands_processed) and, with --pin, how busy
#                            the server's and the load generator's CPUs were: with the
#                            load CPU near 100% the row measures redis-benchmark, not
#                            the server
#   lone GET during SET -P 1 redis-benchmark -t get from one more client during the SET
#                            -P 1 load (5,000 requests): how long a lone reader waits
#                            when writes wait for fsyncs (requests/s and p50 latency)
#   SET+GET, pauses          bench/getload: 50 clients, each request a SET (half of them)
#                            or a GET of a key DEBUG POPULATE made, with a 0.5 ms pause
#                            after each reply (an application between its commands):
#                            requests/s and p99 latency. Writers that do not come back at
#                            once are what Cairn's commit gathering must not slow down.
#   BGSAVE ...               after DEBUG POPULATE <keys> (appendonly no): the time of a
#                            BGSAVE; the longest and the p99 round trip of a PING loop
#                            during it (the longest executor pause: Redis's fork, Cairn's
#                            longest snapshot step; "before" is the longest PING in the second
#                            before the save); the extra memory: for Cairn the peak RSS growth
#                            during the save, for Redis the fork child's copy-on-write
#                            (rdb_last_cow_size) plus the parent's peak RSS growth
#   load RDB                 time from starting the server on that dump.rdb until PING
#                            answers +PONG (the file Redis wrote, the same bytes for both)
# Ratio = Cairn/Redis: above 1 is better for requests/s, below 1 for times and memory.
# The redis-benchmark rows run in rounds (Cairn, Redis, Cairn, Redis, ...; a fresh server
# each time) and show the median. bench/saveprobe does the PING loop, the RSS sampling and
# the load timing.
#
# usage: bench/durability.sh [--quick] [--rounds N] [--requests N] [--keys N] [--pin] [--out FILE]
#   --quick        smoke run: 1 round, 20,000 requests per row, 200,000 keys
#   --rounds N     rounds of the redis-benchmark rows (default 3)
#   --requests N   requests per redis-benchmark row (default 100000)
#   --keys N       keys for BGSAVE and load (default 1000000)
#   --pin          servers on CPU 0, redis-benchmark and saveprobe on CPU 1 (taskset);
#                  BENCH_PIN=SERVER:LOAD picks other CPU lists (e.g. BENCH_PIN=0-1:2-3)
#   --out FILE     also write the table to FILE
#
# Needs go, redis-server, redis-benchmark, redis-cli. With appendfsync always the SET
# rows run at the disk's fsync rate: on a slow disk, lower --requests.
set -euo pipefail
prog=durability.sh
. "$(dirname "$0")/lib.sh"

rounds=3
requests=100000
keys=1000000
clients=50
keyspace=100000
pin=0
out=""
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) rounds=1 requests=20000 keys=200000; shift ;;
	--rounds) rounds="$2"; shift 2 ;;
	--requests) requests="$2"; shift 2 ;;
	--keys) keys="$2"; shift 2 ;;
	--pin) pin=1; shift ;;
	--out) out="$2"; shift 2 ;;
	-h|--help) sed -n '2,49p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "$prog: unknown option $1" >&2; exit 2 ;;
	esac
done
case "$rounds$requests$keys" in *[!0-9]*|"") echo "$prog: --rounds, --requests and --keys take numbers" >&2; exit 2 ;; esac
[ "$rounds" -ge 1 ] || { echo "$prog: --rounds must be at least 1" >&2; exit 2; }

bench_need go redis-server redis-benchmark redis-cli
bench_pins "$pin"
bench_init
bench_build_cairn
(cd "$bench_root" && go build -o "$tmp/saveprobe" ./bench/saveprobe && go build -o "$tmp/getload" ./bench/getload)

# Results, keyed by "<server> <row>"; the redis-benchmark rows hold one figure per round.
declare -A res

# median FIGURES...: the median (the lower middle one for an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# bench_rps PORT ARGS...: run redis-benchmark (in the background, so that a signal
# stops it at once) and print the requests/s of its one test.
bench_rps() {
	local port=$1 pid
	shift
	"${loadpin[@]}" redis-benchmark -h 127.0.0.1 -p "$port" -c "$clients" -r "$keyspace" --csv "$@" >"$tmp/rb.csv" &
	pid=$!
	bench_track "$pid"
	wait "$pid" || bench_die "redis-benchmark $* failed"
	bench_untrack "$pid"
	tail -1 "$tmp/rb.csv" | cut -d, -f2 | tr -d '"'
}

# busy_pct BEFORE AFTER: the busy share (%) between two bench_cpu_ticks readings.
busy_pct() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.0f", 100 * (y[1] - x[1]) / (y[2] - x[2]) }'; }

# commands PORT: the server's total_commands_processed.
commands() { redis-cli -p "$1" info stats | tr -d '\r' | awk -F: '$1 == "total_commands_processed" { print $2 }'; }

# aof_rows NAME ROUND COMMAND...: the rows with appendfsync always (SET, GET during SET,
# lone GET during SET, SET+GET with pauses).
aof_rows() {
	local name=$1 round=$2 port P load line c0 c1 t0 t1 s0 s1 l0 l1
	shift 2
	port=$(bench_freeport)
	rm -rf "$tmp/$name-aof"
	mkdir -p "$tmp/$name-aof"
	bench_start "$name" "$port" "${srvpin[@]}" "$@" --port "$port" --bind 127.0.0.1 --save '' \
		--appendonly yes --appendfsync always --dir "$tmp/$name-aof" --enable-debug-command local
	for P in 1 16; do
		echo "round $round/$rounds: $name: SET, appendfsync always, -P $P, $requests requests..." >&2
		res[$name set$P]+=" $(bench_rps "$port" -t set -n "$requests" -P "$P")"
	done
	for P in 1 16; do
		echo "round $round/$rounds: $name: GET from $clients clients during the SET load, -P $P..." >&2
		"${loadpin[@]}" redis-benchmark -h 127.0.0.1 -p "$port" -c "$clients" -r "$keyspace" -P "$P" \
			-t set -n 1000000000 -q >/dev/null 2>&1 &
		load=$!
		bench_track "$load"
		sleep 1 # the write load is running
		c0=$(commands "$port") t0=$(date +%s%N) s0=$(bench_cpu_ticks "$srvcpus") l0=$(bench_cpu_ticks "$loadcpus")
		res[$name get$P]+=" $(bench_rps "$port" -t get -n "$requests" -P "$P")"
		c1=$(commands "$port") t1=$(date +%s%N) s1=$(bench_cpu_ticks "$srvcpus") l1=$(bench_cpu_ticks "$loadcpus")
		res[$name all$P]+=" $(awk -v c=$((c1 - c0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.0f", c * 1e9 / t }')"
		if [ "$pin" = 1 ]; then
			res[$name srvcpu$P]+=" $(busy_pct "$s0" "$s1")"
			res[$name loadcpu$P]+=" $(busy_pct "$l0" "$l1")"
		fi
		if [ "$P" = 1 ]; then
			echo "round $round/$rounds: $name: GET from 1 client during the SET load, -P 1..." >&2
			res[$name get1c]+=" $(clients=1 bench_rps "$port" -t get -n 5000)"
			res[$name get1cp50]+=" $(tail -1 "$tmp/rb.csv" | cut -d, -f5 | tr -d '"')"
		fi
		kill "$load" 2>/dev/null || true
		wait "$load" 2>/dev/null || true
		bench_untrack "$load"
	done
	echo "round $round/$rounds: $name: SET+GET from $clients clients pausing 0.5 ms..." >&2
	[ "$(redis-cli -p "$port" debug populate "$keyspace")" = OK ] || bench_die "$name: DEBUG POPULATE failed"
	line=$("${loadpin[@]}" "$tmp/getload" -addr "127.0.0.1:$port" -clients "$clients" -requests "$requests" \
		-keyspace "$keyspace" -set-percent 50 -think 500us -name SET+GET) || bench_die "$name: getload failed"
	# "SET+GET: N requests, R requests/s, latency ms: p50 A p99 B p99.9 C max D"
	res[$name mix]+=" $(awk '{ print $4 }' <<<"$line")"
	res[$name mixp99]+=" $(awk '{ print $11 }' <<<"$line")"
	bench_stop "$started" "$port"
}

# save_rows NAME COMMAND...: populate, BGSAVE under the probe; leaves $tmp/NAME-rdb/dump.rdb.
save_rows() {
	local name=$1 port line k v
	shift
	port=$(bench_freeport)
	mkdir -p "$tmp/$name-rdb"
	bench_start "$name" "$port" "${srvpin[@]}" "$@" --port "$port" --bind 127.0.0.1 --save '' \
		--appendonly no --dir "$tmp/$name-rdb" --enable-debug-command local
	echo "$name: DEBUG POPULATE $keys, BGSAVE..." >&2
	[ "$(redis-cli -p "$port" debug populate "$keys")" = OK ] || bench_die "$name: DEBUG POPULATE failed"
	line=$("${loadpin[@]}" "$tmp/saveprobe" bgsave -addr "127.0.0.1:$port" -pid "$started") ||
		bench_die "$name: saveprobe bgsave failed"
	for kv in $line; do
		k=${kv%%=*} v=${kv#*=}
		res[$name $k]=$v
	done
	bench_stop "$started" "$port"
	[ -s "$tmp/$name-rdb/dump.rdb" ] || bench_die "$name: no dump.rdb after BGSAVE"
}

# load_row NAME COMMAND...: start on Redis's dump.rdb and time it until PONG.
load_row() {
	local name=$1 port t0 pid line
	shift
	port=$(bench_freeport)
	mkdir -p "$tmp/$name-load"
	cp "$tmp/redis-rdb/dump.rdb" "$tmp/$name-load/dump.rdb"
	echo "$name: loading the $keys-key dump.rdb..." >&2
	t0=$(date +%s%N)
	"${srvpin[@]}" "$@" --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$tmp/$name-load" >"$tmp/$name-load.log" 2>&1 &
	pid=$!
	bench_track "$pid"
	line=$("${loadpin[@]}" "$tmp/saveprobe" waitload -addr "127.0.0.1:$port" -since "$t0") ||
		bench_die "$name: did not load; its log: $(cat "$tmp/$name-load.log")"
	res[$name load_ms]=${line#load_ms=}
	[ "$(redis-cli -p "$port" dbsize)" = "$keys" ] || bench_die "$name: DBSIZE is not $keys after loading"
	bench_stop "$pid" "$port"
}

for round in $(seq "$rounds"); do
	aof_rows cairn "$round" "$tmp/cairn-server"
	aof_rows redis "$round" redis-server --daemonize no
done
for k in "${!res[@]}"; do
	# shellcheck disable=SC2086 # the rounds' figures, split on purpose
	res[$k]=$(median ${res[$k]})
done
save_rows cairn "$tmp/cairn-server"
save_rows redis redis-server --daemonize no
load_row cairn "$tmp/cairn-server"
load_row redis redis-server --daemonize no

# row LABEL CAIRN REDIS: one table line with the ratio.
row() {
	awk -v l="$1" -v c="$2" -v r="$3" 'BEGIN {
		q = (r > 0 && c != "-") ? sprintf("%.2f", c / r) : "-"
		printf "%-34s %12s %12s %8s\n", l, c, r, q
	}'
}
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
{
	echo "cairn-server $(cd "$bench_root" && git rev-parse --short HEAD 2>/dev/null || echo '?') vs redis-server $(bench_redis_version); $(nproc) CPUs, $pin_desc; files on $(df -T "$tmp" | awk 'NR == 2 { print $2 " (" $1 ")" }')"
	echo "redis-benchmark: $clients clients, random keys over $keyspace, $requests requests per row, median of $rounds round(s); BGSAVE and load: $keys keys (DEBUG POPULATE)"
	printf '%-34s %12s %12s %8s\n' row cairn redis ratio
	for P in 1 16; do
		row "SET always -P $P (req/s)" "${res[cairn set$P]}" "${res[redis set$P]}"
	done
	for P in 1 16; do
		row "GET during SET -P $P (req/s)" "${res[cairn get$P]}" "${res[redis get$P]}"
		row "  all commands (req/s)" "${res[cairn all$P]}" "${res[redis all$P]}"
		if [ "$pin" = 1 ]; then
			row "  server CPU busy (%)" "${res[cairn srvcpu$P]}" "${res[redis srvcpu$P]}"
			row "  load CPU busy (%)" "${res[cairn loadcpu$P]}" "${res[redis loadcpu$P]}"
		fi
	done
	row "lone GET during SET -P 1 (req/s)" "${res[cairn get1c]}" "${res[redis get1c]}"
	row "  p50 (ms)" "${res[cairn get1cp50]}" "${res[redis get1cp50]}"
	row "SET+GET, pauses (req/s)" "${res[cairn mix]}" "${res[redis mix]}"
	row "  p99 (ms)" "${res[cairn mixp99]}" "${res[redis mixp99]}"
	row "BGSAVE time (ms)" "${res[cairn save_ms]}" "${res[redis save_ms]}"
	row "BGSAVE longest PING (ms)" "${res[cairn ping_max_ms]}" "${res[redis ping_max_ms]}"
	row "  before the save (ms)" "${res[cairn base_max_ms]}" "${res[redis base_max_ms]}"
	row "BGSAVE PING p99 (ms)" "${res[cairn ping_p99_ms]}" "${res[redis ping_p99_ms]}"
	row "BGSAVE extra memory (MB)" \
		"$(mb $((res[cairn rss_peak_kb] - res[cairn rss_kb])))" \
		"$(mb $((res[redis rss_peak_kb] - res[redis rss_kb] + res[redis cow_kb])))"
	row "  Redis: fork child COW (MB)" "-" "$(mb "${res[redis cow_kb]}")"
	row "RSS before the save (MB)" "$(mb "${res[cairn rss_kb]}")" "$(mb "${res[redis rss_kb]}")"
	row "load RDB until PONG (ms)" "${res[cairn load_ms]}" "${res[redis load_ms]}"
} >"$tmp/table.txt"

cat "$tmp/table.txt"
if [ -n "$out" ]; then cp "$tmp/table.txt" "$out"; fi
