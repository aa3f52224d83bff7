"""Task is generic for the type checker: ``yield from task.join()`` on a ``Task[int]`` is an
int (``join`` lives in the ``Joinable`` mixin, join.py; a mixin must not lose the task's type)."""

from tests.test_channels_typing import mypy_says

SNIPPET = """
from typing import Any, Generator
from genlet import Task, select

def f(task: "Task[int]") -> Generator[Any, Any, None]:
    r = yield from task.join()
    reveal_type(r)
    r = yield from task.join(timeout=1.0)
    reveal_type(r)
    reveal_type(task.result)
    reveal_type((yield from task.wait()))
    reveal_type(task.join_op())
    name: str = yield from task.join()
"""


def test_join_returns_the_tasks_result_type(tmp_path):
    lines, out = mypy_says(tmp_path, SNIPPET)
    assert lines == [
        'note: Revealed type is "int"',
        'note: Revealed type is "int"',
        'note: Revealed type is "int | None"',
        'note: Revealed type is "None"',
        'note: Revealed type is "genlet.kernel.select.Op"',
        'error: Incompatible types in assignment (expression has type "int", variable has type "str")  [assignment]',
    ], out
