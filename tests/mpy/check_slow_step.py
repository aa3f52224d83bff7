"""The slow-step detector and genlet.ps() on any interpreter: a plain script, no pytest.

Run from the repository root:
    MICROPYPATH=. micropython tests/mpy/check_slow_step.py   (unix port; MPY_BACKEND=wasm too)
    python3 tests/mpy/check_slow_step.py                       (CPython; also run by pytest)
Prints "slow steps: ok" at the end; any failure raises.
"""

import io
import sys
import time

if "genlet" not in sys.modules:
    sys.path.insert(0, ".")  # run from the repository root: genlet/ is there

import genlet  # noqa: E402
from genlet.monitor import SlowSteps, accounting  # noqa: E402


def blocker():
    yield
    time.sleep(0.1)  # holds the kernel: reported
    yield


def a_blocking_step_is_reported():
    detector = SlowSteps(0.05)
    genlet.run(blocker, instruments=[detector])
    assert detector.reported == 1, detector.reported


def quick_steps_are_not():
    detector = SlowSteps(0.05)

    def main():
        for _ in range(10):
            yield

    genlet.run(main, instruments=[detector])
    assert detector.reported == 0, detector.reported


def ps_counts_steps():
    def worker(inbox):
        yield from inbox.recv()

    def main():
        accounting()
        inbox = genlet.Channel()
        helper = genlet.spawn(worker, inbox, name="worker")
        yield from genlet.sleep(1.5)
        out = io.StringIO()
        rows = genlet.ps(file=out)
        assert "worker" in out.getvalue() and "STEPS" in out.getvalue(), out.getvalue()
        yield from inbox.send("hello")
        yield from helper.join()
        return rows

    rows = genlet.run(main, clock=genlet.VirtualClock())
    assert [(row.name, row.steps, row.since) for row in rows][1] == ("worker", 1, 1.5), rows


def check():
    a_blocking_step_is_reported()
    quick_steps_are_not()
    ps_counts_steps()


if __name__ == "__main__":
    check()
    print("slow steps: ok")
