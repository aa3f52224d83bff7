# benchmarks/run.py
"""The driver: every workload, for genlet and every peer installed, each in a fresh pinned process.

    python -m benchmarks                          # or: python benchmarks/run.py
    python -m benchmarks --quick                  # every workload at a tiny size (a smoke test)
    python -m benchmarks --only switch,ping-pong --repeat 5
    python -m benchmarks --json out.json --plot out.svg --report docs/benchmarks.md

How a figure is made: the driver asks each interpreter which libraries it can import
(``probe.py``), then runs every (workload, library) pair in a new process pinned to one CPU with
``taskset`` (``worker.py``), ``--repeat`` times (default 3), each time in a fresh process, and
keeps the best figure and the spread between repeats. Each library's processes get its
interpreter options (``harness.SETTINGS``: curio runs under ``-O``), its best documented setting. Server workloads (echo) get a fresh
server process per repeat and the one shared client, pinned to another CPU. With ``--quick``
the sizes are tiny, each library's jobs share one process, and the processes run side by side,
unpinned: the run takes seconds and its figures mean nothing (it checks that all of it works).

Besides CPython (this interpreter) it runs switch, floor, spawn and ping-pong on PyPy
(``--pypy``: ``pypy3``, or the python of a PyPy venv with the peers installed) and the
MicroPython set (``mpy.py``), each in its own table. On PyPy, a peer that does not install
there (``NOT_ON_PYPY``) has a row that says why. A library that does
not import, an interpreter that is missing, or a genlet feature that has not landed yet gets a
row saying so: nothing is dropped silently.
"""

import argparse
import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
from functools import partial

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if __name__ == "__main__" and not __package__:  # `python benchmarks/run.py`
    sys.path[0] = ROOT  # (and not benchmarks/, whose files must not shadow the stdlib)

from benchmarks import load, mpy, report, tables  # noqa: E402
from benchmarks.harness import LIBS, interpreter_options, package_of  # noqa: E402

PYPY_WORKLOADS = ("switch", "floor", "spawn", "ping-pong")
# The peers that do not install on PyPy (7.3, Python 3.9), and why: their rows say so.
NOT_ON_PYPY = {
    "uvloop": "uvloop is built for CPython only",
    "tinyio": "tinyio needs Python 3.11 or later",
}
PYPY_VENV = "pypy3 -m venv DIR && DIR/bin/pip install -e '.[bench]', then pass --pypy DIR/bin/python"
# gevent has no wheel for PyPy, so the bench extra leaves it out there; it builds from source.
PYPY_GEVENT = "gevent has no PyPy wheel: `apt-get install pypy3-dev`, then `DIR/bin/pip install gevent` builds it (minutes)"
ALWAYS_LISTED = ("genlet", "asyncio", "uvloop", "trio", "curio", "gevent", "eventlet", "tinyio")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check that everything runs")
    parser.add_argument("--only", metavar="NAME,...", help="only these workloads (see --list)")
    parser.add_argument("--libs", metavar="LIB,...", help="only these libraries (default: all of them)")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="runs per figure (default 3)")
    parser.add_argument("--json", metavar="FILE", help="also write every row as JSON ('-': stdout)")
    parser.add_argument("--plot", metavar="FILE.svg", help="draw genlet against each peer (matplotlib)")
    parser.add_argument("--report", metavar="FILE.md", help="write the results page (docs/benchmarks.md)")
    parser.add_argument("--cpu", type=int, metavar="N", help="the CPU to pin measurements to")
    parser.add_argument("--pypy", default="pypy3", metavar="PATH", help="the PyPy to run (default pypy3): a PyPy venv's python measures the peers installed in it")
    parser.add_argument("--no-pypy", action="store_true", help="skip the PyPy table")
    parser.add_argument(
        "--timeout", type=float, default=300, metavar="S",
        help="seconds one measuring process may take before its row reads 'error: timed out' (default 300)",
    )  # fmt: skip
    parser.add_argument("--no-micropython", action="store_true", help="skip the MicroPython table")
    parser.add_argument(
        "--from-json", metavar="FILE",
        help="measure nothing: make the tables, --plot and --report from a run saved with --json",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    usable = usable_cpus()
    if args.cpu is not None and args.cpu not in usable:
        parser.error(
            "--cpu %d: this process may run only on CPU %s (os.sched_getaffinity); pick one of them"
            % (args.cpu, ", ".join(str(cpu) for cpu in usable))
        )
    unknown = [lib for lib in (args.libs or "").split(",") if lib.strip() and lib.strip() not in LIBS]
    if unknown:
        parser.error("unknown libraries %s; the libraries are: %s" % (", ".join(unknown), ", ".join(LIBS)))
    return args


def usable_cpus():
    """The CPUs this process may be pinned to."""
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]


