"""The live monitor, end to end over loopback: a kernel with the monitor in a thread, the
client (genlet.monitor.client, and ``python -m genlet.monitor``) talking to it."""

import contextlib
import os
import pathlib
import queue
import re
import socket
import subprocess
import sys
import threading
import time

import pytest

import genlet
from genlet.monitor import Monitor
from genlet.monitor.client import MonitorClient
from genlet.monitor.server import parse_address

ROOT = pathlib.Path(__file__).resolve().parent.parent


def worker(inbox):
    yield from inbox.recv()  # where 3 names this line


def napper():
    yield from genlet.sleep(60)


@contextlib.contextmanager
def monitored():
    """A kernel running in a thread with the monitor on a free port: yields its address.

    Its tasks: 1 the monitor, 2 main, 3 'worker' (on a channel), 4 'napper' (asleep).
    """
    found = queue.Queue()
    errors = []

    def main(monitor):
        inbox = genlet.Channel()
        helper = genlet.spawn(worker, inbox, name="worker")
        genlet.spawn(napper, name="napper")
        stop = genlet.Event()
        found.put((monitor.address, genlet.kernel.current_kernel(), stop))  # (its tasks exist)
        yield from stop.wait()
        yield from inbox.send("done")
        yield from helper.join()

    def run():
        try:
            monitor = Monitor(("127.0.0.1", 0))
            genlet.run(main, monitor, monitor=monitor)
        except BaseException as error:  # pragma: no cover (reported by the test)
            errors.append(error)
            found.put(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started = found.get(timeout=10)
    assert started is not None, errors
    address, kernel, stop = started
    try:
        yield address
    finally:
        kernel.call_from_thread(stop.set)
        thread.join(10)
        assert not thread.is_alive(), "the kernel did not stop"
        assert not errors, errors
    with pytest.raises(OSError):  # its daemon tasks ended with the run: nobody listens
        socket.create_connection(address, timeout=5).close()


def test_ps_where_cancel_stats_help_quit_over_loopback():
    with monitored() as address:
        client = MonitorClient(address)
        assert client.greeting.startswith("genlet monitor: process %d" % os.getpid())
        table = client.ask("ps")
        assert "STEPS" in table and "CPU" in table
        assert " worker " in table and "Channel" in table and " napper " in table
        assert re.search(r"napper .* sleep [\d.]+ s", table), table
        assert "read the monitor's socket 127.0.0.1:%d" % address[1] in table
        where = client.ask("where 3")
        assert where.startswith("task 3 'worker' WAITING on Channel")
        assert where.endswith("in worker\n    yield from inbox.recv()  # where 3 names this line")  # (not genlet's frames)
        assert client.ask("cancel 4") == "cancelled task 4 'napper': Cancelled is raised at its current or next checkpoint"
        assert " napper " not in client.ask("ps")  # it has ended
        assert client.ask("where 4") == "no task 4: it has finished, or never was (ps lists the tasks)"
        assert client.ask("cancel four") == "cancel takes a task's id, as ps shows it: cancel 3"
        stats = client.ask("stats")
        assert "tasks: 4 (1 running, 0 ready, 3 waiting)" in stats and "switches:" in stats
        assert "tasks waiting on descriptors: 1" in stats  # the monitor's listener
        assert "where N" in client.ask("help")
        assert client.ask("frobnicate") == "unknown command 'frobnicate': type help for the list"
        assert client.ask("") == ""
        assert client.ask("quit") == "bye"
        assert client.sock.recv(10) == b""  # the session closed the connection
        client.close()


def test_a_session_cannot_cancel_itself_and_two_sessions_at_once():
    with monitored() as address:
        first, second = MonitorClient(address), MonitorClient(address)
        assert "session 1" in first.ask("ps") and "session 2" in second.ask("ps")
        assert first.ask("cancel 5") == "task 5 is this monitor session; type quit to leave it"
        assert second.ask("cancel 5").startswith("cancelled task 5")
        assert second.ask("where 5").startswith("no task 5")
        first.close()
        second.close()


def test_an_overlong_line_ends_the_session_and_nothing_else():
    with monitored() as address:
        client = MonitorClient(address)
        assert client.ask("x" * 5000) == "that line is too long for a command; bye"
        client.close()
        assert " worker " in MonitorClient(address).ask("ps")


def _cli(*args, stdin=""):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("GENLET_MONITOR", None)
    return subprocess.run(
        [sys.executable, "-m", "genlet.monitor", *args], input=stdin, capture_output=True, text=True, timeout=30, env=env
    )


def test_the_command_line_client_with_commands_as_arguments_and_on_stdin():
    with monitored() as address:
        where = "%s:%d" % address
        result = _cli(where, "ps", "where 3", "quit")
        assert result.returncode == 0, result.stderr
        assert " worker " in result.stdout and "in worker" in result.stdout and result.stdout.endswith("bye\n")
        result = _cli(where, stdin="stats\nhelp\n")
        assert result.returncode == 0, result.stderr
        assert "switches:" in result.stdout and "cancel N" in result.stdout
        assert "genlet>" not in result.stdout  # no prompts when nobody types


def test_the_client_says_how_to_start_a_monitor_when_none_listens():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # a port nobody listens on
        port = sock.getsockname()[1]
        result = _cli("127.0.0.1:%d" % port, "ps")
    assert result.returncode == 1
    assert "no monitor at 127.0.0.1:%d" % port in result.stderr and "GENLET_MONITOR=" in result.stderr


@pytest.mark.parametrize(
    "value,address",
    [
        (True, ("127.0.0.1", 48802)), ("127.0.0.1:0", ("127.0.0.1", 0)), (":5000", ("127.0.0.1", 5000)),
        ("5000", ("127.0.0.1", 5000)), (5000, ("127.0.0.1", 5000)), ("[::1]:7", ("::1", 7)),
        (("127.0.0.2", 9), ("127.0.0.2", 9)), ("localhost:0", ("localhost", 0)), ("on", ("127.0.0.1", 48802)),
    ],
)  # fmt: skip
def test_addresses(value, address):
    assert parse_address(value) == address


@pytest.mark.parametrize("value", ["0.0.0.0:48802", "192.0.2.1:1", ("::", 0), "[::]:0"])
def test_a_non_loopback_address_is_refused_with_the_reason(value):
    with pytest.raises(ValueError, match="not a loopback address: the monitor listens only on 127.0.0.1 or ::1"):
        parse_address(value)


@pytest.mark.parametrize("value", ["abc", 70000, "127.0.0.1:x", (1, 2, 3), 1.5])
def test_a_malformed_address_says_what_is_accepted(value):
    with pytest.raises(ValueError, match=r"monitor= takes True \(the default, 127.0.0.1:48802\), 'host:port'"):
        parse_address(value, "monitor=")


def test_the_environment_variable_turns_it_on_and_a_bad_one_is_named(monkeypatch):
    monkeypatch.setenv("GENLET_MONITOR", "0.0.0.0:48802")
    with pytest.raises(ValueError, match="GENLET_MONITOR '0.0.0.0' is not a loopback address"):
        genlet.Kernel()
    monkeypatch.setenv("GENLET_MONITOR", "127.0.0.1:0")

    def main():
        yield
        return [task.name for task in genlet.kernel.current_kernel().tasks()]

    assert genlet.run(main) == ["genlet.monitor", "main-2"]
    monkeypatch.setenv("GENLET_MONITOR", "off")
    assert genlet.run(main) == ["main-1"]


def test_a_busy_port_says_so(monkeypatch, caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        with pytest.raises(OSError, match="the genlet monitor cannot listen on 127.0.0.1 port %d" % port):
            genlet.Kernel(monitor=port)
        # From the environment (every kernel of every process started from it), a busy port
        # is a warning: the kernel runs on without a monitor.
        monkeypatch.setenv("GENLET_MONITOR", "127.0.0.1:%d" % port)

        def main():
            yield
            return len(genlet.kernel.current_kernel().tasks())

        assert genlet.run(main) == 1
        assert "GENLET_MONITOR: the genlet monitor cannot listen on 127.0.0.1 port %d" % port in caplog.text
        assert "this kernel runs without a monitor" in caplog.text


def test_the_kernel_imports_no_monitor_unless_asked():
    code = "import genlet, sys\ndef main():\n    yield\ngenlet.run(main)\nprint('genlet.monitor' in sys.modules)"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("GENLET_MONITOR", None)
    env.pop("GENLET_SLOW_STEP", None)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, env=env)
    assert result.stdout.strip() == "False", result.stderr


def test_the_client_says_when_the_program_has_ended():
    with monitored() as address:
        client = MonitorClient(address)
    with pytest.raises(ConnectionError, match="the monitor closed the connection: the program's run has ended"):
        client.ask("ps")
    client.close()


def test_the_command_line_client_prompts_on_a_terminal():
    pty = pytest.importorskip("pty")
    with monitored() as address:
        controller, terminal = pty.openpty()
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), TERM="dumb")
        client = subprocess.Popen(
            [sys.executable, "-m", "genlet.monitor", "%s:%d" % address],
            stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        try:
            os.write(controller, b"where 3\nquit\n")
            out, err = client.communicate(timeout=30)
        finally:
            client.kill()
            os.close(controller)
            os.close(terminal)
    assert client.returncode == 0, err
    assert out.startswith("genlet monitor: process %d" % os.getpid())  # the greeting, for a person
    assert "genlet> task 3 'worker' WAITING" in out and out.rstrip().endswith("bye")


def test_trace_on_and_off_write_a_timeline(tmp_path, monkeypatch):
    pytest.importorskip("genlet.trace")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with monitored() as address:
        client = MonitorClient(address)
        assert client.ask("trace off") == "not tracing: trace on [seconds] starts"
        assert client.ask("trace sideways").startswith("trace on [seconds] records a timeline")
        assert client.ask("trace on 99").startswith("trace on [seconds] records a timeline")  # at most 60
        answer = client.ask("trace on 30")
        path = str(tmp_path / ("genlet-trace-%d-1.html" % os.getpid()))
        assert answer.startswith("tracing for 30 s into %s" % path)
        assert client.ask("trace on").startswith("already tracing, into %s" % path)
        client.ask("ps")
        assert " genlet.monitor trace " in client.ask("ps")
        answer = client.ask("trace off")
        assert re.match(r"wrote the timeline \(\d+ events\) to %s$" % re.escape(path), answer), answer
        page = pathlib.Path(path).read_text()
        assert "<html" in page.lower() and "genlet.monitor session 1" in page
        assert " genlet.monitor trace " not in client.ask("ps")  # its timer task was cancelled
        assert client.ask("trace on 0.2").startswith("tracing for 0.2 s")
        deadline = time.monotonic() + 10
        while not (tmp_path / ("genlet-trace-%d-2.html" % os.getpid())).exists():  # it stops by itself
            assert time.monotonic() < deadline
            time.sleep(0.05)
        client.close()
