"""The slow-step detector (genlet/monitor/slow.py): real time, about a second in all."""

import logging
import re
import time

import pytest

import genlet
from genlet.monitor import SlowSteps, slow


def _line_of(fn, text):
    """The line number of the line of ``fn``'s source that contains ``text``."""
    import inspect

    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, line in enumerate(lines) if text in line)


def _reports(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "genlet" and "slow step" in r.getMessage()]


def _held(message):
    value, unit = re.search(r"held the kernel for ([\d.]+) (ms|s)", message).groups()
    return float(value) / (1000.0 if unit == "ms" else 1.0)


def sleepy():
    yield
    time.sleep(0.3)  # the line the report must name
    yield


def busy():
    yield
    end = time.perf_counter() + 0.25
    while time.perf_counter() < end:  # the loop the report must name
        pass
    yield


def test_a_sleep_in_a_task_is_named_with_its_own_line_while_it_sleeps(caplog):
    caplog.set_level(logging.WARNING, logger="genlet")
    genlet.run(sleepy, slow_step=0.05)
    [message] = _reports(caplog)
    assert "task 'sleepy-1' held the kernel for" in message
    assert 0.29 <= _held(message) < 5  # measured, not the threshold
    assert "slow_step=50.0 ms" in message
    assert "into the step) it was at:" in message  # sampled by the watchdog, during the step
    assert 'line %d, in sleepy' % _line_of(sleepy, "time.sleep(0.3)") in message
    assert "time.sleep(0.3)  # the line the report must name" in message
    assert "use its genlet version" in message


def test_a_busy_loop_is_named_too(caplog):
    caplog.set_level(logging.WARNING, logger="genlet")
    genlet.run(busy, slow_step=0.05)
    [message] = _reports(caplog)
    assert "task 'busy-1'" in message and _held(message) >= 0.24
    lines = {_line_of(busy, "while time.perf_counter() < end"), _line_of(busy, "pass")}
    assert any("line %d, in busy" % line in message for line in lines), message


def test_without_the_watchdog_the_report_says_where_it_yielded(caplog):
    caplog.set_level(logging.WARNING, logger="genlet")
    genlet.run(sleepy, instruments=[SlowSteps(0.05, watchdog=False)])
    [message] = _reports(caplog)
    assert "it yielded at:" in message
    assert "line %d, in sleepy" % (_line_of(sleepy, "time.sleep(0.3)") + 1) in message


def test_a_step_still_running_is_reported_while_it_runs(caplog, monkeypatch):
    monkeypatch.setattr(slow, "STILL", 0.2)
    caplog.set_level(logging.WARNING, logger="genlet")
    genlet.run(sleepy, slow_step=0.02)
    still, done = _reports(caplog)
    assert "has held the kernel for" in still and "so far" in still and "still does" in still
    assert "time.sleep(0.3)" in still
    assert "held the kernel for" in done


def test_quick_steps_are_not_reported_and_cost_no_thread_when_off(caplog):
    caplog.set_level(logging.WARNING, logger="genlet")

    def main():
        for _ in range(100):
            yield
        yield from genlet.sleep(0.01)

    genlet.run(main, slow_step=0.5)
    assert _reports(caplog) == []


def test_the_environment_variable_turns_it_on(caplog, monkeypatch):
    monkeypatch.setenv("GENLET_SLOW_STEP", "0.05")
    caplog.set_level(logging.WARNING, logger="genlet")
    genlet.run(sleepy)
    assert len(_reports(caplog)) == 1


@pytest.mark.parametrize("bad", [0, -1, "abc", True, float("nan"), float("inf"), None])
def test_a_bad_threshold_says_what_is_expected(bad):
    with pytest.raises(ValueError, match=r"a number above 0, e\.g\. 0\.05; got"):
        SlowSteps(bad)


def test_a_bad_environment_value_says_where_it_came_from(monkeypatch):
    monkeypatch.setenv("GENLET_SLOW_STEP", "fast")
    with pytest.raises(ValueError, match=r"GENLET_SLOW_STEP.*got 'fast'"):
        genlet.Kernel()


def test_a_step_that_finished_the_task_says_so_without_the_watchdog(caplog):
    caplog.set_level(logging.WARNING, logger="genlet")

    def last():
        yield
        time.sleep(0.06)

    genlet.run(last, instruments=[SlowSteps(0.05, watchdog=False)])
    [message] = _reports(caplog)
    assert "task 'last-1' held the kernel" in message and "it finished in that step" in message


def test_the_portable_script_passes_under_cpython():
    """tests/mpy/check_slow_step.py is what MicroPython runs; keep it honest here too."""
    import os
    import runpy

    path = os.path.join(os.path.dirname(__file__), "mpy", "check_slow_step.py")
    runpy.run_path(path, run_name="check_slow_step")["check"]()
