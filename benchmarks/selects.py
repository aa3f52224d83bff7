# benchmarks/selects.py
"""select over 1, 8 and 64 channels: a receiver selects on all of them, a sender feeds them in turn.

Each round builds one receive op per channel and selects on them; the sender sends on the
channels round-robin over unbuffered channels, so about half the selects find a sender already
waiting and half have to park on every channel and be woken. The figure is selects per second;
how it falls from 1 to 64 channels shows the cost per op (it should be no worse than linear).
The peers have no select over their queues (asyncio, trio and gevent would need a helper task
per queue and could not promise that exactly one operation happens), so only genlet is listed.
"""

from .harness import Workload, need, rate


def declare(channels):
    plural = "channel" if channels == 1 else "channels"
    return Workload(
        "select-%d" % channels, "select over %d %s (no peer has a select)" % (channels, plural), "selects/s",
        full=dict(channels=channels, rounds=100_000), quick=dict(channels=channels, rounds=40), peers=False,
    )  # fmt: skip


WORKLOADS = [declare(channels) for channels in (1, 8, 64)]


def genlet_select(lib, channels, rounds):
    import genlet

    Channel, select = need(genlet, "Channel", "select")

    def sender(chans):
        count = len(chans)
        for i in range(rounds):
            yield from chans[i % count].send(i)

    def main():
        chans = [Channel() for _ in range(channels)]
        task = genlet.spawn(sender, chans)
        for _ in range(rounds):
            yield from select(*[ch.recv_op() for ch in chans])
        yield from task.join()

    return rate(rounds, genlet.run, main)


for _workload in WORKLOADS:
    _workload.impl("genlet")(genlet_select)
