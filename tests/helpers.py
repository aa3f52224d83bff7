"""Helpers shared by the tests."""

import genlet


def vrun(main, *args, seed=0):
    """Run ``main`` on a VirtualClock: deterministic, and sleeping takes no real time."""
    return genlet.run(main, *args, clock=genlet.VirtualClock(), seed=seed)


def raises_in_task(body, exc_type):
    """Run ``body`` as a task under vrun; return the exception of type ``exc_type`` it raised."""
    caught = []

    def main():
        try:
            yield from body()
        except exc_type as exc:
            caught.append(exc)

    vrun(main)
    assert caught, "expected %s" % exc_type.__name__
    return caught[0]
