"""genlet.trace: record a run, then look at it as a timeline (CPython and PyPy).

    genlet.run(main, trace="run.html")          # the viewer: one self-contained page
    genlet.run(main, trace="run.json")          # Chrome trace events: Perfetto, chrome://tracing
    recorder = genlet.trace.Recorder()
    genlet.run(main, trace=recorder)            # the events in code: recorder.events
    python -m genlet trace script.py [args] -o run.html

The recorder is a kernel ``Instrument`` (``genlet.kernel.lowlevel``); the kernel imports this
package only when a run asks for a trace. See ``docs/debugging.md``.
"""

import os
from typing import Any, Dict

from ..kernel.lowlevel import Instrument
from .export import format_of, to_chrome, to_data, to_html, write
from .recorder import Event, Recorder

__all__ = ["Event", "Recorder", "defaults", "format_of", "instrument", "to_chrome", "to_data", "to_html", "write"]

# What a Recorder made from a file name gets (``python -m genlet trace --max-events``).
defaults = {}  # type: Dict[str, Any]


def instrument(trace: Any) -> Instrument:
    """What ``trace=`` names, as an instrument: a file name becomes a ``Recorder`` that writes
    that file when the run ends; a ``Recorder`` (any ``Instrument``) is used as it is."""
    if isinstance(trace, Instrument):
        return trace
    if isinstance(trace, (str, os.PathLike)):
        return Recorder(path=os.fspath(trace), **defaults)
    raise TypeError(
        "trace= takes a file name ('run.html' for the viewer, 'run.json' for Chrome trace "
        "events) or a genlet.trace.Recorder(), got %r" % (trace,)
    )
