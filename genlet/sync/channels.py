# genlet/sync/channels.py
"""Channel: Go's channels for generator tasks, with ops for ``select``.

::

    ch = Channel(64)                  # a buffer of 64 items; Channel() is a rendezvous
    yield from ch.send(item)          # waits while the buffer is full
    item = yield from ch.recv()       # waits while it is empty
    ch.close()                        # receivers drain the buffer, then get ChannelClosed

The semantics are Go's:

- **Rendezvous.** With capacity 0 a send completes only when a receiver takes the value.
  With capacity n, a send completes at once while fewer than n items are buffered.
- **FIFO.** Waiting senders are served in the order they came, and so are waiting receivers;
  the values of one sender arrive in the order it sent them.
- **Close.** ``close()`` wakes everybody: parked receivers get ``ChannelClosed`` (``recv_ok``:
  ``(None, False)``, a select's recv op: ``CLOSED``), parked and later senders get
  ``ChannelClosed``. Buffered values are still received, in order, before the channel reads
  as closed. Closing twice raises ``ChannelClosed`` (Go panics).
- **Hand-off.** A value passes from sender to receiver in one plain call, while the other
  side is parked: ``reschedule(receiver, value)``. From then on the value belongs to the
  receiver; cancelling it afterwards cannot take the value back (the cancel arrives at its
  next checkpoint), and the sender's send is complete. No value is ever delivered twice.

Invariants that keep this simple: receivers wait only while the buffer is empty, and senders
wait only while it is full (a rendezvous channel's buffer is always both). So a send first
looks for a waiting receiver, then for room; a receive first takes from the buffer (and moves
the first waiting sender's value in behind it), then from a waiting sender.

Waiting is the kernel's: a ``WaitQueue`` of senders (each ``Waiter.value`` holds its value)
and one of receivers, ``park_for_hand_off()`` and ``reschedule()``. ``send`` and ``recv`` are
plain functions, not generators: they return ``DONE`` or ``completed(value)`` when they finish
at once, and what ``park_for_hand_off`` returns when they park (see there for what a parked
task keeps). A Waiter with a ``group`` belongs to a parked ``select`` (or a ``recv_ok``, see
``_RecvOk``); it is completed with ``group.fire(waiter, value)``, and skipped if that returns
False (``_base.wake``).

The buffer is a ``collections.deque`` bounded by the capacity (see ``__init__``).

Discussion: the hot paths test ``queue.length`` instead of ``len(queue)`` or ``if queue:``.
``WaitQueue`` is a Python class, so those are Python-level calls (see ``ping-pong`` in
benchmarks/).
"""

try:
    from typing import Any, Deque, Generator, Optional, Tuple
except ImportError:
    pass

from collections import deque

from ..kernel._typing import Generic, T
from ..kernel.errors import ChannelClosed, WouldBlock
from ..kernel.errors import describe as _describe
from ..kernel.lowlevel import (
    DONE,
    Failure,
    Group,
    Op,
    Waiter,
    WaitQueue,
    completed,
    park_for_hand_off,
    parking_task,
    refuse_own_wait,
    reschedule,
)
from ._base import naming, wake


class _Closed:
    __slots__ = ()

    def __repr__(self) -> str:
        return "CLOSED"


CLOSED = _Closed()  # what a select's recv op yields on a closed, drained channel


class _RecvOk(Group):
    """The group of a parked ``recv_ok()``: a value arrives as ``(value, True)``, the close
    of the channel as ``(None, False)``. (A ``recv()`` waits without a group and gets the
    value itself, or ``ChannelClosed``.)"""

    __slots__ = ()

    def fire(self, waiter: Waiter, value: "Any") -> bool:
        reschedule(waiter.task, (None, False) if value is CLOSED else (value, True))
        return True


_RECV_OK = _RecvOk()
_EMPTY = _Closed()  # what _take returns when no value is there (never handed out)


class ChannelStatistics:
    """A snapshot of a channel, from ``ch.statistics()``."""

    __slots__ = ("buffered", "capacity", "closed", "waiting_senders", "waiting_receivers")

    def __init__(self, buffered: int, capacity: int, closed: bool, senders: int, receivers: int) -> None:
        self.buffered = buffered
        self.capacity = capacity
        self.closed = closed
        self.waiting_senders = senders
        self.waiting_receivers = receivers

    def __repr__(self) -> str:
        return "ChannelStatistics(buffered=%d, capacity=%d, closed=%r, waiting_senders=%d, waiting_receivers=%d)" % (
            self.buffered, self.capacity, self.closed, self.waiting_senders, self.waiting_receivers,
        )  # fmt: skip


