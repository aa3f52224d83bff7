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


def test_a_run_that_never_blocks_makes_no_waker(monkeypatch):
    """The waker (a socket pair) is made before the kernel first blocks, not at run()."""
    from genlet.kernel import outside

    made = []
    real = outside.make_waker
    monkeypatch.setattr(outside, "make_waker", lambda: made.append(1) or real())

    def child():
        yield

    def main():
        for task in [genlet.spawn(child) for _ in range(10)]:
            yield from task.join()

    genlet.run(main)
    assert made == []

    def sleeper():
        yield from genlet.sleep(0.001)  # blocks: Ctrl-C must be able to cut it short

    genlet.run(sleeper)
    assert made == [1]


def test_ctrl_c_before_the_waker_is_made_is_not_slept_through():
    """Ctrl-C that comes after the run loop last looked and before the waker exists: the
    kernel must not block (here for LONG seconds) before it notices."""
    kernel = genlet.Kernel()
    restore = kernel._install_sigint()
    try:
        kernel._timers.add(kernel.clock.now() + LONG, object())  # a deadline far off
        kernel._interrupted = True  # as on_sigint leaves it, with no waker to wake
        start = kernel.clock.now()
        kernel._wait_for_events(None)
        assert kernel.clock.now() - start < LONG / 10 and kernel._waker is not None
    finally:
        restore()
        kernel.close()


def test_ctrl_c_whose_python_handler_has_not_run_yet_still_wakes_the_poll():
    """Python runs our SIGINT handler only between bytecodes (PyPy possibly later): a Ctrl-C
    that lands after the run loop last looked at its flag and before ``poll`` begins would be
    slept through (CI saw it under PyPy). The C-level handler runs at once and writes to the
    wakeup descriptor (``signal.set_wakeup_fd``), which the poller watches. Here both
    handlers' effects are made by hand, the C one's byte and the flag; nothing wakes the
    waker."""
    kernel = genlet.Kernel()
    restore = kernel._install_sigint()
    try:
        fd = signal.set_wakeup_fd(-1)
        signal.set_wakeup_fd(fd)
        assert fd != -1, "run() handles Ctrl-C without a wakeup descriptor"
        kernel._make_waker()  # as before the kernel first blocks
        kernel._timers.add(kernel.clock.now() + LONG, object())  # a deadline far off
        kernel._interrupted = True
        os.write(fd, bytes([signal.SIGINT]))
        start = kernel.clock.now()
        kernel._wait_for_events(None)
        assert kernel.clock.now() - start < LONG / 10
    finally:
        restore()
        kernel.close()
    assert signal.set_wakeup_fd(-1) == -1  # and it is given back


def test_an_instrument_that_raises_keyboardinterrupt_at_the_end_still_restores_ctrl_c():
    """KeyboardInterrupt out of the run's last words (an instrument's ``after_run``, which
    the kernel does not catch: only Exceptions are) must not leave genlet's handler in."""

    from genlet.kernel import Instrument

    class Interrupting(Instrument):
        def after_run(self, kernel):
            raise KeyboardInterrupt

    def main():
        yield

    kernel = genlet.Kernel()
    kernel.add_instrument(Interrupting())
    with pytest.raises(KeyboardInterrupt):
        kernel.run(main)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    kernel.close()
