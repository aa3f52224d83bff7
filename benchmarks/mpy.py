# benchmarks/mpy.py
"""The MicroPython table: genlet against MicroPython's own asyncio, on the unix port.

Runs ``mpy_bench.py`` under MicroPython, one fresh pinned process per figure and repeat, with
genlet's checkout on ``MICROPYPATH`` (and ``.frozen``, where MicroPython keeps its asyncio).
MicroPython is found as ``$GENLET_MICROPYTHON``, else ``micropython`` on the PATH, else the
project's shared tool, ``../shared/tools/micropython`` beside the checkout.
"""

import json
import os
import shutil

from benchmarks import tables

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "mpy_bench.py")
WORKLOADS = {"switch", "ping-pong", "memory"}  # the CPython workloads these stand for (--only)
LIBS = ("genlet", "asyncio")


class Figure:
    def __init__(self, name, title, unit, higher_is_better=True):
        self.name, self.title, self.unit, self.higher_is_better = name, title, unit, higher_is_better


FIGURES = (
    Figure("switch", "1,000 tasks × 1,000 yields", "switches/s"),
    Figure("ping-pong", "100,000 round trips (asyncio: an Event hand-off)", "round trips/s"),
    Figure("memory", "bytes per task parked on an event (gc.mem_free, 1,000 tasks)", "bytes/task", False),
)


def command():
    """How to start MicroPython here, or None."""
    chosen = os.environ.get("GENLET_MICROPYTHON") or shutil.which("micropython")
    if chosen:
        return [chosen]
    tool = os.path.join(os.path.dirname(ROOT), "shared", "tools", "micropython")
    return ["bash", tool] if os.path.exists(tool) else None


def batch(runner, start, jobs, repeat):
    """Run (figure, lib) ``jobs`` in one MicroPython process, ``repeat`` times each: records."""
    env = dict(runner.env, MICROPYPATH=ROOT + ":.frozen")
    names = ["%s:%s" % (figure.name, lib) for figure, lib in jobs]
    status, out, err = runner.call(start + [SCRIPT, runner.size, str(repeat)] + names, env=env)
    found = {(r["workload"], r["lib"]): r for r in (json.loads(line) for line in out.splitlines() if line.startswith("{"))}
    why = (err or out).strip().splitlines()
    why = why[-1] if why else "no output"
    if status == 127:  # the shared tool's "no backend could be installed"
        blank = {"status": "missing", "values": [], "note": "MicroPython could not be installed: %s" % why}
    else:
        blank = {"status": "error", "values": [], "note": "MicroPython failed (exit %s): %s" % (status, why)}
    return [dict(found.get((figure.name, lib)) or blank, workload=figure.name, lib=lib) for figure, lib in jobs]


def measure(runner, start, jobs):
    """The rows: with --quick all in one process; else a fresh process per job and repeat."""
    if runner.size == "quick":
        return batch(runner, start, jobs, runner.repeat)
    rows = []
    for job in jobs:
        runs = [batch(runner, start, [job], 1)[0] for _ in range(runner.repeat)]
        failed = [run for run in runs if run["status"] != "ok"]
        rows.append(failed[0] if failed else dict(runs[0], values=[run["values"][0] for run in runs]))
    return rows


def run(runner, names):
    """The MicroPython rows for the chosen workloads, and what this MicroPython is."""
    chosen = [figure for figure in FIGURES if figure.name in names]
    libs = [lib for lib in LIBS if runner.libs is None or lib in runner.libs]
    start = command()
    if start is None:
        why = "MicroPython not found (set GENLET_MICROPYTHON, or put micropython on the PATH)"
        rows = [dict(workload=f.name, lib=lib, status="missing", values=[], note=why) for f in chosen for lib in libs]
        return tables.finish(rows, "MicroPython", chosen), {"python": "missing", "libs": {}}
    rows = measure(runner, start, [(figure, lib) for figure in chosen for lib in libs])
    _, out, _ = runner.call(start + ["-c", "import sys; print(sys.implementation)"])
    about = {"python": "MicroPython %s, unix port" % _version(out)}
    about["libs"] = {"genlet": {"version": "this checkout"}, "asyncio": {"version": "built in"}}
    return tables.finish(rows, "MicroPython", chosen), about


def _version(implementation):
    """'1.29.0' from MicroPython's ``sys.implementation`` text, or '?'."""
    try:
        inside = implementation.split("version=(", 1)[1].split(")", 1)[0]
        return ".".join(part.strip().strip("'") for part in inside.split(",")[:3])
    except IndexError:
        return "?"
