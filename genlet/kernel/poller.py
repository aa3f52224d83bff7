# genlet/kernel/poller.py
"""Waiting on file descriptors: the poller, the waker, and the table of IO waits.

Three small pieces, each behind an interface so that an interpreter without one gets a
stand-in and the run loop never knows:

- a **poller** (``EpollPoller``, ``PollPoller``, ``SelectPoller``, ``NullPoller``):
  ``register / modify / unregister(key, fileobj, mask)``, ``poll(timeout)`` returning
  ``(key, events)`` pairs in poll's bits (``POLLIN``, ``POLLOUT``, ``POLLERR``, ``POLLHUP``);
- a **waker**: a socket pair whose read end the poller watches, so that another thread (or a
  signal handler) can interrupt a kernel blocked in ``poll``; None where the interpreter has no
  ``socketpair``;
- **IOWaits**: which task waits to read or write which descriptor (one reader and one writer
  each, as in curio), and which interest the poller currently holds.

``best_poller()`` chooses by feature: epoll, then poll, then select, then none.

Discussion: registering and unregistering a descriptor around every wait costs two system calls
per wait with epoll. So when a waiter leaves, its interest stays registered; a task that waits
on the same socket object again (the usual loop: recv, wait, recv) pays nothing. An interest
nobody waits for is dropped the first time the poller reports it, so a stale registration
costs at most one spurious wake-up.
"""

try:
    import select as _select
except ImportError:  # a port without select: no IO, timers only
    _select = None  # type: ignore[assignment]

import errno
import time

try:
    from typing import Any, Dict, List, Optional, Tuple
except ImportError:
    pass

from .errors import describe as _describe

READ = 1
WRITE = 2

_IN, _OUT, _ERR, _HUP = 1, 4, 8, 16  # the same bits for poll and epoll on every Unix
_NVAL = 32  # poll's "not an open file"; no epoll event uses this bit
# Discussion: POLLERR, POLLHUP and POLLNVAL come whether asked for or not, and keep coming until
# the file is unregistered (MicroPython's poll reports POLLNVAL for a socket closed while still
# registered). So each one counts as both readable and writable: a waiter wakes and meets the
# error in its own recv/send, and an interest nobody waits for is dropped, so nothing spins.
_FAILED = _ERR | _HUP | _NVAL
_DIRECTIONS = ((READ, _IN | _FAILED), (WRITE, _OUT | _FAILED))  # what wakes a reader, a writer


def _fd_of(fileobj: "Any") -> int:
    fd = fileobj if isinstance(fileobj, int) else fileobj.fileno()
    if fd < 0:
        raise OSError(errno.EBADF, "cannot wait on a closed file (%s)" % _describe(fileobj))
    return fd


class _PollerBase:
    """Mask conversion shared by the pollers: kernel READ/WRITE <-> poll bits."""

    def key(self, fileobj: "Any") -> "Any":
        return _fd_of(fileobj)

    def _bits(self, mask: int) -> int:
        return (_IN if mask & READ else 0) | (_OUT if mask & WRITE else 0)

    def fileno(self) -> "Optional[int]":
        return None

    def close(self) -> None:
        pass


class EpollPoller(_PollerBase):
    name = "epoll"

    def __init__(self) -> None:
        self._epoll = _select.epoll()

    def register(self, key: "Any", fileobj: "Any", mask: int) -> None:
        try:
            self._epoll.register(key, self._bits(mask))
        except FileExistsError:  # registered under a previous file object with this number
            self._epoll.modify(key, self._bits(mask))

    def modify(self, key: "Any", fileobj: "Any", mask: int) -> None:
        try:
            self._epoll.modify(key, self._bits(mask))
        except FileNotFoundError:  # the kernel dropped it when the old file was closed
            self._epoll.register(key, self._bits(mask))

    def unregister(self, key: "Any", fileobj: "Any") -> None:
        try:
            self._epoll.unregister(key)
        except (OSError, ValueError):  # already closed: epoll forgot it by itself
            pass

    def poll(self, timeout: "Optional[float]") -> "List[Tuple[Any, int]]":
        return self._epoll.poll(-1 if timeout is None else timeout)

    def fileno(self) -> "Optional[int]":
        return self._epoll.fileno()

    def close(self) -> None:
        self._epoll.close()


