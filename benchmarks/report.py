# benchmarks/report.py
"""What a run is worth without its context: the machine, the interpreters, the packages, the date.

``meta`` collects them (the driver prints them and puts them in the JSON); ``write`` makes the
results page, ``docs/benchmarks.md``, from one run: never edit that page by hand.
"""

import datetime
import os
import platform
import subprocess
import sys

from benchmarks import tables
from benchmarks.harness import SETTINGS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def first_match(path, key):
    """The value of the first ``key: value`` line in ``path`` (/proc files), or ""."""
    try:
        with open(path) as source:
            for line in source:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def git_commit():
    try:
        commit = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, stderr=subprocess.DEVNULL)
        dirty = subprocess.call(["git", "diff", "--quiet", "HEAD", "--", "genlet"], cwd=ROOT, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit.decode().strip() + (" + uncommitted changes in genlet/" if dirty else "")


def meta(args, runner, interpreters, notices):
    """Everything about this run except its figures."""
    if runner.size == "quick":
        method = "the best of %d runs in one process per library, side by side, not pinned (--quick)"
    elif runner.taskset is None:
        method = "the best of %d runs, each in a fresh process, not pinned (taskset is missing)"
    else:
        method = "the best of %%d runs, each in a fresh process pinned to CPU %d with taskset (echo client: CPU %d)"
        method %= (runner.cpu, runner.client_cpu)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m benchmarks " + " ".join(sys.argv[1:]),
        "cpu": first_match("/proc/cpuinfo", "model name") or platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "memory": first_match("/proc/meminfo", "MemTotal"),
        "kernel": "%s %s (%s)" % (platform.system(), platform.release(), platform.machine()),
        "genlet": git_commit(),
        "size": runner.size,
        "repeat": runner.repeat,
        "method": method % runner.repeat,
        "interpreters": interpreters,
        "notices": list(notices),
    }


def memory_text(meminfo):
    """'24684084 kB' (from /proc/meminfo) as '23.5 GiB'."""
    try:
        return "%.1f GiB" % (int(meminfo.split()[0]) / 1024.0**2)
    except (ValueError, IndexError):
        return meminfo or "?"


def machine_table(meta):
    rows = [
        ("date", meta["date"]),
        ("CPU", meta["cpu"]),
        ("cores", meta["cores"]),
        ("memory", memory_text(meta["memory"])),
        ("kernel", meta["kernel"]),
        ("genlet commit", meta["genlet"]),
        ("run", "%s sizes; %s" % (meta["size"], meta["method"])),
        ("command", "`%s`" % meta["command"]),
    ]
    return "\n".join(["| | |", "|---|---|"] + ["| %s | %s |" % row for row in rows])


def versions_table(meta):
    """A library per row, an interpreter per column: the version each one imported; and how
    each library is run (``harness.SETTINGS``, and what it chose by itself here)."""
    interpreters = meta["interpreters"]
    head = "| library | " + " | ".join(about.get("python", name) for name, about in interpreters.items())
    lines = [head + " | how it is run |", "|---" * (len(interpreters) + 2) + "|"]
    libs = []
    for about in interpreters.values():
        libs += [lib for lib in about.get("libs", {}) if lib not in libs and lib != "floor" and "-" not in lib]
    for lib in libs:
        cells, chose = [], []
        for about in interpreters.values():
            found = about.get("libs", {}).get(lib)
            cells.append("—" if found is None else found.get("version") or short_why(found.get("missing", "")))
            if found and found.get("chose") and found["chose"] not in chose:
                chose.append(found["chose"])
        how = SETTINGS[lib][1] if lib in SETTINGS else ""
        if chose:
            how += " (here: %s)" % ", ".join("`%s`" % choice for choice in chose)
        lines.append("| %s | %s | %s |" % (lib, " | ".join(cells), how))
    return "\n".join(lines)


def short_why(missing):
    """A versions-table cell for a library that did not import: "does not install" or "missing"."""
    return "does not install" if missing.startswith("does not install") else "missing"


