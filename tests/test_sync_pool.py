"""Pool: bounded concurrency, spawn waiting for a slot, map, join, kill."""

import logging
import re

import pytest

import genlet

from .helpers import vrun


def test_pool_of_3_runs_6_two_second_tasks_in_4_seconds():
    running = [0]
    peak = [0]

    def job(i):
        running[0] += 1
        peak[0] = max(peak[0], running[0])
        try:
            yield from genlet.sleep(2)
        finally:
            running[0] -= 1
        return i

    def main():
        pool = genlet.Pool(3)
        assert pool.free_count() == 3
        tasks = []
        for i in range(6):
            tasks.append((yield from pool.spawn(job, i)))
            assert pool.free_count() == max(0, 2 - i) or genlet.clock() > 0
        assert genlet.clock() == 2  # the 4th spawn waited for a slot
        assert (yield from pool.join()) is True
        assert [t.result for t in tasks] == list(range(6)) and pool.free_count() == 3 and len(pool) == 0
        return genlet.clock()

    assert vrun(main) == 4
    assert peak[0] == 3


def test_pool_map_keeps_order():
    def square(x):
        yield from genlet.sleep(5 - x)
        return x * x

    def main():
        pool = genlet.Pool(2)
        results = yield from pool.map(square, range(5))
        assert results == [0, 1, 4, 9, 16]
        return genlet.clock()

    # slot 1 runs x=0 (5 s) then x=3 (2 s); slot 2 runs x=1 (4 s), x=2 (3 s), x=4 (1 s)
    assert vrun(main) == 8


def test_pool_map_failure_cancels_the_rest_and_is_not_also_logged(caplog):
    def job(x):
        yield from genlet.sleep(x)
        if x == 2:
            raise ValueError("bad %d" % x)
        return x

    def main():
        pool = genlet.Pool(10)
        with pytest.raises(ValueError, match="bad 2"):
            yield from pool.map(job, [1, 2, 3, 4])
        yield from pool.join()
        return genlet.clock()

    with caplog.at_level(logging.ERROR, logger="genlet"):
        assert vrun(main) == 2  # tasks 3 and 4 were cancelled, not waited out
    assert "failed" not in caplog.text


def test_pool_unjoined_failure_is_reported_once(caplog):
    def boom():
        yield
        raise KeyError("lost")

    def main():
        pool = genlet.Pool(2, name="workers")
        yield from pool.spawn(boom)
        yield from pool.join()

    with caplog.at_level(logging.ERROR, logger="genlet"):
        vrun(main)
    assert len(re.findall(r"task 'boom-\d+' failed and nobody was waiting for it", caplog.text)) == 1


def test_pool_joined_failure_is_not_reported(caplog):
    def boom():
        yield
        raise KeyError("seen")

    def main():
        pool = genlet.Pool(2)
        t = yield from pool.spawn(boom)
        with pytest.raises(KeyError):
            yield from t.join()

    with caplog.at_level(logging.ERROR, logger="genlet"):
        vrun(main)
    assert "failed" not in caplog.text


def test_pool_kill_and_join_timeout():
    def forever():
        yield from genlet.sleep(1000)

    def main():
        pool = genlet.Pool(2)
        a = yield from pool.spawn(forever)
        b = yield from pool.spawn(forever)
        assert (yield from pool.join(timeout=1)) is False
        assert len(pool._joiners) == 0 and a in pool
        yield from pool.kill()
        assert a.cancelled() and b.cancelled() and len(pool) == 0
        c = yield from pool.spawn(forever)
        pool.kill()  # a plain call cancels at once
        yield
        assert c.cancelled()
        return genlet.clock()

    assert vrun(main) == 1


def test_pool_spawner_cancelled_while_waiting_leaves_the_line():
    def forever():
        yield from genlet.sleep(1000)

    def main():
        pool = genlet.Pool(1, name="one")
        yield from pool.spawn(forever)
        spawner = genlet.spawn(lambda: (yield from pool.spawn(forever)))
        yield
        assert spawner.waiting_on == "Pool 'one' spawn (a free slot)"
        spawner.cancel()
        yield from spawner.wait()
        assert len(pool._spawners) == 0 and len(pool) == 1
        yield from pool.kill()

    vrun(main)


