#!/usr/bin/env bash
# idle.sh: memory per idle client, cairn-server against redis-server.
#
# For each server in turn (Cairn, Redis, Cairn, Redis, ... for --rounds), starts it
# (--save '' --appendonly no, maxclients raised above the count), opens N connections
# with bench/idleconns (each sends one PING, then idles), checks INFO's
# connected_clients, waits two seconds, and prints the RSS growth (VmRSS from /proc, after minus before) for N clients and per
# client, median over the rounds, and the ratio Cairn/Redis. The growth varies from run
# to run (by tens of MB on a busy machine), hence the rounds.
#
# usage: bench/idle.sh [--clients N] [--rounds N] [--no-ping] [--out FILE]
#   --clients N   idle connections (default 10000)
#   --rounds N    measurements per server (default 3)
#   --no-ping     the clients only connect, they send nothing
#   --out FILE    also write the table to FILE
#
# Needs go, redis-server, redis-cli, and an open-files limit above N plus a few hundred
# (the script raises the soft limit up to the hard one: ulimit -Hn).
set -euo pipefail
prog=idle.sh
. "$(dirname "$0")/lib.sh"

clients=10000
rounds=3
ping=true
out=""
while [ $# -gt 0 ]; do
	case "$1" in
	--clients) clients="$2"; shift 2 ;;
	--rounds) rounds="$2"; shift 2 ;;
	--no-ping) ping=false; shift ;;
	--out) out="$2"; shift 2 ;;
	-h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "$prog: unknown option $1" >&2; exit 2 ;;
	esac
done
case "$clients$rounds" in *[!0-9]*|"") echo "$prog: --clients and --rounds take numbers" >&2; exit 2 ;; esac
[ "$rounds" -ge 1 ] || { echo "$prog: --rounds must be at least 1" >&2; exit 2; }

bench_need go redis-server redis-cli
# The server and idleconns each hold a descriptor per client; Redis wants maxclients+32.
bench_nofile $((clients + 256))
bench_init
bench_build_cairn
(cd "$bench_root" && go build -o "$tmp/idleconns" ./bench/idleconns)

# measure NAME COMMAND...: start the server, open the clients, set `growth` (bytes).
measure() {
	local name=$1 port before after connected load
	shift
	port=$(bench_freeport)
	bench_start "$name" "$port" "$@" --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$tmp" --maxclients $((clients + 100))
	sleep 1
	before=$(bench_rss_kb "$started")
	echo "$name: opening $clients idle connections..." >&2
	rm -f "$tmp/hold"
	mkfifo "$tmp/hold"
	"$tmp/idleconns" -addr "127.0.0.1:$port" -n "$clients" -ping="$ping" <"$tmp/hold" >"$tmp/idle.out" 2>&1 &
	load=$!
	bench_track "$load"
	exec 3>"$tmp/hold" # idleconns holds its connections until this closes
	for _ in $(seq 1200); do
		grep -q '^ready' "$tmp/idle.out" && break
		kill -0 "$load" 2>/dev/null || break
		sleep 0.1
	done
	grep -q "^ready $clients\$" "$tmp/idle.out" || bench_die "idleconns against $name: $(cat "$tmp/idle.out")"
	connected=$(redis-cli -p "$port" info clients | tr -d '\r' | awk -F: '$1 == "connected_clients" { print $2 }')
	[ "$connected" = $((clients + 1)) ] || bench_die "$name reports $connected connected clients, want $((clients + 1))"
	sleep 2
	after=$(bench_rss_kb "$started")
	exec 3>&-
	wait "$load" || true
	bench_untrack "$load"
	bench_stop "$started" "$port"
	growth=$(((after - before) * 1024))
}

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$tmp/cairn.growth"
: >"$tmp/redis.growth"
for round in $(seq "$rounds"); do
	echo "round $round/$rounds" >&2
	measure cairn "$tmp/cairn-server"
	echo "$growth" >>"$tmp/cairn.growth"
	measure redis redis-server --daemonize no
	echo "$growth" >>"$tmp/redis.growth"
done
c=$(median <"$tmp/cairn.growth")
r=$(median <"$tmp/redis.growth")
mb() { awk '{ printf "%s%.1f", (NR > 1) ? " " : "", $1 / 1048576 }' "$1"; }
{
	echo "cairn-server $(cd "$bench_root" && git rev-parse --short HEAD 2>/dev/null || echo '?') vs redis-server $(bench_redis_version): RSS growth for $clients idle clients ($([ "$ping" = true ] && echo "one PING each" || echo "connected only")), median of $rounds round(s)"
	printf '%-8s %14s %14s %14s %14s %7s\n' clients "cairn MB" "redis MB" "cairn B/client" "redis B/client" ratio
	printf '%-8d %14.1f %14.1f %14.0f %14.0f %7.2f\n' "$clients" "$(echo "$c / 1048576" | bc -l)" "$(echo "$r / 1048576" | bc -l)" \
		"$(echo "$c / $clients" | bc -l)" "$(echo "$r / $clients" | bc -l)" "$(echo "$c / $r" | bc -l)"
	echo "rounds, MB: cairn $(mb "$tmp/cairn.growth"); redis $(mb "$tmp/redis.growth")"
} >"$tmp/table.txt"
cat "$tmp/table.txt"
if [ -n "$out" ]; then cp "$tmp/table.txt" "$out"; fi
