# benchmarks/__init__.py
"""genlet's benchmarks against its peers: one workload per file, one driver (``run.py``).

    python -m benchmarks                      # every workload, genlet and every peer installed
    python -m benchmarks --quick              # the same at a tiny size (a smoke test)
    python -m benchmarks --only switch,echo --json results.json --plot chart.svg
    python -m benchmarks --report docs/benchmarks.md --plot docs/benchmarks.svg

Each measurement runs in its own fresh process pinned to one CPU; see ``run.py``.

The HTTP servers (genlet.http against gevent, eventlet, waitress, uvicorn, measured with wrk)
have their own driver, which writes its own section of the same page; see ``http_server.py``::

    python -m benchmarks.http_server --report docs/benchmarks.md
"""

# The workload files, in the order their tables are printed.
MODULES = (
    "switch", "floor", "spawn", "pingpong", "pipeline", "selects", "memory", "timers", "timeouts",
    "locks", "queues", "echo",
)  # fmt: skip


def load():
    """Import every workload file; return the registry (workload name -> Workload)."""
    from importlib import import_module

    from .harness import REGISTRY

    for name in MODULES:
        import_module("benchmarks." + name)
    return REGISTRY