# Figures that once decided a design choice: measured when it was made, kept here rather than in
# the code's comments (which name the workload: benchmarks/<file>), where they would go stale.
DESIGN_FIGURES = """## What the fast paths bought

Measured when each choice was made, not in the run above; the code names the workload that
shows it (a comment `# inlined copy of X: benchmarks/Y`). Instructions are counted with
valgrind's callgrind on CPython 3.11 (per operation: the difference between runs of N and 2N
operations), which a busy machine does not disturb. Re-measure before relying on one.

| where | the choice | what it bought (workload) |
|---|---|---|
| `genlet/kernel/task.py`, `task.wait_object`, `task.kernel` | published as the slots themselves (not functions, not properties), so a free `Lock.acquire` calls nothing but the `answer` its `yield from` runs | through `waiting_for()`, `unwaited()` and the `task.kernel` property: 4,769 → 3,254 instructions per acquire + release (`lock-uncontended`; asyncio: 2,486) |
| `genlet/sync/channels.py`, `Channel.recv` | a buffered value with no sender waiting is taken without calling `Channel._take` (everything with a sender goes through it) | calling it: 12% more instructions per item in `pipeline` (3,970 → 4,440) |
| `genlet/kernel/timers.py`, `Timers.earliest` | the run loop reads the heap's earliest deadline (an attribute) between passes, and the clock only when there is one | a `Timers.due` call there: 5% more per `ping-pong` round trip (31,020 → 32,546) |
| `genlet/kernel/waitqueue.py`, `WaitQueue.push` | a Waiter is made with `object.__new__` and `push` stores its slots: no `__init__` call per park | with one `__init__` call: 32,145 instructions per `ping-pong` round trip, 3.5% more than without (31,058) |
| `genlet/sync/_base.py`, `wake` | one function wakes a waiter and, given its line, passes over the waiters of a select that is over; hand-offs call `wake(line.pop(), value, line)` | a `wake_first(line, value)` that called `wake`: 31,058 instructions per `ping-pong` round trip, 2.6% more (30,266) |
| `genlet/sync/_base.py`, `wake` | a plain wait is told by `waiter.__class__ is not GroupWaiter`, not by reading `waiter.group` (a class attribute of a plain Waiter, a slow read on CPython) | reading `group`: 30,266 instructions per `ping-pong` round trip, 0.9% more (30,009) |
| `genlet/kernel/outside.py`, a Kernel's attributes | at most 29 instance attributes, CPython 3.11's limit for the layout a class's instances share (the Ctrl-C wakeup is kept in a module dict; `tests/test_fast_paths.py` counts them) | a 30th: every attribute read and store of the run loop a dict lookup, 31,101 instructions per `ping-pong` round trip, 3.6% more (30,021) |
| `genlet/kernel/loop.py`, `_run_ready(back_to_back=True)` | the passes that need no look outside run in one call of `_run_ready` (its loop), not one call per pass | a call per pass: 30,016 instructions per `ping-pong` round trip, 2.9% more (29,161) |
| `genlet/kernel/outside.py`, `kernel.has_waker()` | no class a Kernel is made of has a property: on MicroPython a class with one looks every attribute store (`self.current` at each step) up in the class and each base first | with the property: 7,813 instructions per switch on MicroPython's unix port, 65% more (4,731) |
| `genlet/sync/channels.py` | hot paths read `WaitQueue.length`, not `len(queue)` | an immediate send about a third faster (`ping-pong`) |
| `genlet/sync/queues.py` | items reached through bound methods of built-in containers (`_push`, `_pop`) | C calls at about half the cost of a Python method: a put + get a fifth cheaper (`queue-put-get`) |
| `genlet/sync/deadlock.py` | `LockBase` imported once and kept | an `import` at every check was a third of the check (`lock-contended`) |
"""


def write(path, rows, meta, chart):
    """The results page: how it was made, on what, the chart, the tables, the goals."""
    parts = [
        "# genlet benchmarks\n",
        "<!-- Generated by `python -m benchmarks --report %s`; do not edit: run it again. -->\n" % path,
        "genlet against its peers, every workload in one run on one machine. The workloads and the "
        "driver are in [`benchmarks/`](../benchmarks/): one file per workload, the same work for "
        "every library, each library at its best documented setting and the newest version that "
        "installs (see *how it is run* below). To reproduce: `pip install -e '.[bench]'`; for the "
        "PyPy table `apt-get install pypy3 pypy3-venv`, `pypy3 -m venv DIR` and `DIR/bin/pip "
        "install -e '.[bench]'`; then `python -m benchmarks --pypy DIR/bin/python --report "
        "docs/benchmarks.md --plot docs/benchmarks.svg` on a quiet machine.\n",
    ]
    if meta["size"] == "quick":
        parts.append("**These figures come from a `--quick` run (tiny sizes): they show that everything runs, nothing more.**\n")
    parts += ["## The machine\n", machine_table(meta) + "\n", "## Interpreters and libraries\n", versions_table(meta) + "\n"]
    parts.append("## Results\n")
    if chart:
        parts.append("![genlet against each peer, per workload](%s)\n" % os.path.relpath(chart, os.path.dirname(path) or "."))
    parts.append(tables.markdown(rows, meta))
    if meta["notices"]:
        parts.append("Notices: " + "; ".join(meta["notices"]) + "\n")
    parts.append(DESIGN_FIGURES)
    kept = kept_sections(path)
    if kept:
        parts.append(kept)
    with open(path, "w") as out:
        out.write("\n".join(parts))


def kept_sections(path):
    """The sections other drivers wrote in the page (the HTTP servers': http_report.py; the
    HTTP client's: http_client.py; the trace's cost: traced.py), kept as they are when this driver writes the rest of it; "" if
    there are none."""
    from benchmarks import http_client, http_report, traced

    try:
        with open(path) as page:
            text = page.read()
    except OSError:
        return ""
    kept = [(http_report.BEGIN, http_report.END), (http_client.BEGIN, http_client.END), (traced.BEGIN, traced.END)]
    return "".join(http_report.extract(text, begin, end) for begin, end in kept)
