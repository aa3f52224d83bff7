"""Ctrl-C: SIGINT cancels every task (their finally blocks run) and KeyboardInterrupt propagates."""

import os
import signal
import threading

import pytest

import genlet

LONG = 30.0  # a sleep that Ctrl-C must cut short; reached only if the test fails


@pytest.fixture(autouse=True)
def default_sigint():
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    yield
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def run_interrupted(send):
    """Run main with workers; ``send()`` (called by main) arranges the SIGINT. Return the log."""
    log = []

    def worker(n):
        try:
            yield from genlet.sleep(LONG)
        finally:
            log.append("worker %d finally" % n)

    def main():
        for n in range(3):
            genlet.spawn(worker, n)
        yield
        try:
            send()
            yield from genlet.sleep(LONG)
            log.append("main not interrupted")
        finally:
            log.append("main finally")

    with pytest.raises(KeyboardInterrupt):
        genlet.run(main)
    return log


def test_sigint_from_a_task():
    log = run_interrupted(lambda: os.kill(os.getpid(), signal.SIGINT))
    assert sorted(log) == ["main finally", "worker 0 finally", "worker 1 finally", "worker 2 finally"]


def test_sigint_from_a_thread_while_the_kernel_blocks():
    timers = []

    def send():
        timer = threading.Timer(0.005, os.kill, (os.getpid(), signal.SIGINT))
        timers.append(timer)
        timer.start()

    log = run_interrupted(send)
    timers[0].join()
    assert sorted(log) == ["main finally", "worker 0 finally", "worker 1 finally", "worker 2 finally"]


def test_sigint_on_the_virtual_clock_reaches_tasks_in_cleanup():
    """A task whose finally must block (shielded) still gets to finish it."""
    log = []

    def careful():
        try:
            yield from genlet.sleep(LONG)
        finally:
            with genlet.CancelScope(shield=True):
                yield from genlet.sleep(1)
            log.append("careful cleaned up at %r" % genlet.clock())

    def main():
        genlet.spawn(careful)
        yield
        os.kill(os.getpid(), signal.SIGINT)
        yield
        log.append("main not interrupted")

    with pytest.raises(KeyboardInterrupt):
        genlet.run(main, clock=genlet.VirtualClock())
    assert log == ["careful cleaned up at 1.0"]


def test_run_after_an_interrupt_works_normally():
    run_interrupted(lambda: os.kill(os.getpid(), signal.SIGINT))

    def main():
        yield from genlet.sleep(0.001)
        return "fine"

    assert genlet.run(main) == "fine"
