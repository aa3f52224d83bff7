# genlet/http/_log.py
"""The little things every part of the server shares: its logger, names, the Date header."""

import time

try:
    from typing import Any, List
except ImportError:
    pass

try:
    import logging

    logger = logging.getLogger("genlet.http")  # type: Any
except ImportError:  # MicroPython without the logging package
    logger = None

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_date = [-1, ""]  # type: List[Any]  # (the second it was made for, the Date value)


def http_date() -> str:
    """The Date header's value for now (RFC 9110 §5.6.7), made once a second."""
    now = int(time.time())
    if now != _date[0]:
        t = time.gmtime(now)
        _date[1] = "%s, %02d %s %04d %02d:%02d:%02d GMT" % (_DAYS[t[6]], t[2], _MONTHS[t[1] - 1], t[0], t[3], t[4], t[5])
        _date[0] = now
    return _date[1]  # type: ignore[no-any-return]


def name(fn: "Any") -> str:
    return getattr(fn, "__name__", None) or repr(fn)


def peer(address: "Any") -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        return "%s:%s" % (address[0], address[1])
    return str(address)


def failure(message: str, error: BaseException) -> None:
    """Log ``message`` at ERROR on the ``genlet.http`` logger, with the traceback of ``error``."""
    if logger is not None:
        logger.error(message, exc_info=(type(error), error, error.__traceback__))
    else:
        print("genlet.http: %s: %r" % (message, error))


def access(remote: "Any", head: "Any", status: int, size: int) -> None:
    """One access log line, in the common log format, at INFO on ``genlet.http``."""
    if logger is None:
        return
    t = time.gmtime()
    when = "%02d/%s/%04d:%02d:%02d:%02d +0000" % (t[2], _MONTHS[t[1] - 1], t[0], t[3], t[4], t[5])
    line = "-" if head is None else "%s %s HTTP/%s" % (head.method, head.target, head.http_version)
    host = remote[0] if isinstance(remote, tuple) else remote
    logger.info('%s - - [%s] "%s" %d %s', host, when, line, status, size if size else "-")
