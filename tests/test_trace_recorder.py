"""genlet.trace: the recorder fed events directly (the instrument's contract), its ring, the
timeline it makes and the two formats it writes."""

import json

import pytest

import genlet
from genlet import trace
from genlet.trace import Recorder
from genlet.trace import recorder as recorder_module
from genlet.trace.timeline import Timeline

from .trace_support import check_chrome_trace


class FakeTask:
    """What the recorder reads of a task."""

    def __init__(self, id, name):
        self.id, self.name = id, name
        self.waiting_on = None
        self.outcome = None
        self._value = None

    def where(self):
        return [("/app/prog.py", 10 + self.id, "body")]

    def cancelled(self):
        return self.outcome == "cancelled"

    def successful(self):
        return self.outcome == "returned"


class FakeKernel:
    def __init__(self):
        self.clock = genlet.VirtualClock()


def step(rec, task):
    """One step of ``task``, as the kernel reports it to a recorder (steps_ran)."""
    rec.steps_ran([task], [rec._perf(), rec._perf()])


@pytest.fixture
def fed(monkeypatch):
    """A recorder and a little run fed to it: main spawns a worker and waits on a channel;
    the worker sleeps, is woken by its timer, sends (a hand-off to main) and returns."""
    monkeypatch.setattr(recorder_module, "describe_wait", lambda task: task.waiting_on)
    kernel, rec = FakeKernel(), Recorder()
    main, worker = FakeTask(1, "main"), FakeTask(2, "worker")
    rec.before_run(kernel)
    rec.task_spawned(main, None)
    step(rec, main)
    main.waiting_on = "Channel.recv"
    rec.task_parked(main)
    rec.task_spawned(worker, main)
    step(rec, worker)
    worker.waiting_on = "sleep 1 s"
    rec.task_parked(worker)
    kernel.clock.advance(1.0)
    rec.task_woken(worker, None, "timer")
    step(rec, worker)
    worker.outcome = "returned"
    rec.task_exited(worker)
    rec.task_woken(main, worker, "hand-off")
    rec.steps_ran([main, main], [rec._perf(), rec._perf(), rec._perf()])  # two steps: a checkpoint
    main.outcome = "failed"
    main._value = ValueError("boom")
    rec.task_exited(main)
    rec.after_run(kernel)
    return rec


def brief(events):
    return [(e.kind, e.time, e.name, e.other, e.cause, e.what, e.where and e.where[1], e.outcome) for e in events]


def test_the_events_of_a_run_in_order(fed):
    assert brief(fed.events) == [
        ("spawn", 0.0, "main", 0, None, None, None, None),
        ("step", 0.0, "main", 0, None, None, None, None),
        ("park", 0.0, "main", 0, None, "Channel.recv", 11, None),
        ("spawn", 0.0, "worker", 1, None, None, None, None),
        ("step", 0.0, "worker", 0, None, None, None, None),
        ("park", 0.0, "worker", 0, None, "sleep 1 s", 12, None),
        ("wake", 1.0, "worker", 0, "timer", None, None, None),
        ("step", 1.0, "worker", 0, None, None, None, None),
        ("exit", 1.0, "worker", 0, None, None, None, "returned"),
        ("wake", 1.0, "main", 2, "hand-off", None, None, None),
        ("step", 1.0, "main", 0, None, None, None, None),
        ("step", 1.0, "main", 0, None, None, None, None),
        ("exit", 1.0, "main", 0, None, None, None, "failed"),
    ]
    assert fed.events[-1].error == "ValueError('boom')"
    steps = [e for e in fed.events if e.kind == "step"]
    assert all(e.duration >= 0 and e.real > 0 for e in steps)
    assert fed.events[2].where == ("/app/prog.py", 11, "body")


def test_the_ring_keeps_the_last_events_and_the_names(fed):
    rec = Recorder(max_events=3)
    main = FakeTask(1, "main")
    rec.before_run(FakeKernel())
    rec.task_spawned(main, None)
    for _ in range(3):
        step(rec, main)
    main.outcome = "returned"
    rec.task_exited(main)
    assert len(rec) == 3
    assert [e.kind for e in rec.events] == ["step", "step", "exit"]
    assert [e.name for e in rec.events] == ["main"] * 3  # the spawn event is gone; the task names itself
    assert sum(1 for entry in rec._ring if entry[0] == "steps") <= 2  # the oldest list of steps went


def test_a_list_of_steps_becomes_step_events_with_their_durations():
    rec = Recorder()
    rec.before_run(FakeKernel())
    a, b = FakeTask(1, "a"), FakeTask(2, "b")
    rec.steps_ran([a, b, a], [10.0, 10.5, 10.75, 11.0])
    assert [(e.kind, e.name, e.real, e.duration, e.time) for e in rec.events] == [
        ("step", "a", 10.0, 0.5, 0.0), ("step", "b", 10.5, 0.25, 0.0), ("step", "a", 10.75, 0.25, 0.0),
    ]  # fmt: skip


