# Channels and select (Go's): a rendezvous, a buffer, close and drain, recv_ok, the nowait
# variants, select over receives and sends with a timeout and a default, and a fair choice
# among ready cases that a fixed seed makes the same on every interpreter.
import genlet


def producer(ch, items):
    for item in items:
        yield from ch.send(item)
    ch.close()


def drain(ch):
    """Receive until the channel is closed and empty (recv_ok's False); the values, in order."""
    got = []
    while True:
        value, ok = yield from ch.recv_ok()
        if not ok:
            return got
        got.append(value)


def rendezvous():
    ch = genlet.Channel()
    t = genlet.spawn(producer, ch, ["a", "b", "c"])
    got = yield from drain(ch)
    yield from t.join()
    print("rendezvous:", got, "closed:", ch.closed)
    try:
        yield from ch.recv()
    except genlet.ChannelClosed:
        print("recv on a closed, drained channel raises ChannelClosed")


def buffered():
    ch = genlet.Channel(2)
    ch.send_nowait(1)
    yield from ch.send(2)  # room in the buffer: finishes at once
    try:
        ch.send_nowait(3)
    except genlet.WouldBlock:
        print("buffer full: send_nowait raises WouldBlock; len", len(ch))
    ch.close()
    print("drained after close:", ch.recv_nowait(), (yield from ch.recv()))
    try:
        ch.send_nowait(4)
    except genlet.ChannelClosed:
        print("send on a closed channel raises ChannelClosed")
    try:
        genlet.Channel().recv_nowait()
    except genlet.WouldBlock:
        print("nothing to receive: recv_nowait raises WouldBlock")


def sender(ch, value, delay):
    yield from genlet.sleep(delay)
    yield from ch.send(value)


def selects():
    a, b, out = genlet.Channel(), genlet.Channel(), genlet.Channel(1)
    genlet.spawn(sender, a, "from a", 2)
    genlet.spawn(sender, b, "from b", 1)
    for _ in range(2):
        index, value = yield from genlet.select(a.recv_op(), b.recv_op())
        print("select got", index, value, "at", genlet.clock())
    index, value = yield from genlet.select(out.send_op("x"), a.recv_op())
    print("a send case with room:", index, value, "buffered:", out.recv_nowait())
    index, value = yield from genlet.select(a.recv_op(), timeout=0.5)
    print("timeout:", index, value, "at", genlet.clock())
    index, value = yield from genlet.select(a.recv_op(), default=True)
    print("default:", index, value)
    a.close()
    index, value = yield from genlet.select(a.recv_op(), b.recv_op())
    print("closed channel in a select:", index, value is genlet.CLOSED)


def fair():
    chans = [genlet.Channel(40) for _ in range(3)]
    for ch in chans:
        for i in range(40):
            ch.send_nowait(i)
    picks = []
    for _ in range(30):
        index, _ = yield from genlet.select(*[ch.recv_op() for ch in chans])
        picks.append(index)
    print("picks among 3 ready channels (seed 11):", "".join([str(i) for i in picks]))
    print("each picked:", [picks.count(i) > 0 for i in range(3)])


def pipeline():
    # a chain of 20 tasks passing numbers along: values arrive in order
    first = genlet.Channel()
    ch = first
    for _ in range(20):
        nxt = genlet.Channel(1)
        genlet.spawn(relay, ch, nxt)
        ch = nxt
    genlet.spawn(producer, first, list(range(5)))
    print("through 20 relays:", (yield from drain(ch)))


def relay(src, dst):
    while True:
        value, ok = yield from src.recv_ok()
        if not ok:
            dst.close()
            return
        yield from dst.send(value + 1)


for part in (rendezvous, buffered, selects, pipeline):
    genlet.run(part, clock=genlet.VirtualClock())
genlet.run(fair, clock=genlet.VirtualClock(), seed=11)
