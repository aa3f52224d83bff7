# genlet/lint/cli.py
"""``python -m genlet.lint [paths]``: check files and directories, print what is found as
flake8 does (``path:line:col: GL001 message``).

Exit status: 0 when nothing is found, 1 when something is, 2 when a path cannot be read or
parsed, or the command line is wrong (each such problem is named on stderr).
"""

import argparse
import os
import sys
from typing import Iterator, List, Optional, Sequence

from .checker import CODES, Finding, check_source

# Directories never walked into (a path named on the command line is always checked).
_SKIPPED_DIRS = frozenset(["__pycache__", "node_modules", "build", "dist"])


def python_files(path: str) -> "Iterator[str]":
    """``path`` itself if it is a file, else the ``*.py`` files under it, sorted, skipping
    hidden directories, ``__pycache__``, build output and virtual environments."""
    if not os.path.isdir(path):
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if _walked(os.path.join(root, d)))
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.join(root, name)


def _walked(directory: str) -> bool:
    name = os.path.basename(directory)
    if name.startswith(".") or name in _SKIPPED_DIRS or name.endswith(".egg-info"):
        return False
    return not os.path.exists(os.path.join(directory, "pyvenv.cfg"))  # a virtual environment


def check_file(path: str) -> "List[Finding]":
    """The findings in one file; OSError if it cannot be read, SyntaxError (or ValueError,
    for a null byte) if it cannot be parsed."""
    with open(path, "rb") as f:
        source = f.read()
    return check_source(source, path)


def _parser() -> "argparse.ArgumentParser":
    codes = "; ".join("%s: %s" % item for item in sorted(CODES.items()))
    parser = argparse.ArgumentParser(
        prog="python -m genlet.lint",
        description="Find the mistakes async/await would have caught in genlet programs (%s)." % codes,
        epilog="A line ending in `# noqa` or `# noqa: GL001` is not reported. "
        "Exit status: 0 nothing found, 1 something found, 2 a path could not be checked.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, or directories to search for *.py")
    for option, meaning in (("--select", "report only"), ("--ignore", "do not report")):
        parser.add_argument(option, default="", metavar="CODES", help="%s these codes (prefixes, comma-separated)" % meaning)
    return parser


def _codes(text: str) -> "List[str]":
    return [c.strip().upper() for c in text.split(",") if c.strip()]


def main(argv: "Optional[Sequence[str]]" = None) -> int:
    """Run the command line; return its exit status."""
    options = _parser().parse_args(argv)
    select, ignore = _codes(options.select), _codes(options.ignore)
    found = broken = 0
    for given in options.paths:
        if not os.path.exists(given):
            print("genlet.lint: %s: no such file or directory" % given, file=sys.stderr)
            broken += 1
            continue
        for path in python_files(given):
            try:
                findings = check_file(path)
            except (OSError, SyntaxError, ValueError) as exc:
                print("genlet.lint: %s: cannot check it: %s" % (path, _describe(exc)), file=sys.stderr)
                broken += 1
                continue
            for finding in findings:
                if _chosen(finding.code, select, ignore):
                    print(finding.format(path))
                    found += 1
    return 2 if broken else 1 if found else 0


def _chosen(code: str, select: "List[str]", ignore: "List[str]") -> bool:
    """Whether ``--select`` / ``--ignore`` (code prefixes) let ``code`` be reported."""
    return (not select or code.startswith(tuple(select))) and not (ignore and code.startswith(tuple(ignore)))


def _describe(exc: "BaseException") -> str:
    """``invalid syntax (line 3, column 5)``, or the OSError's own words."""
    if isinstance(exc, SyntaxError):
        return "%s: %s (line %s, column %s)" % (type(exc).__name__, exc.msg, exc.lineno, exc.offset)
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return "%s: %s" % (type(exc).__name__, exc)
