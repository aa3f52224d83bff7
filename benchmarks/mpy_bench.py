# benchmarks/mpy_bench.py
"""The MicroPython benchmarks, run under MicroPython itself (the unix port), not CPython:

    MICROPYPATH=<checkout>:.frozen micropython benchmarks/mpy_bench.py SIZE REPEAT WORKLOAD:LIB...

WORKLOAD is switch, ping-pong or memory; LIB is genlet or asyncio (MicroPython's own); SIZE is
full or quick; each job is measured REPEAT times. Prints one JSON line per job, like
``worker.py``. The driver (``mpy.py``) runs it.

- switch: 1,000 tasks × 1,000 yields (genlet: a bare ``yield``; asyncio: ``sleep(0)``).
- ping-pong: 100,000 round trips between two tasks (genlet: two unbuffered ``Channel``s;
  asyncio, which has no queue here: two ``Event``s handing a value over in a shared box).
- memory: bytes per task parked on an event, from ``gc.mem_free()`` before and after parking
  1,000 tasks.
"""

import gc
import json
import sys
import time

SIZES = {
    "full": {"switch": (1000, 1000), "ping-pong": (100000,), "memory": (1000,)},
    "quick": {"switch": (10, 10), "ping-pong": (50,), "memory": (50,)},
}


class NotAvailable(Exception):
    pass


def need(name):
    import genlet

    value = getattr(genlet, name, None)
    if value is None:
        raise NotAvailable("genlet.%s has not landed yet" % name)
    return value


def timed_rate(count, fn):
    start = time.ticks_us()
    fn()
    return count * 1e6 / max(1, time.ticks_diff(time.ticks_us(), start))


def genlet_switch(tasks, yields):
    import genlet

    def worker():
        for _ in range(yields):
            yield

    def main():
        spawned = [genlet.spawn(worker) for _ in range(tasks)]
        for task in spawned:
            yield from task.join()

    return timed_rate(tasks * yields, lambda: genlet.run(main))


def asyncio_switch(tasks, yields):
    import asyncio

    async def worker():
        for _ in range(yields):
            await asyncio.sleep(0)

    async def main():
        spawned = [asyncio.create_task(worker()) for _ in range(tasks)]
        for task in spawned:
            await task

    return timed_rate(tasks * yields, lambda: asyncio.run(main()))


def genlet_pingpong(rounds):
    import genlet

    Channel = need("Channel")

    def ponger(ping, pong):
        for _ in range(rounds):
            value = yield from ping.recv()
            yield from pong.send(value)

    def main():
        ping, pong = Channel(), Channel()
        task = genlet.spawn(ponger, ping, pong)
        for i in range(rounds):
            yield from ping.send(i)
            yield from pong.recv()
        yield from task.join()

    return timed_rate(rounds, lambda: genlet.run(main))


def asyncio_pingpong(rounds):
    import asyncio

    box = [None]

    async def ponger(ping, pong):
        for _ in range(rounds):
            await ping.wait()
            ping.clear()
            pong.set()  # the value goes back in the box as it is

    async def main():
        ping, pong = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(ponger(ping, pong))
        for i in range(rounds):
            box[0] = i
            ping.set()
            await pong.wait()
            pong.clear()
        await task

    return timed_rate(rounds, lambda: asyncio.run(main()))


def genlet_memory(tasks):
    import genlet

    Event = need("Event")
    parked = [0]

    def sleeper(event):
        parked[0] += 1
        yield from event.wait()

    def main():
        event = Event()
        gc.collect()
        before = gc.mem_free()
        spawned = [genlet.spawn(sleeper, event) for _ in range(tasks)]
        while parked[0] < tasks:
            yield
        gc.collect()
        figure = (before - gc.mem_free()) / tasks
        event.set()
        for task in spawned:
            yield from task.join()
        return figure

    return genlet.run(main)


def asyncio_memory(tasks):
    import asyncio

    parked = [0]
    figure = [0]

    async def sleeper(event):
        parked[0] += 1
        await event.wait()

    async def main():
        event = asyncio.Event()
        gc.collect()
        before = gc.mem_free()
        spawned = [asyncio.create_task(sleeper(event)) for _ in range(tasks)]
        while parked[0] < tasks:
            await asyncio.sleep(0)
        gc.collect()
        figure[0] = (before - gc.mem_free()) / tasks
        event.set()
        for task in spawned:
            await task

    asyncio.run(main())
    return figure[0]


IMPLS = {
    ("switch", "genlet"): genlet_switch,
    ("switch", "asyncio"): asyncio_switch,
    ("ping-pong", "genlet"): genlet_pingpong,
    ("ping-pong", "asyncio"): asyncio_pingpong,
    ("memory", "genlet"): genlet_memory,
    ("memory", "asyncio"): asyncio_memory,
}


def measure(workload, lib, size, repeat):
    record = {"workload": workload, "lib": lib, "status": "ok", "values": [], "note": ""}
    try:
        for _ in range(repeat):
            gc.collect()
            record["values"].append(IMPLS[(workload, lib)](*SIZES[size][workload]))
    except NotAvailable as error:
        record["status"] = "unavailable"
        record["note"] = str(error)
    except Exception as error:
        if hasattr(sys, "print_exception"):  # MicroPython's traceback printer, to stderr
            sys.print_exception(error, sys.stderr)
        record["status"] = "error"
        record["note"] = "%s: %s" % (type(error).__name__, error)
    if record["status"] != "ok":
        record["values"] = []
    return record


def main(size, repeat, *jobs):
    for job in jobs:
        workload, lib = job.split(":")
        print(json.dumps(measure(workload, lib, size, int(repeat))))


if __name__ == "__main__":
    main(*sys.argv[1:])
