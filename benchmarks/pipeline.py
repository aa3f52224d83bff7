# benchmarks/pipeline.py
"""pipeline: 1,000,000 items from a producer to a consumer through a bounded buffer of 64.

genlet ``Channel(64)``, trio ``open_memory_channel(64)``, and the ``Queue(64)`` of asyncio,
curio, gevent and eventlet. The producer fills the buffer and blocks, the consumer drains it:
this measures the buffered path, where most operations complete without a switch.
"""

from .harness import Workload, aio_run, join_greenlet, need, rate

W = Workload(
    "pipeline", "1,000,000 items through a buffer of 64", "items/s",
    full=dict(items=1_000_000, capacity=64), quick=dict(items=200, capacity=64),
)  # fmt: skip


@W.impl("genlet")
def genlet_pipeline(lib, items, capacity):
    import genlet

    Channel = need(genlet, "Channel")

    def producer(channel):
        for i in range(items):
            yield from channel.send(i)

    def main():
        channel = Channel(capacity)
        task = genlet.spawn(producer, channel)
        for _ in range(items):
            yield from channel.recv()
        yield from task.join()

    return rate(items, genlet.run, main)


@W.impl("asyncio", "uvloop")
def asyncio_pipeline(lib, items, capacity):
    import asyncio

    async def producer(queue):
        for i in range(items):
            await queue.put(i)

    async def main():
        queue = asyncio.Queue(capacity)
        task = asyncio.ensure_future(producer(queue))
        for _ in range(items):
            await queue.get()
        await task

    return rate(items, aio_run, lib, main)


@W.impl("trio")
def trio_pipeline(lib, items, capacity):
    import trio

    async def producer(sender):
        for i in range(items):
            await sender.send(i)

    async def main():
        sender, receiver = trio.open_memory_channel(capacity)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(producer, sender)
            for _ in range(items):
                await receiver.receive()

    return rate(items, trio.run, main)


@W.impl("curio")
def curio_pipeline(lib, items, capacity):
    import curio

    async def producer(queue):
        for i in range(items):
            await queue.put(i)

    async def main():
        queue = curio.Queue(capacity)
        task = await curio.spawn(producer, queue)
        for _ in range(items):
            await queue.get()
        await task.join()

    return rate(items, curio.run, main)


@W.impl("gevent", "eventlet")
def greenlet_pipeline(lib, items, capacity):
    hub = __import__(lib)
    queue_class = __import__(lib + ".queue").queue.Queue

    def producer(queue):
        for i in range(items):
            queue.put(i)

    def main():
        queue = queue_class(capacity)
        greenlet = hub.spawn(producer, queue)
        for _ in range(items):
            queue.get()
        join_greenlet(lib, greenlet)

    return rate(items, main)


W.lacks("it has no channel or queue", "tinyio")