def cpus_for(cpu):
    """(the CPU to measure on: ``cpu``, or the last usable one; another one for the client)."""
    cpus = usable_cpus()
    cpu = cpus[-1] if cpu is None else cpu
    others = [other for other in cpus if other != cpu]
    return cpu, others[-1] if others else cpu


def child_env():
    """The environment of the measuring processes: genlet's checkout importable, hashing fixed."""
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, PYTHONPATH=ROOT + (os.pathsep + path if path else ""), PYTHONHASHSEED="0")


def choose_workloads(registry, only):
    if not only:
        return list(registry.values())
    names = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in names if name not in registry]
    if unknown:
        raise SystemExit("unknown workload(s) %s; the workloads are: %s" % (", ".join(unknown), ", ".join(registry)))
    return [registry[name] for name in names]


class Runner:
    """Starts the measuring processes: pinned, with genlet's checkout importable."""

    def __init__(self, args, notices):
        self.size = "quick" if args.quick else "full"
        self.repeat = args.repeat
        self.libs = None if not args.libs else set(lib.strip() for lib in args.libs.split(","))
        self.timeout = 120 if args.quick else args.timeout
        self.notices = notices
        self.cpu, self.client_cpu = cpus_for(args.cpu)
        self.taskset = shutil.which("taskset")
        if self.taskset is None and not args.quick:
            notices.append("taskset was not found (util-linux): the processes are NOT pinned to one CPU")
        self.env = child_env()

    def pinned(self, command, cpu=None):
        if self.taskset is None or self.size == "quick":  # --quick measures nothing: no pinning
            return command
        return [self.taskset, "-c", str(self.cpu if cpu is None else cpu)] + command

    def call(self, command, cpu=None, env=None):
        """Run a pinned command; return (exit status, stdout, stderr)."""
        try:
            done = subprocess.run(
                self.pinned(command, cpu), cwd=ROOT, env=env or self.env, timeout=self.timeout,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return None, "", "timed out after %d s" % self.timeout
        except OSError as error:
            return None, "", str(error)
        return done.returncode, done.stdout, done.stderr

    def probe(self, interpreter):
        """What ``interpreter`` can import (probe.py's answer), or None if it cannot run."""
        if shutil.which(interpreter) is None and not os.path.exists(interpreter):
            return None
        status, out, err = self.call([interpreter, "-m", "benchmarks.probe"])
        if status != 0:
            self.notices.append("%s failed to start (exit %s): %s" % (interpreter, status, last_line(err)))
            return None
        return json.loads(out)

    def worker(self, interpreter, jobs, repeat):
        """Run ``jobs`` ((workload, lib) pairs, all of one library) in one worker process, with
        that library's interpreter options (``harness.SETTINGS``); one record per job."""
        names = ["%s:%s" % (workload.name, lib) for workload, lib in jobs]
        command = [interpreter] + interpreter_options(jobs[0][1])
        command += ["-m", "benchmarks.worker", "--size", self.size, "--repeat", str(repeat)]
        status, out, err = self.call(command + names)
        lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        records = {(record["workload"], record["lib"]): record for record in lines}
        why = "the worker failed (exit %s): %s" % (status, last_line(err))
        found = [records.get((w.name, lib)) or failed(w.name, lib, why) for w, lib in jobs]
        if err.strip() and any(record["status"] == "error" for record in found):
            # the traceback (or the timeout) behind an error row, named: a bare "timed out" line
            # read as if it belonged to the "measuring" line printed after it
            sys.stderr.write("  error in %s:\n%s\n" % (", ".join(names), err.rstrip("\n")))
        return found

    def serve(self, interpreter, workload, lib, runs):
        """Measure a server workload: a fresh server process, and ``runs`` runs of the client."""
        command = [interpreter] + interpreter_options(lib)
        command = self.pinned(command + ["-m", "benchmarks.worker", "--serve", "%s:%s" % (workload.name, lib)])
        with tempfile.TemporaryFile("w+") as errors:
            server = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=errors, universal_newlines=True
            )
            try:
                return self._load_server(server, errors, workload, lib, runs)
            finally:
                server.kill()
                server.wait()

    def _load_server(self, server, errors, workload, lib, runs):
        announced = read_line(server.stdout, 60)
        if not announced:
            errors.seek(0)
            return failed(workload.name, lib, "the server never started: %s" % last_line(errors.read()))
        record = json.loads(announced)
        if record.get("status") != "serving":
            return record
        sizes = workload.sizes[self.size]
        client = [sys.executable, "-m", "benchmarks.echo_client", str(record["port"])]
        client += [str(sizes[key]) for key in ("connections", "rounds", "size")]
        client.append(str(runs))
        status, out, err = self.call(client, cpu=self.client_cpu)
        if status != 0:
            return failed(workload.name, lib, "the echo client failed: %s" % last_line(err))
        rates = [json.loads(line)["rate"] for line in out.splitlines() if line.startswith("{")]
        return {"workload": workload.name, "lib": lib, "status": "ok", "values": rates, "note": ""}

    def each(self, thunks):
        """Call every thunk; return their results in order. Side by side with --quick."""
        if self.size != "quick":
            return [thunk() for thunk in thunks]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
            return list(pool.map(lambda thunk: thunk(), thunks))


