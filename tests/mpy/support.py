"""What the socket check scripts of tests/mpy share: the way in, and a server on a free port.

A check script starts with::

    import support  # tests/mpy/support.py

    support.need_sockets("io")  # prints "io: SKIP (...)" and stops where there are no sockets

It imports under every interpreter that runs the scripts: MicroPython (the unix and the
WebAssembly port), CPython (``python tests/mpy/check_io.py``) and pytest (which runs them as
that command), because each puts the folder of the script it runs first in ``sys.path``.
It is no check script itself (.ci/run runs ``tests/mpy/check_*.py``): run alone, it does nothing.
"""

import sys

if "genlet" not in sys.modules:
    sys.path.insert(0, ".")  # run from the repository root: genlet/ is there


def need_sockets(name):
    """Stop the script with a SKIP line, named ``name``, where this port has no sockets."""
    try:
        import socket
    except ImportError:  # the WebAssembly port
        socket = None
    if socket is None or not hasattr(socket, "socket"):
        print("%s: SKIP (this port has no sockets)" % name)
        raise SystemExit


def free_server(make, first=20000):
    """``server, port``: ``make(port)`` (a server listening on ``port``) on a free port.

    MicroPython cannot ask which port 0 chose (no getsockname), so we try ports from a
    starting point that differs between runs; ``first`` keeps two scripts run at once apart.
    """
    import time

    port = first + time.ticks_ms() % 20000 if hasattr(time, "ticks_ms") else 0
    for _ in range(200):
        try:
            server = make(port)
        except OSError:
            port += 1
            continue
        return server, server.address[1]
    raise OSError("no free port found")
