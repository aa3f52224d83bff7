"""The platform layer, as each interpreter gets it: clocks and pollers chosen by feature.

CPython has epoll, so the other pollers (poll, select) and MicroPython's wrapping tick clock
are tested here by choosing them by hand, or by giving the clock a fake ``time`` module.
"""

import gc
import importlib
import socket
import types

import pytest

import genlet
from genlet.kernel import driving, outside, poller, read_wait, write_wait
from genlet.kernel.running import current_kernel

clock_module = importlib.import_module("genlet.kernel.clock")  # genlet.kernel.clock is a function


# -- clocks ---------------------------------------------------------------------------------------


class FakeTicks:
    """MicroPython's ticks_ms / ticks_diff / ticks_add, with a small period to wrap quickly."""

    def __init__(self, period=1 << 12, start=0):
        self.period = period
        self.raw = start  # real milliseconds since the fake boot, never wraps

    def module(self):
        half = self.period // 2

        def ticks_diff(a, b):
            return ((a - b + half) % self.period) - half

        return types.SimpleNamespace(
            ticks_ms=lambda: self.raw % self.period,
            ticks_diff=ticks_diff,
            ticks_add=lambda t, d: (t + d) % self.period,
        )


def ticks_clock(monkeypatch, fake):
    monkeypatch.setattr(clock_module, "time", fake.module())
    return clock_module.TicksClock()


def test_default_clock_is_chosen_by_feature(monkeypatch):
    assert isinstance(clock_module.default_clock(), clock_module.MonotonicClock)
    monkeypatch.setattr(clock_module, "time", FakeTicks().module())
    assert isinstance(clock_module.default_clock(), clock_module.TicksClock)
    monkeypatch.setattr(clock_module, "time", types.SimpleNamespace())
    with pytest.raises(RuntimeError, match="neither time.monotonic nor time.ticks_ms"):
        clock_module.default_clock()


def test_ticks_clock_counts_across_the_wrap(monkeypatch):
    fake = FakeTicks(period=1 << 12, start=(1 << 12) - 300)
    clock = ticks_clock(monkeypatch, fake)
    seen = []
    for _ in range(40):  # 40 x 250 ms: wraps the 4096 ms counter twice
        fake.raw += 250
        seen.append(clock.now())
    assert seen == [0.25 * (i + 1) for i in range(40)]


def test_ticks_clock_survives_a_gap_longer_than_half_a_period(monkeypatch):
    fake = FakeTicks(period=1 << 12)
    clock = ticks_clock(monkeypatch, fake)
    fake.raw += 3000  # ticks_diff says -1096: the counter went round, time did not go back
    assert clock.now() == 3.0
    fake.raw += 1
    assert clock.now() == 3.001


def test_ticks_clock_keeps_every_millisecond(monkeypatch):
    """Counted in integers: a float of a day's seconds in 32 bits would drop a 1 ms step."""
    fake = FakeTicks(period=1 << 30)
    clock = ticks_clock(monkeypatch, fake)
    for _ in range(2500):
        fake.raw += 1
        clock.now()
    assert clock.now() == 2.5
    assert (clock._seconds, clock._millis) == (2, 500)


def test_ticks_clock_sleep_time(monkeypatch):
    clock = ticks_clock(monkeypatch, FakeTicks())
    assert clock.sleep_time(10.0, 4.0) == 6.0
    assert clock.sleep_time(1.0, 2.0) == 0.0


def test_kernel_never_polls_forever_on_a_ticks_clock(monkeypatch):
    """No deadline at all, one IO wait: the poll still ends within an hour (the clock must be
    read at least once per tick period)."""
    fake = FakeTicks(period=1 << 30)
    clock = ticks_clock(monkeypatch, fake)
    a, b = socket.socketpair()
    timeouts = []

    def main():
        io = current_kernel()._ensure_io()
        inner = io.poller.poll

        def poll(timeout):
            timeouts.append(timeout)
            b.send(b"x")  # make it readable, so that the test does not wait
            return inner(timeout)

        io.poller.poll = poll
        yield from read_wait(a)
        return a.recv(1)

    try:
        assert genlet.run(main, clock=clock) == b"x"
    finally:
        a.close()
        b.close()
    assert timeouts and timeouts[0] == driving._MAX_BLOCK == 3600.0


# -- pollers --------------------------------------------------------------------------------------


POLLERS = {
    "epoll": lambda: poller.EpollPoller(),
    "poll": lambda: poller.PollPoller(),
    "select": lambda: poller.SelectPoller(),
}
if not hasattr(poller._select, "epoll"):  # pragma: no cover - not Linux
    del POLLERS["epoll"]


@pytest.fixture(params=sorted(POLLERS))
def use_poller(request, monkeypatch):
    if request.param == "select":
        # select takes descriptors below 1024 only, and PyPy closes the sockets other tests
        # dropped without closing only when it collects garbage: collect now.
        gc.collect()
    monkeypatch.setattr(outside, "best_poller", POLLERS[request.param])
    return request.param


def count_polls():
    io = current_kernel()._ensure_io()
    inner = io.poller.poll
    counter = [0]

    def poll(timeout):
        counter[0] += 1
        return inner(timeout)

    io.poller.poll = poll
    return counter


def polls_while_waiting_on(idle, polls):
    """Wait 50 ms on a socket nobody writes to, so that the kernel polls; the polls it took."""
    before = polls[0]
    with genlet.move_on_after(0.05):
        yield from read_wait(idle)
    return polls[0] - before


