"""Adversarial kernel tests: races between wake-ups, cancels, timeouts and shutdown.

Each test here failed before the fix it names; together they pin the corners of the contract
(issue 2, docs/kernel.md) that the happy-path tests do not reach.
"""

import logging

import pytest

import genlet
from genlet.kernel import park, reschedule
from genlet.kernel.traps import parking_task

from .helpers import vrun


def swallow_forever(trace):
    """A task that catches every Cancelled at a bare `yield` (closed by force at shutdown)."""
    try:
        while True:
            try:
                yield
            except genlet.Cancelled:
                trace.append("swallowed")
    finally:
        trace.append("swallower finally")


# -- shutdown ------------------------------------------------------------------------------------


def test_closing_a_ready_swallower_does_not_lose_the_other_tasks(caplog):
    """A task closed by force while it sat in the ready list was resumed once more after it
    finished, and finishing it twice unlinked it twice: the other tasks fell out of the kernel
    and their `finally` blocks never ran."""
    trace = []

    def shielded():
        try:
            with genlet.CancelScope(shield=True):
                yield from genlet.sleep(1)
                trace.append("shield done")
        finally:
            trace.append("shielded finally")

    def main():
        genlet.spawn(shielded)
        genlet.spawn(swallow_forever, trace)
        yield

    kernel = genlet.Kernel(clock=genlet.VirtualClock())
    with caplog.at_level(logging.WARNING, logger="genlet"):
        kernel.run(main)
    assert "shield done" in trace and "shielded finally" in trace and "swallower finally" in trace
    assert kernel.tasks() == [] and kernel._count == 0
    assert not any("AttributeError" in r.getMessage() or r.exc_info for r in caplog.records)
