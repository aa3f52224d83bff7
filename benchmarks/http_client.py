# benchmarks/http_client.py
"""The HTTP client figures (issue 17): genlet.http's client against the clients people use.

    python -m benchmarks.http_client                         # 10,000 pages of 10 KB, 100 at once
    python -m benchmarks.http_client --quick                 # tiny sizes: check that all of it runs
    python -m benchmarks.http_client --python /work/venvs/http-client/bin/python --report docs/benchmarks.md

One workload: fetch ``--pages`` pages (10,000) of ``--size`` bytes (10 KB) from one local
server with ``--concurrency`` requests at once (100), over keep-alive connections (a pool of
that many), every body read in full. The clients (``http_client_peers.py``): genlet's
``Client``; httpx's ``AsyncClient`` on asyncio; aiohttp's ``ClientSession`` (its parser is in
C: the ceiling); requests with a ``Session`` per thread on a pool of 100 threads; requests under
gevent's monkey-patching, one greenlet per worker.

The server is the same for all: nginx (from Debian: ``apt-get install nginx``; the driver skips
with a notice when it is missing), one worker process, serving one static file for every
``/page/<i>``, no access log, unlimited keep-alive requests. nginx is pinned to one CPU with
``taskset``, each client process to another; each client runs ``--repeat`` times (5), the
runs interleaved across clients, and the figure is the best run (the spread is between runs).
Every client runs on the same interpreter (``--python``: the one with the peers installed),
with genlet's checkout on its path. A client whose library is missing gets a row that says how
to install it.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if __name__ == "__main__" and not __package__:  # `python benchmarks/http_client.py`
    sys.path[0] = ROOT

from benchmarks.run import child_env, cpus_for, last_line, usable_cpus  # noqa: E402

CLIENTS = ("genlet", "httpx", "aiohttp", "requests-threads", "requests-gevent")
NEEDS = {"genlet": ("genlet",), "httpx": ("httpx",), "aiohttp": ("aiohttp",), "requests-threads": ("requests",),
         "requests-gevent": ("requests", "gevent")}  # fmt: skip
INSTALL_NGINX = "nginx is not installed: on Debian and Ubuntu `apt-get update && apt-get install -y nginx`"
SIZES = {"full": {"pages": 10000, "concurrency": 100, "repeat": 5}, "quick": {"pages": 200, "concurrency": 10, "repeat": 1}}
BEGIN, END = "<!-- http-client section: begin -->", "<!-- http-client section: end -->"

NGINX_CONF = """daemon off;
worker_processes 1;
%(user)s
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 65;
    client_body_temp_path %(dir)s/body;
    proxy_temp_path %(dir)s/proxy;
    fastcgi_temp_path %(dir)s/fastcgi;
    uwsgi_temp_path %(dir)s/uwsgi;
    scgi_temp_path %(dir)s/scgi;
    server {
        listen 127.0.0.1:%(port)d;
        root %(dir)s/www;
        location / { default_type text/html; try_files /page.html =404; }
    }
}
"""


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.http_client", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 pages, 10 at once, one run: check that everything runs")
    parser.add_argument("--pages", type=int, help="pages per run (default 10000)")
    parser.add_argument("--size", type=int, default=10240, help="bytes per page (default 10240)")
    parser.add_argument("--concurrency", type=int, help="requests at once (default 100)")
    parser.add_argument("--repeat", type=int, help="runs per client (default 5)")
    parser.add_argument("--clients", metavar="NAME,...", help="only these: %s" % ", ".join(CLIENTS))
    parser.add_argument("--python", default=sys.executable, help="the interpreter the clients run on (with the peers)")
    parser.add_argument("--cpu", type=int, metavar="N", help="the CPU nginx runs on (the clients: another)")
    parser.add_argument("--nginx", default="nginx", help="the nginx to run (default: nginx on PATH, or /usr/sbin/nginx)")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    parser.add_argument("--report", metavar="FILE.md", help="write the table between the http-client markers of this page")
    args = parser.parse_args(argv)
    size = SIZES["quick" if args.quick else "full"]
    for name in ("pages", "concurrency", "repeat"):
        if getattr(args, name) is None:
            setattr(args, name, size[name])
    args.clients = [name.strip() for name in (args.clients or ",".join(CLIENTS)).split(",") if name.strip()]
    unknown = [name for name in args.clients if name not in CLIENTS]
    if unknown:
        parser.error("--clients: unknown %s; pick from: %s" % (", ".join(unknown), ", ".join(CLIENTS)))
    if args.cpu is not None and args.cpu not in usable_cpus():
        parser.error("--cpu %d: this process may run only on CPU %s" % (args.cpu, ", ".join(map(str, usable_cpus()))))
    return args


def find_nginx(name):
    return shutil.which(name) or (name == "nginx" and shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")) or None


def pinned(cpu):
    """The command prefix that pins a process to ``cpu`` (nothing without taskset)."""
    taskset = shutil.which("taskset")
    return [taskset, "-c", str(cpu)] if taskset else []


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Nginx:
    """nginx serving ``size`` bytes at every path, in a directory of its own; ``stop()`` ends it."""

    def __init__(self, binary, size, cpu):
        self.dir = tempfile.mkdtemp(prefix="genlet-http-client-")
        os.mkdir(os.path.join(self.dir, "www"))
        with open(os.path.join(self.dir, "www", "page.html"), "wb") as page:
            page.write((b"<p>genlet</p>\n" * (size // 14 + 1))[:size])
        self.port = free_port()
        user = "user root;" if hasattr(os, "geteuid") and os.geteuid() == 0 else ""
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as out:
            out.write(NGINX_CONF % {"dir": self.dir, "port": self.port, "user": user})
        command = pinned(cpu) + [binary, "-c", conf, "-p", self.dir]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.url = "http://127.0.0.1:%d" % self.port
        self._wait_ready()

    def _wait_ready(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("nginx did not start: %s" % self.process.stderr.read().decode(errors="replace"))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise SystemExit("nginx did not listen on port %d within 10 s" % self.port)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def missing(python, client):
    """Why ``client`` cannot run on ``python`` (a sentence), or None."""
    probe = "import " + ", ".join(NEEDS[client])
    done = subprocess.run([python, "-c", probe], capture_output=True, text=True, env=child_env())
    if done.returncode == 0:
        return None
    packages = " ".join(name for name in NEEDS[client] if name != "genlet")
    return "not installed on %s: %s -m pip install %s" % (python, python, packages)


def run_once(args, client, url, cpu):
    command = pinned(cpu) + [args.python, "-m", "benchmarks.http_client_peers", client, url, str(args.pages), str(args.concurrency)]
    done = subprocess.run(command, capture_output=True, text=True, env=child_env(), cwd=ROOT, timeout=600)
    if done.returncode != 0:
        return None, last_line(done.stderr) or "exit status %d" % done.returncode
    record = json.loads(last_line(done.stdout))
    if record["bytes"] != args.pages * args.size:
        return None, "read %d bytes, not %d" % (record["bytes"], args.pages * args.size)
    return record["seconds"], None


def measure(args, url, client_cpu):
    """{client: {"best": pages/s, "runs": [...], "why": None or a sentence}}, runs interleaved."""
    rows = {}
    for client in args.clients:
        why = missing(args.python, client)
        rows[client] = {"runs": [], "why": why}
    for _ in range(args.repeat):
        for client in args.clients:
            row = rows[client]
            if row["why"] is not None and not row["runs"]:
                continue
            seconds, why = run_once(args, client, url, client_cpu)
            if seconds is None:
                row["why"] = why
            else:
                row["runs"].append(args.pages / seconds)
    for row in rows.values():
        row["best"] = max(row["runs"]) if row["runs"] else None
    return rows


def table(args, rows):
    genlet = rows.get("genlet", {}).get("best")
    lines = [
        "fetching %d pages of %d bytes from nginx (one worker), %d requests at once, best of %d"
        % (args.pages, args.size, args.concurrency, args.repeat),
        "",
        "| client | pages/s | genlet's ratio to it | spread between runs |",
        "|---|--:|--:|--:|",
    ]
    for client in args.clients:
        row = rows[client]
        if row["best"] is None:
            lines.append("| %s | %s | | |" % (client, row["why"]))
            continue
        ratio = "%.2f×" % (genlet / row["best"]) if genlet else ""
        spread = "%.0f%%" % (100 * (max(row["runs"]) / min(row["runs"]) - 1)) if len(row["runs"]) > 1 else ""
        lines.append("| %s | %.0f | %s | %s |" % (client, row["best"], ratio, spread))
    return lines


INTRO = """## HTTP client (issue 17)

