# From gevent: a greenlet's life (docs/from-gevent.md, "A task's life").
# gevent's four states (Running, Ready, Waiting, Finished) are a genlet task's `state`.
import genlet


def long_task():
    me = genlet.current_task()
    print("Task is starting, state", me.state)
    yield from genlet.sleep(3)
    print("Task is finished")
    return "done"


def main():
    g = genlet.spawn(long_task, name="long_task")  # created and scheduled: no start() step
    print("spawned:", g.state)
    yield  # a checkpoint: let it run up to its sleep
    print("after a checkpoint:", g.state, "on", g.waiting_on)
    result = yield from g.join()
    print("joined:", g.state, repr(result), "at %.0f s" % genlet.clock())


genlet.run(main, clock=genlet.VirtualClock())
