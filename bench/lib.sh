# lib.sh: shell helpers shared by the bench/ scripts (sourced, not run).
#
# A script sets `prog` to its name, sources this file, and calls bench_init: that makes
# a private temporary directory ($tmp) and installs a trap that stops every server and
# load generator the script started (bench_track PID) and removes $tmp, however the
# script exits. Needs bash 4.
#
#   prog=foo.sh; . "$(dirname "$0")/lib.sh"; bench_init
#   bench_need go redis-server redis-cli
#   bench_build_cairn                       # -> $tmp/cairn-server
#   port=$(bench_freeport)
#   bench_start cairn "$port" "$tmp/cairn-server" --port "$port" ...; pid=$started
#   bench_rss_kb "$pid"
#   bench_stop "$pid" "$port"

bench_pids=()

# bench_die prints its arguments as an error of $prog and exits 1.
bench_die() {
	echo "$prog: $*" >&2
	exit 1
}

# bench_init makes $tmp and installs the cleanup trap.
bench_init() {
	bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
	tmp="$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench.XXXXXX")"
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

# bench_track PID: stop PID (SIGTERM) when the script exits.
bench_track() { bench_pids+=("$1"); }

# bench_untrack PID: forget PID (it has exited and been waited for), so that the cleanup
# never signals a recycled pid.
bench_untrack() {
	local p keep=()
	for p in "${bench_pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	bench_pids=("${keep[@]}")
}

bench_cleanup() {
	local p
	for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${bench_pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}

# bench_need BIN...: fail unless every program is on PATH.
bench_need() {
	local bin
	for bin in "$@"; do
		command -v "$bin" >/dev/null ||
			bench_die "$bin not found (go: golang.org/dl; redis-*: apt-get install -y redis-server redis-tools)"
	done
}

# bench_pins PIN: with PIN=1, set the arrays srvpin=(taskset -c SERVER) and
# loadpin=(taskset -c LOAD), to run the servers on the CPUs SERVER and the load
# generator on the CPUs LOAD, from BENCH_PIN=SERVER:LOAD (CPU lists as taskset takes
# them; default 0:1, e.g. 0-1:2-3 on a machine with 4 CPUs); otherwise leave both empty
# (the scheduler places everything). Sets srvcpus and loadcpus (the lists) and pin_desc
# (a phrase for the report's header).
bench_pins() {
	srvpin=() loadpin=() srvcpus="" loadcpus="" pin_desc="not pinned"
	[ "$1" = 1 ] || return 0
	bench_need taskset
	local spec=${BENCH_PIN:-0:1}
	case "$spec" in
	?*:?*) ;;
	*) bench_die "BENCH_PIN is SERVER_CPUS:LOAD_CPUS (e.g. 0:1 or 0-1:2-3), not '$spec'" ;;
	esac
	srvcpus=${spec%%:*} loadcpus=${spec#*:}
	[ "$(nproc)" -ge 2 ] || bench_die "--pin needs at least 2 CPUs"
	taskset -c "$srvcpus" true 2>/dev/null || bench_die "BENCH_PIN: cannot run on CPUs $srvcpus"
	taskset -c "$loadcpus" true 2>/dev/null || bench_die "BENCH_PIN: cannot run on CPUs $loadcpus"
	srvpin=(taskset -c "$srvcpus") loadpin=(taskset -c "$loadcpus")
	pin_desc="servers pinned to CPU $srvcpus, load to CPU $loadcpus"
}

# bench_cpus LIST: the CPUs of a taskset CPU list (0-2,5 -> 0 1 2 5), one per line.
bench_cpus() {
	tr ',' '\n' <<<"$1" | awk -F- '{ for (c = $1; c <= ($2 == "" ? $1 : $2); c++) print c }'
}

