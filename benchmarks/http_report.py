# benchmarks/http_report.py
"""The HTTP servers' section of the results page: its tables, the goals of issue 16, checked.

The section sits between two markers in docs/benchmarks.md (``BEGIN`` and ``END``):
``python -m benchmarks.http_server --report docs/benchmarks.md`` replaces it there (or adds it
at the end), and the kernel driver, which writes the rest of the page, keeps it as it is.
"""

import datetime
import os
import platform
import sys

from benchmarks import report
from benchmarks.http_apps import PURE_PYTHON_PARSER, SERVERS
from benchmarks.tables import human

BEGIN = "<!-- http-server section: begin -->"
END = "<!-- http-server section: end -->"
# The genlet row each workload's "genlet ×" column is about (the like-for-like one).
BASE = {"hello": "genlet-wsgi-inline", "blocking": "genlet-wsgi", "memory": "genlet-wsgi-inline"}
NAMES = {
    "genlet-wsgi-inline": "**genlet** `WSGIServer(threads=0)`",
    "genlet-wsgi": "**genlet** `WSGIServer` (thread pool)",
    "genlet-server": "**genlet** `Server` (cooperative)",
    "gevent": "gevent.pywsgi",
    "gevent-nodelay": "gevent.pywsgi + TCP_NODELAY",
    "eventlet": "eventlet.wsgi",
    "waitress": "waitress",
    "uvicorn-httptools": "uvicorn + httptools",
    "uvicorn-h11": "uvicorn + h11",
}
NAGLE = (
    "**gevent's ~40 ms per response.** gevent.pywsgi sends a response's head and its body in "
    "two `send` calls (strace shows them), on a socket with Nagle's algorithm on (it does not "
    "set `TCP_NODELAY`; waitress, asyncio, uvloop and genlet do): the body waits until the "
    "client acknowledges the head, and the client delays that acknowledgement (Linux: up to "
    "40 ms) while it waits for the rest of the response. So it is gevent's default, not the "
    "setup: the `+ TCP_NODELAY` row sets that option on each accepted socket, nothing else "
    "changes, and the stall goes. eventlet.wsgi sends head and body in one `send` and does not "
    "stall. The goals compare genlet with the faster of the two gevent rows."
)


def meta(bench, notices):
    """Everything about this run except its figures."""
    size = bench.size
    pinned = "not pinned" if bench.taskset is None else "servers pinned to CPU %d, clients to CPU %d (taskset)" % (bench.cpu, bench.client_cpu)
    method = "wrk rows (`wrk -t1 -c%d --latency`): a %d s warm-up, then the best of %d runs of %d s; memory: the lowest of %d runs; %s" % (
        size["connections"], size["warmup"], size["repeat"], size["duration"], 1 if bench.quick else min(size["repeat"], 3), pinned)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m benchmarks.http_server " + " ".join(sys.argv[1:]),
        "python": "%s %s" % (platform.python_implementation(), platform.python_version()),
        "cpu": report.first_match("/proc/cpuinfo", "model name") or platform.machine(),
        "cores": os.cpu_count(),
        "kernel": "%s %s (%s)" % (platform.system(), platform.release(), platform.machine()),
        "genlet": report.git_commit(),
        "wrk": bench.wrk_version or "missing",
        "quick": bench.quick,
        "size": size,
        "method": method,
        "versions": dict(bench.versions),
        "profiles": {},  # genlet's servers under cProfile (--profile): see profiles()
        "notices": list(notices),
    }


def finish(rows, workloads, meta):
    """Complete the rows: title, unit, best figure, spread, and genlet's advantage over each."""
    for row in rows:
        title, unit, higher = workloads[row["workload"]][:3]
        sizes = {key: "{:,}".format(value) for key, value in meta["size"].items()}
        row.update(title=title % sizes, unit=unit, higher_is_better=higher)
        values = row.get("values") or []
        row["best"] = (max(values) if higher else min(values)) if row["status"] == "ok" and values else None
        row["spread"] = (max(values) - min(values)) / abs(row["best"]) * 100 if row["best"] else None
    base = {row["workload"]: row["best"] for row in rows if row["lib"] == BASE[row["workload"]]}
    for row in rows:
        row["advantage"] = advantage(row, base.get(row["workload"]))
    return rows


