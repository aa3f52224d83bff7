# benchmarks/harness.py
"""What every workload file shares: the registry of workloads and a few small helpers.

A workload file declares what it measures with ``Workload(...)`` and adds one function per
library with ``@W.impl("asyncio", ...)``. Each function is called as ``fn(lib, **size)``, does
the same work as the others, and returns one number, the figure: a rate, bytes per task,
seconds of overhead. Peers are imported inside those functions, so importing a workload file
is cheap and needs none of them installed.

Runs on CPython 3.9+ and PyPy (the MicroPython run has its own script, ``mpy_bench.py``).
"""

import gc
import os
import time

# Every library a row can be about, in table order. A name with a dash is a variant of the
# package before the dash ("asyncio-protocol" needs asyncio); "floor" needs nothing.
LIBS = (
    "genlet", "floor", "asyncio", "asyncio-protocol", "uvloop", "uvloop-protocol",
    "trio", "curio", "gevent", "eventlet", "tinyio",
)  # fmt: skip

REGISTRY = {}  # workload name -> Workload, in the order the files declare them

# How each library is run: the interpreter options its measuring processes get, and what the
# results page says about it. Every library runs at its best documented setting, so that a
# figure compares the libraries, not how they happened to be started.
SETTINGS = {
    "genlet": ((), "defaults (it has no `assert`s to strip)"),
    "asyncio": ((), "the default event loop, debug mode off (its faster loop is the uvloop row)"),
    "uvloop": ((), "asyncio on uvloop's event loop, asyncio's fastest setting"),
    "trio": ((), "defaults (trio documents no faster setting)"),
    # Discussion: curio checks its invariants with `assert`s on its hot paths (its kernel's
    # `assert task not in ready` scans the ready queue at every reschedule) and is meant to
    # be measured with them stripped.
    "curio": (("-O",), "run under `python -O`: its `assert`s scan lists on its hot paths"),
    "gevent": ((), "its default hub and loop"),
    "eventlet": ((), "its default hub"),
    "tinyio": ((), "defaults"),
}


def interpreter_options(lib):
    """The options (``-O``) the interpreter gets for ``lib``'s rows; none for the floor."""
    package = package_of(lib)
    return list(SETTINGS[package][0]) if package in SETTINGS else []


def package_of(lib):
    """The module a library row needs, or None (the floor needs nothing)."""
    return None if lib == "floor" else lib.split("-")[0]


class NotAvailable(Exception):
    """genlet's side of a workload needs a feature that has not landed yet."""


class NoEquivalent(Exception):
    """This library has nothing that does this work (no select, no timeout on this Python)."""


class Workload:
    """One measured figure: its name, what it means, its sizes, and one function per library.

    ``higher_is_better`` is True for rates and False for costs (bytes, seconds of overhead).
    ``server`` workloads never return: their function serves forever and the driver measures
    them from outside (see ``echo.py``). ``peers=False``: the table lists only the libraries
    that have a function here, not a "no equivalent" row for each of the others.
    """

    def __init__(self, name, title, unit, full, quick, higher_is_better=True, server=False, peers=True):
        self.name = name
        self.title = title
        self.unit = unit
        self.sizes = {"full": full, "quick": quick}
        self.higher_is_better = higher_is_better
        self.server = server
        self.peers = peers
        self.impls = {}
        self.lacking = {}  # lib -> why it has no equivalent (for its "n/a" row)
        REGISTRY[name] = self

    def impl(self, *libs):
        """Decorator: ``fn`` is this workload for each of ``libs``."""

        def register(fn):
            for lib in libs:
                self.impls[lib] = fn
            return fn

        return register

    def lacks(self, why, *libs):
        """Say why ``libs`` have no equivalent of this work (shown in their "n/a" rows)."""
        for lib in libs:
            self.lacking[lib] = why

    def run(self, lib, size):
        """Measure once: the figure for ``lib`` at ``size`` ("full" or "quick")."""
        gc.collect()
        return float(self.impls[lib](lib, **self.sizes[size]))


def impl_for(*workloads):
    """``Workload.impl`` for several workloads at once: one function that measures them all,
    told apart by their sizes (``@impl_for(A, B)("asyncio")``)."""

    def impl(*libs):
        def register(fn):
            for workload in workloads:
                workload.impl(*libs)(fn)
            return fn

        return register

    return impl


def need(module, *names):
    """``module.<name>`` for each name, or NotAvailable saying which one has not landed yet."""
    found = []
    for name in names:
        value = getattr(module, name, None)
        if value is None:
            raise NotAvailable("%s.%s has not landed yet" % (module.__name__, name))
        found.append(value)
    return found[0] if len(found) == 1 else found


def rate(count, fn, *args):
    """Run ``fn(*args)``; return ``count`` divided by the seconds it took."""
    start = time.perf_counter()
    fn(*args)
    return count / (time.perf_counter() - start)


def elapsed(fn, *args):
    """Run ``fn(*args)``; return the seconds it took."""
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def aio_run(lib, coro_fn, *args):
    """Run ``coro_fn(*args)`` to completion on a fresh asyncio loop, or a uvloop one.

    Both get the same treatment (a new loop, closed after), so the rows differ only in the loop.
    """
    import asyncio

    if lib.startswith("uvloop"):
        import uvloop

        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    try:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(coro_fn(*args))
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def rss_bytes():
    """This process's resident set size in bytes (Linux /proc; 0 where it cannot be read)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def join_greenlet(lib, greenlet):
    """Wait for a gevent or eventlet greenlet to end (gevent says join, eventlet says wait)."""
    if lib == "eventlet":
        greenlet.wait()
    else:
        greenlet.join()
