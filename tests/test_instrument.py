"""The instrumentation hook (HOOK.md): the exact events of small programs, on the virtual clock."""

import re

import pytest

import genlet
from genlet.kernel import Instrument, Kernel, read_wait
from genlet.kernel.errors import describe
from genlet.kernel.lowlevel import describe_wait

from .test_io_wait import pair  # noqa: F401  (a fixture: a non-blocking socket pair)


class Recorder(Instrument):
    """Writes every event down, with the virtual time and task names."""

    def __init__(self, clock=None):
        self.events = []
        self.clock = clock

    def _note(self, *event):
        self.events.append(event)

    def before_run(self, kernel):
        self.clock = kernel.clock
        self._note("before_run")

    def after_run(self, kernel):
        self._note("after_run")

    def task_spawned(self, task, parent):
        self._note("spawned", task.name, parent and parent.name)

    def task_scheduled(self, task, waker, cause):
        self._note("scheduled", task.name, waker and waker.name, cause)

    def before_task_step(self, task):
        self._note("step", task.name, self.clock.now())

    def after_task_step(self, task):
        self._note("stepped", task.name)

    def task_parked(self, task):
        self._note("parked", task.name, describe_wait(task))

    def task_exited(self, task):
        self._note("exited", task.name, task.done())

    def before_io_wait(self, timeout):
        self._note("io_wait", timeout)

    def after_io_wait(self, timeout):
        self._note("io_waited")


def main_ends_by_joining(child):
    """The last events of a run whose main task joins ``child`` and returns."""
    return [
        ("exited", child, True),
        ("scheduled", "main-1", child, "hand-off"),
        ("step", "main-1", ANY_TIME), ("stepped", "main-1"),
        ("exited", "main-1", True),
        ("after_run",),
    ]  # fmt: skip


class _AnyTime:
    def __eq__(self, other):
        return isinstance(other, float)


ANY_TIME = _AnyTime()


def record(main, *args):
    recorder = Recorder()
    result = genlet.run(main, *args, clock=genlet.VirtualClock(), instruments=[recorder])
    return result, recorder.events


def test_spawn_checkpoint_and_exit():
    def child():
        yield
        return 1

    def main():
        task = genlet.spawn(child, name="child")
        return (yield from task.join())

    assert record(main) == (1, [
        ("before_run",),
        ("spawned", "main-1", None),
        ("scheduled", "main-1", None, "spawn"),
        ("step", "main-1", 0.0), ("stepped", "main-1"),
        ("parked", "main-1", "task 'child' to finish"),
        ("spawned", "child", "main-1"),
        ("scheduled", "child", "main-1", "spawn"),
        ("step", "child", 0.0), ("stepped", "child"),
        ("scheduled", "child", "child", "checkpoint"),
        ("step", "child", 0.0), ("stepped", "child"),
    ] + main_ends_by_joining("child"))  # fmt: skip


def sender(channel):
    yield from genlet.sleep(0.5)
    yield from channel.send("hi")


def test_a_hand_off_over_a_channel_and_a_timer():
    def main():
        channel = genlet.Channel()
        genlet.spawn(sender, channel, name="sender")
        return (yield from channel.recv())

    result, events = record(main)
    assert result == "hi"
    events = [tuple(re.sub(r"#\d+", "#N", e) if isinstance(e, str) else e for e in event) for event in events]
    assert events[4:] == [
        ("stepped", "main-1"),
        ("parked", "main-1", "Channel#N(cap=0) recv"),
        ("spawned", "sender", "main-1"),
        ("scheduled", "sender", "main-1", "spawn"),
        ("step", "sender", 0.0), ("stepped", "sender"),
        ("parked", "sender", "sleep 0.5 s"),
        ("scheduled", "sender", None, "timer"),
        ("step", "sender", 0.5), ("stepped", "sender"),
    ] + main_ends_by_joining("sender")  # fmt: skip


def test_cancel_of_a_parked_task():
    def sleeper():
        yield from genlet.sleep(10)

    def main():
        task = genlet.spawn(sleeper, name="sleeper")
        yield
        task.cancel()
        yield from task.wait()

    _, events = record(main)
    assert events[-12:] == [
        ("step", "main-1", 0.0), ("stepped", "main-1"),
        ("parked", "main-1", "task 'sleeper' to finish"),
        ("scheduled", "sleeper", "main-1", "cancel"),
        ("step", "sleeper", 0.0), ("stepped", "sleeper"),
    ] + main_ends_by_joining("sleeper")  # fmt: skip