def advantage(row, genlet):
    """How many times better the base genlet row is than ``row`` (above 1: genlet is ahead)."""
    if row["lib"] == BASE[row["workload"]] or not genlet or not row["best"] or row["best"] <= 0 or genlet <= 0:
        return None
    return genlet / row["best"] if row["higher_is_better"] else row["best"] / genlet


def cell(row):
    if row["status"] == "ok":
        return human(row["best"], row["unit"]) if row["unit"].endswith("/s") else "{:,.0f}".format(row["best"])
    return "%s: %s" % ("**error**" if row["status"] == "error" else row["status"], row["note"].replace("|", "/"))


def table(rows):
    lines = ["| workload | server | figure | p99 latency | CPU/request | spread | genlet × |", "|---|---|--:|--:|--:|--:|--:|"]
    shown = None
    for row in rows:
        head = ""
        if row["workload"] != shown:
            shown = row["workload"]
            head = "**%s**: %s (%s, %s is better)" % (shown, row["title"], row["unit"], "higher" if row["higher_is_better"] else "lower")
        p99, cpu = row.get("best_p99"), row.get("best_cpu")
        cells = (
            head, NAMES.get(row["lib"], row["lib"]), cell(row), "" if p99 is None else "%.3g ms" % p99,
            "" if cpu is None else "%.3g µs" % cpu,
            "" if row["spread"] is None else "%.1f%%" % row["spread"],
            "" if row["advantage"] is None else "%.2f×" % row["advantage"],
        )  # fmt: skip
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % cells)
        if row["status"] == "ok" and row["note"]:
            lines[-1] += " " + row["note"].replace("|", "/")
    return "\n".join(lines) + "\n"


def goals(rows):
    """The goals of issue 16, each checked: (the goal, what was measured, met or not)."""
    index = {(row["workload"], row["lib"]): row for row in rows}
    found = []
    pure = [index[("hello", lib)] for lib in PURE_PYTHON_PARSER if ("hello", lib) in index]
    pure = [row for row in pure if row["best"]]
    fastest = max(pure, key=lambda row: row["best"]) if pure else None
    found.append(ratio_goal(index, "hello", fastest, 1.5,
                            "hello: `WSGIServer(threads=0)` ≥ 1.5× the fastest peer whose HTTP parser is pure Python"))
    found.append(ratio_goal(index, "hello", index.get(("hello", "uvicorn-httptools")), 0.5,
                            "hello: `WSGIServer(threads=0)` ≥ 0.5× uvicorn + httptools (a C parser: the ceiling)"))
    found.append(ratio_goal(index, "memory", index.get(("memory", "gevent")), 2,
                            "memory: per idle connection, at most half of gevent's"))
    return found


def ratio_goal(index, workload, peer, least, goal):
    genlet = index.get((workload, BASE[workload]))
    if genlet is None or genlet["best"] is None or peer is None or peer["advantage"] is None:
        return goal, "not measured", None
    parts = ["%.2f× %s" % (peer["advantage"], NAMES[peer["lib"]])]
    for other in ("genlet-server", "genlet-wsgi"):
        row = index.get((workload, other))
        if row is not None and row["best"] and other != BASE[workload]:
            theirs = row["best"] / peer["best"] if row["higher_is_better"] else peer["best"] / row["best"]
            parts.append("%s: %.2f×" % (NAMES[other], theirs))
    return goal, "; ".join(parts), peer["advantage"] >= least