class PollPoller(_PollerBase):
    """``select.poll``; on MicroPython it takes the file objects themselves."""

    name = "poll"

    def __init__(self, by_object: bool = False) -> None:
        self._poll = _select.poll()
        self._by_object = by_object

    def key(self, fileobj: "Any") -> "Any":
        if self._by_object and not isinstance(fileobj, int):
            return fileobj
        return _fd_of(fileobj)

    def register(self, key: "Any", fileobj: "Any", mask: int) -> None:
        self._poll.register(key, self._bits(mask))

    def modify(self, key: "Any", fileobj: "Any", mask: int) -> None:
        self._poll.register(key, self._bits(mask))

    def unregister(self, key: "Any", fileobj: "Any") -> None:
        try:
            self._poll.unregister(key)
        except (KeyError, OSError, ValueError):
            pass

    def poll(self, timeout: "Optional[float]") -> "List[Tuple[Any, int]]":
        millis = -1
        if timeout is not None:
            # Discussion: round up, as epoll does. A deadline a hair away (1e-17 s: float
            # rounding between the clock and the deadline) must wait a millisecond, not 0,
            # or the loop would poll, find the deadline not due, and poll again until the
            # clock ticks.
            millis = int(timeout * 1000)
            if millis < timeout * 1000:
                millis += 1
        return [(entry[0], entry[1]) for entry in self._poll.poll(millis)]


class SelectPoller(_PollerBase):
    name = "select"

    def __init__(self) -> None:
        self._readers = set()  # type: Any
        self._writers = set()  # type: Any

    def register(self, key: "Any", fileobj: "Any", mask: int) -> None:
        self.modify(key, fileobj, mask)

    def modify(self, key: "Any", fileobj: "Any", mask: int) -> None:
        (self._readers.add if mask & READ else self._readers.discard)(key)
        (self._writers.add if mask & WRITE else self._writers.discard)(key)

    def unregister(self, key: "Any", fileobj: "Any") -> None:
        self._readers.discard(key)
        self._writers.discard(key)

    def poll(self, timeout: "Optional[float]") -> "List[Tuple[Any, int]]":
        if not self._readers and not self._writers:
            if timeout is None:
                raise RuntimeError("poll(None) with nothing registered would block forever")
            time.sleep(timeout)
            return []
        try:
            r, w, _ = _select.select(self._readers, self._writers, [], timeout)
        except OSError:
            # Discussion: one file closed while still registered makes select fail as a
            # whole (EBADF). Report the closed ones as POLLNVAL (their waiters wake, idle
            # interests are dropped), the way poll would. A descriptor select cannot take at all
            # (1024 and above: ValueError) is not a closed file: that error goes out as it is.
            closed = [key for key in self._readers | self._writers if not self._is_open(key)]
            if not closed:
                raise
            return [(key, _NVAL) for key in closed]
        events = {}  # type: Dict[Any, int]
        for key in r:
            events[key] = _IN
        for key in w:
            events[key] = events.get(key, 0) | _OUT
        return list(events.items())

    def _is_open(self, key: "Any") -> bool:
        try:
            _select.select([key], [], [], 0)
        except OSError:
            return False
        return True


class NullPoller(_PollerBase):
    """No IO at all (a port without ``select``): timers and tasks only."""

    name = "none"

    def register(self, key: "Any", fileobj: "Any", mask: int) -> None:
        raise OSError(errno.EOPNOTSUPP, "this interpreter cannot wait on files (no select module)")

    modify = register

    def unregister(self, key: "Any", fileobj: "Any") -> None:
        pass

    def poll(self, timeout: "Optional[float]") -> "List[Tuple[Any, int]]":
        if timeout is None:
            raise RuntimeError("poll(None) with nothing registered would block forever")
        if timeout > 0:
            time.sleep(timeout)
        return []


def best_poller() -> "Any":
    """The best poller this interpreter has: chosen by feature, not by name."""
    if _select is None:
        return NullPoller()
    if hasattr(_select, "epoll"):
        return EpollPoller()
    if hasattr(_select, "poll"):
        import sys

        return PollPoller(by_object=sys.implementation.name == "micropython")
    if hasattr(_select, "select"):
        return SelectPoller()
    return NullPoller()


class Waker:
    """A socket pair: ``wake()`` from any thread or a signal handler interrupts ``poll``."""

    def __init__(self) -> None:
        import socket

        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)

    def fileno(self) -> int:
        return self._reader.fileno()

    def wake(self) -> None:
        try:
            self._writer.send(b"\0")
        except OSError:  # the pipe is full, so a wake-up is pending already; or closed
            pass

    def drain(self) -> None:
        try:
            while self._reader.recv(4096):
                pass
        except OSError:
            pass

    def close(self) -> None:
        self._reader.close()
        self._writer.close()


def make_waker() -> "Optional[Waker]":
    """A Waker, or None where the interpreter has no ``socket.socketpair``."""
    try:
        import socket
    except ImportError:
        return None
    if not hasattr(socket, "socketpair"):
        return None
    return Waker()


class IOWait:
    """The wait object of a task parked on a descriptor (see ``traps``)."""

    __slots__ = ("io", "key", "event", "task", "fileobj")

    def __init__(self, io: "IOWaits", key: "Any", event: int, task: "Any", fileobj: "Any") -> None:
        self.io = io
        self.key = key
        self.event = event
        self.task = task
        self.fileobj = fileobj

    def abort(self, task: "Any") -> bool:
        self.io.forget(self)
        return True

    def describe(self) -> str:
        return "%s %s" % ("read" if self.event == READ else "write", _describe(self.fileobj))


