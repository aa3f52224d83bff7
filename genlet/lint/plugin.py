# genlet/lint/plugin.py
"""The flake8 plugin: ``flake8`` reports GL001-GL004 once genlet is installed.

pyproject.toml registers it (``[project.entry-points."flake8.extension"]``, ``GL =
"genlet.lint.plugin:Plugin"``). flake8 gives it the parsed module and applies ``# noqa``
itself, so ``flake8 --disable-noqa`` shows everything.
"""

import ast
from typing import Iterator, Tuple, Type

from .. import __version__
from .checker import check_tree


class Plugin:
    """A flake8 AST plugin: ``run()`` yields ``(line, column, "GL001 message", type)``."""

    name = "genlet-lint"
    version = __version__

    def __init__(self, tree: "ast.Module") -> None:
        self.tree = tree

    def run(self) -> "Iterator[Tuple[int, int, str, Type[Plugin]]]":
        for finding in check_tree(self.tree):
            # flake8 counts columns from 0 here and prints them from 1
            yield finding.line, finding.col - 1, "%s %s" % (finding.code, finding.message), type(self)
