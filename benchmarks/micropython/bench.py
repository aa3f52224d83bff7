# benchmarks/micropython/bench.py
"""genlet against MicroPython's own asyncio, in the same interpreter and the same run.

    MICROPYPATH=.frozen:. bash ../shared/tools/micropython benchmarks/micropython/bench.py [scale]

(from the project root; ``.frozen`` keeps MicroPython's frozen ``asyncio`` importable; add
``MPY_BACKEND=wasm`` for the WebAssembly port). ``scale`` (default 1.0) multiplies the work.
It also runs under CPython (``PYTHONPATH=. python3 benchmarks/micropython/bench.py``) for
comparison, without the memory figures (CPython has no ``gc.mem_free``).

What it measures, each for genlet and for asyncio:

- **switches per second**: 1,000 tasks x 1,000 yields. genlet's checkpoint is a bare
  ``yield`` (also shown: ``yield from genlet.sleep(0)``); asyncio's is ``await sleep(0)``.
- **ping-pong hand-offs per second**: two tasks pass a message back and forth. genlet:
  two rendezvous channels (``genlet.Channel()``); asyncio has no channel or queue built in,
  so two ``Event`` objects (set, wait, clear).
- **bytes per parked task**: ``gc.mem_free()`` before and after spawning 1,000 tasks that
  park (on an ``Event``; genlet also on a channel receive), divided by 1,000.
- **bytes allocated per switch**: ``gc.mem_free()`` around switches with the collector
  off (what makes the collector run on a small board).

Times are the best of ``REPEAT`` runs; each run starts after ``gc.collect()``.
"""

import gc
import sys
import time

import genlet

try:
    import asyncio
except ImportError:  # a board without asyncio: genlet's figures only
    asyncio = None

MICRO = sys.implementation.name == "micropython"
SCALE = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
REPEAT = 3
TASKS, YIELDS = int(1000 * SCALE) or 1, 1000
ROUND_TRIPS = int(50000 * SCALE) or 1
PARKED = 1000

if MICRO:

    def timer():
        return time.ticks_us()  # type: ignore[attr-defined]

    def elapsed(start):
        return time.ticks_diff(time.ticks_us(), start) / 1e6  # type: ignore[attr-defined]

else:

    def timer():
        return time.perf_counter()

    def elapsed(start):
        return time.perf_counter() - start


def best_time(run):
    best = None
    for _ in range(REPEAT):
        gc.collect()
        start = timer()
        run()
        took = elapsed(start)
        best = took if best is None or took < best else best
    return best


# -- switches -------------------------------------------------------------------------------------


def g_yielder(n):
    for _ in range(n):
        yield


def g_sleeper(n):
    sleep = genlet.sleep
    for _ in range(n):
        yield from sleep(0)


def g_switches(worker, ntasks=TASKS, nyields=YIELDS):
    def main():
        tasks = [genlet.spawn(worker, nyields) for _ in range(ntasks)]
        for t in tasks:
            yield from t.wait()

    return lambda: genlet.run(main)


async def a_sleeper(n):
    sleep = asyncio.sleep
    for _ in range(n):
        await sleep(0)


def a_switches(ntasks=TASKS, nyields=YIELDS):
    async def main():
        tasks = [asyncio.create_task(a_sleeper(nyields)) for _ in range(ntasks)]
        for t in tasks:
            await t

    return lambda: asyncio.run(main())


# -- ping-pong ------------------------------------------------------------------------------------


def g_pingpong():
    def player(inbox, outbox, n):
        for _ in range(n):
            value = yield from inbox.recv()
            yield from outbox.send(value + 1)

    def main():
        ping, pong = genlet.Channel(), genlet.Channel()
        other = genlet.spawn(player, ping, pong, ROUND_TRIPS)
        value = 0
        for _ in range(ROUND_TRIPS):
            yield from ping.send(value)
            value = yield from pong.recv()
        yield from other.wait()
        assert value == ROUND_TRIPS

    return lambda: genlet.run(main)


def a_pingpong():
    async def player(box, n):
        for _ in range(n):
            await box[1].wait()
            box[1].clear()
            box[0] += 1
            box[2].set()

    async def main():
        box = [0, asyncio.Event(), asyncio.Event()]  # value, "your turn", "my turn"
        other = asyncio.create_task(player(box, ROUND_TRIPS))
        for _ in range(ROUND_TRIPS):
            box[1].set()
            await box[2].wait()
            box[2].clear()
        await other
        assert box[0] == ROUND_TRIPS

    return lambda: asyncio.run(main())