def failed(workload, lib, why):
    return {"workload": workload, "lib": lib, "status": "error", "values": [], "note": why}


def last_line(text):
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def read_line(stream, seconds):
    """A line from ``stream``, or "" if none comes within ``seconds``."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(seconds):
            return ""
    return stream.readline()


def measure(runner, interpreter, jobs):
    """Every job's record, its values from ``runner.repeat`` runs."""
    plain = [job for job in jobs if not job[0].server]
    servers = [job for job in jobs if job[0].server]
    if runner.size == "quick":  # a process per library, repeating inside it; a server per job
        groups = [[job for job in plain if job[1] == lib] for lib in LIBS]
        thunks = [partial(runner.worker, interpreter, group, runner.repeat) for group in groups if group]
        thunks += [partial(_listed, runner.serve, interpreter, w, lib, runner.repeat) for w, lib in servers]
        return [record for records in runner.each(thunks) for record in records]
    records = []
    for job in plain:
        progress(job)
        records.append(merge(repeats(runner, lambda: runner.worker(interpreter, [job], 1)[0])))
    for workload, lib in servers:
        progress((workload, lib))
        records.append(merge(repeats(runner, lambda: runner.serve(interpreter, workload, lib, 1))))
    return records


def repeats(runner, once):
    """``runner.repeat`` records of ``once()``; the first that fails ends them (a library that
    timed out once would only time out again)."""
    records = []
    for _ in range(runner.repeat):
        records.append(once())
        if records[-1]["status"] != "ok":
            break
    return records


def _listed(fn, *args):
    return [fn(*args)]


def merge(records):
    """One record from the repeats of a job: their values, or the first that did not succeed."""
    for record in records:
        if record["status"] != "ok":
            return record
    return dict(records[0], values=[value for record in records for value in record["values"]])


def progress(job):
    sys.stderr.write("  measuring %s / %s\n" % (job[0].name, job[1]))
    sys.stderr.flush()


def plan(workloads, found, chosen=None):
    """Split the rows to make into jobs to run and rows already known (n/a, missing).

    ``chosen``: the libraries asked for with --libs (None: every one).
    """
    jobs, known = [], []
    for workload in workloads:
        for lib in LIBS:
            if chosen is not None and lib not in chosen:
                continue
            if lib not in workload.impls and (lib not in ALWAYS_LISTED or not workload.peers):
                continue  # a variant (floor, *-protocol) appears only where it is measured
            if lib not in workload.impls:
                known.append(dict(failed(workload.name, lib, workload.lacking.get(lib, "no equivalent")), status="n/a"))
            elif "missing" in found[lib]:
                known.append(dict(failed(workload.name, lib, found[lib]["missing"]), status="missing"))
            else:
                jobs.append((workload, lib))
    return jobs, known