def test_io_readiness_over_a_socketpair(pair):
    a, b = pair

    def reader():
        yield from read_wait(a)
        return a.recv(10)

    def writer():
        b.send(b"x")
        yield

    def main():
        task = genlet.spawn(reader, name="reader")
        yield
        genlet.spawn(writer, name="writer")
        return (yield from task.join())

    waits_on = "read " + describe(a)  # (the socket's repr, shortened as the task dump does)
    result, events = record(main)
    assert result == b"x"
    assert events == [
        ("before_run",),
        ("spawned", "main-1", None),
        ("scheduled", "main-1", None, "spawn"),
        ("step", "main-1", 0.0), ("stepped", "main-1"),
        ("spawned", "reader", "main-1"),
        ("scheduled", "reader", "main-1", "spawn"),
        ("scheduled", "main-1", "main-1", "checkpoint"),
        ("step", "reader", 0.0), ("stepped", "reader"),
        ("parked", "reader", waits_on),
        ("step", "main-1", 0.0), ("stepped", "main-1"),
        ("parked", "main-1", "task 'reader' to finish"),
        ("spawned", "writer", "main-1"),
        ("scheduled", "writer", "main-1", "spawn"),
        ("step", "writer", 0.0), ("stepped", "writer"),
        ("scheduled", "writer", "writer", "checkpoint"),
        ("scheduled", "reader", None, "io"),  # (a look at the poller between two passes)
        ("step", "writer", 0.0), ("stepped", "writer"),
        ("exited", "writer", True),
        ("step", "reader", 0.0), ("stepped", "reader"),
    ] + main_ends_by_joining("reader")  # fmt: skip


def test_the_kernel_blocking_for_io_is_told(pair):
    a, b = pair

    def reader():
        yield from read_wait(a)

    def main():
        genlet.kernel.current_kernel().call_from_thread(b.send, b"x")  # (from this thread: a call)
        yield from genlet.spawn(reader, name="reader").join()

    _, events = record(main)
    waits = [e for e in events if e[0] in ("io_wait", "io_waited") or e[1:] == ("reader", None, "io")]
    assert waits == [("io_wait", 3600.0), ("io_waited",), ("scheduled", "reader", None, "io")]


def test_a_spawn_that_starts_parked_and_a_failing_instrument_is_removed(caplog):
    class Broken(Instrument):
        def before_task_step(self, task):
            raise ValueError("broken")

    def main():
        genlet.spawn(genlet.sleep, 1)
        yield from genlet.sleep(2)
        return "done"

    recorder, broken = Recorder(), Broken()
    kernel = Kernel(genlet.VirtualClock(), instruments=[broken, recorder])
    assert kernel.run(main) == "done"
    assert "broken" in caplog.text and "removed" in caplog.text
    assert ("spawned", "sleep-2", "main-1") in recorder.events
    index = recorder.events.index(("spawned", "sleep-2", "main-1"))
    assert recorder.events[index + 1] == ("parked", "sleep-2", "sleep 1 s")


def test_added_and_removed_while_running():
    recorder = Recorder()

    def main():
        kernel = genlet.kernel.current_kernel()
        recorder.clock = kernel.clock
        kernel.add_instrument(recorder)
        yield
        kernel.remove_instrument(recorder)
        yield
        return kernel._observers is None and "_run_ready" not in vars(kernel)

    assert genlet.run(main, clock=genlet.VirtualClock()) is True
    # added during a step: told from the next step on; removed during one: told nothing more
    assert recorder.events == [("step", "main-1", 0.0)]


def test_an_embedding_program_steps_with_instruments():
    recorder = Recorder(genlet.VirtualClock())
    kernel = Kernel(recorder.clock, instruments=[recorder])

    def job():
        yield
        return 3

    task = kernel.spawn(job, name="job")
    while not task.done():
        kernel.step()
    assert recorder.events == [
        ("spawned", "job", None), ("scheduled", "job", None, "spawn"),
        ("step", "job", 0.0), ("stepped", "job"), ("scheduled", "job", "job", "checkpoint"),
        ("step", "job", 0.0), ("stepped", "job"), ("exited", "job", True),
    ]  # fmt: skip
    kernel.close()


