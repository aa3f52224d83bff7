# benchmarks/http_server.py
"""The HTTP server figures (issue 16): genlet.http against the servers people use today.

    python -m benchmarks.http_server                        # every row, every server installed
    python -m benchmarks.http_server --quick                # tiny sizes: check that all of it runs
    python -m benchmarks.http_server --report docs/benchmarks.md --json http.json --profile

Three workloads, each server serving the same application (``http_apps.py``):

- ``hello``: ``Hello, World!`` (13 bytes) measured by ``wrk`` over 50 keep-alive connections;
  requests per second, the 99th percentile latency, and the server's CPU time per request
  (all its threads: on a machine that is not quiet, the figure that moves least).
- ``blocking``: the same after ``time.sleep(0.01)`` in the application: genlet's
  ``WSGIServer(threads=16)`` against waitress with 16 threads and gevent monkey-patched.
- ``memory``: bytes of server memory (RSS) per idle keep-alive connection: the growth of the
  server's RSS from 500 to 5,000 open connections (``http_idle.py``), divided by 4,500.

How a figure is made: each server runs in a fresh process pinned to one CPU with ``taskset``,
and the client (wrk, or the idle client) on another. For the wrk rows the server first gets a
warm-up run of ``wrk`` (discarded), then ``--repeat`` runs (default 5); the figure is the best
run (and its p99), the spread is between runs. The memory row runs ``min(--repeat, 3)`` times,
each with a fresh server, and keeps the lowest. A server that does not import gets a row saying
so, and without ``wrk`` the wrk rows say how to install it: nothing is dropped silently.
``--profile`` adds where genlet's servers spend their time (cProfile, one wrk run each).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if __name__ == "__main__" and not __package__:  # `python benchmarks/http_server.py`
    sys.path[0] = ROOT

from benchmarks import http_report  # noqa: E402
from benchmarks.http_apps import SERVERS  # noqa: E402
from benchmarks.run import child_env, cpus_for, last_line, read_line, usable_cpus  # noqa: E402

INSTALL_WRK = "wrk is not installed: on Debian and Ubuntu `apt-get install wrk`"
# name -> (title, unit, higher is better, the servers, app, thread pool size, needs wrk)
WORKLOADS = {
    "hello": ("Hello, World! (13 bytes), wrk, %(connections)s keep-alive connections", "requests/s", True,
              tuple(SERVERS), "hello", 0, True),
    "blocking": ("a WSGI app that blocks in `time.sleep(0.01)`, %(connections)s keep-alive connections, 16 threads",
                 "requests/s", True, ("genlet-wsgi", "waitress", "gevent", "gevent-nodelay"), "blocking", 16, True),
    "memory": ("server RSS per idle keep-alive connection, from %(first)s to %(idle)s connections", "bytes/connection",
               False, ("genlet-server", "genlet-wsgi-inline", "genlet-wsgi", "gevent", "uvicorn-httptools", "uvicorn-h11"),
               "hello", 0, False),
}  # fmt: skip
SIZES = {
    "full": {"duration": 5, "warmup": 2, "repeat": 5, "connections": 50, "first": 500, "idle": 5000},
    "quick": {"duration": 1, "warmup": 0, "repeat": 1, "connections": 4, "first": 10, "idle": 40},
}


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.http_server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run, 1 s each: check that everything runs")
    parser.add_argument("--only", metavar="NAME,...", help="only these workloads: %s" % ", ".join(WORKLOADS))
    parser.add_argument("--servers", metavar="NAME,...", help="only these servers: %s" % ", ".join(SERVERS))
    parser.add_argument("--repeat", type=int, metavar="N", help="measured wrk runs per server (default 5; quick 1)")
    parser.add_argument("--duration", type=int, metavar="S", help="seconds per wrk run (default 5; quick 1)")
    parser.add_argument("--idle", type=int, metavar="N", help="connections of the memory row (default 5000)")
    parser.add_argument("--cpu", type=int, metavar="N", help="the CPU the servers run on (the client: another)")
    parser.add_argument("--wrk", default="wrk", metavar="PATH", help="the wrk to run (default: wrk on PATH)")
    parser.add_argument(
        "--profile", action="store_true",
        help="also profile genlet's servers (cProfile, one wrk run each): where the time goes, in the page",
    )  # fmt: skip
    parser.add_argument("--json", metavar="FILE", help="also write every row as JSON")
    parser.add_argument("--report", metavar="FILE.md", help="write (or replace) the HTTP section of this page")
    parser.add_argument("--from-json", metavar="FILE", help="measure nothing: the tables and --report from a saved --json")
    args = parser.parse_args(argv)
    for name, known in (("only", WORKLOADS), ("servers", SERVERS)):
        unknown = [item for item in names(getattr(args, name)) if item not in known]
        if unknown:
            parser.error("--%s: unknown %s; pick from: %s" % (name, ", ".join(unknown), ", ".join(known)))
    if args.cpu is not None and args.cpu not in usable_cpus():
        parser.error("--cpu %d: this process may run only on CPU %s" % (args.cpu, ", ".join(map(str, usable_cpus()))))
    return args


def names(text):
    return [item.strip() for item in (text or "").split(",") if item.strip()]


class Bench:
    """Starts the servers and the clients, pinned, and turns what they say into rows."""

    def __init__(self, args, notices):
        self.size = dict(SIZES["quick" if args.quick else "full"])
        for key in ("repeat", "duration", "idle"):
            if getattr(args, key):
                self.size[key] = getattr(args, key)
        self.size["first"] = min(self.size["first"], self.size["idle"] // 2)
        self.quick = args.quick
        self.notices = notices
        self.cpu, self.client_cpu = cpus_for(args.cpu)
        self.taskset = shutil.which("taskset")
        if self.taskset is None:
            notices.append("taskset was not found (util-linux): servers and clients are NOT pinned")
        elif self.cpu == self.client_cpu:
            notices.append("only one CPU is usable: the server and its client share it")
        self.wrk = shutil.which(args.wrk)
        self.wrk_version = wrk_version(self.wrk) if self.wrk else None
        if self.wrk is None:
            notices.append(INSTALL_WRK + " (the hello and blocking rows were skipped)")
        self.env = child_env()
        self.versions = {}  # server -> (version, setting), as the servers announced them

    def pinned(self, command, cpu):
        return command if self.taskset is None else [self.taskset, "-c", str(cpu)] + command

    def row(self, workload, server, note="", status="error", **fields):
        return dict({"workload": workload, "lib": server, "status": status, "values": [], "p99": [], "note": note}, **fields)

    def start(self, server, app, threads=0, idle=False, profile=None):
        """A server process, and its announcement (a dict: status serving, or why not)."""
        command = [sys.executable, "-m", "benchmarks.http_apps", server, app]
        command += (["--threads", str(threads)] if threads else []) + (["--idle"] if idle else [])
        command += ["--profile", profile] if profile else []
        errors = tempfile.TemporaryFile("w+")
        process = subprocess.Popen(
            self.pinned(command, self.cpu), cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=errors,
            universal_newlines=True,
        )  # fmt: skip
        process.errors = errors
        line = read_line(process.stdout, 60)
        if not line:
            errors.seek(0)
            return process, {"status": "error", "note": "the server never started: %s" % last_line(errors.read())}
        announced = json.loads(line)
        if announced.get("status") == "serving":
            self.versions[server] = (announced["version"], announced["setting"])
        return process, announced

    def stop(self, process):
        process.kill()
        process.wait()
        process.stdout.close()
        process.errors.close()

    def served(self, workload, server, fn):
        """Run ``fn(process, port)`` against a fresh server; its row (or why there is none)."""
        title, unit, higher, servers, app, threads, needs_wrk = WORKLOADS[workload]
        process, announced = self.start(server, app, threads, idle=workload == "memory")
        try:
            if announced.get("status") != "serving":
                status = "missing" if announced.get("status") == "missing" else "error"
                return self.row(workload, server, announced.get("note", "?"), status)
            return fn(process, int(announced["port"]))
        finally:
            self.stop(process)

    def wrk_row(self, workload, server):
        def measure(process, port):
            runs, errors = [], []
            if self.size["warmup"]:
                self.wrk_run(port, self.size["warmup"])
            for _ in range(self.size["repeat"]):
                before = cpu_seconds(process.pid)
                result = self.wrk_run(port, self.size["duration"])
                if "error" not in result:
                    result["cpu"] = (cpu_seconds(process.pid) - before) / max(result["requests"], 1) * 1e6
                if "error" in result:
                    return self.row(workload, server, result["error"])
                if process.poll() is not None:
                    return self.row(workload, server, "the server died (exit %s)" % process.returncode)
                runs.append(result)
                errors += [result["errors"]] if result["errors"] else []
            best = max(runs, key=lambda run: run["rate"])
            note = "wrk counted errors: %s" % "; ".join(errors) if errors else ""
            return self.row(workload, server, note, "ok", values=[run["rate"] for run in runs],
                            p99=[run["p99"] for run in runs], best_p99=best["p99"], best_p50=best["p50"],
                            cpu=[run["cpu"] for run in runs], best_cpu=best["cpu"])  # fmt: skip

        return self.served(workload, server, measure)

    def wrk_run(self, port, seconds):
        command = [self.wrk, "-t1", "-c%d" % self.size["connections"], "-d%ds" % seconds, "--latency"]
        command.append("http://127.0.0.1:%d/" % port)
        try:
            done = subprocess.run(
                self.pinned(command, self.client_cpu), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                universal_newlines=True, timeout=seconds + 60,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return {"error": "wrk did not finish"}
        if done.returncode != 0:
            return {"error": "wrk failed: %s" % last_line(done.stderr or done.stdout)}
        return parse_wrk(done.stdout)

    def memory_row(self, server):
        def measure(process, port):
            counts = (self.size["first"], self.size["idle"])
            client = subprocess.Popen(
                self.pinned([sys.executable, "-m", "benchmarks.http_idle", str(port)] + [str(c) for c in counts], self.client_cpu),
                cwd=ROOT, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                universal_newlines=True,
            )  # fmt: skip
            try:
                return self.memory_figure(server, process, client, counts)
            finally:
                client.kill()
                client.communicate()

        values, alive = [], None
        for _ in range(1 if self.quick else min(self.size["repeat"], 3)):
            row = self.served("memory", server, measure)
            if row["status"] != "ok":
                return row
            values += row["values"]
            alive = row["alive"]
        return self.row("memory", server, "", "ok", values=values, alive=alive)

    def memory_figure(self, server, process, client, counts):
        rss = []
        for count in counts:
            line = read_line(client.stdout, 120)
            if not line.startswith("{"):
                why = last_line(client.stderr.read() if client.poll() is not None else "no answer in 120 s")
                return self.row("memory", server, "the idle client failed at %d connections: %s" % (count, why))
            time.sleep(0.5)  # let the server finish with the last batch
            rss.append(rss_of(process.pid))
            client.stdin.write("go\n")
            client.stdin.flush()
        alive = json.loads(read_line(client.stdout, 60) or "{}").get("alive")
        if alive != counts[1]:
            return self.row("memory", server, "the server closed %s of %d idle connections" % (counts[1] - (alive or 0), counts[1]))
        return self.row("memory", server, "", "ok", values=[(rss[1] - rss[0]) / float(counts[1] - counts[0])], alive=alive)

    def profile(self, server):
        """Where ``server`` (genlet's) spends its time serving hello: the top of a cProfile run
        of one wrk run, as (function, share of the time in it, calls per request); or None."""
        import pstats

        with tempfile.TemporaryDirectory() as scratch:
            path = os.path.join(scratch, "stats")
            process, announced = self.start(server, "hello", profile=path)
            try:
                if announced.get("status") != "serving":
                    return None
                result = self.wrk_run(int(announced["port"]), self.size["duration"])
                process.terminate()  # SIGTERM: genlet stops gracefully, and the stats are written
                process.wait(30)
            finally:
                self.stop(process)
            if "error" in result or not os.path.exists(path):
                return None
            stats = pstats.Stats(path).stats
        total = sum(entry[2] for entry in stats.values()) or 1.0
        requests = max(result["requests"], 1)
        top = sorted(stats.items(), key=lambda item: -item[1][2])[:PROFILE_TOP]
        return {"requests": requests, "top": [[where(key), entry[2] / total * 100, entry[1] / requests] for key, entry in top]}

    def rows(self, workloads, servers):
        rows = []
        for workload in workloads:
            for server in WORKLOADS[workload][3]:
                if servers and server not in servers:
                    continue
                sys.stderr.write("  measuring %s / %s\n" % (workload, server))
                sys.stderr.flush()
                if WORKLOADS[workload][6] and self.wrk is None:
                    rows.append(self.row(workload, server, INSTALL_WRK, "missing"))
                elif workload == "memory":
                    rows.append(self.memory_row(server))
                else:
                    rows.append(self.wrk_row(workload, server))
        return rows


PROFILE_TOP = 25  # functions listed per profile
PROFILED = ("genlet-wsgi-inline", "genlet-server")


def where(key):
    """A pstats key (file, line, function) as ``genlet/http/parser.py:190 _head``."""
    filename, line, function = key
    if filename.startswith(ROOT + os.sep):
        filename = filename[len(ROOT) + 1 :]
    return function if filename == "~" else "%s:%d %s" % (filename, line, function)


def wrk_version(wrk):
    try:
        done = subprocess.run([wrk, "-v"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (done.stdout.strip().splitlines() or ["?"])[0].split(" [")[0]


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def parse_wrk(text):
    """Requests per second, p50 and p99 latency (ms), and the errors wrk counted, from its output."""
    rate = re.search(r"Requests/sec:\s*([\d.]+)", text)
    if rate is None:
        return {"error": "wrk printed no Requests/sec: %s" % last_line(text)}
    latency = {}
    for percent, value, unit in re.findall(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M):
        latency[percent] = float(value) * UNITS[unit]
    errors = []
    socket_errors = re.search(r"Socket errors: (.*)", text)
    if socket_errors:
        errors.append("socket errors: " + socket_errors.group(1).strip())
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if bad:
        errors.append("%s non-2xx responses" % bad.group(1))
    done = re.search(r"(\d+) requests in", text)
    found = {"rate": float(rate.group(1)), "p50": latency.get("50"), "p99": latency.get("99"), "errors": ", ".join(errors)}
    found["requests"] = int(done.group(1)) if done else 0
    return found


def cpu_seconds(pid):
    """The CPU time process ``pid`` has used so far, all its threads, in seconds (Linux /proc)."""
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / float(os.sysconf("SC_CLK_TCK"))


def rss_of(pid):
    """The resident set size of process ``pid``, in bytes (Linux /proc)."""
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmRSS for process %d" % pid)


def main(argv=None):
    args = parse_args(argv)
    if args.from_json:
        with open(args.from_json) as saved:
            run = json.load(saved)
        return publish(args, run["rows"], run["meta"])
    notices = []
    bench = Bench(args, notices)
    workloads = names(args.only) or list(WORKLOADS)
    rows = bench.rows(workloads, set(names(args.servers)))
    meta = http_report.meta(bench, notices)
    if args.profile and bench.wrk is not None:
        for server in PROFILED:
            sys.stderr.write("  profiling %s\n" % server)
            meta["profiles"][server] = bench.profile(server)
    return publish(args, rows, meta)


def publish(args, rows, meta):
    rows = http_report.finish(rows, WORKLOADS, meta)
    text = http_report.section(rows, meta)
    print(text)
    if args.json:
        with open(args.json, "w") as out:
            out.write(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")
    if args.report:
        http_report.write(args.report, text)
    for notice in meta["notices"]:
        sys.stderr.write("notice: %s\n" % notice)
    return 1 if any(row["status"] == "error" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
