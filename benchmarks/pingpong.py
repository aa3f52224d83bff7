# benchmarks/pingpong.py
"""ping-pong: two tasks exchanging a message 100,000 times, there and back.

Each library's unbuffered channel where it has one (genlet ``Channel()``, trio
``open_memory_channel(0)``, gevent ``queue.Channel``, eventlet ``Queue(0)``), else its queue of
one (asyncio, curio). Every round trip is two hand-offs and two switches.
"""

from .harness import Workload, aio_run, join_greenlet, need, rate

W = Workload(
    "ping-pong", "100,000 round trips between two tasks", "round trips/s",
    full=dict(rounds=100_000), quick=dict(rounds=50),
)  # fmt: skip


@W.impl("genlet")
def genlet_pingpong(lib, rounds):
    import genlet

    Channel = need(genlet, "Channel")

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

    return rate(rounds, genlet.run, main)


@W.impl("asyncio", "uvloop")
def asyncio_pingpong(lib, rounds):
    import asyncio

    async def ponger(ping, pong):
        for _ in range(rounds):
            value = await ping.get()
            await pong.put(value)

    async def main():
        ping, pong = asyncio.Queue(1), asyncio.Queue(1)
        task = asyncio.ensure_future(ponger(ping, pong))
        for i in range(rounds):
            await ping.put(i)
            await pong.get()
        await task

    return rate(rounds, aio_run, lib, main)


@W.impl("curio")
def curio_pingpong(lib, rounds):
    import curio

    async def ponger(ping, pong):
        for _ in range(rounds):
            value = await ping.get()
            await pong.put(value)

    async def main():
        ping, pong = curio.Queue(1), curio.Queue(1)
        task = await curio.spawn(ponger, ping, pong)
        for i in range(rounds):
            await ping.put(i)
            await pong.get()
        await task.join()

    return rate(rounds, curio.run, main)


@W.impl("trio")
def trio_pingpong(lib, rounds):
    import trio

    async def ponger(ping, pong):
        for _ in range(rounds):
            value = await ping.receive()
            await pong.send(value)

    async def main():
        ping_send, ping_recv = trio.open_memory_channel(0)
        pong_send, pong_recv = trio.open_memory_channel(0)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(ponger, ping_recv, pong_send)
            for i in range(rounds):
                await ping_send.send(i)
                await pong_recv.receive()

    return rate(rounds, trio.run, main)


@W.impl("gevent", "eventlet")
def greenlet_pingpong(lib, rounds):
    hub = __import__(lib)
    if lib == "gevent":
        import gevent.queue

        channel = gevent.queue.Channel
    else:
        import eventlet.queue

        channel = lambda: eventlet.queue.Queue(0)  # noqa: E731 (eventlet's channel)

    def ponger(ping, pong):
        for _ in range(rounds):
            pong.put(ping.get())

    def main():
        ping, pong = channel(), channel()
        greenlet = hub.spawn(ponger, ping, pong)
        for i in range(rounds):
            ping.put(i)
            pong.get()
        join_greenlet(lib, greenlet)

    return rate(rounds, main)


W.lacks("it has no channel or queue", "tinyio")