@pytest.mark.parametrize("installed", [False, True])
def test_results_are_the_same_with_and_without_instruments(installed):
    def worker(i, channel):
        yield from genlet.sleep(i / 10)
        yield from channel.send(i)

    def main():
        channel = genlet.Channel()
        for i in range(5):
            genlet.spawn(worker, 4 - i, channel)
        received = []
        for _ in range(5):
            received.append((yield from channel.recv()))
        return received

    instruments = [Recorder()] if installed else None
    assert genlet.run(main, clock=genlet.VirtualClock(), instruments=instruments) == [0, 1, 2, 3, 4]


class Woken(Instrument):
    """Overrides two events only: the wake-ups and the batches of steps."""

    def __init__(self):
        self.events = []

    def task_woken(self, task, waker, cause):
        self.events.append(("woken", task.name, waker and waker.name, cause))

    def steps_ran(self, tasks, times):
        assert len(times) == len(tasks) + 1 and times == sorted(times)
        self.events.append(("ran",) + tuple(task.name for task in tasks))

    def task_parked(self, task):
        self.events.append(("parked", task.name))


def test_only_the_methods_an_instrument_overrides_are_called(monkeypatch):
    called = []
    for name in ("before_task_step", "after_task_step", "task_scheduled", "task_spawned", "task_exited"):
        monkeypatch.setattr(Instrument, name, lambda self, *args, name=name: called.append(name))

    def main():
        channel = genlet.Channel()
        genlet.spawn(sender, channel, name="sender")
        message = yield from channel.recv()
        yield
        return message

    woken = Woken()
    assert genlet.run(main, clock=genlet.VirtualClock(), instruments=[woken]) == "hi"
    assert called == []  # inherited from Instrument: never called
    assert woken.events == [
        ("ran", "main-1"), ("parked", "main-1"),
        ("ran", "sender"), ("parked", "sender"),
        ("woken", "sender", None, "timer"),
        ("ran", "sender"),  # its send hands main the message, so it is told at once
        ("woken", "main-1", "sender", "hand-off"),
        ("ran", "main-1"), ("ran", "main-1"),  # a checkpoint (its pass's list), then the end
    ]


def test_steps_ran_gets_every_step_in_order():
    def worker(n):
        for _ in range(n):
            yield

    def main():
        for task in [genlet.spawn(worker, n, name="w%d" % n) for n in (1, 2, 3)]:
            yield from task.join()

    woken, recorder = Woken(), Recorder()
    genlet.run(main, clock=genlet.VirtualClock(), instruments=[woken, recorder])
    ran = [name for event in woken.events if event[0] == "ran" for name in event[1:]]
    assert ran == [event[1] for event in recorder.events if event[0] == "step"]


def test_a_no_op_instrument_leaves_the_plain_pass():
    def main():
        kernel = genlet.kernel.current_kernel()
        yield
        return "_run_ready" in vars(kernel), kernel._observers is not None

    assert genlet.run(main, instruments=[Instrument()]) == (False, True)


def test_instruments_added_and_removed_mid_pass_update_the_lists():
    first, second = Recorder(), Recorder()

    def other():
        for _ in range(3):
            yield

    def main():
        kernel = genlet.kernel.current_kernel()
        first.clock = second.clock = kernel.clock
        genlet.spawn(other, name="other")
        yield
        kernel.add_instrument(second)  # (during this pass: told from the next pass on)
        yield
        kernel.remove_instrument(first)  # told nothing more, at once
        yield
        kernel.remove_instrument(second)
        yield
        return "_run_ready" in vars(kernel)

    assert genlet.run(main, clock=genlet.VirtualClock(), instruments=[first]) is False
    steps = [e[1] for e in first.events if e[0] == "step"]
    assert steps == ["main-1", "other", "main-1", "other", "main-1"]
    assert [e[1] for e in second.events if e[0] == "step"] == ["other", "main-1", "other", "main-1"]
    assert second.events[0] == ("step", "other", 0.0)  # (nothing of the step that added it)
    assert first.events[-1] == ("step", "main-1", 0.0)  # (removed during that step)
