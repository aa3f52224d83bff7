"""genlet.ps() and the accounting behind its columns (genlet/monitor/accounting.py)."""

import io

import pytest

import genlet
from genlet.kernel.lowlevel import Instrument
from genlet.monitor import Accounting, accounting, rows


def _scene(report):
    """main spawns a sleeper and a receiver, lets time pass, then calls report()."""

    def sleeper():
        yield
        yield
        yield from genlet.sleep(10)

    def receiver(ch):
        yield from ch.recv()

    def main():
        ch = genlet.Channel()
        genlet.spawn(sleeper, name="sleeper")
        genlet.spawn(receiver, ch, name="receiver")
        yield from genlet.sleep(2)
        return report()

    return main


def test_ps_prints_the_tasks_and_says_the_accounting_columns_are_not_recorded():
    out = io.StringIO()
    found = genlet.run(_scene(lambda: genlet.ps(file=out)), clock=genlet.VirtualClock())
    text = out.getvalue()
    assert [(r.id, r.name, r.state) for r in found] == [
        (1, "main-1", "RUNNING"), (2, "sleeper", "WAITING"), (3, "receiver", "WAITING")
    ]  # fmt: skip
    assert found[2].waiting_on and "Channel" in found[2].waiting_on
    assert all(r.steps is None and r.cpu is None and r.since is None for r in found)
    assert "STEPS" not in text and "0 us" not in text  # no zeros where nothing was counted
    assert "not recorded" in text and "monitor=True" in text
    assert "receiver" in text and "Channel" in text


def test_ps_with_the_accounting_counts_steps_and_says_for_how_long():
    account = Accounting()
    out = io.StringIO()
    found, steps = genlet.run(
        _scene(lambda: (genlet.ps(file=out), account.steps)), clock=genlet.VirtualClock(), instruments=[account]
    )
    main, sleeper, receiver = found
    assert (sleeper.steps, receiver.steps, main.steps) == (3, 1, 1)  # main is in its second step
    assert sleeper.since == receiver.since == 2.0  # parked at 0, asked at 2 (virtual clock)
    assert main.since is None and main.cpu >= 0
    assert sleeper.cpu > 0
    text = out.getvalue()
    assert "STEPS" in text and "2.00 s" in text and "not recorded" not in text
    assert steps == 5  # every step so far, of every task
    assert account.records == {}  # finished tasks are forgotten


def test_accounting_started_from_a_task_counts_from_then_on():
    def main():
        account = accounting()
        assert accounting() is account  # one per kernel
        yield
        yield
        return rows()

    found = genlet.run(main, instruments=[Instrument()])  # (so the pass that turns it on is instrumented)
    assert found[0].steps == 1  # the step that turned it on is not counted (it saw no start),
    # the one that asks is not over: the second step
    assert found[0].cpu < 1.0  # (was: hours, the time since the clock's epoch)


def test_ps_outside_a_kernel_says_how_to_call_it():
    with pytest.raises(RuntimeError, match=r"call it from a task, or pass the kernel: genlet.ps\(kernel\)"):
        genlet.ps()


def test_ps_of_a_kernel_from_outside_it():
    kernel = genlet.Kernel(clock=genlet.VirtualClock())

    def napper():
        yield from genlet.sleep(5)

    kernel.spawn(napper, name="napper")
    out = io.StringIO()
    found = genlet.ps(kernel, file=out)
    assert [(r.name, r.state) for r in found] == [("napper", "READY")]
    assert "napper" in out.getvalue()

    def main():
        yield

    kernel.run(main)
