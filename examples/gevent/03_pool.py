# From gevent: Pool(3) with six tasks (docs/from-gevent.md, "A pool").
# At most three run at a time; pool.spawn waits for a free slot.
import genlet


def task(number):
    print("Task %d is running (at %.0f s)" % (number, genlet.clock()))
    yield from genlet.sleep(2)
    print("Task %d is finished" % number)


def main():
    pool = genlet.Pool(3)
    for i in range(6):
        yield from pool.spawn(task, i)  # waits while all three slots are busy
    yield from pool.join()
    print("all six done at %.0f s" % genlet.clock())


genlet.run(main, clock=genlet.VirtualClock())
