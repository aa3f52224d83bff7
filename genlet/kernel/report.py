# genlet/kernel/report.py
"""Where genlet's reports go: the ``genlet`` logger, or stderr where there is no logging.

Two kinds of report: a failure nobody was waiting for (with its traceback, gevent's rule),
and warnings (tasks still alive when ``run`` ends, tasks closed by force).
"""

import sys

try:
    from typing import Optional
except ImportError:
    pass

try:
    import logging

    logger = logging.getLogger("genlet")  # type: Optional[logging.Logger]
except ImportError:  # MicroPython's unix port has no logging module
    logger = None


def warning(message: str) -> None:
    if logger is not None:
        logger.warning(message)
    else:
        print("genlet: WARNING: " + message, file=sys.stderr)


def failure(message: str, error: BaseException) -> None:
    """Report an error with its traceback."""
    if logger is not None and hasattr(error, "__traceback__"):
        logger.error(message, exc_info=(type(error), error, error.__traceback__))
    elif hasattr(sys, "print_exception"):  # MicroPython
        print("genlet: ERROR: " + message, file=sys.stderr)
        sys.print_exception(error, sys.stderr)
    else:
        print("genlet: ERROR: %s: %r" % (message, error), file=sys.stderr)


def error(message: str) -> None:
    if logger is not None:
        logger.error(message)
    else:
        print("genlet: ERROR: " + message, file=sys.stderr)
