#!/usr/bin/env python3
# Regenerates redis-7.0.15-config-set.txt from a real redis-server 7.0.15:
# CONFIG SET of many values for every directive (CONFIG GET afterwards, then
# the default restored), and for immutable directives the outcome of
# "redis-server --port 0 --<name> <value> --zzzbad x".
# Usage: python3 gen-config-set.py   (starts its own server on port 17394)
import socket, json, subprocess, sys, os
PORT = 17394
class C:
    def __init__(s):
        s.s = socket.create_connection(("127.0.0.1", PORT)); s.f = s.s.makefile("rb")
    def cmd(s, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode("latin-1") if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        s.s.sendall(out)
        return s.read()
    def read(s):
        line = s.f.readline()
        if not line: raise ConnectionError()
        t, rest = line[:1], line[1:-2]
        if t in (b"+", b"-"): return (t.decode() + rest.decode("latin-1"))
        if t == b":": return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0: return None
            d = s.f.read(n + 2)[:-2]; return d.decode("latin-1")
        if t == b"*":
            n = int(rest); return [s.read() for _ in range(n)]
        if t == b"%":
            n = int(rest); return [s.read() for _ in range(2 * n)]
        raise Exception(line)
def start():
    subprocess.run(["redis-server", "--port", str(PORT), "--daemonize", "yes", "--save", "3600 1 300 100 60 10000", "--enable-protected-configs", "yes",
        "--logfile", WD + "/log", "--dir", WD + "/wd"], check=True)
    import time; time.sleep(0.3)
WD = "/tmp/cairn-config-oracle"
os.makedirs(WD + "/wd/wd2", exist_ok=True)
start()
c = C()
allcfg = c.cmd("config", "get", "*")
defaults = dict(zip(allcfg[0::2], allcfg[1::2]))
hidden = ["use-exit-on-panic", "key-load-delay", "rdb-key-save-delay", "watchdog-period", "loading-process-events-interval-bytes"]
for h in hidden:
    r = c.cmd("config", "get", h); defaults[h] = r[1]
common = ["!bogus!", "-9223372036854775808", "9223372036854775807", "18446744073709551615", "9223372036854775808", "-1", "1%", "-1%",
          "100000%", "", "0", "1", "yes", "no", "YES", "No", "1k", "1kb", "1K", "2mb", "1g", "3GB", "1b", "0777", "+5", " 5", "5 ", "100 1",
          "a b", "0x10", "007", "1.5", "-0", "99", "100", "101", "65535", "65536", "1023", "1024", "1048576", "1mb", "k", "kb", "-", "a\"b", "\\x41"]
special = {
 "save": ["3600 1", "+5 010", "5 -0", "5 4294967297", "1 2 3", "0 1", "5 1k", "1  2", "3 4 5 6", "\"\"", "  "],
 "client-output-buffer-limit": ["normal 1k 2kb 3", "normal 1 2 3k", "replica 1 2 3", "slave 1mb 2mb 3", "SLAVE 1 1 1 pubsub 2 2 2", "master 1 2 3",
     "normal 1 2 -3", "normal 2147483648 1 2147483648", "normal 1 2 4294967296", "pubsub 1 2 +3", "normal 1 2 03", "normal 18446744073709551615 0 0",
     "normal 9223372036854775808 0 0", "bogus 1 2 3", "normal 1 2", "normal 1 2 3 pubsub", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
     "pubsub 1gb 1gb 1 normal 5 5 5", "normal 1 2 99999999999999999999", "normal 1 2 1.5"],
 "notify-keyspace-events": ["KEA", "Kx", "gA", "n", "AKEmn", "A", "$lshzxetd", "g$lshzxetdn", "E", "m", "AK", "Kxq", "KEg$lshzxetdm", "d", "ed", "xe", "zhsl$g", "tKE", "AA"],
 "shutdown-on-sigint": ["save now", "nosave save", "now save", "default now", "default", "SAVE", "force now nosave", "save default", "now", "force", "bogus now", "save  now"],
 "shutdown-on-sigterm": ["save now", "nosave save", "NOW", "force"],
 "oom-score-adj": ["relative", "yes", "absolute", "no", "RELATIVE", "bogus"],
 "oom-score-adj-values": ["1 2 3", "0 200 800", "-2000 0 2000", "-2001 0 0", "1 2", "1 2 3 4", "1 2 x", "+1 02 3", "3 2 1", "1  2 3", "1 2 2001"],
 "latency-tracking-info-percentiles": ["50.5 99.99 0x10 1e1 +5", "inf", "1e-400", "0.000001", "0.0000001", "1.5e1", "00.100", "nan", "1_0", "50 99 99.9",
     "100", "100.0001", "0 0", "1  2", "99.999999", "33.3333333", "1e2", "-inf", "0x1p3", "12345678.5"],
 "bind": ["127.0.0.1", "127.0.0.1 -::1", "* -::*", " ".join(["127.0.0.1"] * 16), " ".join(["127.0.0.1"] * 17), "127.0.0.1  ::1"],
 "maxmemory-policy": ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction", "ALLKEYS-LRU", "allkeys-lru noeviction"],
 "appendfsync": ["always", "everysec", "no", "EverySec"],
 "loglevel": ["debug", "verbose", "notice", "warning", "nothing", "WARNING"],
 "repl-diskless-load": ["disabled", "on-empty-db", "swapdb", "SWAPDB"],
 "acl-pubsub-default": ["allchannels", "resetchannels", "ALLCHANNELS"],
 "sanitize-dump-payload": ["no", "yes", "clients", "CLIENTS"],
 "cluster-preferred-endpoint-type": ["ip", "hostname", "unknown-endpoint", "HOSTNAME"],
 "propagation-error-behavior": ["ignore", "panic", "panic-on-replicas", "PANIC"],
 "tls-auth-clients": ["no", "yes", "optional", "OPTIONAL"],
 "proc-title-template": ["{unknown}", "{title", "{{", "}", "{port}", "{title}", "{server-mode}", "  {title} ", "{unixsocket}", "{config-file}", "{tls-port}",
     "{listen-addr}", "{title} {listen-addr} {server-mode}", "x{", "{}", "a}b{{c", "{title}{port}", "{{title}}", "{ title}"],
 "cluster-announce-hostname": ["a_b", "a-b.c", "a" * 255, "a" * 256, "A9", "a b", "\u00e9"],
 "dir": ["/tmp", "/nonexistent", "/etc/passwd", ".", "..", "", WD + "/wd", "wd2", WD + "/wd/../wd"],
 "dbfilename": ["x.rdb", "a/b", "a\\b", "", "dump.rdb", ".."],
 "requirepass": ["secret", "", "a b", "a\x00b"],
 "masterauth": ["secret", "", "a\x00b"],
 "masteruser": ["secret", "", "a\x00b"],
 "replica-announce-ip": ["1.2.3.4", "", "a\x00b"],
 "ignore-warnings": ["ARM64-COW-BUG", "", "a\x00b"],
 "port": ["17395", "0"],
 "maxmemory-clients": ["100%", "101%", "0%", "5%", "-5%", "%", "1%%", "1.5%", " 1%", "+1%", "01%", "1mb", "9223372036854775807%", "100mb"],
 "hz": ["0", "1", "500", "501", "1000", "-1"],
 "activedefrag": ["yes", "no"],
}
names = sorted(n for n in defaults)
results = []
def reconnect():
    global c
    try:
        c = C()
    except Exception:
        print("restart server", file=sys.stderr)
        subprocess.run(["redis-cli", "-p", str(PORT), "shutdown", "nosave"])
        start(); c = C()
def restore(n):
    global c
    for attempt in range(3):
        try:
            r = c.cmd("config", "set", n, defaults[n])
            if r != "+OK" and not r.startswith("-ERR CONFIG SET failed (possibly related to argument '%s') - can't set immutable" % n):
                print("restore failed", n, r, file=sys.stderr)
            if n == "dir": c.cmd("config", "set", "dir", WD + "/wd")
            return
        except ConnectionError:
            reconnect()
for n in names:
    vals = list(common) + special.get(n, [])
    if n in ("bind",): vals = special["bind"] + ["", "!bogus!"]
    if n in ("port", "tls-port", "cluster-announce-port"): vals = [v for v in vals if v not in ("1", "99", "100", "101", "1023", "1024")] 
    for v in vals:
        try:
            r = c.cmd("config", "set", n, v)
        except ConnectionError:
            reconnect(); r = "DISCONNECTED"
        got = None
        if r == "+OK":
            try:
                g = c.cmd("config", "get", n); got = g[1] if g else None
            except ConnectionError:
                reconnect(); got = "DISCONNECTED"
            restore(n)
        elif "immutable" in r:
            p = subprocess.run(["redis-server", "--port", "0", "--" + n, v, "--zzzbad", "x"], capture_output=True, timeout=5)
            out = (p.stdout + p.stderr).decode("latin-1").strip().split("\n")
            if ">>> 'zzzbad \"x\"'" in out: r = "FILE-OK"
            else: r = "FILE-ERR " + out[-1]
        results.append({"name": n, "value": v, "reply": r, "get": got})

from collections import Counter, defaultdict
drop = {"-1%", "YES", "no", "1K", "2mb", "1g", "1b", "5 ", "a b", "007", "99", "101", "65535", "1023", "1mb", "k", "\\x41"}
def q(s):
    r = '"'
    for ch in s.encode("latin-1"):
        c = chr(ch)
        if c == '"': r += '\\"'
        elif c == '\\': r += '\\\\'
        elif 32 <= ch < 127: r += c
        else: r += '\\x%02x' % ch
    return r + '"'
byname = defaultdict(list)
for x in results:
    n, v, r, g = x["name"], x["value"], x["reply"], x["get"]
    if v in drop and n != "maxmemory-clients": continue
    pre = "-ERR CONFIG SET failed (possibly related to argument '%s') - " % n
    if r == "+OK": res = "OK " + q(g)
    elif r.startswith(pre): res = "ERR " + r[len(pre):]
    elif r == "FILE-OK": res = "FILE-OK"
    elif r.startswith("FILE-ERR "): res = r
    else: res = "REPLY " + r
    byname[n].append((v, res))
out = []
for n, cases in byname.items():
    cnt = Counter(res for _, res in cases)
    seen = Counter()
    for v, res in cases:
        if res != "FILE-OK" and not res.startswith("OK") and cnt[res] > 6:
            seen[res] += 1
            if seen[res] > 6: continue
        out.append("%s\t%s\t%s" % (n, q(v), res))
hdr = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "redis-7.0.15-config-set.txt")).read().split("\n")
hdr = [l for l in hdr if l.startswith("#")]
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "redis-7.0.15-config-set.txt"), "w") as f:
    f.write("\n".join(hdr) + "\n" + "\n".join(out) + "\n")
print(len(out), "cases")
try:
    c.cmd("shutdown", "nosave")
except ConnectionError:
    pass
