"""select at the kernel level: the op protocol, with task.join_op() and bad input."""

import pytest

import genlet

from .helpers import vrun


def sleeper(d, value=None):
    yield from genlet.sleep(d)
    return value


def test_select_join_ops_first_to_finish_wins():
    def main():
        a = genlet.spawn(sleeper, 3, "a")
        b = genlet.spawn(sleeper, 1, "b")
        i, task = yield from genlet.select(a.join_op(), b.join_op())
        assert (i, task) == (1, b) and task.result == "b"
        assert len(a._joiners) == 0  # the losing op left a's queue
        i, task = yield from genlet.select(a.join_op(), b.join_op())  # b is done: ready at once
        assert i == 1 and genlet.clock() == 1
        a.cancel()
        return genlet.clock()

    assert vrun(main) == 1


def test_select_timeout_default_and_nil_cases():
    def main():
        t = genlet.spawn(sleeper, 10)
        assert (yield from genlet.select(t.join_op(), timeout=2)) == (None, None)
        assert genlet.clock() == 2 and len(t._joiners) == 0
        assert (yield from genlet.select(t.join_op(), default=True)) == (None, None)
        assert (yield from genlet.select(None, timeout=1)) == (None, None)
        assert genlet.clock() == 3
        i, _ = yield from genlet.select(None, t.join_op())
        assert i == 1 and genlet.clock() == 10

    vrun(main)


def test_select_bad_input_is_clear():
    def main():
        with pytest.raises(TypeError, match="at least one op"):
            yield from genlet.select()
        with pytest.raises(TypeError, match="not both"):
            yield from genlet.select(None, timeout=1, default=True)
        with pytest.raises(TypeError, match="argument 2 is 42, not an op"):
            yield from genlet.select(None, 42)

    vrun(main)


def test_select_cancelled_leaves_queues_unchanged():
    def main():
        t = genlet.spawn(sleeper, 10)
        with genlet.move_on_after(1):
            yield from genlet.select(t.join_op(), t.join_op())
        assert len(t._joiners) == 0
        t.cancel()

    vrun(main)


def test_select_fair_among_ready_ops_and_seeded():
    def quick():
        return None
        yield

    def main():
        ts = [genlet.spawn(quick) for _ in range(3)]
        yield from genlet.sleep(1)
        counts = [0, 0, 0]
        picks = []
        for _ in range(3000):
            i, _ = yield from genlet.select(*[t.join_op() for t in ts])
            counts[i] += 1
            picks.append(i)
        return counts, picks[:20]

    counts, first = genlet.run(main, clock=genlet.VirtualClock(), seed=7)
    assert all(900 < c < 1100 for c in counts), counts
    assert genlet.run(main, clock=genlet.VirtualClock(), seed=7)[1] == first
    assert genlet.run(main, clock=genlet.VirtualClock(), seed=8)[1] != first


def test_select_none_alone_waits_forever_deadlock():
    def main():
        yield from genlet.select(None)

    with pytest.raises(genlet.Deadlock, match="select on nothing"):
        vrun(main)
