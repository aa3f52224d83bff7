# From gevent: channels and select (docs/from-gevent.md, "Channels and select").
# A channel passes messages between tasks; select waits on several channel operations and
# commits exactly one of them.
import genlet


def producer(name, channel, count, pause):
    for i in range(count):
        yield from genlet.sleep(pause)
        yield from channel.send("%s-%d" % (name, i))  # unbuffered: waits for a receiver
    channel.close()


def main():
    fast, slow = genlet.Channel(), genlet.Channel()
    genlet.spawn(producer, "fast", fast, 3, 1)
    genlet.spawn(producer, "slow", slow, 2, 3.5)
    open_ops = [fast.recv_op(), slow.recv_op()]
    while open_ops:
        i, value = yield from genlet.select(*open_ops, timeout=2)
        if i is None:
            print("%.1f s: nothing for 2 s" % genlet.clock())
        elif value is genlet.CLOSED:
            print("%.1f s: a channel closed" % genlet.clock())
            del open_ops[i]
        else:
            print("%.1f s: got %s" % (genlet.clock(), value))


genlet.run(main, clock=genlet.VirtualClock())
