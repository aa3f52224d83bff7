# spawn and join: values, errors and cancellations come back through join; joinall.
import genlet


def square(n):
    yield from genlet.sleep(0.01 * (3 - n))
    print("square", n, "done")
    return n * n


def boom():
    yield
    raise ValueError("boom")


def forever():
    while True:
        yield from genlet.sleep(1)


def main():
    tasks = [genlet.spawn(square, i, name="sq%d" % i) for i in range(3)]
    print("spawned", [t.name for t in tasks], [t.state for t in tasks])
    results = []
    for t in tasks:
        results.append((yield from t.join()))
    print("results", results)
    print("states", [t.state for t in tasks], [t.successful() for t in tasks])

    bad = genlet.spawn(boom)
    try:
        yield from bad.join()
    except ValueError as exc:
        print("join raised", type(exc).__name__, exc)
    print("bad", bad.done(), bad.successful(), type(bad.exception).__name__)

    stuck = genlet.spawn(forever, name="stuck")
    yield
    stuck.cancel()
    try:
        yield from stuck.join()
    except genlet.TaskCancelled:
        print("join of a cancelled task raised TaskCancelled")
    print("stuck", stuck.cancelled(), stuck.state)

    group = [genlet.spawn(square, i) for i in (2, 0, 1)]
    finished = yield from genlet.joinall(group)
    print("joinall order", [t.result for t in finished])
    slow = genlet.spawn(forever, name="slow")
    finished = yield from genlet.joinall([slow], timeout=2.5)
    print("joinall timed out", len(finished), slow.state)
    yield from slow.kill()
    print("killed", slow.cancelled())
    return "main done"


print(genlet.run(main, clock=genlet.VirtualClock()))
