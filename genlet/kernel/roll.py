# genlet/kernel/roll.py
"""The roll of live tasks: which tasks have started and not finished, in the order they started.

``kernel.tasks()``, the dump and shutdown read it; the run loop only appends to it (a task's
first step, inline in ``_run_ready``) and counts deaths (``_finish``). ``Roll`` is a base class
of ``Kernel``.
"""

try:
    from typing import Any, List
except ImportError:
    pass

from ._typing import TYPE_CHECKING
from .flags import ENDED, ON_ROLL

if TYPE_CHECKING:
    from .task import Task

_MIN_PRUNE = 64  # the fewest finished tasks the roll drops at once (see _add_to_roll)


class Roll:
    """The roll of live tasks (a base class of ``Kernel``)."""

    if TYPE_CHECKING:  # a Kernel's, for the type checker (see loop.py)
        current = _not_started = None  # type: Any
        _roll = _spare = _ready = []  # type: List[Task[Any]]
        _dead = _prune_at = 0

    def _add_to_roll(self, task: "Task[Any]") -> None:
        """Put a task that has started on the roll of live tasks (``tasks()``, shutdown, dump),
        once: when its generator is made at spawn, or when its first step has yielded.

        Discussion: a task that starts late (``NotStarted``) is enrolled only once its first
        step has yielded (by the run loop, inline), so one that returns at once, as in a burst
        of small jobs, never touches the roll; until then it is in the ready list, where
        ``tasks()`` finds it. A task that spawns one that starts at once is enrolled first, so
        parents come before children. ``_finish`` only counts a death. At the end of a pass,
        once the deaths since the last prune outnumber the tasks it kept (and ``_MIN_PRUNE``),
        the roll is pruned in one scan that keeps the order: each scan is paid for by the
        deaths since the last. A linked ring cost a link, an unlink and two slots per task; a
        dict has no order on MicroPython. The price: a finished task stays referenced until
        the next prune (``tasks()`` prunes at once).
        """
        if not task._flags & ON_ROLL:
            task._flags |= ON_ROLL
            self._roll.append(task)

    def _prune(self) -> None:
        self._roll = roll = [task for task in self._roll if not task._flags & ENDED]
        self._dead = 0
        self._prune_at = max(len(roll), _MIN_PRUNE)

    def tasks(self) -> "List[Task[Any]]":
        """Every unfinished task: those that have started, in the order they did, then those
        that have not, in the order they will (ready, or in the pass running now)."""
        if self.current is not None:
            self._add_to_roll(self.current)  # (it may be in its first step: see _add_to_roll)
        self._prune()
        waiting = self._not_started
        return self._roll + [task for task in self._spare + self._ready if task._gen is waiting]
