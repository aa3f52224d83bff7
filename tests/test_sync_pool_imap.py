"""Pool.imap and Pool.imap_unordered: results through a Channel."""

import logging

import pytest

import genlet

from .helpers import vrun


def slow_square(x):
    yield from genlet.sleep(5 - x)
    return x * x


def drain(ch):
    out = []
    while True:
        value, ok = yield from ch.recv_ok()
        if not ok:
            return out
        out.append((value, genlet.clock()))


def test_imap_delivers_in_input_order_and_closes():
    def main():
        pool = genlet.Pool(2)
        ch = pool.imap(slow_square, range(5))
        assert isinstance(ch, genlet.Channel)
        got = yield from drain(ch)
        assert ch.closed and len(pool) == 0
        return got

    # slot 1: x=0 (0-5), x=3 (5-7); slot 2: x=1 (0-4), x=2 (4-7), x=4 (7-8)
    assert vrun(main) == [(0, 5), (1, 5), (4, 7), (9, 7), (16, 8)]


def test_imap_unordered_delivers_as_they_finish():
    def main():
        pool = genlet.Pool(2)
        return (yield from drain(pool.imap_unordered(slow_square, range(5))))

    assert vrun(main) == [(1, 4), (0, 5), (4, 7), (9, 7), (16, 8)]


def test_imap_streams_results_while_later_calls_wait_for_a_slot():
    def main():
        pool = genlet.Pool(1)
        ch = pool.imap(slow_square, [4, 4, 4])
        first = yield from ch.recv()
        assert (first, genlet.clock()) == (16, 1)
        return (yield from drain(ch))

    assert vrun(main) == [(16, 2), (16, 3)]


def test_imap_empty_input_closes_at_once():
    def main():
        pool = genlet.Pool(3)
        assert (yield from drain(pool.imap(slow_square, []))) == []
        assert (yield from drain(pool.imap_unordered(slow_square, []))) == []

    vrun(main)


def test_imap_failure_cancels_the_rest_closes_and_is_reported(caplog):
    def job(x):
        yield from genlet.sleep(x)
        if x == 2:
            raise ValueError("bad %d" % x)
        return x

    def main():
        pool = genlet.Pool(10)
        got = yield from drain(pool.imap(job, [1, 2, 3, 4]))
        yield from pool.join()
        return got, genlet.clock()

    with caplog.at_level(logging.ERROR, logger="genlet"):
        assert vrun(main) == ([(1, 1)], 2)
    assert caplog.text.count("failed and nobody was waiting for it") == 1
    assert "imap on Pool#" in caplog.text and "ValueError: bad 2" in caplog.text


def test_imap_receiver_closing_the_channel_stops_it_quietly(caplog):
    def main():
        pool = genlet.Pool(2)
        ch = pool.imap_unordered(slow_square, range(5))
        assert (yield from ch.recv()) == 1
        ch.close()
        yield from pool.join()
        return genlet.clock()

    with caplog.at_level(logging.WARNING, logger="genlet"):
        assert vrun(main) == 5  # x=0 was being sent when the channel closed; the rest cancelled
    assert caplog.text == ""


def test_pool_kill_ends_imap_quietly(caplog):
    def main():
        pool = genlet.Pool(2)
        ch = pool.imap(slow_square, range(5))
        yield from genlet.sleep(1)
        yield from pool.kill()
        return (yield from drain(ch))

    with caplog.at_level(logging.WARNING, logger="genlet"):
        assert vrun(main) == []
    assert caplog.text == ""


@pytest.mark.parametrize("ordered", [True, False], ids=["imap", "imap_unordered"])
def test_imap_stops_at_the_first_failure_and_closes_after_every_call_finished(ordered, caplog):
    """A call failing while an earlier one still ran was noticed only when imap got to it in
    order, and the channel was closed while the cancelled calls were still cleaning up."""
    started, ended = [], []

    def work(x):
        started.append(x)
        try:
            yield from genlet.sleep(1 if x == 1 else 5)
            if x == 1:
                raise ValueError("bad %d" % x)
            return x
        finally:
            if x != 1:
                with genlet.CancelScope(shield=True):
                    yield from genlet.sleep(1)  # cleanup that takes a while
            ended.append((x, genlet.clock()))

    def main():
        pool = genlet.Pool(3)
        ch = pool.imap(work, range(10)) if ordered else pool.imap_unordered(work, range(10))
        got = yield from drain(ch)
        assert genlet.clock() == 2 and len(pool) == 0  # closed once every call has finished
        return got

    with caplog.at_level(logging.ERROR, logger="genlet"):
        assert vrun(main) == []
    assert started == [0, 1, 2]
    assert sorted(ended) == [(0, 2), (1, 1), (2, 2)]
    assert caplog.text.count("failed and nobody was waiting for it") == 1 and "bad 1" in caplog.text


@pytest.mark.parametrize("ordered", [True, False], ids=["imap", "imap_unordered"])
def test_imap_with_one_slot_starts_nothing_after_the_first_failure(ordered, caplog):
    started = []

    def work(x):
        started.append(x)
        yield from genlet.sleep(1)
        raise ValueError("bad %d" % x)

    def main():
        pool = genlet.Pool(1)
        ch = pool.imap(work, range(10)) if ordered else pool.imap_unordered(work, range(10))
        assert (yield from drain(ch)) == [] and genlet.clock() == 1 and len(pool) == 0

    with caplog.at_level(logging.ERROR, logger="genlet"):
        vrun(main)
    assert started == [0] and caplog.text.count("bad 0") == 1