def _check_capacity(capacity: "Any") -> int:
    if capacity.__class__ is bool or not isinstance(capacity, int):
        raise TypeError(
            "Channel(capacity): the capacity is a whole number of items (0 for a rendezvous "
            "channel, n for a buffer of n), got %s" % _describe(capacity)
        )
    if capacity < 0:
        raise ValueError(
            "Channel(capacity): the capacity cannot be negative (got %d); use 0 for a "
            "rendezvous channel or n > 0 for a buffer of n items" % capacity
        )
    return capacity


class Channel(Generic[T]):
    """A Go channel: ``Channel()`` is a rendezvous, ``Channel(n)`` buffers up to n items."""

    __slots__ = ("_buf", "_capacity", "_closed", "_senders", "_receivers", "name", "_label")

    def __init__(self, capacity: int = 0, name: "Optional[str]" = None) -> None:
        self._capacity = _check_capacity(capacity)
        # Discussion: a deque bounded by the capacity, which MicroPython's deque requires
        # (and allocates up front: a buffer of a million slots costs that much memory there).
        # Taking a value is one C call, and a taken value leaves no reference behind.
        self._buf = deque((), self._capacity)  # type: Deque[Any]
        self._closed = False
        self.name, self._label = naming("Channel", name)
        self._senders = WaitQueue(self, "send")
        self._receivers = WaitQueue(self, "recv")

    # -- what it is --------------------------------------------------------------------------
    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def closed(self) -> bool:
        return self._closed

    def __len__(self) -> int:
        """The number of buffered values."""
        return len(self._buf)

    def statistics(self) -> ChannelStatistics:
        return ChannelStatistics(
            len(self._buf), self._capacity, self._closed, len(self._senders), len(self._receivers)
        )

    def describe(self) -> str:
        return "%s(cap=%d)" % (self._label, self._capacity)

    def __repr__(self) -> str:
        return "<%s %d buffered%s>" % (self.describe(), len(self), ", closed" if self._closed else "")

    # -- sending -----------------------------------------------------------------------------
    def send(self, value: "T") -> "Generator[Any, Any, None]":
        """``yield from ch.send(value)``: wait until a receiver or the buffer takes ``value``.

        Raises ``ChannelClosed`` if the channel is closed, now or while waiting.
        """
        if self._closed:
            raise self._send_closed()
        if self._receivers.length and wake(self._receivers.pop(), value, self._receivers) is not None:
            return DONE  # type: ignore[no-any-return]
        buf = self._buf
        if len(buf) < self._capacity:
            buf.append(value)
            return DONE  # type: ignore[no-any-return]
        task = parking_task()
        return park_for_hand_off(task, self._senders.push(task, value))  # type: ignore[no-any-return]

    def send_nowait(self, value: "T") -> None:
        """Send without waiting; ``WouldBlock`` if no receiver waits and the buffer is full."""
        if self._closed:
            raise self._send_closed()
        if self._receivers.length and wake(self._receivers.pop(), value, self._receivers) is not None:
            return
        buf = self._buf
        if len(buf) < self._capacity:
            buf.append(value)
            return
        raise WouldBlock("%s: no receiver is waiting and the buffer is full" % self.describe())

    # -- receiving ---------------------------------------------------------------------------
    def recv(self) -> "Generator[Any, Any, T]":
        """``value = yield from ch.recv()``: the next value; waits while there is none.

        Raises ``ChannelClosed`` once the channel is closed and its buffer drained.
        """
        buf = self._buf
        if not self._senders.length:
            if buf:  # the buffer's head: no sender to let in behind it (benchmarks/pipeline.py)
                return completed(buf.popleft())
        else:
            value = self._take()
            if value is not _EMPTY:
                return completed(value)
        if self._closed:
            raise self._recv_closed()
        task = parking_task()
        return park_for_hand_off(task, self._receivers.push(task))  # type: ignore[no-any-return]

    def recv_ok(self) -> "Generator[Any, Any, Tuple[Optional[T], bool]]":
        """``value, ok = yield from ch.recv_ok()``: ``(value, True)``, or ``(None, False)``
        once the channel is closed and drained (Go's ``v, ok := <-ch``)."""
        value = self._take()
        if value is not _EMPTY:
            return completed((value, True))
        if self._closed:
            return completed((None, False))
        task = parking_task()
        return park_for_hand_off(task, self._receivers.push(task, None, _RECV_OK))  # type: ignore[no-any-return]

    def recv_nowait(self) -> T:
        """Receive without waiting; ``WouldBlock`` if there is no value, ``ChannelClosed`` if
        the channel is closed and drained."""
        value = self._take()
        if value is not _EMPTY:
            return value  # type: ignore[no-any-return]
        if self._closed:
            raise self._recv_closed()
        raise WouldBlock("%s: no value is buffered and no sender is waiting" % self.describe())

    def _take(self) -> "Any":
        """The next value, taken: the head of the buffer (the first waiting sender's value
        moves in behind it), else a waiting sender's value; ``_EMPTY`` if there is none.

        Discussion: a sender is woken before the buffer is touched, so that a TypeError from
        ``reschedule`` (the sender is the running task, see there) leaves the buffer as it was.
        """
        buf = self._buf
        if not self._senders.length:
            return buf.popleft() if buf else _EMPTY
        sender = wake(self._senders.pop(), None, self._senders)
        if not buf:
            return _EMPTY if sender is None else sender.value
        value = buf.popleft()
        if sender is not None:
            buf.append(sender.value)
        return value

    # -- closing -----------------------------------------------------------------------------
    def close(self) -> None:
        """Close the channel and wake every waiter (a plain call). Closing twice raises.

        Discussion: receivers are woken first, so a parked select with a send and a recv
        case on this channel sees the recv case happen (CLOSED) rather than a failed send,
        as in Go.
        """
        if self._closed:
            raise ChannelClosed(
                "%s is already closed: close a channel once, usually in the task that sends "
                "the last value" % self.describe()
            )
        refuse_own_wait(self._receivers)  # (see reschedule)
        refuse_own_wait(self._senders)
        self._closed = True
        # Each plain wait gets an error of its own: one instance raised in two tasks would
        # carry both tracebacks. A select's recv op (and a recv_ok) gets CLOSED.
        waiter = self._receivers.pop()
        while waiter is not None:
            wake(waiter, CLOSED if waiter.group is not None else Failure(self._recv_closed()))
            waiter = self._receivers.pop()
        waiter = self._senders.pop()
        while waiter is not None:
            wake(waiter, Failure(self._send_closed()))
            waiter = self._senders.pop()

    def _send_closed(self) -> ChannelClosed:
        return ChannelClosed(
            "send on a closed channel (%s): nothing can be sent after close(); close a channel "
            "only when every sender is done, or check ch.closed first" % self.describe()
        )

    def _recv_closed(self) -> ChannelClosed:
        return ChannelClosed(
            "%s is closed and drained: no value will ever come; use `value, ok = yield from "
            "ch.recv_ok()` to get (None, False) instead of this error" % self.describe()
        )

    # -- select ops --------------------------------------------------------------------------
    def recv_op(self) -> "RecvOp":
        """A ``select`` op: receive a value (``CLOSED`` once the channel is closed and drained)."""
        return RecvOp(self)

    def send_op(self, value: "T") -> "SendOp":
        """A ``select`` op: send ``value`` (the select's value is None; ``ChannelClosed`` is
        raised out of the select if the channel is or becomes closed)."""
        return SendOp(self, value)