def test_pool_slot_hand_off_survives_spawner_cancellation():
    def short():
        yield from genlet.sleep(1)

    def main():
        pool = genlet.Pool(1)
        yield from pool.spawn(short)
        got = []

        def spawner():
            got.append((yield from pool.spawn(short)))
            yield

        s = genlet.spawn(spawner)
        yield  # the spawner waits for the slot; `short` sleeps (its timer is before ours)
        yield from genlet.sleep(1)  # `short` ends: its slot (and a new task) go to the spawner
        s.cancel()
        yield from s.wait()
        assert len(got) == 1 and got[0] in pool  # the task it was handed is running
        yield from pool.join()
        assert got[0].successful()

    vrun(main)


def test_pool_bad_input():
    with pytest.raises(ValueError) as info:
        genlet.Pool(0)
    assert str(info.value) == "Pool(0): a pool needs at least one slot; Pool(n) runs at most n tasks at once"
    with pytest.raises(ValueError, match=r"Pool\(None\)"):
        genlet.Pool(None)

    def short():
        yield from genlet.sleep(1)

    def main():
        pool = genlet.Pool(1)
        with pytest.raises(TypeError, match="not a generator"):
            yield from pool.spawn(len, "abc")
        assert pool.free_count() == 1
        yield from pool.spawn(short)
        later = genlet.spawn(lambda: (yield from pool.spawn(short)))  # in line behind us
        with pytest.raises(TypeError, match="not a generator"):  # raised after the wait, in the caller
            yield from pool.spawn(len, "abc")
        assert genlet.clock() == 1
        started = yield from later.join()  # ... and our slot went on to the next in line
        assert started in pool and pool.free_count() == 0 and genlet.clock() == 1
        yield from pool.join()
        assert pool.free_count() == 1

    vrun(main)


# -- the first failure stops map (issue 14) ---------------------------------------------------


class Calls:
    """Work that records when each call starts and when its finally runs."""

    def __init__(self, fails=(), seconds=None):
        self.fails = fails
        self.seconds = seconds or {}
        self.started, self.ended = [], []

    def __call__(self, x):
        self.started.append((x, genlet.clock()))
        try:
            yield from genlet.sleep(self.seconds.get(x, 1))
            if x in self.fails:
                raise ValueError("bad %d" % x)
            return x
        finally:
            self.ended.append((x, genlet.clock()))


def test_pool_map_stops_starting_calls_at_the_first_failure():
    """Pool(1).map with the first call failing at t=1 started all ten calls, raised at t=9,
    and left a cancelled call unfinished."""
    work = Calls(fails=(0,))

    def main():
        pool = genlet.Pool(1)
        with pytest.raises(ValueError, match="bad 0"):
            yield from pool.map(work, range(10))
        assert genlet.clock() == 1 and len(pool) == 0 and pool.free_count() == 1
        assert sorted(work.ended) == [(0, 1)]  # every call started has finished

    vrun(main)
    assert work.started == [(0, 0)]


def test_pool_map_raises_a_later_failure_at_once_and_waits_for_the_cancelled():
    work = Calls(fails=(1,), seconds={0: 5, 1: 1, 2: 5})

    def main():
        pool = genlet.Pool(3)
        with pytest.raises(ValueError, match="bad 1"):
            yield from pool.map(work, range(6))
        assert genlet.clock() == 1 and len(pool) == 0
        assert sorted(work.ended) == [(0, 1), (1, 1), (2, 1)]  # cancelled, and finished

    vrun(main)
    assert [x for x, _ in work.started] == [0, 1, 2]


def test_pool_map_starts_nothing_after_a_failure_even_with_a_slot_handed_over():
    """Call 0 succeeds and call 1 fails at the same moment: the slot call 0 frees is handed to
    map, which is waiting to start call 2; the failure comes before map runs again."""
    work = Calls(fails=(1,))

    def main():
        pool = genlet.Pool(2)
        with pytest.raises(ValueError, match="bad 1"):
            yield from pool.map(work, range(6))
        assert genlet.clock() == 1 and len(pool) == 0 and pool.free_count() == 2

    vrun(main)
    assert [x for x, _ in work.started] == [0, 1]


def test_pool_map_cancelled_from_outside_finishes_its_calls_first():
    work = Calls(seconds={0: 5, 1: 5})

    def main():
        pool = genlet.Pool(2)
        with genlet.move_on_after(1) as scope:
            yield from pool.map(work, range(4))
        assert scope.cancelled_caught and genlet.clock() == 1 and len(pool) == 0
        assert sorted(work.ended) == [(0, 1), (1, 1)]

    vrun(main)