# bench_cpu_ticks LIST: "busy total" jiffies of the CPUs of LIST, added, from /proc/stat.
bench_cpu_ticks() {
	awk -v want=" $(bench_cpus "$1" | tr '\n' ' ')" '
		$1 ~ /^cpu[0-9]+$/ && index(want, " " substr($1, 4) " ") {
			busy += $2 + $3 + $4 + $7 + $8; total += $2 + $3 + $4 + $5 + $6 + $7 + $8
		}
		END { print busy, total }' /proc/stat
}

# bench_nofile N: raise the soft open-files limit to at least N (up to the hard limit),
# or fail saying how to raise the hard one.
bench_nofile() {
	local want=$1 soft hard
	soft=$(ulimit -Sn)
	hard=$(ulimit -Hn)
	[ "$soft" = unlimited ] && return 0
	[ "$soft" -ge "$want" ] && return 0
	if [ "$hard" = unlimited ] || [ "$hard" -ge "$want" ]; then
		ulimit -Sn "$want"
		return 0
	fi
	bench_die "needs $want open files, the hard limit is $hard (raise it: ulimit -Hn, or limits.conf)"
}

# bench_build_cairn builds cmd/cairn-server into $tmp/cairn-server.
bench_build_cairn() {
	echo "building cairn-server..." >&2
	(cd "$bench_root" && go build -o "$tmp/cairn-server" ./cmd/cairn-server)
}

# bench_freeport prints a loopback TCP port nobody listens on, from 20000 up to the
# kernel's ephemeral range (ip_local_port_range, 32768 by default): a port that a
# client connection holds as its local port refuses bind() but not a probe, and on a
# busy machine hundreds of them are in use.
bench_freeport() {
	local p lo=20000 hi=60000 eph
	eph=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 0)
	if [ "${eph:-0}" -gt $((lo + 1000)) ] && [ "$eph" -le "$hi" ]; then hi=$eph; fi
	for _ in $(seq 100); do
		p=$((lo + RANDOM % (hi - lo)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	bench_die "no free port found"
}

# bench_start NAME PORT COMMAND...: run COMMAND in the background (output in
# $tmp/NAME.log), wait until the server on PORT answers PING, and set `started` to its
# pid (not printed: the server must be a child of the script's shell, not of a command
# substitution). The command may start with a taskset prefix; the pid is the server's
# either way (taskset execs it).
bench_start() {
	local name=$1 port=$2 pid
	shift 2
	"$@" >"$tmp/$name.log" 2>&1 &
	pid=$!
	bench_track "$pid"
	for _ in $(seq 400); do
		if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then
			started=$pid
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "$prog: $name on port $port did not start; its log:" >&2
	cat "$tmp/$name.log" >&2
	exit 1
}

# bench_stop PID PORT: SHUTDOWN NOSAVE the server (SIGTERM if that fails) and wait
# for it to exit.
bench_stop() {
	redis-cli -p "$2" shutdown nosave >/dev/null 2>&1 || kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	bench_untrack "$1"
}

# bench_rss_kb PID: the resident set size of PID in kB (VmRSS).
bench_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# bench_cpu_ns PID: the CPU time all threads of PID have used so far, in ns.
bench_cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'; }

# bench_redis_version prints redis-server's version (7.0.15).
bench_redis_version() { redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p'; }

# bench_start_pair starts cairn-server ($tmp/cairn-server, from bench_build_cairn) and
# redis-server on two free ports, both with --save '' --appendonly no and the server
# pinning of bench_pins, and sets cport, cpid, rport and rpid.
bench_start_pair() {
	cport=$(bench_freeport)
	bench_start cairn "$cport" "${srvpin[@]}" "$tmp/cairn-server" --port "$cport" --bind 127.0.0.1 \
		--save '' --appendonly no --dir "$tmp"
	cpid=$started
	rport=$(bench_freeport)
	while [ "$rport" = "$cport" ]; do rport=$(bench_freeport); done
	bench_start redis "$rport" "${srvpin[@]}" redis-server --port "$rport" --bind 127.0.0.1 \
		--save '' --appendonly no --dir "$tmp" --daemonize no
	rpid=$started
}
