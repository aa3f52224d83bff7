# genlet/kernel/describing.py
"""How a task describes itself to a person: its id, name, state, what it waits on, where.

The run loop reads none of this: each is computed when asked, from the task's slots
(``task.py``), so that a switch writes nothing for it. ``Described`` is a base class of
``Task``; ``debug.py`` builds the dump of every task on it.
"""

try:
    from typing import Any, List, Optional, Tuple
except ImportError:
    pass

from ._typing import TYPE_CHECKING
from .flags import DAEMON, ENDED, ID_SHIFT, NAMED

READY = "READY"
RUNNING = "RUNNING"
WAITING = "WAITING"
FINISHED = "FINISHED"


class Described:
    """A task's id, name and state, for people (a base class of ``Task``)."""

    __slots__ = ()

    if TYPE_CHECKING:  # a Task's slots (task.py)
        _name = _gen = _kernel = _wait = None  # type: Any
        _flags = 0

    @property
    def id(self) -> int:
        """A small number, unique in its kernel: 1 for the first task spawned, 2 for the next.

        Discussion: the id is the task's place in spawn order, so that names (``worker-3``)
        are the same from run to run, whoever asks first. It is kept in ``_flags``, above the
        state bits: the kernel keeps its count already shifted (``_id_bits``), so numbering a
        task at spawn is one addition and no store more than setting its flags.
        """
        return self._flags >> ID_SHIFT

    @property
    def name(self) -> str:
        """The name given to spawn(), else the function's name and the task's id."""
        if self._flags & NAMED:
            return self._name  # type: ignore[no-any-return]
        name = self._name  # the function, or already its name (see spawning.spawn_now)
        return "%s-%d" % (name if name.__class__ is str else name_of(name, None), self.id)

    @property
    def daemon(self) -> bool:
        return bool(self._flags & DAEMON)

    @property
    def state(self) -> str:
        if self._flags & ENDED:
            return FINISHED
        if self._kernel.current is self:
            return RUNNING
        return READY if self._wait is None else WAITING

    @property
    def waiting_on(self) -> "Optional[str]":
        """What it is blocked on, in a few words; None unless it is WAITING."""
        wait = self._wait
        if wait is None or self._flags & ENDED or self._kernel.current is self:
            return None
        return wait.describe()  # type: ignore[no-any-return]

    def describe(self) -> str:
        return "task %r" % self.name

    def __repr__(self) -> str:
        return "<Task %d %r %s>" % (self.id, self.name, self.state)

    def where(self) -> "List[Tuple[str, int, str]]":
        """Its stack now, outermost first, as ``(filename, lineno, function)`` tuples.

        Follows ``gi_yieldfrom`` down the chain of generators; empty on interpreters whose
        generators carry no frames (MicroPython), and for a finished task. A task that has not
        started yet (see ``NotStarted``) is where its function begins.
        """
        stack = []
        gen = self._gen if not self._flags & ENDED else None
        if gen is not None and gen is self._kernel._not_started:  # it has not started: where its function begins
            code = self._name.__code__
            return [(code.co_filename, code.co_firstlineno, code.co_name)]
        while gen is not None:
            frame = getattr(gen, "gi_frame", None)
            if frame is None:
                break
            code = frame.f_code
            stack.append((code.co_filename, frame.f_lineno, code.co_name))
            gen = getattr(gen, "gi_yieldfrom", None)
        return stack


def name_of(fn: "Any", gen: "Any") -> str:
    """The name a task running ``fn`` (or ``gen``) is known by, before its id."""
    for obj in (fn, getattr(fn, "func", None), gen):
        name = getattr(obj, "__name__", None)
        if isinstance(name, str):
            return name
    return "task"
