# genlet/io/__init__.py
"""genlet.io: cooperative sockets, streams, servers, threads (CPython, PyPy; sockets on MicroPython).

Each part is imported when first used (``genlet.io.run_in_thread`` loads ``genlet.io.threads``),
so ``import genlet.io`` costs nothing and imports neither ``threading`` nor ``signal``.

- threads: ``run_in_thread``, ``from_thread`` (a bounded pool of worker threads);
- dns: ``getaddrinfo``, ``getnameinfo`` (the system resolver, in a worker thread);
- signals: ``signal_wait``, ``catch_signals`` (main thread).
"""

from ..kernel._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .dns import getaddrinfo, getnameinfo
    from .signals import catch_signals, signal_wait
    from .threads import from_thread, run_in_thread

_LAZY = {
    "run_in_thread": "threads",
    "from_thread": "threads",
    "getaddrinfo": "dns",
    "getnameinfo": "dns",
    "signal_wait": "signals",
    "catch_signals": "signals",
}

__all__ = ["catch_signals", "from_thread", "getaddrinfo", "getnameinfo", "run_in_thread", "signal_wait"]


def __getattr__(name: str) -> "object":
    """Import the module that defines ``name`` on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError("module 'genlet.io' has no attribute %r" % (name,))
    from importlib import import_module

    value = getattr(import_module("." + module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> "list[str]":
    return sorted(set(globals()) | set(_LAZY))
