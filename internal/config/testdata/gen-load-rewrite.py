#!/usr/bin/env python3
# Regenerates load-errors.txt and rewrite.txt from a real redis-server 7.0.15.
#
# load-errors.txt: for each case, a config file and command-line arguments
# that redis-server refuses, and what it prints (stderr, or the log line of a
# file that cannot be opened, without its "pid:C date # " prefix).
#
# rewrite.txt: for each case, a config file, CONFIG SET commands, and the
# file after CONFIG REWRITE. The server is started as
# "redis-server <file> --port 17381". The server runs in the foreground in a scratch
# directory; @DIR@ stands for that directory in files and outputs.
#
# Format of both: blocks "-- <section> --" up to the next block; a case
# starts at "-- case --" (its name on the next line). Sections hold text
# verbatim, except "args" and "set": one Go-quoted string per argument, one
# argument (or one "name value" pair, tab-separated) per line.
#
# Usage: python3 gen-load-rewrite.py   (uses ports 17380-17389)
import os, re, shutil, socket, subprocess, time

HERE = os.path.dirname(os.path.abspath(__file__))
DIR = "/tmp/cairn-config-gen"


def q(s):
    r = '"'
    for ch in s.encode("latin-1") if isinstance(s, str) else s:
        c = chr(ch)
        if c == '"':
            r += '\\"'
        elif c == "\\":
            r += "\\\\"
        elif 32 <= ch < 127:
            r += c
        else:
            r += "\\x%02x" % ch
    return r + '"'


LOAD = [
    ("unknown directive", "foo bar\n", []),
    ("port not a number", "", ["--port", "abc"]),
    ("enum", "", ["--maxmemory-policy", "bogus"]),
    ("options after a file", "port 0\nhz 0\n", ["--maxmemory-policy", "bogus"]),
    ("file without final newline", "port 0\nhz 0", ["--maxmemory-policy", "bogus"]),
    ("multi-word value", "port 0\nhz 0", ["--hz", "5", "--maxmemory-policy", "a b", "--save"]),
    ("--save without value", "", ["--save", "--port", "abc"]),
    ("--save between options", "", ["--port", "0", "--save", "--maxmemory-policy", "x"]),
    ("several values", "", ["--port", "0", "--bind", "127.0.0.1", "::1", "--maxmemory-policy", "x"]),
    ("name and values in one argument", "", ["--port", "0", "--bind 127.0.0.1 ::1", "--maxmemory-policy", "x"]),
    ("value quoting", "", ["--port", "0", "--maxmemory-policy", 'x"y\\n']),
    ("value bytes", "", ["--port", "0", "--maxmemory-policy", "\xff\x01\xc3\xa9"]),
    ("bare --", "", ["--port", "0", "--", "--maxmemory-policy", "x"]),
    ("option without value", "", ["--port", "0", "--maxmemory-policy"]),
    ("missing argument", "port\n", []),
    ("extra argument", "port 1 2\n", []),
    ("unbalanced double quote", 'port "6379\n', []),
    ("unbalanced single quote", "port '6379\n", []),
    ("text after closing quote", 'port "63"79\n', []),
    ("deprecated directive with wrong argc", "list-max-ziplist-entries\n", []),
    ("deprecated directive is ignored", "list-max-ziplist-entries 5\nlua-replicate-commands yes\nfoo\n", []),
    ("sentinel", "sentinel\nsentinel monitor x\n", []),
    ("loadmodule without path", "loadmodule\n", []),
    ("user without name", "user\n", []),
    ("rename-command argc", "rename-command x\n", []),
    ("module config without value", "x.y\n", []),
    ("comment after value", "port 1 # c\n", []),
    ("dir missing", "dir /nonexistent\n", []),
    ("dir not a directory", "dir /etc/passwd\n", []),
    ("logfile", "logfile /nonexistent/x\n", []),
    ("cluster and replicaof", "cluster-enabled yes\nreplicaof 1.2.3.4 5\n", []),
    ("replicaof port", "replicaof a 70000\n", []),
    ("replicaof argc", "replicaof a\n", []),
    ("save odd", "save 1\n", []),
    ("save after valid ones", "save 1 1\nsave 2 2 3\n", []),
    ("obuf empty", 'client-output-buffer-limit ""\n', []),
    ("blanks and comments", "   # comment\n\n\t\nport 0\n  maxmemory-policy   bogus  \n", []),
    ("CRLF", "port 0\r\nmaxmemory-policy bogus\r\n", []),
    ("case of the shown line", "PORT abc\n", []),
    ("vertical tab line", "port 0\n\x0b\nmaxmemory-policy x\n", []),
    ("too many bind addresses", "bind " + " ".join(["127.0.0.1"] * 17) + "\n", []),
    ("enable-debug-command", "enable-debug-command maybe\n", []),
    ("shutdown flags", "shutdown-on-sigint save nosave\n", []),
    ("hex escape in value", 'maxmemory-policy "\\x41"\n', []),
    ("include missing", "include /nonexistent\n", []),
    ("include glob matching nothing", "include @DIR@/none*.conf\nfoo\n", []),
    ("error inside include", "port 0\ninclude @DIR@/inc-bad.conf\nhz 5\n", []),
    ("multi-arg value with unbalanced quotes", "port 0\nsave \"'\"\nmaxmemory-policy x\n", []),
    ("notify", "notify-keyspace-events KEq\n", []),
    ("oom values", "oom-score-adj-values 1 2\n", []),
    ("percentiles", "latency-tracking-info-percentiles 50 101\n", []),
    ("percent", "maxmemory-clients 101%\n", []),
    ("octal", "unixsocketperm 0778\n", []),
    ("hostname", "cluster-announce-hostname a_b\n", []),
    ("dbfilename", "dbfilename a/b\n", []),
    ("string with two arguments", "requirepass a b\n", []),
]

