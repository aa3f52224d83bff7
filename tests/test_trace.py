"""genlet.trace on real runs: the exact events of small programs on the virtual clock,
``trace=`` (a file, a Recorder, the environment), files written also when the run fails, the
command line."""

import json
import os
import re
import subprocess
import sys

import pytest

import genlet
from genlet.trace import Recorder
from genlet.trace.timeline import Timeline

from .trace_support import check_chrome_trace

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.abspath(__file__)


def numbered(text):
    """Objects are numbered process-wide (Channel#12): the tests write them Channel#N."""
    return re.sub(r"#\d+", "#N", text) if isinstance(text, str) else text


def brief(events):
    """What a test can pin down exactly (real times and durations vary)."""
    out = []
    for e in events:
        where = e.where[1] - FIRST_LINE if e.where and e.where[0] == HERE else None
        fields = (e.other or None, e.cause, numbered(e.what), where, e.outcome)
        out.append((e.kind, e.time, e.name) + tuple(x for x in fields if x is not None))
    return out


FIRST_LINE = 0  # line numbers in these expectations count from this file's mailbox()


def mailbox():
    def worker(ch):
        yield from genlet.sleep(1)  # +2
        yield from ch.send("hi")

    def main():
        ch = genlet.Channel()
        genlet.spawn(worker, ch, name="worker")
        message = yield from ch.recv()  # +8
        yield
        return message

    return main


FIRST_LINE = mailbox.__code__.co_firstlineno


def test_a_hand_off_a_timer_and_a_checkpoint():
    recorder = Recorder()
    assert genlet.run(mailbox(), clock=genlet.VirtualClock(), trace=recorder) == "hi"
    assert brief(recorder.events) == [
        ("spawn", 0.0, "main-1"),
        ("step", 0.0, "main-1"),
        ("park", 0.0, "main-1", "Channel#N(cap=0) recv", 8),
        ("spawn", 0.0, "worker", 1),
        ("step", 0.0, "worker"),
        ("park", 0.0, "worker", "sleep 1 s", 2),
        ("wake", 1.0, "worker", "timer"),
        ("step", 1.0, "worker"),
        ("exit", 1.0, "worker", "returned"),
        ("wake", 1.0, "main-1", 2, "hand-off"),  # the worker's step handed main the message
        ("step", 1.0, "main-1"),
        ("step", 1.0, "main-1"),  # after the checkpoint
        ("exit", 1.0, "main-1", "returned"),
    ]
    timeline = Timeline(recorder)
    assert [(f.source, f.target, numbered(f.label)) for f in timeline.flows] == [(1, 2, "spawn"), (2, 1, "Channel#N(cap=0) recv")]


def test_a_lock_handed_over_and_a_cancelled_sleeper():
    def holder(lock):
        yield from lock.acquire()
        yield from genlet.sleep(1)
        lock.release()

    def sleeper():
        yield from genlet.sleep(60)

    def main():
        lock = genlet.Lock()
        genlet.spawn(holder, lock, name="holder")
        nap = genlet.spawn(sleeper, name="sleeper")
        yield
        yield from lock.acquire()
        nap.cancel()
        yield from nap.wait()
        lock.release()

    recorder = Recorder()
    genlet.run(main, clock=genlet.VirtualClock(), trace=recorder)
    seen = [(e.kind, e.time, e.name, e.other, e.cause, numbered(e.what), e.outcome) for e in recorder.events if e.kind in ("park", "wake", "exit")]
    assert seen == [
        ("park", 0.0, "holder", 0, None, "sleep 1 s", None),
        ("park", 0.0, "sleeper", 0, None, "sleep 60 s", None),
        ("park", 0.0, "main-1", 0, None, "Lock#N acquire (held by task 'holder')", None),
        ("wake", 1.0, "holder", 0, "timer", None, None),
        ("exit", 1.0, "holder", 0, None, None, "returned"),
        ("wake", 1.0, "main-1", 2, "hand-off", None, None),  # the lock, from holder's step
        ("park", 1.0, "main-1", 0, None, "task 'sleeper' to finish", None),  # (its step's outcome first)
        ("wake", 1.0, "sleeper", 1, "cancel", None, None),  # main's step cancelled it
        ("exit", 1.0, "sleeper", 0, None, None, "cancelled"),
        ("wake", 1.0, "main-1", 3, "hand-off", None, None),
        ("exit", 1.0, "main-1", 0, None, None, "returned"),
    ]
    marks = Timeline(recorder).lanes[3].marks
    assert [mark for _, mark in marks] == ["spawned", "cancelled", "cancelled"]


def test_a_failed_task_is_recorded_and_still_reported(caplog):
    def broken():
        yield
        raise ValueError("boom")

    def main():
        genlet.spawn(broken, name="broken")
        yield from genlet.sleep(1)

    recorder = Recorder()
    genlet.run(main, clock=genlet.VirtualClock(), trace=recorder)
    exit = [e for e in recorder.events if e.kind == "exit" and e.name == "broken"]
    assert [(e.outcome, e.error) for e in exit] == [("failed", "ValueError('boom')")]
    assert "task 'broken' failed and nobody was waiting for it" in caplog.text  # the trace hid nothing


