"""Event and AsyncResult."""

import pytest

import genlet
from genlet.kernel.traps import TRAP

from .helpers import vrun


def test_event_set_wakes_all_and_later_waits_return_at_once():
    woken = []

    def waiter(ev, i):
        assert (yield from ev.wait()) is True
        woken.append((i, genlet.clock()))

    def main():
        ev = genlet.Event(name="go")
        ws = [genlet.spawn(waiter, ev, i) for i in range(3)]
        yield from genlet.sleep(2)
        assert ws[0].waiting_on == "Event 'go' to be set" and not ev.is_set()
        ev.set()
        assert ev.is_set() and len(ev._waiters) == 0
        yield from genlet.joinall(ws)
        assert ev.wait() is not TRAP
        assert (yield from ev.wait()) is True  # set: no waiting
        ev.clear()
        assert not ev.is_set()
        assert (yield from ev.wait(timeout=1)) is False
        assert genlet.clock() == 3 and len(ev._waiters) == 0

    vrun(main)
    assert woken == [(0, 2), (1, 2), (2, 2)]


def test_event_hand_off_survives_cancellation():
    trace = []

    def waiter(ev):
        trace.append((yield from ev.wait()))
        yield
        trace.append("not reached")

    def main():
        ev = genlet.Event()
        w = genlet.spawn(waiter, ev)
        yield
        ev.set()
        w.cancel()
        yield from w.wait()
        assert w.cancelled()

    vrun(main)
    assert trace == [True]


def test_async_result_value_and_exception():
    def main():
        r = genlet.AsyncResult()
        assert not r.ready() and r.value is None and r.exception is None
        with pytest.raises(genlet.WouldBlock, match="has no value yet"):
            r.get_nowait()

        def setter():
            yield from genlet.sleep(1)
            r.set(42)

        genlet.spawn(setter)
        assert (yield from r.get()) == 42
        assert r.ready() and r.successful() and r.value == 42 and r.get_nowait() == 42
        assert (yield from r.get()) == 42

        e = genlet.AsyncResult()
        getters = [genlet.spawn(lambda: (yield from e.get())) for _ in range(2)]
        yield
        e.set_exception(KeyError("nope"))
        for g in getters:
            with pytest.raises(KeyError):
                yield from g.join()
        assert e.ready() and not e.successful() and isinstance(e.exception, KeyError) and e.value is None
        with pytest.raises(KeyError):
            yield from e.get()
        with pytest.raises(TypeError, match="needs an exception instance"):
            e.set_exception("nope")

        n = genlet.AsyncResult()
        n.set()  # None is a value
        assert (yield from n.get()) is None and n.successful()

    vrun(main)


def test_async_result_get_timeout_raises_timeout_error():
    def main():
        r = genlet.AsyncResult(name="answer")
        with pytest.raises(genlet.TimeoutError) as info:
            yield from r.get(timeout=3)
        assert str(info.value) == "AsyncResult 'answer'.get() timed out after 3 seconds"
        assert genlet.clock() == 3 and len(r._waiters) == 0

    vrun(main)


def test_the_portable_script_passes_under_cpython():
    """tests/mpy/check_sync.py is what MicroPython runs; keep it honest here too."""
    import os
    import runpy

    path = os.path.join(os.path.dirname(__file__), "mpy", "check_sync.py")
    runpy.run_path(path, run_name="check_sync")["check"]()