def section(rows, meta):
    """The page's HTTP section, markers included."""
    command = "python -m benchmarks.http_server --report docs/benchmarks.md"
    parts = [
        BEGIN,
        "## HTTP servers (issue 16)\n",
        "<!-- Generated by `%s`; do not edit: run it again. -->\n" % command,
        "genlet.http against the Python HTTP servers people run today, every row in one run, "
        "each server at its best documented setting (below) and the newest version that installs, "
        "serving the same application. The driver is [`benchmarks/http_server.py`](../benchmarks/http_server.py), "
        "the servers [`benchmarks/http_apps.py`](../benchmarks/http_apps.py). To reproduce: "
        "`apt-get install wrk`, a venv with `pip install gevent eventlet waitress uvicorn httptools uvloop h11`, "
        "then `VENV/bin/python -m benchmarks.http_server --report docs/benchmarks.md` on a quiet machine.\n",
    ]
    if meta["quick"]:
        parts.append("**These figures come from a `--quick` run (tiny sizes): they show that everything runs, nothing more.**\n")
    about = [
        ("date", meta["date"]), ("genlet commit", meta["genlet"]), ("Python", meta["python"]),
        ("CPU", "%s, %s cores" % (meta["cpu"], meta["cores"])), ("kernel", meta["kernel"]),
        ("wrk", meta["wrk"]), ("run", meta["method"]), ("command", "`%s`" % meta["command"]),
    ]  # fmt: skip
    parts.append("\n".join(["| | |", "|---|---|"] + ["| %s | %s |" % pair for pair in about]) + "\n")
    lines = ["| server | version | how it is run |", "|---|---|---|"]
    for server, (package, setting) in SERVERS.items():
        version = meta["versions"].get(server, ["not measured"])[0]
        lines.append("| %s | %s | %s |" % (NAMES[server], version, setting))
    parts.append("\n".join(lines) + "\n")
    parts.append(table(rows))
    parts.append(
        "figure: the best run; p99 latency: that run's 99th percentile (wrk); CPU/request: the server "
        "process's CPU time in that run (all its threads, user and system) divided by the requests "
        "it answered; spread: (worst − best) / best. "
        "genlet ×: how many times better genlet's figure is than the row's (above 1: genlet is ahead), "
        "for hello and memory genlet's `WSGIServer(threads=0)`, for blocking its `WSGIServer(threads=16)`. "
        "blocking: 16 threads that each sleep 10 ms per request serve at most 1,600 requests/s; "
        "gevent, monkey-patched, sleeps cooperatively and has no such bound. memory: the idle "
        "connections must stay open, so genlet runs with `keepalive_timeout=600, max_connections=None` "
        "(its defaults close a connection idle for 5 s and stop at 1,000) and uvicorn with "
        "`timeout_keep_alive=600` (default 5 s); gevent.pywsgi has neither limit. The client checks "
        "that every connection is still open after the last measure.\n"
    )
    parts.append(NAGLE + "\n")
    lines = ["| goal | measured | met |", "|---|---|:-:|"]
    for goal, measured, met in goals(rows):
        lines.append("| %s | %s | %s |" % (goal, measured, {True: "yes", False: "**no**", None: "—"}[met]))
    parts.append("### Goals (issue 16)\n\n" + "\n".join(lines) + "\n")
    if meta.get("profiles"):
        parts.append(profiles(meta["profiles"]))
    if meta["notices"]:
        parts.append("Notices: " + "; ".join(meta["notices"]) + "\n")
    parts.append(END)
    return "\n".join(parts) + "\n"


def profiles(found):
    """Where genlet's servers spend their time serving hello (``--profile``)."""
    parts = [
        "### Where genlet's time goes\n\n"
        "Each of genlet's servers under cProfile for one wrk run of hello (the profiler slows it "
        "down several times: the shares matter, not the totals): the functions with the most time "
        "of their own, as a share of all of it, and their calls per request (a generator's every "
        "resumption counts as a call). The poller's `poll` includes the time spent waiting for the clients.\n"
    ]
    for server, profile in found.items():
        if not profile:
            parts.append("%s: the profile could not be made.\n" % NAMES[server])
            continue
        lines = ["%s, %d requests:\n" % (NAMES[server], profile["requests"]), "| function | own time | calls/request |", "|---|--:|--:|"]
        lines += ["| `%s` | %.1f%% | %.2g |" % (name, share, calls) for name, share, calls in profile["top"]]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def extract(text, begin=BEGIN, end=END):
    """The HTTP section (or the one between ``begin`` and ``end``) of a page's text, markers
    included, or ""."""
    first = text.find(begin)
    last = text.find(end, first)
    return "" if first < 0 or last < 0 else text[first : last + len(end)] + "\n"


def write(path, text, begin=BEGIN, end=END):
    """Put the section ``text`` in the page at ``path``: in place of the old one (between
    ``begin`` and ``end``), or at its end."""
    page = ""
    if os.path.exists(path):
        with open(path) as source:
            page = source.read()
    old = extract(page, begin, end)
    if old:
        page = page.replace(old, text)
    else:
        page = page.rstrip("\n") + ("\n\n" if page else "") + text
    with open(path, "w") as out:
        out.write(page)
