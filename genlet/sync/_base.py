# genlet/sync/_base.py
"""What every primitive in genlet.sync shares: names for reports, timeouts, the ``with`` guard.

Primitives are named in task dumps and ``Deadlock`` reports: ``Lock 'db'`` when the user gave
``name=``, else a short id such as ``Lock#3``.

``with (yield from lock):`` works because ``yield from lock`` calls ``lock.__iter__()``, which
acquires and finishes with the lock's ``Guard``; the ``with`` statement then uses the guard,
whose ``__exit__`` releases. One guard is made per primitive, when the primitive is made, so
the ``with`` form allocates nothing more than ``acquire()`` does.
"""

try:
    from typing import Any, Optional, Tuple
except ImportError:
    pass

from ..kernel.errors import Deadlock

_counter = [0]


def next_id() -> int:
    """A fresh number for a default name (one counter for all primitives)."""
    _counter[0] += 1
    return _counter[0]


def naming(kind: str, name: "Optional[str]") -> "Tuple[str, str]":
    """``(name, label)``: ``('db', "Lock 'db'")`` if named, else ``('Lock#3', 'Lock#3')``."""
    if name is None:
        short = "%s#%d" % (kind, next_id())
        return short, short
    name = str(name)
    return name, "%s %r" % (kind, name)


def deadline_after(task: "Any", timeout: float, what: str) -> float:
    """The kernel-clock deadline ``timeout`` seconds from now; a clear error for NaN."""
    if timeout != timeout:
        raise ValueError("%s: the timeout is NaN; give seconds as a number, or None to wait forever" % what)
    return task._kernel.clock.now() + timeout  # type: ignore[no-any-return]


class Guard:
    """What ``yield from lock`` returns: the ``with`` block around it releases ``lock``.

    ``target`` is a Lock, RLock, Semaphore, BoundedSemaphore or Condition; it has
    ``release()`` and ``_held()`` (does the current task hold it?).
    """

    __slots__ = ("_target",)

    def __init__(self, target: "Any") -> None:
        self._target = target

    def __enter__(self) -> "Any":
        return self._target

    def __exit__(self, exc_type: "Any", exc: "Any", tb: "Any") -> None:
        # Discussion: Condition.wait() lets go of the lock and takes it back before it returns.
        # If taking it back would close a deadlock cycle, it raises Deadlock without the lock;
        # releasing here would hide that Deadlock under a "not held" RuntimeError.
        if exc_type is Deadlock and not self._target._held():
            return
        self._target.release()

    def __repr__(self) -> str:
        return "<Guard of %s>" % self._target.describe()


def with_misuse(target: "Any") -> TypeError:
    """The error for ``with lock:`` (a missing ``yield from``)."""
    return TypeError(
        "`with` needs `(yield from ...)` around a genlet %s so that the task can wait for it: "
        "write `with (yield from lock):`" % target.describe()
    )
