# genlet/lint/__init__.py
"""genlet.lint: a static checker for the mistakes ``async``/``await`` would have caught.

Without ``async``/``await``, Python does not notice a forgotten ``yield from``: ``helper()``
or ``genlet.sleep(1)`` as a statement makes a generator and drops it. The lint reads the
source (standard library ``ast`` only; nothing is imported or run) and reports:

- GL001: a generator made and dropped: a call, as a statement, to a generator function of
  the same module or to one of genlet's blocking operations (``genlet.sleep(1)``,
  ``ch.recv()`` on a ``Channel`` made in that function...), or one assigned and never used;
- GL002: ``yield genlet.sleep(1)``: an operation yielded where ``yield from`` was meant;
- GL003: a call that blocks the whole kernel inside a task (``time.sleep``,
  ``socket.create_connection``, ``requests.get``, ``subprocess.run``...), with the genlet
  call that replaces it;
- GL004: ``async def`` or ``await`` in a module that uses genlet.

    python -m genlet.lint src/ tests/          # path:line:col: GL001 message; exit 1 if found
    flake8 --select GL src/                    # the same, as a flake8 plugin

``# noqa`` and ``# noqa: GL001`` on a line silence it. CPython and PyPy only (not needed on
MicroPython). See docs/debugging.md, "The lint".
"""

from .checker import CODES, Finding, check_source, check_tree
from .cli import check_file, main

__all__ = ["CODES", "Finding", "check_file", "check_source", "check_tree", "main"]