Fetch 10,000 pages of 10 KB from one local nginx (one worker) with 100 requests at once, over
keep-alive connections, each body read in full; nginx and the client pinned to different CPUs,
best of 5 runs, the runs of the clients interleaved. The clients: genlet's `Client`; httpx's
`AsyncClient` (asyncio); aiohttp's `ClientSession` (its HTTP parser is in C: the ceiling);
requests with a `Session` per thread on 100 threads; requests under gevent's monkey-patching,
one greenlet per worker. The driver is `benchmarks/http_client.py` (the clients:
`benchmarks/http_client_peers.py`); `--quick` runs tiny sizes to check that it works.
Goals: genlet at least 2× httpx and ahead of gevent + requests; aiohttp is reported as the
ceiling, with genlet's ratio to it. httpx is used as its documentation says (one `AsyncClient`,
limits for 100 connections); its low figure with many requests at once is its own, known
(encode/httpx#3215)."""


def report(path, lines, command):
    """Write the client's section of ``path`` (between its markers: in place, or at the end)."""
    from benchmarks import http_report

    body = [BEGIN, INTRO, "", "`%s`" % command, ""] + lines + ["", END]
    http_report.write(path, "\n".join(body) + "\n", BEGIN, END)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    binary = find_nginx(args.nginx)
    if binary is None:
        print("http client benchmark: SKIP (%s)" % INSTALL_NGINX)
        return 0
    server_cpu, client_cpu = cpus_for(args.cpu)
    if not pinned(server_cpu):
        print("notice: taskset is missing: nginx and the clients are not pinned to CPUs")
    nginx = Nginx(binary, args.size, server_cpu)
    try:
        rows = measure(args, nginx.url, client_cpu)
    finally:
        nginx.stop()
    lines = table(args, rows)
    print("\n".join(lines))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"pages": args.pages, "size": args.size, "concurrency": args.concurrency, "rows": rows}, out, indent=1)
    if args.report:
        report(args.report, lines, "python -m benchmarks.http_client " + " ".join(sys.argv[1:] if argv is None else argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
