# benchmarks/worker.py
"""The process that measures: ``python -m benchmarks.worker [options] WORKLOAD:LIB ...``.

The driver starts it (pinned to one CPU) and reads its standard output: one JSON line per job,
``{"workload", "lib", "status", "values", "note"}``, where status is

- ``ok``: ``values`` holds one figure per repeat;
- ``missing``: the library does not import here (``note`` says why);
- ``unavailable``: genlet's side needs a feature that has not landed yet;
- ``n/a``: the library has no equivalent of this work;
- ``error``: the measurement failed (``note`` has the error).

With ``--serve`` it runs one server workload (echo) instead: it prints
``{"status": "serving", "port": N}`` once the server listens, then serves until it is killed.
"""

import argparse
import json
import sys
import traceback
import warnings

from . import load
from .harness import NoEquivalent, NotAvailable, package_of


def emit(record):
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def importable(lib):
    """None if ``lib`` imports here, else why not."""
    package = package_of(lib)
    if package is None:
        return None
    try:
        __import__(package)
    except Exception as error:  # an ImportError, or a library that breaks while importing
        return "%s: %s" % (type(error).__name__, error)
    return None


def measure(workload, lib, size, repeat):
    """Run one job ``repeat`` times; return its record."""
    record = {"workload": workload.name, "lib": lib, "status": "ok", "values": [], "note": ""}
    record["optimize"] = sys.flags.optimize  # 1 under -O (see harness.SETTINGS)
    if lib not in workload.impls:
        record.update(status="n/a", note=workload.lacking.get(lib, "no equivalent"))
        return record
    why = importable(lib)
    if why is not None:
        record.update(status="missing", note=why)
        return record
    try:
        for _ in range(repeat):
            record["values"].append(workload.run(lib, size))
    except NotAvailable as error:
        record.update(status="unavailable", note=str(error), values=[])
    except NoEquivalent as error:
        record.update(status="n/a", note=str(error), values=[])
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        record.update(status="error", note="%s: %s" % (type(error).__name__, error), values=[])
    return record


def serve(workload, lib):
    """Run a server workload until killed; the driver measures it from outside."""
    record = {"workload": workload.name, "lib": lib, "values": [], "note": ""}
    if lib not in workload.impls:
        return emit(dict(record, status="n/a", note=workload.lacking.get(lib, "no equivalent")))
    why = importable(lib)
    if why is not None:
        return emit(dict(record, status="missing", note=why))
    try:
        workload.impls[lib](lib, lambda port: emit({"status": "serving", "port": port}))
    except NotAvailable as error:
        emit(dict(record, status="unavailable", note=str(error)))
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        emit(dict(record, status="error", note="%s: %s" % (type(error).__name__, error)))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("jobs", nargs="+", metavar="WORKLOAD:LIB")
    parser.add_argument("--size", choices=("full", "quick"), default="full")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--serve", action="store_true", help="run one server workload until killed")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # deprecation notices from peers would drown the output
    registry = load()
    for job in args.jobs:
        name, lib = job.split(":")
        if args.serve:
            serve(registry[name], lib)
        else:
            emit(measure(registry[name], lib, args.size, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
