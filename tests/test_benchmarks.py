"""The benchmarks never rot: ``python -m benchmarks --quick`` completes every workload.

Nothing here is about speed: the quick run uses tiny sizes and asserts only that every workload
ran and reported a figure. Peers that are not installed (CI installs none) show up as "missing"
rows, which is accepted; genlet features that have not landed yet as "not available yet".
"""

import json
import math
import os
import subprocess
import sys

import pytest

from benchmarks import load, report, run, tables
from benchmarks.harness import LIBS, Workload

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL_ONLY = ("switch", "floor", "spawn", "timers", "timeouts")  # need nothing beyond the kernel
ALLOWED = ("ok", "missing", "unavailable", "n/a")
try:
    import tracemalloc  # noqa: F401

    HAS_TRACEMALLOC = True
except ImportError:  # PyPy: the memory workload (tracemalloc) reads n/a there
    HAS_TRACEMALLOC = False
# What this Python lacks: asyncio.timeout came in 3.11 (the row says "n/a", and why).
NO_EQUIVALENT_HERE = {("timeouts", "asyncio"), ("timeouts", "uvloop")} if sys.version_info < (3, 11) else set()


def quick_run(tmp_path, *options):
    out = tmp_path / "quick.json"
    command = [sys.executable, "-m", "benchmarks", "--quick", "--repeat", "2", "--json", str(out)]
    done = subprocess.run(
        command + list(options), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout, json.loads(out.read_text())


def test_quick_run_reports_a_figure_for_every_workload(tmp_path):
    stdout, result = quick_run(tmp_path)
    rows = result["rows"]
    for row in rows:
        assert row["status"] in ALLOWED, row
        if row["status"] == "ok":
            assert row["values"] and all(math.isfinite(value) for value in row["values"]), row
            assert row["best"] in row["values"]
    cpython = {(row["workload"], row["lib"]): row for row in rows if row["interpreter"] == "CPython"}
    for name, workload in load().items():
        genlet = cpython[(name, "genlet")]
        if name == "memory" and not HAS_TRACEMALLOC:  # PyPy: n/a, and memory-rss measures instead
            assert genlet["status"] == "n/a", genlet
            continue
        assert genlet["status"] in (("ok",) if name in KERNEL_ONLY else ("ok", "unavailable")), genlet
        if genlet["status"] == "ok":
            assert len(genlet["values"]) == 2
        for lib in workload.impls:  # every library with an implementation has its row
            if (name, lib) in NO_EQUIVALENT_HERE:
                assert cpython[(name, lib)]["status"] in ("n/a", "missing"), cpython[(name, lib)]
                continue
            assert cpython[(name, lib)]["status"] in ("ok", "missing", "unavailable"), cpython[(name, lib)]
            assert lib != "asyncio" or cpython[(name, lib)]["status"] == "ok"  # asyncio is always there
        if workload.peers:  # and so has every peer, measured or not
            assert all((name, lib) in cpython for lib in run.ALWAYS_LISTED)
    assert {row["interpreter"] for row in rows} == {"CPython", "PyPy", "MicroPython"}
    pypy = {(row["workload"], row["lib"]): row for row in rows if row["interpreter"] == "PyPy"}
    if pypy[("switch", "genlet")]["status"] == "ok":  # PyPy is there: its table lists every peer
        assert all(("switch", lib) in pypy for lib in run.ALWAYS_LISTED), sorted(pypy)
    assert "### Goals" in stdout and "| **genlet** |" in stdout


def test_only_plot_report_and_script_form(tmp_path):
    chart, page = tmp_path / "chart.svg", tmp_path / "page.md"
    out = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--only", "switch,floor", "--no-pypy",
         "--no-micropython", "--plot", str(chart), "--report", str(page)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "**switch**" in out.stdout and "**spawn**" not in out.stdout
    text = page.read_text()
    for part in ("## The machine", "CPU", "kernel", "## Interpreters and libraries", "| genlet |", "**switch**"):
        assert part in text
    assert chart.exists() or "matplotlib is not installed" in out.stderr


def test_from_json_remakes_the_page_from_a_saved_run_without_measuring(tmp_path):
    saved, page = tmp_path / "run.json", tmp_path / "page.md"
    base = [sys.executable, "-m", "benchmarks", "--no-pypy", "--no-micropython"]
    first = subprocess.run(
        base + ["--quick", "--only", "switch", "--json", str(saved)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    again = subprocess.run(
        base + ["--from-json", str(saved), "--report", str(page)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "measuring" not in again.stderr  # nothing was run again
    assert again.stdout == first.stdout  # the same tables, from the same figures
    run_meta = json.loads(saved.read_text())["meta"]
    assert run_meta["date"] in page.read_text() and "**switch**" in page.read_text()


def test_a_peer_that_does_not_import_gets_a_missing_row():
    workload = Workload("fake", "fake", "ops/s", full={}, quick={})
    workload.impl("genlet", "uvloop")(lambda lib: 1.0)
    found = {lib: {"version": "1"} for lib in LIBS}
    found["uvloop"] = {"missing": "ModuleNotFoundError: No module named 'uvloop'"}
    jobs, known = run.plan([workload], found)
    assert [lib for _, lib in jobs] == ["genlet"]
    by_lib = {row["lib"]: row for row in known}
    assert by_lib["uvloop"]["status"] == "missing" and "uvloop" in by_lib["uvloop"]["note"]
    assert by_lib["trio"]["status"] == "n/a"  # no implementation: listed, never dropped
    rows = tables.finish(known + [dict(lib="genlet", workload="fake", status="ok", values=[2.0, 1.0], note="")],
                         "CPython", [workload])  # fmt: skip
    assert [row["lib"] for row in rows][0] == "genlet" and rows[0]["best"] == 2.0 and rows[0]["spread"] == 50.0
    assert "missing: ModuleNotFoundError" in tables.table(rows)


def test_advantage_reads_the_same_way_for_rates_and_costs():
    rate = {"best": 100.0, "higher_is_better": True}
    cost = {"best": 100.0, "higher_is_better": False}
    assert tables.advantage(rate, 300.0) == 3.0  # genlet does 3× the work per second
    assert tables.advantage(cost, 25.0) == 4.0  # genlet costs a quarter
    assert tables.advantage(dict(cost, best=-1.0), 25.0) is None  # noise below zero: no ratio


def test_without_taskset_the_run_says_it_is_not_pinned(monkeypatch):
    monkeypatch.setattr(run.shutil, "which", lambda name: None)
    notices = []
    runner = run.Runner(run.parse_args([]), notices)
    assert runner.pinned(["python"]) == ["python"]
    assert any("NOT pinned" in notice for notice in notices)


def test_a_cpu_this_process_cannot_use_is_refused_with_the_ones_it_can(capsys):
    usable = run.usable_cpus()
    with pytest.raises(SystemExit):
        run.parse_args(["--cpu", str(max(usable) + 1)])
    message = capsys.readouterr().err
    assert "--cpu %d" % (max(usable) + 1) in message and str(usable[0]) in message
    assert run.parse_args(["--cpu", str(usable[0])]).cpu == usable[0]


def test_an_interpreter_that_fails_to_start_is_explained_in_the_notices(monkeypatch):
    notices = []
    runner = run.Runner(run.parse_args([]), notices)
    monkeypatch.setattr(runner, "call", lambda command, cpu=None, env=None: (1, "", "Traceback ...\nImportError: boom"))
    assert runner.probe(sys.executable) is None
    assert notices and "ImportError: boom" in notices[-1] and "exit 1" in notices[-1]


def test_the_select_goal_checks_that_the_cost_grows_no_faster_than_the_op_count():
    def rows(rates):
        return {
            ("CPython", "select-%d" % ops, "genlet"): {"best": rate, "unit": "selects/s"}
            for ops, rate in zip((1, 8, 64), rates)
        }

    series = ("select-1", "select-8", "select-64")
    text, met = tables.check_linear("CPython", series, rows([1e6, 5e5, 1e5]))
    assert met is True and "8 ops 2 µs (2.00× for 8× the ops)" in text, text
    text, met = tables.check_linear("CPython", series, rows([1e6, 1e6 / 9, 1e6 / 70]))
    assert met is False, text  # 9× the cost for 8× the ops
    assert tables.check_linear("CPython", series, {}) == ("not run", None)


def test_a_goal_with_a_floor_row_says_how_the_floor_compares_with_the_peers():
    """The floor (the same work with no features) beside a goal: 'the floor is 0.50× gevent'
    shows that no implementation with those features could be ahead of gevent."""
    workloads = [w for w in load().values() if w.name == "queue-put-get"]
    rows = [
        {"workload": "queue-put-get", "lib": lib, "status": "ok", "values": [value], "note": ""}
        for lib, value in (("genlet", 4e6), ("floor", 5e6), ("asyncio", 2e6), ("gevent", 1e7))
    ]
    index = {(row["interpreter"], row["workload"], row["lib"]): row for row in tables.finish(rows, "CPython", workloads)}
    goal = [g for g in tables.GOALS if g[1] == "queue-put-get"][0]
    text, met = tables.check(goal, index)
    assert met is False
    assert "the floor (no features) is 2.50× asyncio, 0.50× gevent; genlet is 0.80× the floor" in text, text


def test_each_library_runs_with_its_own_interpreter_options(monkeypatch):
    """curio is measured under ``-O`` (its asserts scan lists on its hot paths); genlet and the
    others with none. The page says how each library is run."""
    runner = run.Runner(run.parse_args(["--quick"]), [])
    commands = []

    def call(command, cpu=None, env=None):
        commands.append(command)
        return 0, "", ""

    monkeypatch.setattr(runner, "call", call)
    switch = load()["switch"]
    for lib in ("curio", "genlet", "asyncio"):
        runner.worker("python3", [(switch, lib)], 1)
    curio, genlet, asyncio = commands
    assert curio[:3] == ["python3", "-O", "-m"], curio
    assert genlet[:2] == asyncio[:2] == ["python3", "-m"], (genlet, asyncio)
    meta = {"interpreters": {"CPython": {"python": "CPython 3.11", "libs": {"curio": {"version": "1.6"}}}}}
    assert "| curio | 1.6 | run under `python -O`" in report.versions_table(meta)


def test_the_worker_records_whether_it_ran_optimized():
    command = [sys.executable, "-O", "-m", "benchmarks.worker", "--size", "quick", "switch:genlet"]
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, universal_newlines=True, timeout=60)
    assert json.loads(done.stdout.splitlines()[-1])["optimize"] == 1


def test_pypy_rows_say_why_a_peer_is_missing():
    """A peer that cannot install on PyPy says so in its row; one that could but is not
    installed gets a notice saying how to install it."""
    missing = {"missing": "ModuleNotFoundError: No module named 'x'"}
    found = {lib: dict(missing) for lib in ("uvloop", "uvloop-protocol", "tinyio", "gevent", "trio", "curio")}
    found.update(genlet={"version": "0.1.0"}, floor={"version": ""})
    notices = []
    run.explain_pypy(found, notices)
    assert "does not install on PyPy" in found["tinyio"]["missing"]
    assert "CPython only" in found["uvloop"]["missing"] and "CPython only" in found["uvloop-protocol"]["missing"]
    assert found["trio"] == found["gevent"] == missing  # they could be: installing them is the fix
    assert notices[0] == "PyPy: uvloop, tinyio do not install there (their rows say why)", notices
    assert notices[1].startswith("PyPy: gevent, trio, curio not installed for it") and "pypy3 -m venv" in notices[1]
    assert "pypy3-dev" in notices[2]  # gevent has no PyPy wheel: it has to be built
    meta = {"interpreters": {"PyPy": {"python": "PyPy 7.3", "libs": found}}}
    assert "| tinyio | does not install |" in report.versions_table(meta)