class IOWaits:
    """Who waits on which descriptor, and what the poller has registered."""

    def __init__(self, poller: "Any") -> None:
        self.poller = poller
        self._waits = {}  # type: Dict[Any, List[Optional[IOWait]]]  # key -> [reader, writer]
        self._registered = {}  # type: Dict[Any, Tuple[int, Any]]  # key -> (mask, fileobj)
        self._watched = {}  # type: Dict[Any, Any]  # key -> callback: the kernel's own readers
        self.count = 0  # tasks waiting

    def watch(self, fileobj: "Any", callback: "Any") -> None:
        """Call ``callback()`` whenever ``fileobj`` is readable (the kernel's waker)."""
        key = self.poller.key(fileobj)
        if key not in self._watched:  # (watched already: only the callback changes)
            self.poller.register(key, fileobj, READ)
        self._watched[key] = callback

    def unwatch(self, fileobj: "Any") -> None:
        key = self.poller.key(fileobj)
        if self._watched.pop(key, None) is not None:
            self.poller.unregister(key, fileobj)

    def add(self, task: "Any", fileobj: "Any", event: int) -> IOWait:
        key = self.poller.key(fileobj)
        slot = self._waits.get(key)
        if slot is None:
            slot = self._waits[key] = [None, None]
        other = slot[event - 1]
        if other is not None:
            verb = "read" if event == READ else "write"
            raise RuntimeError(
                "task %r wants to %s %s, but task %r is already waiting to %s it: one reader and "
                "one writer per descriptor (give each connection its own task, or use a lock)"
                % (task.name, verb, _describe(fileobj), other.task.name, verb)
            )
        wait = IOWait(self, key, event, task, fileobj)
        self._set_interest(key, fileobj, event)
        slot[event - 1] = wait
        self.count += 1
        return wait

    def _set_interest(self, key: "Any", fileobj: "Any", event: int) -> None:
        mask, registered_for = self._registered.get(key, (0, None))
        if registered_for is fileobj and mask & event:
            return  # still registered from the last wait on this very object (see Discussion)
        new = (mask | event) if registered_for is fileobj else event
        if self._waits[key][2 - event] is not None:  # the other direction is being waited on
            new |= READ | WRITE
        if mask:
            self.poller.modify(key, fileobj, new)
        else:
            self.poller.register(key, fileobj, new)
        self._registered[key] = (new, fileobj)

    def forget(self, wait: IOWait) -> None:
        """Remove a wait (aborted, or woken); the poller interest stays until it fires idle."""
        slot = self._waits.get(wait.key)
        if slot is not None and slot[wait.event - 1] is wait:
            slot[wait.event - 1] = None
            self.count -= 1
            if slot[0] is None and slot[1] is None:
                del self._waits[wait.key]
            if isinstance(wait.fileobj, int):  # a bare number may be reused: never keep it
                self._drop_interest(wait.key, READ | WRITE)

    def _drop_interest(self, key: "Any", events: int) -> None:
        mask, fileobj = self._registered.get(key, (0, None))
        new = mask & ~events
        if new == mask:
            return
        if new:
            self.poller.modify(key, fileobj, new)
            self._registered[key] = (new, fileobj)
        else:
            self.poller.unregister(key, fileobj)
            del self._registered[key]

    def poll(self, timeout: "Optional[float]", wake: "Any") -> int:
        """Wait up to ``timeout`` seconds; ``wake(task)`` each task whose descriptor is ready."""
        woken = 0
        watched, waits = self._watched, self._waits
        for key, events in self.poller.poll(timeout):
            if key in watched:
                watched[key]()
                continue
            slot = waits.get(key)
            idle = 0
            for event, bits in _DIRECTIONS:  # a hangup or an error wakes both directions
                if not events & bits:
                    continue
                wait = slot[event - 1] if slot is not None else None
                if wait is None:
                    idle |= event
                else:
                    self.forget(wait)
                    wake(wait.task)
                    woken += 1
            if idle:
                self._drop_interest(key, idle)
        return woken

    def closing(self, fileobj: "Any", fail: "Any") -> None:
        """``fileobj`` is about to be closed: ``fail(task, error)`` its waiters, unregister it."""
        try:
            key = self.poller.key(fileobj)
        except OSError:
            return
        slot = self._waits.get(key)
        if slot is not None:
            for wait in slot:
                if wait is not None:
                    self.forget(wait)
                    fail(wait.task, OSError(errno.EBADF, "%s was closed while this task waited on it" % _describe(fileobj)))
        if key in self._registered:
            self.poller.unregister(key, fileobj)
            del self._registered[key]