# -- memory ---------------------------------------------------------------------------------------


def g_parked_bytes(make_gate, park):
    result = []

    def main():
        gate = make_gate()
        gc.collect()
        before = gc.mem_free()
        tasks = [genlet.spawn(park, gate) for _ in range(PARKED)]
        yield  # every task runs once and parks
        gc.collect()
        result.append((before - gc.mem_free()) / PARKED)
        for t in tasks:
            t.cancel()
        for t in tasks:
            yield from t.wait()

    genlet.run(main)
    return result[0]


def g_wait_event(event):
    yield from event.wait()


def g_wait_channel(channel):
    yield from channel.recv()


def a_parked_bytes():
    result = []

    async def parked(event):
        await event.wait()

    async def main():
        event = asyncio.Event()
        gc.collect()
        before = gc.mem_free()
        tasks = [asyncio.create_task(parked(event)) for _ in range(PARKED)]
        await asyncio.sleep(0)
        gc.collect()
        result.append((before - gc.mem_free()) / PARKED)
        event.set()
        for t in tasks:
            await t

    asyncio.run(main())
    return result[0]


def allocated_per_switch(run, switches):
    gc.collect()
    gc.disable()
    try:
        before = gc.mem_free()
        run()
        return (before - gc.mem_free()) / switches
    finally:
        gc.enable()


# -- report ---------------------------------------------------------------------------------------


def number(value):
    if value is None:
        return "-"
    return "%.1f" % value if value < 100 else "%.0f" % value


def row(label, genlet_value, asyncio_value, unit):
    ratio = ""
    if genlet_value is not None and asyncio_value:
        ratio = "%.2fx" % (genlet_value / asyncio_value)
    g, a = number(genlet_value), number(asyncio_value)
    print("%-38s %14s %14s %8s  %s" % (label, g, a, ratio, unit))


def main():
    impl = sys.implementation
    print("%s %s (%s), heap %s bytes" % (
        impl.name, ".".join([str(n) for n in impl.version[:3]]), getattr(impl, "_machine", sys.platform),
        gc.mem_free() + gc.mem_alloc() if MICRO else "n/a",
    ))  # fmt: skip
    print("%-38s %14s %14s %8s" % ("", "genlet", "asyncio", "ratio"))
    switches = TASKS * YIELDS
    have_asyncio = asyncio is not None

    g = switches / best_time(g_switches(g_yielder))
    a = switches / best_time(a_switches()) if have_asyncio else None
    row("switches/s (%d tasks x %d)" % (TASKS, YIELDS), g, a, "genlet: yield; asyncio: sleep(0)")
    g = switches / best_time(g_switches(g_sleeper))
    row("switches/s, genlet sleep(0)", g, a, "genlet: yield from sleep(0)")

    has_channels = hasattr(genlet, "Channel")
    handoffs = 2 * ROUND_TRIPS
    g = handoffs / best_time(g_pingpong()) if has_channels else None
    a = handoffs / best_time(a_pingpong()) if have_asyncio else None
    row("ping-pong hand-offs/s (%d round trips)" % ROUND_TRIPS, g, a,
        "genlet: 2 Channels; asyncio: 2 Events" if has_channels else "genlet.Channel: not built yet")  # fmt: skip

    if not MICRO:
        return
    event_cls = getattr(genlet, "Event", None)
    g = g_parked_bytes(event_cls, g_wait_event) if event_cls is not None else None
    a = a_parked_bytes() if have_asyncio else None
    row("bytes per task parked on an Event", g, a, "" if event_cls else "genlet.Event: not built yet")
    if has_channels:
        row("bytes per task parked on a recv", g_parked_bytes(genlet.Channel, g_wait_channel), None, "genlet only")

    small = 20000
    g = allocated_per_switch(g_switches(g_yielder, 10, small // 10), small)
    a = allocated_per_switch(a_switches(10, small // 10), small) if have_asyncio else None
    row("bytes allocated per switch (10 tasks)", g, a, "collector off; includes each run's setup")


if __name__ == "__main__":
    main()
