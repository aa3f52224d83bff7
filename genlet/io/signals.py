# genlet/io/signals.py
"""Signals as events a task can wait for: ``signum = yield from signal_wait(SIGTERM, SIGHUP)``.

A Python signal handler runs at an arbitrary point of the main thread, between two bytecodes of
whatever runs there, the kernel included: it must not touch the kernel's queues. So genlet
catches signals the way the C level does:

1. For each signal a task waits for, a do-nothing Python handler is installed (the previous one
   is kept). That makes CPython's C handler catch the signal...
2. ...and ``signal.set_wakeup_fd`` makes that C handler write the signal's number, as one byte,
   into a socket pair.
3. The kernel watches the read end like its own waker (``IOWaits.watch``); between two passes
   it reads the numbers and wakes the tasks waiting for them (each waiter gets the number).

While a task waits for a signal, the kernel's ``external`` counter counts it: a signal may come
from outside at any time, so that is not a deadlock.

When no task waits any more, the previous handlers and wakeup descriptor come back. That is the
job of a small daemon task, the *keeper*, woken when the last waiter leaves. It is woken after
the tasks that got the signal, so it runs after them in the next pass: a task that waits again
at once (``while True: signal_wait(...)``) keeps the handlers installed between two waits. A task that does real work between two waits
(reloading its configuration on SIGHUP) holds them with ``with catch_signals(SIGHUP):``. A
signal that arrives while genlet catches it but no task waits is kept and returned by the next
``signal_wait`` for it; if none comes, it is raised again once the previous handler is back, as
if genlet had never caught it (a SIGTERM still ends the process). At the end of ``genlet.run``
the keeper is cancelled like every task, and restores in its ``finally``.

Ctrl-C: ``genlet.run`` installs its own SIGINT handler (Ctrl-C cancels every task, then raises
``KeyboardInterrupt``). It is left alone unless a task waits for ``SIGINT`` itself; then that
task gets the signal instead, until it stops waiting.

Main thread only (Python runs signal handlers there), CPython and PyPy.
"""

import socket

try:
    from typing import Any, Dict, Generator, List, Optional, Tuple
except ImportError:
    pass

from ..kernel import report
from ..kernel._typing import TYPE_CHECKING
from ..kernel.lowlevel import Failure, completed, current_task, park, parking_task, reschedule

if TYPE_CHECKING:
    from ..kernel.loop import Kernel

_hub = None  # type: Optional[_SignalHub]  # the handlers genlet has installed now, if any


def _caught(signum: int, frame: "Any") -> None:
    """The Python handler genlet installs: the wakeup descriptor has done the work already."""


def _signal_name(signum: int) -> str:
    import signal

    try:
        return signal.Signals(signum).name
    except ValueError:
        return "signal %d" % signum


class _SignalWait:
    """The wait object of a task in ``signal_wait``."""

    __slots__ = ("hub", "task", "signums")

    def __init__(self, hub: "_SignalHub", task: "Any", signums: "Tuple[int, ...]") -> None:
        self.hub = hub
        self.task = task
        self.signums = signums

    def abort(self, task: "Any") -> bool:
        self.hub.leave(self)
        self.hub.release()
        return True

    def describe(self) -> str:
        return "signal %s" % " or ".join(_signal_name(s) for s in self.signums)


class _Keeping:
    """The keeper's wait object: it sleeps until no task waits for a signal."""

    __slots__ = ()

    def abort(self, task: "Any") -> bool:
        return True

    def describe(self) -> str:
        return "the last signal_wait to end (then it restores the signal handlers)"


_KEEPING = _Keeping()