class RecvOp(Op):
    """``ch.recv_op()``: ready when a value is buffered, a sender waits, or the channel is closed."""

    __slots__ = ("channel",)

    def __init__(self, channel: "Channel[Any]") -> None:
        self.channel = channel

    def ready(self) -> bool:
        channel = self.channel
        return bool(channel._buf) or channel._senders.length > 0 or channel._closed

    def commit(self) -> "Any":
        value = self.channel._take()
        return CLOSED if value is _EMPTY else value

    def enroll(self, task: "Any", group: "Any") -> Waiter:
        return self.channel._receivers.push(task, None, group)

    def describe(self) -> str:
        return self.channel.describe() + " recv"


class SendOp(Op):
    """``ch.send_op(value)``: ready when a receiver waits, the buffer has room, or the channel
    is closed (then committing it raises ``ChannelClosed``)."""

    __slots__ = ("channel", "value")

    def __init__(self, channel: "Channel[Any]", value: "Any") -> None:
        self.channel = channel
        self.value = value

    def ready(self) -> bool:
        channel = self.channel
        return channel._closed or channel._receivers.length > 0 or len(channel._buf) < channel._capacity

    def commit(self) -> None:
        channel = self.channel
        if channel._closed:
            raise channel._send_closed()
        receivers = channel._receivers
        if receivers.length and wake(receivers.pop(), self.value, receivers) is not None:
            return
        # Discussion: ready() said True and nothing ran since, so a receiver took the value
        # above, or (receivers wait only while the buffer is empty) there is room.
        channel._buf.append(self.value)

    def enroll(self, task: "Any", group: "Any") -> Waiter:
        return self.channel._senders.push(task, self.value, group)

    def describe(self) -> str:
        return self.channel.describe() + " send"