def run_interpreter(runner, label, interpreter, workloads):
    """Every row for one interpreter, and what it is (for the report)."""
    sys.stderr.write("%s (%s):\n" % (label, interpreter))
    found = runner.probe(interpreter)
    if found is None:
        hint = " (not installed? on Debian: apt-get install pypy3)" if "pypy" in interpreter else " (see the notices)"
        why = "%s could not be run%s" % (interpreter, hint)
        rows = [dict(failed(w.name, "genlet", why), status="missing") for w in workloads]
        return tables.finish(rows, label, workloads), {"python": interpreter + " (missing)", "libs": {}}
    if label == "PyPy":
        explain_pypy(found["libs"], runner.notices)
    jobs, rows = plan(workloads, found["libs"], runner.libs)
    rows += measure(runner, interpreter, jobs)
    return tables.finish(rows, label, workloads), found


def explain_pypy(found, notices):
    """Say why a peer is missing on PyPy: it does not install there, or it is not installed."""
    cannot, absent = [], []
    for lib, about in found.items():
        package = package_of(lib)
        if "missing" not in about or package is None:
            continue
        if package in NOT_ON_PYPY:
            about["missing"] = "does not install on PyPy: %s" % NOT_ON_PYPY[package]
        listed = cannot if package in NOT_ON_PYPY else absent
        if package not in listed:
            listed.append(package)
    if cannot:
        notices.append("PyPy: %s do not install there (their rows say why)" % ", ".join(cannot))
    if absent:
        notices.append("PyPy: %s not installed for it; to measure them: %s" % (", ".join(absent), PYPY_VENV))
    if "gevent" in absent:
        notices.append("PyPy: " + PYPY_GEVENT)


def main(argv=None):
    args = parse_args(argv)
    registry = load()
    if args.list:
        for workload in registry.values():
            print("%-18s %s" % (workload.name, workload.title))
        return 0
    if args.from_json:
        with open(args.from_json) as saved:
            run = json.load(saved)
        return publish(args, run["rows"], run["meta"], list(run["meta"]["notices"]))
    workloads = choose_workloads(registry, args.only)
    notices = []
    runner = Runner(args, notices)
    sections = []  # (label, thunk returning (rows, what the interpreter is))
    for label, interpreter, subset in (
        ("CPython", sys.executable, workloads),
        ("PyPy", args.pypy, [w for w in workloads if w.name in PYPY_WORKLOADS and not args.no_pypy]),
    ):
        if subset:
            sections.append((label, partial(run_interpreter, runner, label, interpreter, subset)))
    if not args.no_micropython and mpy.WORKLOADS & set(w.name for w in workloads):
        sections.append(("MicroPython", partial(mpy.run, runner, [w.name for w in workloads])))
    rows, interpreters = [], {}
    for (label, _), (found_rows, about) in zip(sections, runner.each([thunk for _, thunk in sections])):
        rows += found_rows
        interpreters[label] = about
    return finish(args, runner, rows, interpreters, notices)


def finish(args, runner, rows, interpreters, notices):
    """Print the tables; write the JSON, the chart and the page asked for."""
    return publish(args, rows, report.meta(args, runner, interpreters, notices), notices)


def publish(args, rows, meta, notices):
    """The tables, and the JSON, chart and page asked for, from finished rows and their meta."""
    print(tables.markdown(rows, meta))
    if args.json:
        text = json.dumps({"meta": meta, "rows": rows}, indent=1)
        if args.json == "-":
            print(text)
        else:
            with open(args.json, "w") as out:
                out.write(text + "\n")
    if args.plot:
        from benchmarks import plot

        plot.draw(rows, args.plot, notices)
    if args.report:
        report.write(args.report, rows, meta, args.plot)
    for notice in notices:
        sys.stderr.write("notice: %s\n" % notice)
    return 1 if any(row["status"] == "error" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
