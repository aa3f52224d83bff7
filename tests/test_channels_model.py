"""Channels and select against a reference model (a hypothesis state machine).

Each rule is one atomic action: spawn a task that does one channel operation (send, recv,
recv_ok or a select over several channels, maybe with a timeout, a default, or inside
move_on_after / fail_after), close a channel, cancel a task, call a *_nowait operation, or let
virtual time pass. After each action the kernel runs until every task is parked or finished,
and the model, a plain-Python Go channel (a buffer, a FIFO of waiting senders, a FIFO of
waiting receivers, a closed flag), must agree exactly with the real channels (buffer contents,
who waits in which queue, in which order, with which value) and with every task's outcome.

So every value a send delivered is received exactly once and in order (the model is FIFO and
hands out each value once), a cancelled or timed-out operation leaves every channel as it
found it, a value handed over is kept even when its receiver is cancelled right after, and at
the end, once every task is cancelled, no waiter is left in any queue.

The one thing the model cannot predict is which ready op a select picks (that is random); it
checks that the pick was one of the ready ops and then applies that op.
"""

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import genlet
from genlet import CLOSED, Cancelled, Channel, ChannelClosed, WouldBlock
from genlet.kernel import Kernel, VirtualClock

# -- the reference model -----------------------------------------------------------------------


class Entry:
    """A parked operation in a model queue: whose, which select case, which value."""

    def __init__(self, rec, index, value=None):
        self.rec, self.index, self.value = rec, index, value


class ModelChannel:
    def __init__(self, capacity):
        self.capacity = capacity
        self.buf = []
        self.senders = []
        self.receivers = []
        self.closed = False


class Rec:
    """One spawned operation: what the model expects, and what the task recorded."""

    def __init__(self, key, kind, ops, style):
        self.key, self.kind, self.ops, self.style = key, kind, ops, style
        self.task = None
        self.expected = None  # the model's outcome, once the operation is over
        self.actual = None  # what the task recorded
        self.waiting = False
        self.deadline = None
        self.cancelled_after = False  # cancelled after its operation completed

    def __repr__(self):
        return "<Rec %d %s %r %s>" % (self.key, self.kind, self.ops, self.style)


class Model:
    def __init__(self, capacities):
        self.chans = [ModelChannel(c) for c in capacities]
        self.now = 0

    def _finish(self, rec, outcome):
        for mc in self.chans:
            mc.senders = [e for e in mc.senders if e.rec is not rec]
            mc.receivers = [e for e in mc.receivers if e.rec is not rec]
        rec.waiting = False
        rec.expected = outcome

    def deliver(self, entry, value):
        """A receiver entry got ``value``."""
        rec = entry.rec
        if rec.kind == "select":
            out = ("ok", (entry.index, value))
        elif rec.kind == "recv_ok":
            out = ("ok", (value, True))
        else:
            out = ("ok", value)
        self._finish(rec, out)
        return rec

    def accept(self, entry):
        """A sender entry's value was taken."""
        rec = entry.rec
        self._finish(rec, ("ok", (entry.index, None)) if rec.kind == "select" else ("ok", None))
        return rec

    def send(self, i, value):
        """'closed', 'park', or the Rec that was completed ('buffered' if none)."""
        mc = self.chans[i]
        if mc.closed:
            return "closed"
        if mc.receivers:
            return self.deliver(mc.receivers.pop(0), value)
        if len(mc.buf) < mc.capacity:
            mc.buf.append(value)
            return "buffered"
        return "park"

    def recv(self, i):
        """('value', v, completed sender Rec or None), 'closed' or 'park'."""
        mc = self.chans[i]
        if mc.buf:
            value = mc.buf.pop(0)
            woken = None
            if mc.senders:
                entry = mc.senders.pop(0)
                mc.buf.append(entry.value)
                woken = self.accept(entry)
            return ("value", value, woken)
        if mc.senders:
            entry = mc.senders.pop(0)
            return ("value", entry.value, self.accept(entry))
        if mc.closed:
            return "closed"
        return "park"

    def close(self, i):
        """Close channel i; the Recs it woke, receivers first."""
        mc = self.chans[i]
        mc.closed = True
        woken = []
        while mc.receivers:
            entry = mc.receivers.pop(0)
            rec = entry.rec
            if rec.kind == "select":
                self._finish(rec, ("ok", (entry.index, CLOSED)))
            elif rec.kind == "recv_ok":
                self._finish(rec, ("ok", (None, False)))
            else:
                self._finish(rec, ("closed",))
            woken.append(rec)
        while mc.senders:
            rec = mc.senders.pop(0).rec
            self._finish(rec, ("closed",))
            woken.append(rec)
        return woken

    def ready(self, op):
        kind, i = op[0], op[1]
        mc = self.chans[i]
        if kind == "recv":
            return bool(mc.buf or mc.senders or mc.closed)
        return mc.closed or bool(mc.receivers) or len(mc.buf) < mc.capacity

    def park(self, rec, timeout):
        rec.waiting = True
        if timeout is not None:
            rec.deadline = self.now + timeout
        if rec.kind == "select":
            for index, op in enumerate(rec.ops):
                if op is None:
                    continue
                mc = self.chans[op[1]]
                if op[0] == "recv":
                    mc.receivers.append(Entry(rec, index))
                else:
                    mc.senders.append(Entry(rec, index, op[2]))
        else:
            mc = self.chans[rec.ops[1]]
            if rec.kind == "send":
                mc.senders.append(Entry(rec, None, rec.ops[2]))
            else:
                mc.receivers.append(Entry(rec, None))

    def timed_out(self, rec):
        timeout_param = rec.kind == "select" and rec.style[0] == "timeout"
        self._finish(rec, ("ok", (None, None)) if timeout_param else ("timeout",))

    def cancel(self, rec):
        self._finish(rec, ("cancelled",))


