# Semaphores: at most N holders at once, FIFO, acquire with a timeout, and a BoundedSemaphore
# that refuses to be released more often than acquired.
import genlet

running = [0, 0]  # now, most at once


def job(sem, name, log):
    with (yield from sem):
        running[0] += 1
        running[1] = max(running[1], running[0])
        log.append(name)
        yield from genlet.sleep(1)
        running[0] -= 1


def main():
    sem = genlet.Semaphore(2)
    log = []
    tasks = [genlet.spawn(job, sem, "j%d" % i, log) for i in range(5)]
    yield from genlet.joinall(tasks)
    print("order:", " ".join(log), "most at once:", running[1], "took", genlet.clock())
    print("value back to", sem.value)

    yield from sem.acquire()
    yield from sem.acquire()
    ok = yield from sem.acquire(timeout=0.5)
    print("a third acquire of 2 times out:", not ok, "at", genlet.clock())
    sem.release()
    sem.release()

    bounded = genlet.BoundedSemaphore(1)
    yield from bounded.acquire()
    bounded.release()
    try:
        bounded.release()
    except ValueError:
        print("BoundedSemaphore released too often raises ValueError")


genlet.run(main, clock=genlet.VirtualClock())
