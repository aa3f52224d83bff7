# genlet/monitor/__init__.py
"""genlet.monitor: look inside a running kernel.

- ``genlet.ps()`` (``genlet.monitor.ps``): a table of the running kernel's tasks: id, name,
  state, for how long, steps, the time their steps held the kernel, what each waits on;
- the accounting behind those columns: ``accounting()`` (an ``Accounting`` instrument);
- the live monitor: ``genlet.run(main, monitor=True)`` (or ``GENLET_MONITOR=127.0.0.1:48802``)
  serves a loopback-only console, made of daemon tasks of the kernel, that
  ``python -m genlet.monitor [host:port]`` talks to: ``ps``, ``where N``, ``cancel N``,
  ``stats``, ``trace on|off``, ``help``, ``quit`` (``Monitor``; CPython and PyPy);
- the slow-step detector: ``genlet.run(main, slow_step=0.05)`` (or ``GENLET_SLOW_STEP=0.05``)
  logs each step that held the kernel longer than that, with where it was (``SlowSteps``).

The kernel imports this package only when one of those is asked for (``install``).
"""

try:
    from typing import Any
except ImportError:
    pass

from ..kernel import report
from ..kernel._typing import TYPE_CHECKING
from .accounting import Accounting, Row, accounting, ps, rows
from .slow import SlowSteps, check_threshold

if TYPE_CHECKING:
    from .server import DEFAULT_ADDRESS, Monitor

_OFF = ("", "0", "off", "false", "no")

__all__ = ["Accounting", "DEFAULT_ADDRESS", "Monitor", "Row", "SlowSteps", "accounting", "install", "ps", "rows"]


def __getattr__(name: str) -> "Any":
    """``Monitor`` and ``DEFAULT_ADDRESS`` are imported when first used (sockets: not everywhere)."""
    if name in ("Monitor", "DEFAULT_ADDRESS"):
        from . import server

        return getattr(server, name)
    raise AttributeError("module 'genlet.monitor' has no attribute %r" % name)


def install(kernel: "Any", monitor: "Any" = None, slow_step: "Any" = None, names: "Any" = ("monitor=", "slow_step=")) -> None:
    """What ``Kernel(monitor=..., slow_step=...)`` does (and the ``GENLET_MONITOR`` and
    ``GENLET_SLOW_STEP`` environment variables, as strings).

    ``slow_step``: seconds, or a ``SlowSteps``. ``monitor``: True (127.0.0.1:48802), an
    address (``"127.0.0.1:48802"``, ``("::1", 0)``: port 0 picks a free one), or a
    ``Monitor``; False, or "0" / "off" from the environment, turns it off. ``names``: where
    the two came from, for the error messages.
    """
    if isinstance(slow_step, str) and slow_step.strip().lower() in _OFF:
        slow_step = None
    if slow_step is not None:
        if not isinstance(slow_step, SlowSteps):
            slow_step = SlowSteps(check_threshold(slow_step, names[1]))
        kernel.add_instrument(slow_step)
    if isinstance(monitor, str) and monitor.strip().lower() in _OFF:
        monitor = None
    if monitor is not None and monitor is not False:
        try:
            from .server import Monitor
        except ImportError as error:
            raise RuntimeError("the genlet monitor needs CPython or PyPy (%s)" % error)
        if not isinstance(monitor, Monitor):
            monitor = Monitor(monitor, names[0])
        try:
            monitor.start(kernel)
        except OSError as error:
            if names[0] != "GENLET_MONITOR":
                raise
            # Discussion: the environment reaches every kernel of every process started from
            # it (gunicorn's workers, a kernel per thread): the first one gets the port, and
            # the others run on, without a monitor, rather than fail for a debugging aid.
            report.warning("GENLET_MONITOR: %s; this kernel runs without a monitor" % error.strerror)
