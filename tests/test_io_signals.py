"""genlet.io.signals: signal_wait through signal.set_wakeup_fd, and handlers put back."""

import os
import signal
import threading

import pytest

import genlet
import genlet.io
from genlet.kernel import current_kernel

from .helpers import vrun

WAIT = 5.0


@pytest.fixture(autouse=True)
def signals_untouched():
    """Every test leaves the handlers and the wakeup descriptor as it found them."""
    before = {s: signal.getsignal(s) for s in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGINT)}
    yield
    after = {s: signal.getsignal(s) for s in before}
    fd = signal.set_wakeup_fd(-1)
    assert (after, fd) == (before, -1)


def kill_soon(signum, delay=0.002):
    """Send ``signum`` to this process from a task, after a little while."""

    def sender():
        yield from genlet.sleep(delay)
        os.kill(os.getpid(), signum)

    return genlet.spawn(sender)


def test_signal_sent_from_a_task():
    def main():
        sender = kill_soon(signal.SIGUSR1)
        signum = yield from genlet.io.signal_wait(signal.SIGUSR1)
        yield from sender.join()
        return signum

    assert genlet.run(main) == signal.SIGUSR1


def test_signal_sent_from_a_thread_returns_the_one_that_came():
    def main():
        killer = genlet.spawn(genlet.io.run_in_thread, os.kill, os.getpid(), signal.SIGUSR2)
        signum = yield from genlet.io.signal_wait(signal.SIGUSR1, signal.SIGUSR2)
        yield from killer.join()
        return signum

    assert genlet.run(main) == signal.SIGUSR2


def test_waiting_counts_as_external_and_is_no_deadlock():
    """Only a signal can wake main, sent by a thread the kernel knows nothing about."""
    observed = []

    def main():
        def look():
            observed.append(current_kernel().external)
            yield

        genlet.spawn(look)
        timer = threading.Timer(0.005, os.kill, (os.getpid(), signal.SIGUSR1))
        timer.start()
        signum = yield from genlet.io.signal_wait(signal.SIGUSR1)
        timer.join(WAIT)
        return signum, current_kernel().external

    assert genlet.run(main) == (signal.SIGUSR1, 0)
    assert observed == [1]


def test_every_waiter_of_a_signal_gets_it():
    def waiter():
        return (yield from genlet.io.signal_wait(signal.SIGUSR1))

    def main():
        waiters = [genlet.spawn(waiter) for _ in range(3)]
        yield
        kill_soon(signal.SIGUSR1)
        got = []
        for w in waiters:
            got.append((yield from w.join()))
        return got

    assert genlet.run(main) == [signal.SIGUSR1] * 3


def test_a_task_waiting_again_at_once_misses_nothing():
    """Handlers stay installed between two waits: otherwise SIGUSR1 would end the process."""

    def sender():
        for _ in range(5):
            os.kill(os.getpid(), signal.SIGUSR1)
            yield
            os.kill(os.getpid(), signal.SIGUSR1)  # two at once: the second one waits its turn
            yield from genlet.sleep(0.001)

    def main():
        task = genlet.spawn(sender)
        got = []
        with genlet.fail_after(WAIT):
            while len(got) < 10:
                got.append((yield from genlet.io.signal_wait(signal.SIGUSR1)))
        yield from task.join()
        return got

    assert genlet.run(main) == [signal.SIGUSR1] * 10


def test_catch_signals_keeps_catching_while_the_task_works_between_waits():
    def sender():
        for _ in range(5):
            yield
            os.kill(os.getpid(), signal.SIGUSR1)

    def main():
        got = []
        with genlet.io.catch_signals(signal.SIGUSR1):
            task = genlet.spawn(sender)
            with genlet.fail_after(WAIT):
                while len(got) < 5:
                    got.append((yield from genlet.io.signal_wait(signal.SIGUSR1)))
                    for _ in range(3):  # work that spans passes, while signals keep coming
                        yield
            assert signal.getsignal(signal.SIGUSR1) is not signal.SIG_DFL
        yield from task.join()
        for _ in range(3):
            yield
        return got, signal.getsignal(signal.SIGUSR1)

    assert genlet.run(main) == ([signal.SIGUSR1] * 5, signal.SIG_DFL)


def test_handlers_stay_for_the_woken_task_and_go_once_nobody_waits():
    def main():
        kill_soon(signal.SIGUSR1)
        yield from genlet.io.signal_wait(signal.SIGUSR1)
        during = signal.getsignal(signal.SIGUSR1)  # a task that waits again now loses nothing
        yield
        return during, signal.getsignal(signal.SIGUSR1)

    during, after = genlet.run(main)
    assert during not in (signal.SIG_DFL, signal.SIG_IGN, None)
    assert after == signal.SIG_DFL


def test_cancelled_wait_restores_handlers_on_the_virtual_clock():
    def main():
        with genlet.move_on_after(30) as scope:
            yield from genlet.io.signal_wait(signal.SIGUSR1)
        return scope.cancelled_caught, genlet.clock()

    assert vrun(main) == (True, 30.0)


def test_an_unclaimed_signal_is_raised_again_for_the_previous_handler():
    received = []
    previous = signal.signal(signal.SIGUSR1, lambda signum, frame: received.append(signum))
    try:

        def main():
            kill_soon(signal.SIGUSR1)
            yield from genlet.io.signal_wait(signal.SIGUSR1)
            os.kill(os.getpid(), signal.SIGUSR1)  # caught by genlet, and nobody waits now
            for _ in range(3):
                yield
            return list(received)

        assert genlet.run(main) == [signal.SIGUSR1]
        assert received == [signal.SIGUSR1]
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_waiting_for_sigint_takes_ctrl_c_until_the_wait_ends():
    finished = []

    def main():
        kill_soon(signal.SIGINT)
        first = yield from genlet.io.signal_wait(signal.SIGINT)
        finished.append(first)
        try:
            kill_soon(signal.SIGINT)  # nobody waits for it now: Ctrl-C cancels everything
            yield from genlet.sleep(WAIT)
        finally:
            finished.append("finally")

    with pytest.raises(KeyboardInterrupt):
        genlet.run(main)
    assert finished == [signal.SIGINT, "finally"]


def test_errors_are_explained():
    with pytest.raises(TypeError, match="at least one signal"):
        genlet.io.signal_wait()
    with pytest.raises(TypeError, match="signal numbers"):
        genlet.io.signal_wait("SIGTERM")
    with pytest.raises(ValueError, match="cannot be caught"):
        genlet.io.signal_wait(signal.SIGKILL)
    with pytest.raises(ValueError, match="not a signal number"):
        genlet.io.signal_wait(100000)
    with pytest.raises(RuntimeError, match="no genlet kernel is running"):
        genlet.io.signal_wait(signal.SIGUSR1)
    with pytest.raises(TypeError, match="at least one signal"):
        genlet.io.catch_signals()

    errors = []

    def in_thread():
        def main():
            yield from genlet.io.signal_wait(signal.SIGUSR1)

        try:
            genlet.run(main)
        except RuntimeError as exc:
            errors.append(str(exc))

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join(WAIT)
    assert errors and "only in the main thread" in errors[0]
