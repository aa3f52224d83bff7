"""When is a task's failure reported? When it happens, unless at that moment someone waits to
receive it (issue 14, items 2 and 3)."""

import logging

import pytest

import genlet
from tests.helpers import vrun


def _fails_at(seconds, error=ZeroDivisionError("late")):
    def body():
        yield from genlet.sleep(seconds)
        raise error

    return body


def _reports(caplog, name):
    return [r for r in caplog.records if "'%s'" % name in r.getMessage() and "nobody was waiting" in r.getMessage()]


def _run(caplog, main):
    with caplog.at_level(logging.ERROR, logger="genlet"):
        vrun(main)


def test_a_join_that_gave_up_does_not_silence_a_later_failure(caplog):
    def main():
        t = genlet.spawn(_fails_at(5), name="late")
        with genlet.move_on_after(1):
            yield from t.join()
        yield from genlet.sleep(10)

    _run(caplog, main)
    (record,) = _reports(caplog, "late")
    assert record.exc_info[0] is ZeroDivisionError


def _select_gives_up(t):
    assert (yield from genlet.select(t.join_op(), timeout=1)) == (None, None)


def _joinall_gives_up(t):
    assert (yield from genlet.joinall([t], timeout=1, raise_error=True)) == []


@pytest.mark.parametrize("give_up", [_select_gives_up, _joinall_gives_up])
def test_a_select_or_joinall_that_timed_out_does_not_silence_a_later_failure(caplog, give_up):
    def main():
        t = genlet.spawn(_fails_at(5), name="late")
        yield from give_up(t)
        yield from genlet.sleep(10)

    _run(caplog, main)
    assert len(_reports(caplog, "late")) == 1


def test_a_cancelled_join_does_not_silence_a_later_failure(caplog):
    def main():
        t = genlet.spawn(_fails_at(5), name="late")
        joiner = genlet.spawn(t.join)
        yield from genlet.sleep(1)
        yield from joiner.kill()
        yield from genlet.sleep(10)

    _run(caplog, main)
    assert len(_reports(caplog, "late")) == 1


def test_joinall_without_raise_error_does_not_hide_failures(caplog):
    def main():
        a = genlet.spawn(_fails_at(1, KeyError("a")), name="a")
        b = genlet.spawn(_fails_at(2, ValueError("b")), name="b")
        done = yield from genlet.joinall([a, b])
        assert done == [a, b]

    _run(caplog, main)
    assert len(_reports(caplog, "a")) == 1
    assert len(_reports(caplog, "b")) == 1


def test_joinall_reports_a_deadlock_in_one_of_its_tasks(caplog):
    """The article's two-lock deadlock, ended with joinall: the Deadlock is not swallowed."""

    def main():
        a, b = genlet.Lock(), genlet.Lock()

        def take(first, second):
            with (yield from first):
                yield from genlet.sleep(1)
                with (yield from second):
                    pass

        g1 = genlet.spawn(take, a, b, name="g1")
        g2 = genlet.spawn(take, b, a, name="g2")
        yield from genlet.joinall([g1, g2])

    _run(caplog, main)
    reports = _reports(caplog, "g2")
    assert len(reports) == 1 and reports[0].exc_info[0] is genlet.Deadlock


def test_joinall_raise_error_receives_the_first_failure_only(caplog):
    def main():
        a = genlet.spawn(_fails_at(1, KeyError("a")), name="a")
        b = genlet.spawn(_fails_at(1, ValueError("b")), name="b")
        with pytest.raises(KeyError):
            yield from genlet.joinall([a, b], raise_error=True)
        yield from genlet.sleep(5)

    _run(caplog, main)
    assert not _reports(caplog, "a")
    assert len(_reports(caplog, "b")) == 1


def test_wait_is_not_a_receiver(caplog):
    def main():
        t = genlet.spawn(_fails_at(1), name="waited")
        yield from t.wait()
        assert isinstance(t.exception, ZeroDivisionError)

    _run(caplog, main)
    assert len(_reports(caplog, "waited")) == 1


def test_receivers_at_the_moment_of_failure_silence_the_report(caplog):
    def main():
        t1 = genlet.spawn(_fails_at(1), name="joined")
        t2 = genlet.spawn(_fails_at(2), name="selected")
        t3 = genlet.spawn(_fails_at(3), name="raised")
        t4 = genlet.spawn(_fails_at(4), name="early")
        with pytest.raises(ZeroDivisionError):
            yield from t1.join()
        assert (yield from genlet.select(t2.join_op())) == (0, t2)
        with pytest.raises(ZeroDivisionError):
            yield from genlet.joinall([t3], raise_error=True)
        yield from genlet.sleep(5)  # t4 fails meanwhile, with nobody waiting: reported then
        with pytest.raises(ZeroDivisionError):  # and a later join still re-raises it
            yield from t4.join()

    _run(caplog, main)
    assert [r.getMessage() for r in caplog.records] == ["task 'early' failed and nobody was waiting for it"]


def test_a_pool_joiner_receives_its_failure(caplog):
    def main():
        pool = genlet.Pool(2)
        t = yield from pool.spawn(_fails_at(1), name="pooled")
        with pytest.raises(ZeroDivisionError):
            yield from t.join()

    _run(caplog, main)
    assert not caplog.records
