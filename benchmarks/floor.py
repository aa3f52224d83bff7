# benchmarks/floor.py
"""the floor: the switch workload run by a bare deque of generators driven by ``send()``.

No timers, no IO, no cancellation, no bookkeeping: the least a generator scheduler can do per
switch, so no generator kernel can beat it. genlet's row here says what its features cost: its
switch cost as a multiple of this one (the driver prints it beside the table).
"""

from collections import deque

from .harness import Workload, rate
from .switch import genlet_switch

W = Workload(
    "floor", "the switch workload on a bare deque of generators", "switches/s",
    full=dict(tasks=1000, yields=1000), quick=dict(tasks=10, yields=10), peers=False,
)  # fmt: skip

W.impl("genlet")(genlet_switch)


@W.impl("floor")
def floor_switch(lib, tasks, yields):
    def worker():
        for _ in range(yields):
            yield

    def run():
        ready = deque(worker() for _ in range(tasks))
        take, put = ready.popleft, ready.append
        while ready:
            gen = take()
            try:
                gen.send(None)
            except StopIteration:
                continue
            put(gen)

    return rate(tasks * yields, run)
