"""The kernel and the world outside its tasks: other threads, other kernels, Ctrl-C, messages."""

import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

import genlet
import genlet.io

from .helpers import vrun
from .io_support import iorun

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LONG = 3.0  # a wait that must be cut short; sat out only if the test fails


def run_in_thread_named(name, target):
    """Start ``target()`` in a thread called ``name``; its return value or error goes in ``out``."""
    out = []

    def body():
        try:
            out.append(target())
        except BaseException as exc:
            out.append(exc)

    thread = threading.Thread(target=body, name=name, daemon=True)
    thread.start()
    return thread, out


# -- call_from_thread ------------------------------------------------------------------------------


@pytest.mark.parametrize("pause", [0.0, 0.05], ids=["before-it-blocks", "while-it-blocks"])
def test_call_from_thread_wakes_a_kernel_that_runs_in_another_thread(pause):
    """The waker was made only for Ctrl-C, in the main thread: a kernel run in another thread
    had none, and slept through a call_from_thread until its wait ended by itself."""
    kernel = genlet.Kernel()
    event = genlet.Event("e")
    parked = threading.Event()

    def main():
        parked.set()  # (the kernel may or may not be blocked when the call comes: both work)
        return (yield from event.wait(timeout=LONG))

    thread, out = run_in_thread_named("kernel", lambda: kernel.run(main))
    assert parked.wait(LONG)
    time.sleep(pause)
    kernel.call_from_thread(event.set)
    thread.join(LONG / 2)  # (it used to wake only when its wait timed out, and then say True)
    assert out == [True] and not thread.is_alive()
    kernel.close()


def test_a_run_in_a_thread_that_never_blocks_makes_no_waker(monkeypatch):
    from genlet.kernel import outside

    made = []
    real = outside.make_waker
    monkeypatch.setattr(outside, "make_waker", lambda: made.append(1) or real())

    def main():
        yield
        return "done"

    thread, out = run_in_thread_named("kernel", lambda: genlet.run(main))
    thread.join(LONG)
    assert out == ["done"] and made == []


# -- a primitive belongs to one kernel -------------------------------------------------------------


def test_setting_an_event_from_a_plain_thread_is_refused_and_loses_nothing():
    """ev.set() from a thread with no kernel reached the waiting task only when its wait
    timed out. Now it says how to cross threads, and the waiter is still in line."""
    kernel = genlet.Kernel()
    event = genlet.Event("e")
    parked = threading.Event()

    def main():
        parked.set()
        return (yield from event.wait(timeout=LONG))

    thread, out = run_in_thread_named("owner", lambda: kernel.run(main))
    assert parked.wait(LONG)
    while not len(event._waiters):
        time.sleep(0.001)
    with pytest.raises(RuntimeError) as info:
        event.set()
    message = str(info.value)
    assert "Event 'e' belongs to the genlet kernel running in thread 'owner'" in message
    assert "which runs no kernel" in message and "kernel.call_from_thread(event.set)" in message
    assert len(event._waiters) == 1  # still in line: the right way still wakes it
    kernel.call_from_thread(event.set)
    thread.join(LONG)
    assert out == [True]
    kernel.close()


def test_waking_a_task_of_a_kernel_in_another_thread_is_refused():
    """A task of one kernel sent on a channel that a task of a kernel in another thread waited
    on: the other kernel saw it only at its timeout (or never). Now the sender gets the error,
    and the value is neither handed over nor lost."""
    other = genlet.Kernel()
    channel = genlet.Channel()
    parked = threading.Event()

    def receives_there():
        parked.set()
        with genlet.move_on_after(LONG):
            return (yield from channel.recv())
        return "timed out"

    def main():
        thread, out = run_in_thread_named("other", lambda: other.run(receives_there))
        while not len(channel._receivers):
            yield from genlet.sleep(0.001)
        with pytest.raises(RuntimeError, match=r"Channel#\d+\(cap=0\) belongs to the genlet kernel running in thread 'other'.*which runs another kernel"):
            channel.send_nowait("hello")
        assert len(channel._receivers) == 1  # nothing changed hands
        other.call_from_thread(channel.send_nowait, "hello")  # the right way
        while thread.is_alive():
            yield from genlet.sleep(0.001)
        return out

    assert genlet.run(main) == ["hello"]
    other.close()


def test_a_deadlock_while_another_kernel_runs_says_primitives_belong_to_one_kernel():
    event = genlet.Event("e")

    def waits():
        yield from event.wait()

    def main():
        thread, out = run_in_thread_named("other", lambda: genlet.run(waits))
        while thread.is_alive():
            yield from genlet.sleep(0.001)
        return out

    out = genlet.run(main)
    assert len(out) == 1 and isinstance(out[0], genlet.Deadlock)
    assert "Another genlet kernel is running in another thread" in str(out[0])
    assert "call_from_thread" in str(out[0])
    with pytest.raises(genlet.Deadlock) as info:  # alone, it says nothing about other kernels
        genlet.run(waits)
    assert "Another genlet kernel" not in str(info.value)


