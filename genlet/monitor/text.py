# genlet/monitor/text.py
"""Words for durations and stacks, shared by ps, the monitor and the slow-step reports."""

import time

try:
    import linecache
except ImportError:  # MicroPython
    linecache = None  # type: ignore[assignment]

try:
    from typing import List, Tuple
except ImportError:
    pass


if hasattr(time, "perf_counter"):
    perf = time.perf_counter
else:  # MicroPython: time.time() counts whole seconds there, time_ns() does not

    def perf() -> float:
        return time.time_ns() * 1e-9


def seconds(value: float) -> str:
    """A duration, short: '40 us', '2.5 ms', '1.20 s', '3 min'."""
    if value < 0.001:
        return "%.0f us" % (value * 1e6)
    if value < 1.0:
        return "%.1f ms" % (value * 1e3)
    if value < 120.0:
        return "%.2f s" % value
    return "%.0f min" % (value / 60.0)


GENLET_DIR = __file__.replace("\\", "/").rsplit("/monitor/", 1)[0] + "/"


def user_stack(stack: "List[Tuple[str, int, str]]") -> "List[Tuple[str, int, str]]":
    """The stack without genlet's own innermost frames (how a wait parks), where the user's
    code is outermost: what a person asking "where is it?" wants to read."""
    end = len(stack)
    while end > 0 and stack[end - 1][0].replace("\\", "/").startswith(GENLET_DIR):
        end -= 1
    return stack[:end] if end else stack


def format_stack(stack: "List[Tuple[str, int, str]]", indent: str = "  ") -> str:
    """``(filename, lineno, function)`` entries, outermost first, as a traceback shows them."""
    lines = []
    for filename, lineno, function in stack:
        lines.append('%sFile "%s", line %d, in %s' % (indent, filename, lineno, function))
        source = linecache.getline(filename, lineno).strip() if linecache is not None else ""
        if source:
            lines.append(indent + "  " + source)
    return "\n".join(lines)