# -- the tasks ---------------------------------------------------------------------------------


def op_task(rec, chans):
    kind, style = rec.kind, rec.style
    try:
        if kind == "select":
            ops = [None if op is None else _make_op(chans, op) for op in rec.ops]
            kwargs = {}
            if style[0] == "timeout":
                kwargs["timeout"] = style[1]
            elif style[0] == "default":
                kwargs["default"] = True

            def body():
                return genlet.select(*ops, **kwargs)

        else:
            ch = chans[rec.ops[1]]
            if kind == "send":
                value = rec.ops[2]

                def body():
                    return ch.send(value)

            else:
                body = ch.recv if kind == "recv" else ch.recv_ok
        if style[0] == "move_on":
            with genlet.move_on_after(style[1]) as scope:
                result = yield from body()
            rec.actual = ("timeout",) if scope.cancelled_caught else ("ok", result)
        elif style[0] == "fail":
            try:
                with genlet.fail_after(style[1]):
                    result = yield from body()
                rec.actual = ("ok", result)
            except TimeoutError:
                rec.actual = ("timeout",)
        else:
            rec.actual = ("ok", (yield from body()))
    except ChannelClosed:
        rec.actual = ("closed",)
    except Cancelled:
        rec.actual = ("cancelled",)
        raise
    except Exception as exc:  # a bug: make the invariant fail with the reason
        rec.actual = ("error", repr(exc))
    yield  # a checkpoint: a cancel that arrives after a hand-off lands here


def _make_op(chans, op):
    return chans[op[1]].recv_op() if op[0] == "recv" else chans[op[1]].send_op(op[2])


# -- the state machine -------------------------------------------------------------------------

N_CHANNELS = 3
channel_index = st.integers(0, N_CHANNELS - 1)
plain_style = st.one_of(
    st.just(("none",)),
    st.tuples(st.sampled_from(["move_on", "fail"]), st.sampled_from([0, 1, 2, 5])),
)
select_style = st.one_of(
    st.just(("none",)),
    st.just(("default",)),
    st.tuples(st.just("timeout"), st.sampled_from([0, 1, 3])),
    st.tuples(st.sampled_from(["move_on", "fail"]), st.sampled_from([0, 2])),
)
select_op = st.one_of(
    st.none(),
    st.tuples(st.just("recv"), channel_index),
    st.tuples(st.just("send"), channel_index),
)