def test_a_primitive_may_be_used_between_steps_in_the_kernels_own_thread():
    """An embedding program that sets an event between two step() calls wakes its task."""
    kernel = genlet.Kernel(clock=genlet.VirtualClock())
    event = genlet.Event("e")

    def waits():
        return (yield from event.wait())

    task = kernel.spawn(waits)
    kernel.step()
    assert task.state == genlet.WAITING
    event.set()
    kernel.step()
    assert task.result is True
    kernel.close()


# -- task ids --------------------------------------------------------------------------------------


def test_task_ids_follow_spawn_order_on_every_path_whoever_asks_first():
    """Ids were given when first asked for, so names changed with who asked first."""

    def child(n):
        yield

    def main():
        kernel = genlet.kernel.current_kernel()
        tasks = [genlet.spawn(child, 1), genlet.spawn(child, 2)]  # the second: the fast path
        tasks.append(kernel.spawn(child, 3, name="named"))
        tasks.append(genlet.spawn(child(4)))  # a generator object: made at spawn
        tasks.append(genlet.spawn(child, 5, daemon=True))
        asked = [task.id for task in reversed(tasks)]
        for task in tasks:
            yield from task.join()
        return asked, [task.name for task in tasks]

    asked, names = vrun(main)
    assert asked == [6, 5, 4, 3, 2]  # main is 1
    assert names == ["child-2", "child-3", "named", "child-5", "child-6"]


# -- a kernel run again ----------------------------------------------------------------------------


def test_a_kernel_run_again_runs_passes_back_to_back_as_the_first_run_did():
    """The first run ended with _halt set, and a second run on the same kernel kept it: it
    looked for events between every two passes."""
    kernel = genlet.Kernel(clock=genlet.VirtualClock())
    looks = []
    real = kernel._wait_for_events

    def counting(max_wait):
        looks.append(max_wait)
        return real(max_wait)

    kernel._wait_for_events = counting

    def ping():
        for _ in range(50):
            yield

    def main():
        yield from genlet.spawn(ping).join()

    counts = []
    for _ in range(2):
        del looks[:]
        kernel.run(main)
        counts.append(len(looks))
    assert counts[1] == counts[0] < 10
    kernel.close()


# -- messages --------------------------------------------------------------------------------------


def test_plural_says_one_second_and_two_seconds():
    from genlet.kernel.errors import plural

    assert [plural(1, "second"), plural(2, "second"), plural(0.5, "second"), plural(1, "task")] == [
        "1 second", "2 seconds", "0.5 seconds", "1 task",
    ]  # fmt: skip


def test_timeouts_of_one_second_say_one_second():
    def main():
        with pytest.raises(genlet.TimeoutError) as info:
            yield from genlet.AsyncResult(name="r").get(timeout=1)
        return str(info.value)

    assert vrun(main) == "AsyncResult 'r'.get() timed out after 1 second"

    def connect():
        import ssl

        listener = socket.socket()  # accepts nothing: the TLS handshake never ends
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        with listener:
            with pytest.raises(genlet.TimeoutError) as info:
                yield from genlet.io.open_connection(*listener.getsockname(), ssl=ssl.create_default_context(), timeout=1)
        return str(info.value)

    assert "did not connect within 1 second" in iorun(connect)


def test_a_name_that_does_not_resolve_is_named_in_the_error(monkeypatch):
    def refuse(host, port, *args):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    def resolve(host, port, family=0):
        yield from genlet.io.getaddrinfo(host, port, family)

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with pytest.raises(socket.gaierror) as info:
        genlet.run(resolve, "db.example.invalid", 5432)  # through the thread pool
    assert info.value.errno == socket.EAI_NONAME
    assert str(info.value).endswith("cannot resolve 'db.example.invalid' port 5432: Name or service not known")
    monkeypatch.undo()
    with pytest.raises(socket.gaierror, match=r"cannot resolve '::1' port 80: "):
        vrun(resolve, "::1", 80, socket.AF_INET)  # an IP literal, in-line


# -- Ctrl-C in a task that never yields ------------------------------------------------------------

SPINNER = """
import genlet

def spin():
    print("spinning", flush=True)
    n = 0
    while True:
        n += 1
    yield  # (never reached: it makes spin a generator function)

genlet.run(spin)
"""


def read_until(stream, text, seconds):
    """What ``stream`` gives until ``text`` appears in it or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    got = b""
    while text.encode() not in got:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([stream], [], [], left)[0]:
            break
        chunk = os.read(stream.fileno(), 4096)
        if not chunk:
            break
        got += chunk
    return got.decode()


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32", reason="POSIX signals")
def test_the_first_ctrl_c_in_a_task_that_never_yields_says_where_it_is(tmp_path):
    """The first Ctrl-C in a loop with no checkpoint printed nothing: it seemed to do nothing."""
    script = tmp_path / "spinner.py"
    script.write_text(SPINNER)
    env = dict(os.environ, PYTHONPATH=ROOT)
    process = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    try:
        assert "spinning" in read_until(process.stdout, "spinning", 10)
        process.send_signal(signal.SIGINT)
        hint = read_until(process.stderr, "again", 2)
        process.send_signal(signal.SIGINT)
        rest = process.communicate(timeout=10)[1].decode()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "genlet: Ctrl-C" in hint and "task 'spin-1' is running at %s:" % script in hint
    assert "in spin()" in hint and "press Ctrl-C again" in hint
    assert "KeyboardInterrupt" in rest and process.returncode != 0
