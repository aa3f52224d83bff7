"""``python -m genlet trace [options] script.py [args] [-o run.html]``: trace a program.

Runs the script in this interpreter, as ``python script.py args`` would (``-m module`` for a
module), with every genlet kernel it starts recording its tasks; when a run ends, its record
is written to the output file (``.html``: the viewer; ``.json``: Chrome trace events). A
program that runs several kernels one after the other leaves the last one's trace.
"""

import argparse
import os
import runpy
import sys
import time
from typing import List, Optional, Tuple

from . import defaults
from .export import format_of

_DESCRIPTION = "Run a Python program and record a timeline of its genlet tasks."
_EPILOG = (
    "A trailing `-o FILE` after the script's arguments is taken as the trace's (put the "
    "options before the script if the script itself takes -o). Open the .html in a browser; "
    "open a .json in https://ui.perfetto.dev or chrome://tracing."
)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m genlet trace", description=_DESCRIPTION, epilog=_EPILOG)
    p.add_argument("-o", "--output", default="trace.html", help="the trace file: *.html or *.json (default: trace.html)")
    p.add_argument("--max-events", type=int, default=None, help="keep at most this many events (the last ones)")
    p.add_argument("--max-seconds", type=float, default=None, help="keep only the last so many seconds")
    p.add_argument("-m", dest="module", default=None, help="run a module (as python -m does) instead of a script")
    p.add_argument("program", nargs=argparse.REMAINDER, help="script.py [args] (or, with -m, the module's args)")
    return p


def _trailing_output(program: List[str]) -> Tuple[List[str], Optional[str]]:
    """``script.py a b -o run.html`` -> (``[script.py, a, b]``, ``run.html``)."""
    if len(program) >= 3 and program[-2] in ("-o", "--output"):
        return program[:-2], program[-1]
    return program, None


def main(argv: Optional[List[str]] = None) -> int:
    p = parser()
    options = p.parse_args(sys.argv[1:] if argv is None else argv)
    program, output = _trailing_output(list(options.program))
    output = output or options.output
    if options.module is None and not program:
        p.error("name the script to run: python -m genlet trace script.py [args] -o run.html")
    try:
        format_of(output)
    except ValueError as error:
        p.error(str(error))
    for name in ("max_events", "max_seconds"):
        if getattr(options, name) is not None:
            defaults[name] = getattr(options, name)
    os.environ["GENLET_TRACE"] = output
    started = time.time()
    code = _run(options.module, program)
    if not os.path.exists(output) or os.path.getmtime(output) < started - 1:
        print("genlet trace: the program ran no genlet kernel to its end: no trace written to %s" % output, file=sys.stderr)
        return code or 1
    print("genlet trace: wrote %s" % output, file=sys.stderr)
    return code


def _run(module: Optional[str], program: List[str]) -> int:
    """Run the program as ``__main__``; its exit status."""
    sys.argv = ([module] if module else []) + program
    if module is None:
        sys.path.insert(0, os.path.dirname(os.path.abspath(program[0])))
    try:
        if module is not None:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(program[0], run_name="__main__")
    except SystemExit as exit:
        if exit.code is None or isinstance(exit.code, int):
            return exit.code or 0
        print(exit.code, file=sys.stderr)
        return 1
    return 0