REWRITE = [
    ("comments, duplicates, aliases, defaults",
     "# top comment\nport 17381\n\n   # indented comment\nhash-max-ziplist-entries 100\nsave 100 1\nsave 200 2\n"
     "maxmemory 1mb\nmaxmemory 2mb\ninclude @DIR@/inc.conf\nrename-command FLUSHALL \"\"\nbind 127.0.0.1\n"
     "notify-keyspace-events KEA\nclient-output-buffer-limit pubsub 32mb 8mb 60\noom-score-adj-values 0 200 800\n"
     "requirepass \"\"\nloglevel notice\n# Generated by CONFIG REWRITE\ntimeout 0\n",
     []),
    ("changes",
     "# top comment\nport 17381\n\n   # indented comment\nhash-max-ziplist-entries 100\nsave 100 1\nsave 200 2\n"
     "maxmemory 1mb\nmaxmemory 2mb\ninclude @DIR@/inc.conf\nrename-command FLUSHALL \"\"\nbind 127.0.0.1\n"
     "notify-keyspace-events KEA\nclient-output-buffer-limit pubsub 32mb 8mb 60\noom-score-adj-values 0 200 800\n"
     "requirepass \"\"\nloglevel notice\n# Generated by CONFIG REWRITE\ntimeout 0\n",
     [("maxmemory", "3000000"), ("hz", "30"), ("tcp-keepalive", "100"), ("masteruser", "a b"), ("loglevel", "warning"),
      ("notify-keyspace-events", ""), ("bind", "127.0.0.1 -::1"), ("hash-max-listpack-value", "1024"),
      ("maxmemory-clients", "5%"), ("save", ""), ("requirepass", 'p"w'),
      ("client-output-buffer-limit", "normal 1mb 1 0 replica 1gb 1000 5"), ("shutdown-on-sigterm", "save now"),
      ("oom-score-adj-values", "1 2 3"), ("appendfsync", "always"), ("latency-tracking-info-percentiles", "50")]),
    ("empty file", "", []),
    ("no final newline, bad lines", "port 17381\nlist-max-ziplist-entries 5\nslave-read-only no\nreplica-read-only yes\n"
     "bind * -::*\nsave \"\"\nappendonly no\nlatency-tracking-info-percentiles \"\"\nmaxmemory-clients 10%\nunixsocketperm 0700\nhz 0", []),
    ("back to defaults", "port 17381\nmaxmemory 1gb\nsave 1 1\nnotify-keyspace-events Ex\nlogfile \"\"\n",
     [("maxmemory", "0"), ("save", "3600 1 300 100 60 10000"), ("notify-keyspace-events", ""),
      ("client-output-buffer-limit", "pubsub 1 2 3"), ("slave-priority", "5"), ("lua-time-limit", "100"),
      ("list-max-ziplist-size", "-1"), ("proto-max-bulk-len", "1gb"), ("maxmemory-policy", "allkeys-lru"),
      ("appendonly", "yes"), ("masterauth", "x y")]),
    ("user lines", "port 17381\nuser default on nopass ~* &* +@all\n\nuser alice on >pw ~k* +get\n", [("requirepass", "secret")]),
]


