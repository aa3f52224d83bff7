"""One workload on the walkthrough's last kernel (step 11) and on genlet, side by side.

The walkthrough builds a kernel from nothing (docs/walkthrough/); its last page,
docs/walkthrough/12-genlet.md, maps each of its ideas onto genlet's files. This program makes
the map concrete: the same tasks, written once, run on both kernels and print the same answers.

    python3 examples/walkthrough_vs_genlet.py

The workload: two producers send numbers down one unbuffered channel; a consumer takes them
until both producers have said "done", and sends main what it got. Then a deadlock: two tasks
each wait for the other, and main waits for an answer from them. Both kernels name who waits
on what, in their own words, and both run every `finally`. (The step-11 kernel has no `join`:
tasks there pass results over channels, which works on genlet too.)

The one difference in how the tasks are written: the walkthrough's `spawn` is a trap
(`yield from spawn(f)`), genlet's is a plain call (`genlet.spawn(f)`), because starting a task
never has to wait. Each kernel's `spawn` is wrapped below so that the workload can be shared.
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # genlet from this checkout

import genlet  # noqa: E402

STEP11 = os.path.join(HERE, "walkthrough", "step11_deadlock.py")


def load_step11():
    """The step-11 kernel as a namespace: its source above `# -- a program`, run on its own."""
    with open(STEP11) as f:
        source = f.read()
    kernel_part = source[: source.index("\n# -- a program")]
    namespace = {"__name__": "step11"}
    exec(compile(kernel_part, STEP11, "exec"), namespace)
    return namespace


class Walkthrough:
    """The workload's view of the step-11 kernel."""

    title = "the walkthrough's kernel (step 11)"

    def __init__(self):
        self.k = load_step11()
        self.Deadlock = self.k["Deadlock"]

    def run(self, main, *args):
        return self.k["Kernel"]().run(main, *args)

    def spawn(self, fn, *args):
        return (yield from self.k["spawn"](fn, *args))

    def channel(self, name):
        return self.k["Channel"](name)


class Genlet:
    """The workload's view of genlet."""

    title = "genlet"
    Deadlock = genlet.Deadlock

    def run(self, main, *args):
        return genlet.run(main, *args, clock=genlet.VirtualClock())

    def spawn(self, fn, *args):
        return genlet.spawn(fn, *args)
        yield  # a generator, so that the workload can `yield from` it on both kernels

    def channel(self, name):
        return genlet.Channel(name=name)


# -- the workload, written once ------------------------------------------------------------------
def producer(channel, first, count):
    for n in range(first, first + count):
        yield from channel.send(n)
    yield from channel.send("done")


def consumer(channel, producers, results):
    got = []
    while producers:
        value = yield from channel.recv()
        if value == "done":
            producers -= 1
        else:
            got.append(value)
    yield from results.send(got)


def pipeline(kernel):
    numbers, results = kernel.channel("numbers"), kernel.channel("results")
    yield from kernel.spawn(producer, numbers, 100, 5)
    yield from kernel.spawn(producer, numbers, 200, 5)
    yield from kernel.spawn(consumer, numbers, 2, results)
    got = yield from results.recv()
    print("  the consumer got %d numbers, sum %d, in order per producer: %s" % (
        len(got), sum(got), [n for n in got if n < 200] == sorted(n for n in got if n < 200)))
    return sum(got)


def stuck(name, inbox, outbox):
    try:
        value = yield from inbox.recv()  # each waits for the other: nobody ever sends
        yield from outbox.send(value)
    finally:
        print("  %s's finally runs" % name)


def deadlock(kernel):
    a, b, answer = kernel.channel("a"), kernel.channel("b"), kernel.channel("answer")
    yield from kernel.spawn(stuck, "left", a, b)
    yield from kernel.spawn(stuck, "right", b, a)
    yield from answer.recv()  # nobody will send it


def main():
    for kernel in (Walkthrough(), Genlet()):
        print(kernel.title + ":")
        print("  run() returned", kernel.run(pipeline, kernel))
        try:
            kernel.run(deadlock, kernel)
        except kernel.Deadlock as exc:
            for line in str(exc).splitlines():  # genlet adds where each task waits: file, line
                print("  " + re.sub(r", at \S+:\d+ in (\w+)", r" (in \1)", line))


if __name__ == "__main__":
    main()
