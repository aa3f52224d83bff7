# benchmarks/probe.py
"""``python -m benchmarks.probe``: which libraries this interpreter can import, and their versions.

Prints one JSON object: ``{"python": "...", "libs": {lib: {"version": "..."} or {"missing":
"why"}}}``. The driver runs it once per interpreter, before measuring anything.
"""

import json
import platform
import sys
import warnings

from .harness import LIBS, package_of


def version_of(package, module):
    try:
        from importlib.metadata import version

        return version(package)
    except Exception:  # not installed as a distribution (genlet from a checkout), or too old
        return str(getattr(module, "__version__", "?"))


def probe(lib):
    package = package_of(lib)
    if package is None:
        return {"version": ""}
    if package == "asyncio":
        return {"version": "stdlib"}
    try:
        module = __import__(package)
    except Exception as error:
        return {"missing": "%s: %s" % (type(error).__name__, error)}
    found = {"version": version_of(package, module)}
    chose = chosen_here(package)
    if chose:
        found["chose"] = chose
    return found


def chosen_here(package):
    """What the library picked by itself on this machine (gevent's loop, eventlet's hub), or ""."""
    try:
        if package == "gevent":
            import gevent

            return "loop %s" % gevent.config.loop.__module__
        if package == "eventlet":
            import eventlet.hubs

            return "hub %s" % eventlet.hubs.get_hub().__class__.__module__
    except Exception:  # a detail for the page: never a reason to fail the probe
        pass
    return ""


def main():
    warnings.simplefilter("ignore")
    found = {lib: probe(lib) for lib in LIBS}
    python = "%s %s" % (platform.python_implementation(), platform.python_version())
    if hasattr(sys, "pypy_version_info"):
        python = "PyPy %s (Python %s)" % (".".join(map(str, sys.pypy_version_info[:3])), platform.python_version())
    print(json.dumps({"python": python, "executable": sys.executable, "libs": found}))


if __name__ == "__main__":
    main()
