# gevent's day-one calls: join(timeout), spawn_later, killall, iwait, link / link_exception.
import genlet


def after(seconds, value):
    yield from genlet.sleep(seconds)
    if value == "fail":
        raise ValueError("fail")
    return value


def worker():
    try:
        yield from genlet.sleep(100)
    finally:
        print("worker cleans up at", genlet.clock())


def main():
    slow = genlet.spawn(after, 5, "slow")
    try:
        yield from slow.join(timeout=1)
    except genlet.TimeoutError:
        print("join timed out at", genlet.clock(), "done:", slow.done())
    print("join in time:", (yield from slow.join(timeout=10)), "at", genlet.clock())

    later = genlet.spawn_later(2, after, 1, "later")
    print("spawn_later name:", later.name.split("-")[0])
    print("spawn_later value:", (yield from later.join()), "at", genlet.clock())
    never = genlet.spawn_later(2, after, 0, "never")
    yield from never.kill()
    print("cancelled before it started:", never.cancelled())

    workers = [genlet.spawn(worker) for _ in range(2)]
    yield
    done = yield from genlet.killall(workers)
    print("killall:", len(done), [w.cancelled() for w in workers])

    tasks = [genlet.spawn(after, s, s) for s in (3, 1, 2)]
    waiter = genlet.iwait(tasks)
    order = []
    while True:
        task = yield from waiter.next()
        if task is None:
            break
        order.append(task.result)
    print("iwait order:", order)
    tasks = [genlet.spawn(after, s, s) for s in (1, 9)]
    with genlet.iwait(tasks, timeout=2) as waiter:
        first = yield from waiter.next()
        second = yield from waiter.next()
    print("iwait timeout:", first.result, second, "at", genlet.clock())
    yield from genlet.killall(tasks)

    seen = []
    bad = genlet.spawn(after, 1, "fail")
    bad.link(lambda t: seen.append("link"))
    bad.link_exception(lambda t: seen.append("link_exception " + type(t.exception).__name__))
    good = genlet.spawn(after, 1, "good")
    good.link_exception(lambda t: seen.append("not called"))
    good.link(lambda t: seen.append("good " + t.result))
    yield from genlet.sleep(2)
    print("links:", seen)


genlet.run(main, clock=genlet.VirtualClock())
