# genlet/kernel/debug.py
"""Looking inside a kernel: where each task is, and the task dump that ``Deadlock`` carries."""

try:
    from typing import Any, Optional, Tuple
except ImportError:
    pass

from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .core import Kernel
    from .task import Task


def _genlet_dir() -> str:
    here = __file__.replace("\\", "/")
    return here[: here.rfind("/kernel/") + 1] if "/kernel/" in here else ""


_GENLET_DIR = _genlet_dir()


def user_frame(task: "Task[Any]") -> "Optional[Tuple[str, int, str]]":
    """The innermost frame of the task's stack that is the user's code, not genlet's."""
    stack = task.where()
    for filename, lineno, function in reversed(stack):
        if not (_GENLET_DIR and filename.replace("\\", "/").startswith(_GENLET_DIR)):
            return filename, lineno, function
    return stack[-1] if stack else None


def describe_task(task: "Task[Any]", locations: bool = True) -> str:
    """One line: id, name, state, what it waits on, and (where the interpreter can tell) where."""
    line = "task %d %r %s" % (task.id, task.name, task.state)
    waiting_on = task.waiting_on
    if waiting_on:
        line += " on " + waiting_on
    if locations:
        frame = user_frame(task)
        if frame is not None:
            line += ", at %s:%d in %s" % frame
    return line


def task_dump(kernel: "Kernel", title: str, locations: bool = True) -> str:
    """The title, then a line for every unfinished task."""
    lines = [title]
    for task in kernel.tasks():
        lines.append("  " + describe_task(task, locations))
    return "\n".join(lines)