def test_max_seconds_keeps_the_last_seconds_of_the_kernels_clock(monkeypatch):
    monkeypatch.setattr(recorder_module, "describe_wait", lambda task: "sleep 1 s")
    kernel, rec = FakeKernel(), Recorder(max_seconds=2.5)
    rec.before_run(kernel)
    task = FakeTask(1, "sleeper")
    for _ in range(6):
        step(rec, task)
        rec.task_parked(task)
        kernel.clock.advance(1.0)
        rec.task_woken(task, None, "timer")
    # the last event (a wake) is at 6.0: the events from 3.5 on are kept
    assert [e.time for e in rec.events if e.kind == "step"] == [4.0, 5.0]
    assert min(e.time for e in rec.events) == 4.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(max_events=0), "max_events must be a positive int"),
        (dict(max_events=1.5), "max_events must be a positive int"),
        (dict(max_seconds=0), "max_seconds must be a number of seconds > 0"),
        (dict(path="run.txt"), "name the file *.html"),
    ],
)
def test_bad_arguments_say_what_to_write(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("*", r"\*")):
        Recorder(**kwargs)


def test_trace_argument_resolves_to_an_instrument():
    rec = Recorder()
    assert trace.instrument(rec) is rec
    made = trace.instrument("run.json")
    assert isinstance(made, Recorder) and made.path == "run.json"
    with pytest.raises(TypeError, match="trace= takes a file name"):
        trace.instrument(42)


def test_the_timeline_states_and_arrows(fed):
    timeline = Timeline(fed)
    main, worker = timeline.lanes[1], timeline.lanes[2]
    assert [s.state for s in worker.slices] == ["ready", "running", "waiting", "ready", "running"]
    assert worker.slices[2].info == "sleep 1 s at /app/prog.py:12; woken (timer)"
    assert [s.state for s in main.slices][:4] == ["ready", "running", "waiting", "ready"]
    assert main.slices[2].info == "Channel.recv at /app/prog.py:11; woken by worker (hand-off)"
    assert worker.slices[2].end - worker.slices[2].start >= 1.0  # a virtual second is shown
    assert main.outcome == "failed: ValueError('boom')"
    assert [(f.source, f.target, f.label) for f in timeline.flows] == [(1, 2, "spawn"), (2, 1, "Channel.recv")]
    for flow in timeline.flows:  # each arrow leaves from inside a step of its source
        start, end = timeline.lanes[flow.source].run_at(flow.start)
        assert start <= flow.start <= end


def test_chrome_json_is_valid_trace_event_format(fed, tmp_path):
    path = fed.write(str(tmp_path / "run.json"))
    with open(path) as file:
        data = json.load(file)
    phases = check_chrome_trace(data)
    names = {e["args"]["name"] for e in phases["M"] if e["name"] == "thread_name"}
    assert names == {"main", "worker"}
    assert [e["name"] for e in phases["s"]] == ["spawn", "Channel.recv"]
    assert {e["name"] for e in phases["i"]} >= {"spawned", "returned", "failed"}
    waits = [e for e in phases["X"] if e["cat"] == "waiting"]
    assert {e["name"] for e in waits} == {"Channel.recv", "sleep 1 s"}
    assert all(e["args"]["info"] for e in waits)


def test_html_is_one_self_contained_page(fed, tmp_path):
    task = FakeTask(1, "</script><!--x-->")  # a name that must not end the script element
    fed.clear()
    fed.task_spawned(task, None)
    fed.task_parked(task)
    fed.task_spawned(FakeTask(2, "worker"), None)
    path = fed.write(str(tmp_path / "run.html"), title="a & b")
    text = open(path, encoding="utf-8").read()
    assert text.count("</script>") == 2 and "<!--x" not in text
    assert "<title>a &amp; b</title>" in text
    for external in ("src=", "href=", "http://", "https://", "@import", "url("):
        assert external not in text, external  # no network: everything is inlined
    data = json.loads(text.split('id="trace-data">')[1].split("</script>")[0])
    assert [lane["name"] for lane in data["lanes"]] == ["</script><!--x-->", "worker"]
    assert data["states"] == ["running", "ready", "waiting", "idle"]


def test_an_empty_recorder_writes_both_formats(tmp_path):
    rec = Recorder()
    check_chrome_trace(json.load(open(rec.write(str(tmp_path / "e.json")))))
    assert "trace-data" in open(rec.write(str(tmp_path / "e.html"))).read()
