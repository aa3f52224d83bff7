"""Task is generic for the type checker: ``yield from task.join()`` on a ``Task[int]`` is an
int (``join`` lives in the ``Joinable`` mixin, join.py; a mixin must not lose the task's type)."""

import textwrap

from mypy import api

from tests.test_channels_typing import _plain

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
    source = tmp_path / "typed.py"
    source.write_text(textwrap.dedent(SNIPPET))
    out, err, status = api.run(
        ["--strict", "--no-error-summary", "--cache-dir", str(tmp_path / "cache"), str(source)]
    )
    lines = [_plain(line.split(": ", 1)[1]) for line in out.splitlines()]
    assert lines == [
        'note: Revealed type is "int"',
        'note: Revealed type is "int"',
        'note: Revealed type is "int | None"',
        'note: Revealed type is "None"',
        'note: Revealed type is "genlet.kernel.select.Op"',
        'error: Incompatible types in assignment (expression has type "int", variable has type "str")  [assignment]',
    ], out + err