def test_each_poller_carries_a_ping_pong(use_poller):
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)

    def echo():
        for _ in range(3):
            yield from read_wait(b)
            data = b.recv(100)
            yield from write_wait(b)
            b.send(data.upper())

    def main():
        assert current_kernel()._ensure_io().poller.name == use_poller
        t = genlet.spawn(echo)
        got = []
        for word in (b"one", b"two", b"three"):
            yield from write_wait(a)
            a.send(word)
            yield from read_wait(a)
            got.append(a.recv(100))
        yield from t.join()
        return got

    try:
        assert genlet.run(main) == [b"ONE", b"TWO", b"THREE"]
    finally:
        a.close()
        b.close()


def test_a_hung_up_peer_wakes_the_reader_and_nothing_spins(use_poller):
    a, b = socket.socketpair()
    idle, other = socket.socketpair()
    a.setblocking(False)

    def main():
        polls = count_polls()
        b.close()
        yield from read_wait(a)  # woken by the hang-up
        assert a.recv(10) == b""
        return (yield from polls_while_waiting_on(idle, polls))  # the stale interest stays quiet

    try:
        assert genlet.run(main) < 10
    finally:
        for s in (a, idle, other):
            s.close()


def test_a_file_closed_while_registered_does_not_spin(use_poller):
    """Closed without notify_closing while the poller still holds its interest: poll reports
    POLLNVAL, select fails as a whole; either way the kernel drops it and carries on."""
    a, b = socket.socketpair()
    idle, other = socket.socketpair()

    def main():
        polls = count_polls()
        b.send(b"x")
        yield from read_wait(a)  # done; the interest in `a` stays registered
        a.close()
        return (yield from polls_while_waiting_on(idle, polls))

    try:
        assert genlet.run(main) < 10
    finally:
        for s in (b, idle, other):
            s.close()


def test_best_poller_is_chosen_by_feature(monkeypatch):
    monkeypatch.setattr(poller, "_select", types.SimpleNamespace(poll=lambda: object()))
    assert isinstance(poller.best_poller(), poller.PollPoller)
    monkeypatch.setattr(poller, "_select", types.SimpleNamespace(select=None))
    assert isinstance(poller.best_poller(), poller.SelectPoller)
    monkeypatch.setattr(poller, "_select", None)
    assert isinstance(poller.best_poller(), poller.NullPoller)


def test_no_socketpair_means_no_waker(monkeypatch):
    fake_socket = types.ModuleType("socket")
    monkeypatch.setitem(__import__("sys").modules, "socket", fake_socket)
    assert poller.make_waker() is None


def test_poll_rounds_its_timeout_up_to_whole_milliseconds():
    """A deadline a hair away (float rounding between clock and deadline) waits 1 ms, not 0:
    with 0 the loop would poll, find the deadline not yet due, and poll again, spinning."""
    asked = []
    fake = types.SimpleNamespace(poll=lambda millis: asked.append(millis) or [])
    p = poller.PollPoller()
    p._poll = fake
    for timeout in (1.3877787807814457e-17, 0.0005, 0.001, 0.0011, 2.5, 0.0, None):
        p.poll(timeout)
    assert asked == [1, 1, 1, 2, 2500, 0, -1]


def test_select_tells_a_closed_file_from_one_it_cannot_take():
    """A closed descriptor is reported as POLLNVAL; one above select's limit (1024) is not a
    closed file, and its ValueError goes out as it is instead of waking waiters for nothing."""
    a, b = socket.socketpair()
    fd = a.fileno()
    a.close()
    p = poller.SelectPoller()
    p.register(fd, None, poller.READ)
    assert p.poll(0) == [(fd, poller._NVAL)]
    p.unregister(fd, None)
    p.register(5000, None, poller.READ)
    with pytest.raises(ValueError):
        p.poll(0)
    b.close()


# -- the hand-off trap --------------------------------------------------------------------------


@pytest.mark.parametrize("generator", [True, False], ids=["generator (CPython)", "TRAP (PyPy, MicroPython)"])
def test_channels_hand_off_through_either_trap(monkeypatch, generator):
    """Channels park through a small generator on CPython and through the frame-free TRAP
    elsewhere (a measured choice): values, close and cancellation arrive the same either way."""
    traps = importlib.import_module("genlet.kernel.traps")
    monkeypatch.setattr(traps, "_GENERATOR_HAND_OFF", generator)
    log = []

    def echo(inbox, outbox):
        while True:
            value, ok = yield from inbox.recv_ok()
            if not ok:
                outbox.close()
                return
            yield from outbox.send(value * 2)

    def stuck(ch):
        try:
            yield from ch.recv()
        except genlet.Cancelled:
            log.append("cancelled")
            raise

    def main():
        ping, pong = genlet.Channel(), genlet.Channel()
        genlet.spawn(echo, ping, pong)
        for i in range(3):
            yield from ping.send(i)
            log.append((yield from pong.recv()))
        ping.close()
        try:
            yield from pong.recv()
        except genlet.ChannelClosed:
            log.append("closed")
        t = genlet.spawn(stuck, genlet.Channel())
        yield
        t.cancel()
        yield from t.wait()

    genlet.run(main, clock=genlet.VirtualClock())
    assert log == [0, 2, 4, "closed", "cancelled"]
