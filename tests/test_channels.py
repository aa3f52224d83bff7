"""Channels: rendezvous, buffering, FIFO, close, recv_ok, nowait, hand-off, bad input."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import genlet
from genlet import CLOSED, Channel, ChannelClosed, WouldBlock
from genlet.sync import ChannelStatistics

from .helpers import vrun


def collect(ch, out):
    """A receiver task: everything until the channel is closed and drained."""
    while True:
        value, ok = yield from ch.recv_ok()
        if not ok:
            return out
        out.append(value)


def recv_n(ch, n):
    """The next ``n`` values (a comprehension cannot ``yield from``)."""
    values = []
    for _ in range(n):
        values.append((yield from ch.recv()))
    return values


# -- exports, construction, bad input --------------------------------------------------------


def test_exports():
    import genlet.sync

    for name in ("Channel", "ChannelClosed", "CLOSED", "WouldBlock"):
        assert getattr(genlet, name) is getattr(genlet.sync, name)
        assert name in genlet.__all__ and name in genlet.sync.__all__
    assert repr(CLOSED) == "CLOSED"
    assert Channel[int] is Channel  # generic for the type checker, a plain class at run time


def test_capacity_bad_input_is_clear():
    with pytest.raises(ValueError, match=r"cannot be negative \(got -1\); use 0 for a rendezvous"):
        Channel(-1)
    with pytest.raises(TypeError, match=r"whole number of items .* got 1\.5"):
        Channel(1.5)
    with pytest.raises(TypeError, match="got '3'"):
        Channel("3")
    with pytest.raises(TypeError, match="got True"):
        Channel(True)
    with pytest.raises(TypeError, match="got None"):
        Channel(None)


def test_properties_len_statistics_describe():
    ch = Channel(3)
    assert (ch.capacity, ch.closed, len(ch)) == (3, False, 0)
    ch.send_nowait("a")
    ch.send_nowait("b")
    stats = ch.statistics()
    assert isinstance(stats, ChannelStatistics)
    assert (stats.buffered, stats.capacity, stats.closed, stats.waiting_senders, stats.waiting_receivers) == (
        2, 3, False, 0, 0,
    )  # fmt: skip
    assert "buffered=2" in repr(stats)
    ch.close()
    assert ch.closed and ch.statistics().closed and len(ch) == 2
    assert ch.describe().startswith("Channel#") and ch.describe().endswith("(cap=3)")
    assert repr(ch) == "<%s 2 buffered, closed>" % ch.describe()
    assert Channel().describe() != Channel().describe()  # each channel has its own number


def test_a_named_channel_says_its_name():
    ch = Channel(2, name="jobs")
    assert ch.name == "jobs" and ch.describe() == "Channel 'jobs'(cap=2)"
    unnamed = Channel()
    assert unnamed.name.startswith("Channel#") and unnamed.describe() == unnamed.name + "(cap=0)"
    ch.close()
    with pytest.raises(ChannelClosed, match=r"Channel 'jobs'\(cap=2\) is already closed"):
        ch.close()


def test_waiting_on_names_the_channel_and_the_direction():
    def main():
        a, b = Channel(), Channel(1)
        b.send_nowait("full")
        r = genlet.spawn(a.recv)
        s = genlet.spawn(b.send, "waits")
        yield
        assert r.waiting_on == "%s recv" % a.describe()
        assert s.waiting_on == "%s send" % b.describe()
        assert b.statistics().waiting_senders == 1 and a.statistics().waiting_receivers == 1
        r.cancel()
        s.cancel()

    vrun(main)


def test_spawning_a_channel_operation_gives_its_wait_to_the_new_task():
    def main():
        ch = Channel()
        first = genlet.spawn(ch.send, "a")  # has to wait: the new task waits, not main
        second = genlet.spawn(ch.send, "b")
        assert genlet.current_task().state == genlet.RUNNING
        assert [w.task for w in ch._senders] == [first, second]  # FIFO as spawned
        assert first.waiting_on == "%s send" % ch.describe()
        receiver = genlet.spawn(ch.recv_ok)
        assert receiver.done() is False and len(ch._senders) == 1  # took "a" at once
        assert (yield from receiver.join()) == ("a", True)
        second.cancel()  # an adopted wait is cancelled like any other
        yield from second.wait()
        assert second.cancelled() and idle(ch)
        waiting = genlet.spawn(ch.recv)
        yield from ch.send("c")
        assert (yield from waiting.join()) == "c" and first.done()

    vrun(main)


def idle(ch):
    stats = ch.statistics()
    return stats.waiting_senders == 0 and stats.waiting_receivers == 0


def test_deadlock_dump_names_the_channel():
    def main():
        yield from Channel().recv()

    with pytest.raises(genlet.Deadlock, match=r"Channel#\d+\(cap=0\) recv"):
        vrun(main)


def test_forgetting_yield_from_is_explained():
    def main():
        ch = Channel()
        ch.recv()  # registered to wait, never waited on
        yield

    with pytest.raises(TypeError, match=r"blocking operation \(Channel#\d+\(cap=0\) recv\) without waiting for it"):
        vrun(main)


# -- rendezvous and buffering ------------------------------------------------------------------


def test_rendezvous_send_completes_only_when_a_receiver_takes_the_value():
    log = []

    def sender(ch):
        yield from ch.send("x")
        log.append(("sent", genlet.clock()))

    def main():
        ch = Channel()
        genlet.spawn(sender, ch)
        yield from genlet.sleep(5)
        assert log == [] and ch.statistics().waiting_senders == 1 and len(ch) == 0
        assert (yield from ch.recv()) == "x"
        yield
        assert log == [("sent", 5)]

    vrun(main)


def test_rendezvous_receiver_waits_for_a_sender():
    def main():
        ch = Channel()
        receiver = genlet.spawn(ch.recv)
        yield from genlet.sleep(3)
        assert receiver.state == genlet.WAITING
        yield from ch.send(42)  # a receiver waits: completes at once, not a checkpoint
        assert receiver.state == genlet.READY
        assert (yield from receiver.join()) == 42

    vrun(main)


def test_buffered_send_completes_at_once_until_full():
    def main():
        ch = Channel(2)
        yield from ch.send(1)
        yield from ch.send(2)
        assert len(ch) == 2 and genlet.clock() == 0
        third = genlet.spawn(ch.send, 3)
        yield
        assert third.state == genlet.WAITING and ch.statistics().waiting_senders == 1
        assert (yield from ch.recv()) == 1
        # the freed slot went to the waiting sender at once: FIFO order is kept
        assert len(ch) == 2 and third.state == genlet.READY
        assert (yield from recv_n(ch, 2)) == [2, 3]

    vrun(main)


def test_immediate_operations_are_not_checkpoints():
    def other(trace):
        trace.append("other")
        yield

    def main():
        trace = []
        ch = Channel(10)
        genlet.spawn(other, trace)
        for i in range(10):
            yield from ch.send(i)
        for i in range(10):
            assert (yield from ch.recv()) == i
        assert trace == []  # never switched away
        yield
        assert trace == ["other"]

    vrun(main)


def test_long_stream_through_small_and_large_buffers():
    def producer(ch, n):
        for i in range(n):
            yield from ch.send(i)
        ch.close()

    def main(capacity):
        ch = Channel(capacity)
        genlet.spawn(producer, ch, 1000)
        return (yield from collect(ch, []))

    for capacity in (0, 1, 7, 64, 1000, 5000):
        assert vrun(main, capacity) == list(range(1000))


@given(st.integers(1, 200), st.lists(st.integers(-40, 40), max_size=60))
def test_the_buffer_is_a_fifo_and_keeps_nothing_else(capacity, moves):
    """Bursts of sends (n > 0) and receives (n < 0) against a plain list."""
    ch, model, sent = Channel(capacity), [], 0
    for n in moves:
        for _ in range(abs(n)):
            if n > 0 and len(model) < capacity:
                ch.send_nowait(sent)
                model.append(sent)
                sent += 1
            elif n < 0 and model:
                assert ch.recv_nowait() == model.pop(0)
        assert len(ch) == len(model) and list(ch._buf) == model  # FIFO, and nothing kept beyond it


# -- FIFO --------------------------------------------------------------------------------------


def test_fifo_among_waiting_senders():
    def sender(ch, value):
        yield from ch.send(value)

    def main():
        ch = Channel(1)
        for value in "abcde":
            genlet.spawn(sender, ch, value)
            yield  # each parks (after the first fills the buffer) in this order
        assert ch.statistics().waiting_senders == 4
        return (yield from recv_n(ch, 5))

    assert vrun(main) == list("abcde")


def test_fifo_among_waiting_receivers():
    def main():
        ch = Channel()
        receivers = []
        for _ in range(5):
            receivers.append(genlet.spawn(ch.recv))
            yield
        for value in range(5):
            yield from ch.send(value)
        results = []
        for r in receivers:
            results.append((yield from r.join()))
        return results

    assert vrun(main) == [0, 1, 2, 3, 4]


def test_order_is_kept_per_sender():
    def sender(ch, name, n):
        for i in range(n):
            yield from ch.send((name, i))
            if i % 3 == 0:
                yield

    def main():
        ch = Channel(2)
        for name in "xyz":
            genlet.spawn(sender, ch, name, 30)
        got = yield from recv_n(ch, 90)
        for name in "xyz":
            assert [i for n, i in got if n == name] == list(range(30))

    vrun(main)


# -- close -------------------------------------------------------------------------------------


def test_close_drains_the_buffer_first():
    def main():
        ch = Channel(3)
        for value in "abc":
            ch.send_nowait(value)
        ch.close()
        assert (yield from ch.recv()) == "a"
        assert (yield from ch.recv_ok()) == ("b", True)
        assert ch.recv_nowait() == "c"
        assert (yield from ch.recv_ok()) == (None, False)
        with pytest.raises(ChannelClosed, match="closed and drained.*recv_ok"):
            yield from ch.recv()
        with pytest.raises(ChannelClosed):
            ch.recv_nowait()

    vrun(main)


def test_send_on_a_closed_channel_is_a_clear_error():
    def main():
        ch = Channel(5)
        ch.close()
        with pytest.raises(ChannelClosed, match=r"send on a closed channel \(Channel#\d+\(cap=5\)\)"):
            yield from ch.send(1)
        with pytest.raises(ChannelClosed, match="send on a closed channel"):
            ch.send_nowait(1)
        assert len(ch) == 0  # room in the buffer does not matter

    vrun(main)


def test_closing_twice_raises():
    ch = Channel()
    ch.close()
    with pytest.raises(ChannelClosed, match="already closed: close a channel once"):
        ch.close()


def test_close_wakes_every_waiter_with_the_right_outcome():
    def recv_task(ch):
        try:
            return (yield from ch.recv())
        except ChannelClosed as exc:
            return "closed: %s" % exc

    def send_task(ch, value):
        try:
            yield from ch.send(value)
            return "sent"
        except ChannelClosed:
            return "send failed"

    def main():
        empty, full = Channel(), Channel(1)
        full.send_nowait("kept")
        tasks = [
            genlet.spawn(recv_task, empty),
            genlet.spawn(empty.recv_ok),
            genlet.spawn(genlet.select, empty.recv_op(), None),
            genlet.spawn(send_task, full, "lost"),
            genlet.spawn(genlet.select, full.send_op("lost too")),
        ]
        yield
        assert all(t.state == genlet.WAITING for t in tasks)
        empty.close()
        full.close()
        outcomes = []
        for t in tasks:
            try:
                outcomes.append((yield from t.join()))
            except ChannelClosed as exc:
                outcomes.append("select raised: %s" % exc)
        assert outcomes[0].startswith("closed: %s is closed and drained" % empty.describe())
        assert outcomes[1:3] == [(None, False), (0, CLOSED)]
        assert outcomes[3] == "send failed"
        assert outcomes[4].startswith("select raised: send on a closed channel")
        assert (yield from full.recv()) == "kept"  # the buffer survives the close
        for ch in (empty, full):
            assert ch.statistics().waiting_senders == ch.statistics().waiting_receivers == 0

    vrun(main)


def test_recv_ok_on_an_open_channel():
    def main():
        ch = Channel()
        genlet.spawn(ch.send, None)
        assert (yield from ch.recv_ok()) == (None, True)  # a None value is not the end
        waiting = genlet.spawn(ch.recv_ok)
        yield
        ch.send_nowait(7)
        assert (yield from waiting.join()) == (7, True)

    vrun(main)


# -- nowait ------------------------------------------------------------------------------------


def test_nowait_operations():
    def main():
        ch = Channel(1)
        with pytest.raises(WouldBlock, match="no value is buffered and no sender is waiting"):
            ch.recv_nowait()
        ch.send_nowait(1)
        with pytest.raises(WouldBlock, match="no receiver is waiting and the buffer is full"):
            ch.send_nowait(2)
        assert ch.recv_nowait() == 1
        rendezvous = Channel()
        with pytest.raises(WouldBlock):
            rendezvous.send_nowait(1)
        receiver = genlet.spawn(rendezvous.recv)
        yield
        rendezvous.send_nowait("direct")  # a receiver waits: a rendezvous succeeds
        assert (yield from receiver.join()) == "direct"
        sender = genlet.spawn(rendezvous.send, "from a task")
        yield
        assert rendezvous.recv_nowait() == "from a task"
        yield from sender.join()

    vrun(main)


# -- hand-off under cancellation ---------------------------------------------------------------


def test_receiver_cancelled_right_after_the_handoff_keeps_the_value():
    log = []

    def receiver(ch):
        value = yield from ch.recv()
        log.append(value)
        yield  # the cancel arrives here, at the next checkpoint

    def main():
        ch = Channel()
        task = genlet.spawn(receiver, ch)
        yield
        ch.send_nowait("precious")
        task.cancel()
        yield from task.wait()
        assert log == ["precious"] and task.cancelled()

    vrun(main)


def test_sender_cancelled_right_after_its_value_was_taken_sees_its_send_complete():
    log = []

    def sender(ch):
        yield from ch.send("v")
        log.append("send returned")
        yield

    def main():
        for capacity in (0, 1):
            log.clear()
            ch = Channel(capacity)
            if capacity:
                ch.send_nowait("first")
            task = genlet.spawn(sender, ch)
            yield
            assert task.state == genlet.WAITING
            received = ch.recv_nowait()
            task.cancel()
            yield from task.wait()
            assert log == ["send returned"] and task.cancelled()
            assert [received] + ([ch.recv_nowait()] if capacity else []) == (["first", "v"] if capacity else ["v"])

    vrun(main)


def test_select_cancelled_right_after_the_handoff_keeps_the_value():
    log = []

    def selector(a, b):
        log.append((yield from genlet.select(a.recv_op(), b.recv_op())))
        yield

    def main():
        a, b = Channel(), Channel()
        task = genlet.spawn(selector, a, b)
        yield
        b.send_nowait("mine")
        task.cancel()
        yield from task.wait()
        assert log == [(1, "mine")] and task.cancelled()
        assert a.statistics().waiting_receivers == 0

    vrun(main)


def test_cancelled_waiters_leave_no_trace_and_lose_nothing():
    def main():
        ch = Channel()
        receivers = [genlet.spawn(ch.recv) for _ in range(3)]
        senders = [genlet.spawn(Channel(0).send, i) for i in range(2)]
        yield
        receivers[1].cancel()
        yield
        assert ch.statistics().waiting_receivers == 2
        yield from ch.send("a")
        yield from ch.send("b")
        assert (yield from receivers[0].join()) == "a"
        assert (yield from receivers[2].join()) == "b"
        assert receivers[1].cancelled()
        for s in senders:
            s.cancel()

    vrun(main)


def test_timeouts_around_channel_operations():
    def main():
        ch = Channel()
        with genlet.move_on_after(2) as scope:
            yield from ch.recv()
        assert scope.cancelled_caught and genlet.clock() == 2
        with pytest.raises(TimeoutError):
            with genlet.fail_after(1):
                yield from ch.send(1)
        assert genlet.clock() == 3
        stats = ch.statistics()
        assert stats.waiting_senders == stats.waiting_receivers == 0

    vrun(main)


def test_the_portable_script_passes_under_cpython():
    """tests/mpy/check_channels.py is what MicroPython runs; keep it honest here too."""
    import os
    import runpy

    path = os.path.join(os.path.dirname(__file__), "mpy", "check_channels.py")
    runpy.run_path(path, run_name="check_channels")["check"]()


def test_spawn_a_receive_the_new_task_does_the_waiting():
    def main():
        ch = genlet.Channel()
        receiver = genlet.spawn(ch.recv)
        assert genlet.current_task()._wait is None  # the caller was not registered
        assert receiver.state == genlet.WAITING and "recv" in receiver.waiting_on
        yield from ch.send("handed over")
        return (yield from receiver.join())

    assert vrun(main) == "handed over"