class ChannelMachine(RuleBasedStateMachine):
    @initialize(
        capacities=st.lists(st.sampled_from([0, 0, 1, 2, 3]), min_size=N_CHANNELS, max_size=N_CHANNELS),
        seed=st.integers(0, 2**32 - 1),
    )
    def setup(self, capacities, seed):
        self.clock = VirtualClock()
        self.kernel = Kernel(self.clock, seed)
        self.chans = [Channel(c) for c in capacities]
        self.model = Model(capacities)
        self.recs = []
        self.next_value = 0

    def teardown(self):
        if not hasattr(self, "kernel"):
            return
        for rec in self.recs:
            rec.task.cancel()
        self.settle()
        assert not self.kernel.tasks(), self.kernel.dump()
        for ch in self.chans:
            stats = ch.statistics()
            assert stats.waiting_senders == 0 and stats.waiting_receivers == 0, ch
        self.kernel.close()

    # -- driving the kernel ----------------------------------------------------------------
    def settle(self):
        """Run until every task is parked or finished (time does not move)."""
        for _ in range(10000):
            if self.kernel.step(0.0) != 0.0:
                return
        raise AssertionError("the kernel did not settle")

    def value(self):
        self.next_value += 1
        return self.next_value

    def spawn(self, rec):
        rec.task = self.kernel.spawn(op_task, rec, self.chans)
        self.recs.append(rec)
        self.settle()

    def timeout_of(self, style):
        return style[1] if style[0] in ("move_on", "fail", "timeout") else None

    def park_or_expire(self, rec, style):
        timeout = self.timeout_of(style)
        if timeout == 0:
            self.model.timed_out(rec)  # a deadline already due: it expires at the first wait
        else:
            self.model.park(rec, timeout)

    # -- rules: one operation in a new task --------------------------------------------------
    @rule(i=channel_index, style=plain_style)
    def send(self, i, style):
        value = self.value()
        rec = Rec(len(self.recs), "send", ("send", i, value), style)
        outcome = self.model.send(i, value)
        if outcome == "closed":
            rec.expected = ("closed",)
        elif outcome == "park":
            self.park_or_expire(rec, style)
        else:
            rec.expected = ("ok", None)
        self.spawn(rec)

    @rule(i=channel_index, style=plain_style, ok=st.booleans())
    def recv(self, i, style, ok):
        rec = Rec(len(self.recs), "recv_ok" if ok else "recv", ("recv", i), style)
        outcome = self.model.recv(i)
        if outcome == "closed":
            rec.expected = ("ok", (None, False)) if ok else ("closed",)
        elif outcome == "park":
            self.park_or_expire(rec, style)
        else:
            rec.expected = ("ok", (outcome[1], True) if ok else outcome[1])
        self.spawn(rec)

    @rule(ops=st.lists(select_op, min_size=1, max_size=4), style=select_style)
    def select(self, ops, style):
        ops = [None if op is None else (op + (self.value(),) if op[0] == "send" else op) for op in ops]
        rec = Rec(len(self.recs), "select", ops, style)
        ready = [index for index, op in enumerate(ops) if op is not None and self.model.ready(op)]
        if not ready:
            if style[0] == "default":
                rec.expected = ("ok", (None, None))
            else:
                self.park_or_expire(rec, style)
            self.spawn(rec)
            return
        self.spawn(rec)  # the pick is random: check it, then apply it to the model
        actual = rec.actual
        assert actual is not None, "a select with ready ops %r did not complete" % ready
        if actual == ("closed",):
            assert any(ops[k][0] == "send" and self.model.chans[ops[k][1]].closed for k in ready), actual
            rec.expected = actual
            return
        index, value = actual[1]
        assert index in ready, (actual, ready)
        op = ops[index]
        if op[0] == "recv":
            outcome = self.model.recv(op[1])
            assert outcome != "park"
            expected_value = CLOSED if outcome == "closed" else outcome[1]
            rec.expected = ("ok", (index, expected_value))
        else:
            outcome = self.model.send(op[1], op[2])
            assert outcome not in ("park", "closed"), outcome
            rec.expected = ("ok", (index, None))

    # -- rules: plain calls from outside the tasks -----------------------------------------
    @rule(i=channel_index, cancel_taker=st.booleans())
    def send_nowait(self, i, cancel_taker):
        value = self.value()
        outcome = self.model.send(i, value)
        if outcome == "closed":
            with pytest.raises(ChannelClosed, match="send on a closed channel"):
                self.chans[i].send_nowait(value)
        elif outcome == "park":
            with pytest.raises(WouldBlock):
                self.chans[i].send_nowait(value)
        else:
            self.chans[i].send_nowait(value)
            if cancel_taker and outcome != "buffered":
                self.cancel_after_handoff(outcome)
        self.settle()

    @rule(i=channel_index, cancel_taker=st.booleans())
    def recv_nowait(self, i, cancel_taker):
        outcome = self.model.recv(i)
        if outcome == "closed":
            with pytest.raises(ChannelClosed, match="closed and drained"):
                self.chans[i].recv_nowait()
        elif outcome == "park":
            with pytest.raises(WouldBlock):
                self.chans[i].recv_nowait()
        else:
            assert self.chans[i].recv_nowait() == outcome[1]
            if cancel_taker and outcome[2] is not None:
                self.cancel_after_handoff(outcome[2])
        self.settle()

    @rule(i=channel_index, cancel_woken=st.booleans())
    def close(self, i, cancel_woken):
        if self.model.chans[i].closed:
            with pytest.raises(ChannelClosed, match="already closed"):
                self.chans[i].close()
            return
        woken = self.model.close(i)
        self.chans[i].close()
        if cancel_woken:
            for rec in woken:
                self.cancel_after_handoff(rec)
        self.settle()

    def cancel_after_handoff(self, rec):
        """Cancel a task that was just handed its outcome and has not run yet: it keeps it."""
        assert rec.task.state == genlet.READY
        rec.cancelled_after = True
        rec.task.cancel()

    @precondition(lambda self: any(rec.waiting for rec in self.recs))
    @rule(data=st.data())
    def cancel(self, data):
        waiting = [rec for rec in self.recs if rec.waiting]
        rec = data.draw(st.sampled_from(waiting))
        self.model.cancel(rec)
        rec.task.cancel()
        self.settle()

    @rule(dt=st.sampled_from([1, 2, 3]))
    def advance(self, dt):
        target = self.model.now + dt
        for rec in self.recs:
            if rec.waiting and rec.deadline is not None and rec.deadline <= target:
                self.model.timed_out(rec)
        self.model.now = target
        while True:
            deadline = self.kernel._timers.next_deadline()
            if deadline is None or deadline > target:
                break
            self.clock.advance(deadline - self.clock.now())
            self.settle()
        self.clock.advance(target - self.clock.now())
        self.settle()

    # -- the model and the real thing agree --------------------------------------------------
    @invariant()
    def channels_match(self):
        if not hasattr(self, "kernel"):
            return
        for ch, mc in zip(self.chans, self.model.chans):
            assert list(ch._buf) == mc.buf, (ch, mc.buf)
            assert [(w.task, w.value) for w in ch._senders] == [(e.rec.task, e.value) for e in mc.senders], ch
            assert [w.task for w in ch._receivers] == [e.rec.task for e in mc.receivers], ch
            assert ch.closed == mc.closed
            stats = ch.statistics()
            assert (stats.buffered, stats.waiting_senders, stats.waiting_receivers) == (
                len(mc.buf), len(mc.senders), len(mc.receivers),
            )  # fmt: skip
            assert len(ch) <= ch.capacity
            assert not (ch._senders and len(ch) < ch.capacity), "a sender waits while there is room"
            assert not (ch._receivers and len(ch)), "a receiver waits while a value is buffered"

    @invariant()
    def tasks_match(self):
        if not hasattr(self, "kernel"):
            return
        for rec in self.recs:
            if rec.waiting:
                assert rec.actual is None and rec.task.state == genlet.WAITING, (rec, rec.actual)
            else:
                assert rec.actual == rec.expected, (rec, rec.actual, rec.expected)
                assert rec.task.done(), rec
                assert rec.task.cancelled() == (rec.cancelled_after or rec.expected == ("cancelled",)), rec


ChannelMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=40)
test_channels_against_model = ChannelMachine.TestCase