class _SignalHub:
    """The signals genlet catches for one kernel: handlers, the socket pair, who waits."""

    def __init__(self, kernel: "Kernel") -> None:
        import signal

        self.kernel = kernel
        self.waiters = []  # type: List[_SignalWait]
        self.previous = {}  # type: Dict[int, Any]  # signum -> the handler before ours
        self.pending = []  # type: List[int]  # arrived while installed but nobody waited
        self.holders = 0  # catch_signals blocks open
        self.reader, self.writer = socket.socketpair()
        self.reader.setblocking(False)
        self.writer.setblocking(False)
        self.old_wakeup_fd = signal.set_wakeup_fd(self.writer.fileno(), warn_on_full_buffer=False)
        # Discussion: a watched descriptor, like the kernel's waker, does not count as a waiting
        # task: when nobody waits for a signal, it must not keep the kernel from seeing a
        # deadlock.
        kernel.watch_fd(self.reader, self.read_signals)
        self.restored = False
        self.keeper = kernel.spawn(_keep, self, name="genlet-signals", daemon=True)

    def catch(self, signums: "Tuple[int, ...]") -> None:
        """Install genlet's handler for each of ``signums`` not caught yet."""
        import signal

        for signum in signums:
            if signum in self.previous:
                continue
            try:
                self.previous[signum] = signal.signal(signum, _caught)
            except (OSError, ValueError, RuntimeError) as exc:
                raise ValueError("signal_wait: cannot catch %s (%s)" % (_signal_name(signum), exc))

    def join(self, task: "Any", signums: "Tuple[int, ...]") -> _SignalWait:
        wait = _SignalWait(self, task, signums)
        self.waiters.append(wait)
        self.kernel.external += 1
        return wait

    def leave(self, wait: _SignalWait) -> None:
        """``wait`` is over (woken or aborted): stop counting it."""
        self.waiters.remove(wait)
        self.kernel.external -= 1

    def release(self) -> None:
        """Wake the keeper if nothing needs the handlers any more."""
        if not self.waiters and not self.holders and self.keeper.wait_object is _KEEPING:
            reschedule(self.keeper, None)

    def take_pending(self, signums: "Tuple[int, ...]") -> "Optional[int]":
        for signum in self.pending:
            if signum in signums:
                self.pending.remove(signum)
                return signum
        return None

    def read_signals(self) -> None:
        """The kernel calls this when the socket is readable: dispatch each number in it."""
        while True:
            try:
                data = self.reader.recv(512)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return  # closed
            if not data:
                return
            for signum in bytearray(data):
                self.dispatch(signum)

    def dispatch(self, signum: int) -> None:
        if signum not in self.previous:
            return  # a signal somebody else handles (the kernel's Ctrl-C): not ours
        woken = [wait for wait in self.waiters if signum in wait.signums]
        for wait in woken:
            self.leave(wait)
            reschedule(wait.task, signum)
        if woken:
            self.release()  # after the tasks: they run first in the next pass, then the keeper
        else:
            self.pending.append(signum)

    def restore(self) -> None:
        """Put back the previous handlers and wakeup descriptor; re-raise unclaimed signals."""
        global _hub
        import signal

        if self.restored:
            return
        self.restored = True
        if _hub is self:
            _hub = None
        for signum, previous in self.previous.items():
            if signal.getsignal(signum) is _caught:  # unless somebody replaced ours meanwhile
                signal.signal(signum, previous)
        try:
            current = signal.set_wakeup_fd(self.old_wakeup_fd)
        except (OSError, ValueError):  # the old descriptor was closed meanwhile
            current = signal.set_wakeup_fd(-1)
        if current != self.writer.fileno():  # somebody else's now: leave theirs in place
            signal.set_wakeup_fd(current)
        self.read_signals()  # numbers written before the handlers went back, not read yet
        for wait in list(self.waiters):  # only if the keeper was closed by force
            self.leave(wait)
            reschedule(wait.task, Failure(RuntimeError("signal_wait ended: genlet stopped catching signals")))
        self.kernel.unwatch_fd(self.reader)
        self.reader.close()
        self.writer.close()
        for signum in self.pending:
            # Discussion: nobody claimed it, so it gets what it would have got without genlet.
            report.warning("%s arrived while no task waited for it; raising it again" % _signal_name(signum))
            signal.raise_signal(signum)
        self.pending = []


def _keep(hub: _SignalHub) -> "Generator[Any, Any, None]":
    """The keeper task: restores the handlers once nothing needs them (see the module docstring)."""
    task = current_task()
    try:
        while hub.waiters or hub.holders:
            yield from park(task, _KEEPING)
    finally:
        hub.restore()


def _hub_for(kernel: "Kernel") -> _SignalHub:
    global _hub
    import threading

    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError(
            "genlet catches signals only in the main thread, where Python runs signal handlers; "
            "this kernel runs in thread %r" % threading.current_thread().name
        )
    if _hub is not None and _hub.kernel is not kernel:
        _hub.restore()  # left behind by a kernel that was stopped by force
    if _hub is None:
        _hub = _SignalHub(kernel)
    return _hub


class catch_signals:
    """``with catch_signals(SIGHUP):`` keep catching these signals for the whole block.

    Inside, a signal that arrives while no task waits for it is kept, and the next
    ``signal_wait`` for it returns at once: nothing gets its default action between two waits.
    Signals still unclaimed when the last block ends are raised again for the previous
    handlers. A plain ``with`` (no ``yield`` needed), in a task, in the main thread.
    """

    def __init__(self, *signums: int) -> None:
        if not signums:
            raise TypeError("catch_signals() needs at least one signal, e.g. catch_signals(signal.SIGHUP)")
        self.signums = tuple(_check_signum(s) for s in signums)
        self._hub = None  # type: Optional[_SignalHub]

    def __enter__(self) -> "catch_signals":
        if self._hub is not None:
            raise RuntimeError("a catch_signals block can be entered only once; make a new one")
        hub = _hub_for(current_task().kernel)
        hub.catch(self.signums)
        hub.holders += 1
        self._hub = hub
        return self

    def __exit__(self, *exc_info: "Any") -> None:
        hub = self._hub
        if hub is not None and not hub.restored:
            hub.holders -= 1
            hub.release()


def _check_signum(signum: "Any") -> int:
    import signal

    if isinstance(signum, bool) or not isinstance(signum, int):
        raise TypeError("signal_wait takes signal numbers such as signal.SIGTERM, got %r" % (signum,))
    if signum not in signal.valid_signals():
        raise ValueError("signal_wait: %r is not a signal number on this system" % (signum,))
    if signum in (getattr(signal, "SIGKILL", None), getattr(signal, "SIGSTOP", None)):
        raise ValueError("signal_wait: %s cannot be caught by any program" % _signal_name(signum))
    return int(signum)


def signal_wait(*signums: int) -> "Generator[Any, Any, int]":
    """``signum = yield from signal_wait(signal.SIGTERM, ...)``: wait for one of the signals.

    Returns the number of the signal that arrived. Main thread only. While a task waits, genlet
    catches these signals; when none waits any more, the previous handlers are back.
    """
    if not signums:
        raise TypeError("signal_wait() needs at least one signal, e.g. signal_wait(signal.SIGTERM)")
    numbers = tuple(_check_signum(s) for s in signums)
    task = parking_task()
    hub = _hub_for(task.kernel)
    arrived = hub.take_pending(numbers)
    if arrived is not None:
        return completed(arrived)
    hub.catch(numbers)
    return park(task, hub.join(task, numbers))  # type: ignore[no-any-return]