def wait_port(port):
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def cli(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port)] + list(args), capture_output=True).stdout


def gen_load():
    out = []
    for name, text, args in LOAD:
        d = os.path.join(DIR, "load")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        with open(os.path.join(d, "inc-bad.conf"), "w") as f:
            f.write("hz 5\nfoo\n")
        path = os.path.join(d, "redis.conf")
        with open(path, "w", encoding="latin-1") as f:
            f.write(text.replace("@DIR@", d))
        p = subprocess.run([b"redis-server", path.encode()] + [a.replace("@DIR@", d).encode("latin-1") for a in args], capture_output=True,
                           timeout=5, cwd=d, env={"PATH": os.environ["PATH"]})
        if p.stdout and b"Fatal error, can't open" in p.stdout:
            err = re.sub(rb"^\d+:C [^#]*# ", b"", p.stdout.strip().split(b"\n")[-1]) + b"\n"
        else:
            err = p.stderr
        assert p.returncode == 1, (name, p)
        err = err.decode("latin-1").replace(d, "@DIR@")
        out.append("-- case --\n%s\n-- config --\n%s\n-- args --\n%s\n-- error --\n%s\n" % (
            name, text, "".join(q(a) + "\n" for a in args), err))
    with open(os.path.join(HERE, "load-errors.txt"), "w", encoding="latin-1") as f:
        f.write("".join(out))


def gen_rewrite():
    out = []
    port = 17381
    for name, text, sets in REWRITE:
        d = os.path.join(DIR, "rw")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        with open(os.path.join(d, "inc.conf"), "w") as f:
            f.write("hz 20\n")
        path = os.path.join(d, "redis.conf")
        with open(path, "w") as f:
            f.write(text.replace("@DIR@", d))
        srv = subprocess.Popen(["redis-server", path, "--port", str(port)], cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_port(port), name
        pw = []
        for n, v in sets:
            r = cli(port, *pw, "config", "set", n, v)
            assert r == b"OK\n", (name, n, v, r)
            if n == "requirepass":
                pw = ["--no-auth-warning", "-a", v]
        r = cli(port, *pw, "config", "rewrite")
        assert r == b"OK\n", (name, r)
        for _ in range(100):
            cli(port, *pw, "shutdown", "nosave")
            try:
                srv.wait(1)
                break
            except subprocess.TimeoutExpired:
                pass
        result = open(path).read().replace(d, "@DIR@")
        out.append("-- case --\n%s\n-- config --\n%s\n-- set --\n%s\n-- output --\n%s\n" % (
            name, text, "".join(q(n) + "\t" + q(v) + "\n" for n, v in sets), result))
    with open(os.path.join(HERE, "rewrite.txt"), "w") as f:
        f.write("".join(out))


gen_load()
gen_rewrite()
shutil.rmtree(DIR, ignore_errors=True)