@pytest.mark.parametrize("name", ["run.html", "run.json"])
def test_the_file_is_written_when_the_run_ends_also_on_error(tmp_path, name):
    def main():
        yield from genlet.sleep(0.5)
        raise KeyError("late")

    path = str(tmp_path / name)
    with pytest.raises(KeyError):
        genlet.run(main, clock=genlet.VirtualClock(), trace=path)
    text = open(path, encoding="utf-8").read()
    if name.endswith(".json"):
        phases = check_chrome_trace(json.loads(text))
        assert [e["args"]["info"] for e in phases["X"] if e["cat"] == "waiting"][0].startswith("sleep 0.5 s at ")
    else:
        assert "main-1" in text and "KeyError" in text


def test_kernel_trace_and_the_environment(tmp_path, monkeypatch):
    recorder = Recorder()
    kernel = genlet.Kernel(clock=genlet.VirtualClock(), trace=recorder)
    assert kernel.run(mailbox()) == "hi"
    assert recorder.events[-1].kind == "exit"
    path = str(tmp_path / "env.json")
    monkeypatch.setenv("GENLET_TRACE", path)
    genlet.run(mailbox(), clock=genlet.VirtualClock())
    check_chrome_trace(json.load(open(path)))
    with pytest.raises(ValueError, match="name the file"):
        genlet.run(mailbox(), trace="run.txt")


def test_a_recorder_added_while_the_kernel_runs():
    recorder = Recorder()

    def late():
        yield from genlet.sleep(1)

    def main():
        task = genlet.spawn(late, name="late")
        yield
        genlet.kernel.current_kernel().add_instrument(recorder)
        yield from task.join()

    genlet.run(main, clock=genlet.VirtualClock())
    # Added during main's step: from the next pass on (the kernel's first look at the ready
    # list only takes note). The steps before any clock reading get their time (_backfill).
    assert [(e.kind, e.time, e.name, e.other, e.cause) for e in recorder.events] == [
        ("step", 1.0, "late", 0, None),
        ("exit", 1.0, "late", 0, None),
        ("wake", 1.0, "main-1", 2, "hand-off"),
        ("step", 1.0, "main-1", 0, None),
        ("exit", 1.0, "main-1", 0, None),
    ]


def test_the_ring_keeps_the_end_of_a_long_run():
    def ticker(n):
        for _ in range(n):
            yield from genlet.sleep(0.1)

    recorder = Recorder(max_events=20)
    genlet.run(ticker, 1000, clock=genlet.VirtualClock(), trace=recorder)
    events = recorder.events
    assert len(events) == 20 and events[-1].kind == "exit" and events[-1].name == "ticker-1"
    assert events[0].time > 99


def test_the_command_line_traces_a_script(tmp_path):
    script = tmp_path / "prog.py"
    script.write_text(
        "import sys, genlet\n"
        "def main():\n"
        "    yield from genlet.sleep(0.01)\n"
        "    print('args', sys.argv[1:])\n"
        "genlet.run(main)\n"
    )
    out = tmp_path / "prog.json"
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop("GENLET_TRACE", None)
    done = subprocess.run(
        [sys.executable, "-m", "genlet", "trace", str(script), "a", "-v", "-o", str(out)],
        capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "args ['a', '-v']" in done.stdout
    assert "wrote %s" % out in done.stderr
    phases = check_chrome_trace(json.load(open(str(out))))
    assert [e["args"]["name"] for e in phases["M"] if e["name"] == "thread_name"][0] == "main-1"


def test_the_command_line_says_what_it_needs(tmp_path):
    def cli(*args):
        env = dict(os.environ, PYTHONPATH=ROOT)
        return subprocess.run([sys.executable, "-m", "genlet", *args], capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=60)

    assert "trace" in cli("--help").stdout
    bad = cli("trace")
    assert bad.returncode == 2 and "name the script to run" in bad.stderr
    bad = cli("trace", "-o", "run.txt", "x.py")
    assert bad.returncode == 2 and "name the file *.html" in bad.stderr
    (tmp_path / "plain.py").write_text("print('no kernel here')\n")
    none = cli("trace", "plain.py", "-o", "p.html")
    assert none.returncode == 1 and "ran no genlet kernel" in none.stderr
    assert cli("nonsense").returncode == 2


def test_the_cost_benchmark_writes_its_section_and_the_driver_keeps_it(tmp_path, capsys):
    from benchmarks import report, traced

    page = tmp_path / "benchmarks.md"
    page.write_text("# figures\n")
    assert traced.main(["--rounds", "1", "--tasks", "3", "--yields", "3", "--report", str(page)]) == 0
    assert "traced: trace=Recorder()" in capsys.readouterr().out
    kept = report.kept_sections(str(page))
    assert kept.startswith(traced.BEGIN) and "| plain |" in kept and kept.rstrip().endswith(traced.END)
