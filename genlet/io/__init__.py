# genlet/io/__init__.py
"""genlet.io: cooperative sockets, streams, servers, threads (CPython, PyPy; sockets on MicroPython)."""
