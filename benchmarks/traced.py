# benchmarks/traced.py
"""``python -m benchmarks.traced``: what recording a trace costs, on the switch workload.

Runs the switch workload (switch.py) four ways, interleaved in one process: plain; with a
no-op ``Instrument`` installed (it overrides nothing, so the kernel keeps its plain pass);
with an instrument that overrides only ``steps_ran`` and does nothing (what the kernel's
instrumented pass costs by itself: one clock reading per step, a call per pass); and with a
``genlet.trace.Recorder`` (``genlet.run(main, trace=recorder)``: every step recorded in the
ring). Prints each one's median rate and its slowdown against the plain run. Not part of the
driver's tables: it compares genlet with itself, not with a peer.

    taskset -c 1 python -m benchmarks.traced --rounds 7 [--report docs/benchmarks.md]

``--report`` writes the figures as a section of docs/benchmarks.md (between ``BEGIN`` and
``END``; the main driver keeps it when it rewrites the page).
"""

import argparse
import statistics
import sys

from .switch import genlet_switch

BEGIN = "<!-- trace-cost section: begin -->"
END = "<!-- trace-cost section: end -->"


def hooked_run(main):
    import genlet
    from genlet.kernel.lowlevel import Instrument

    return genlet.run(main, instruments=[Instrument()])


def stepped_run(main):
    import genlet
    from genlet.kernel.lowlevel import Instrument

    class Steps(Instrument):
        def steps_ran(self, tasks, times):
            pass

    return genlet.run(main, instruments=[Steps()])


def traced_run(main):
    import genlet
    from genlet.trace import Recorder

    return genlet.run(main, trace=Recorder())


WAYS = (
    ("plain", None),
    ("a no-op Instrument", hooked_run),
    ("steps_ran only (the pass)", stepped_run),
    ("traced: trace=Recorder()", traced_run),
)


def measure(rounds, tasks, yields):
    """Each way's rates, interleaved: plain, no-op, pass, traced, plain, no-op, pass, traced..."""
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
    p.add_argument("--report", metavar="FILE.md", help="write the figures as a section of this page")
    args = p.parse_args(argv)
    rates = measure(args.rounds, args.tasks, args.yields)
    plain = statistics.median(rates["plain"])
    print("switch, %d tasks x %d yields, median of %d interleaved runs:" % (args.tasks, args.yields, args.rounds))
    rows = []
    for name, _ in WAYS:
        rate = statistics.median(rates[name])
        rows.append((name, rate, plain / rate))
        print("  %-26s %12.0f switches/s  %6.2fx the plain run's time" % rows[-1])
    if args.report:
        from . import http_report

        http_report.write(args.report, section(rows, args), BEGIN, END)
        print("wrote the section to %s" % args.report)
    return 0


def section(rows, args):
    """The figures as docs/benchmarks.md's section."""
    lines = [
        BEGIN, "## What a trace costs (issue 18)", "",
        "The switch workload (%d tasks x %d yields) plain, with a no-op `Instrument` (it overrides "
        "nothing: the kernel keeps its plain pass), with an instrument that overrides only `steps_ran` "
        "(the kernel's instrumented pass alone) and with `trace=Recorder()`; medians of %d interleaved "
        "runs in one process (`python -m benchmarks.traced --rounds %d --tasks %d --yields %d`, pinned "
        "with `taskset -c 1`). Goal: traced under 3x the plain run's time."
        % (args.tasks, args.yields, args.rounds, args.rounds, args.tasks, args.yields),
        "", "| run | switches/s | time vs plain |", "|---|---:|---:|",
    ]  # fmt: skip
    lines += ["| %s | %.0f | %.2fx |" % row for row in rows]
    lines += ["", "Traced: **%.2fx** the plain run's time (goal: under 3x)." % rows[-1][2]]
    return "\n".join(lines + ["", END]) + "\n"


if __name__ == "__main__":
    sys.exit(main())
