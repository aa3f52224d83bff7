# benchmarks/traced.py
"""``python -m benchmarks.traced``: what recording a trace costs, on the switch workload.

Runs the switch workload (switch.py) three ways, interleaved in one process: plain; with a
no-op ``Instrument`` installed (what the kernel's instrumented pass costs by itself); and
with a ``genlet.trace.Recorder`` (``genlet.run(main, trace=recorder)``: every step recorded
in the ring). Prints each one's median rate and its slowdown against the plain run. Not part
of the driver's tables: it compares genlet with itself, not with a peer.

    taskset -c 1 python -m benchmarks.traced --rounds 7
"""

import argparse
import statistics
import sys

from .switch import genlet_switch


def hooked_run(main):
    import genlet
    from genlet.kernel.lowlevel import Instrument

    return genlet.run(main, instruments=[Instrument()])


def traced_run(main):
    import genlet
    from genlet.trace import Recorder

    return genlet.run(main, trace=Recorder())


WAYS = (
    ("plain", None),
    ("a no-op Instrument", hooked_run),
    ("traced: trace=Recorder()", traced_run),
)


def measure(rounds, tasks, yields):
    """Each way's rates, interleaved: plain, no-op, traced, plain, no-op, traced..."""
    rates = {name: [] for name, _ in WAYS}
    for _, run in WAYS:
        genlet_switch("genlet", 10, 10, run=run)  # warm up every path
    for _ in range(rounds):
        for name, run in WAYS:
            rates[name].append(genlet_switch("genlet", tasks, yields, run=run))
    return rates


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.traced", description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds of runs (default 5)")
    p.add_argument("--tasks", type=int, default=1000)
    p.add_argument("--yields", type=int, default=1000)
    args = p.parse_args(argv)
    rates = measure(args.rounds, args.tasks, args.yields)
    plain = statistics.median(rates["plain"])
    print("switch, %d tasks x %d yields, median of %d interleaved runs:" % (args.tasks, args.yields, args.rounds))
    for name, _ in WAYS:
        rate = statistics.median(rates[name])
        print("  %-26s %12.0f switches/s  %6.2fx the plain run's time" % (name, rate, plain / rate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
