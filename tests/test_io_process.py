"""Subprocesses: run_process, Process with stream pipes, waits, kills, no zombies; pipes."""

import os
import subprocess
import sys

import pytest

import genlet
import genlet.io
from genlet.io import PIPE, Process, run_process

from .io_support import NoLeaks, iorun

PY = sys.executable


def children():
    """Our child processes still in the process table (zombies included)."""
    found = []
    me = str(os.getpid())
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%s/stat" % pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me:
                found.append((int(pid), fields[0]))
    return found


def test_run_process_with_input_and_captured_output():
    def main():
        script = "import sys; data = sys.stdin.read(); print(data.upper()); print('to stderr', file=sys.stderr)"
        return (yield from run_process([PY, "-c", script], input=b"hello", capture_output=True))

    with NoLeaks():
        result = iorun(main)
    assert isinstance(result, subprocess.CompletedProcess)
    assert result.returncode == 0 and result.stdout == b"HELLO\n" and result.stderr == b"to stderr\n"
    assert children() == []


def test_run_process_large_output_and_input_at_once():
    size = 3_000_000  # more than any pipe buffer, both ways: reading and writing must overlap

    def main():
        return (yield from run_process(["cat"], input=b"z" * size, capture_output=True))

    with NoLeaks():
        result = iorun(main)
    assert result.stdout == b"z" * size


def test_run_process_check_raises_called_process_error():
    def main():
        with pytest.raises(subprocess.CalledProcessError) as info:
            yield from run_process([PY, "-c", "import sys; print('out'); sys.exit(3)"], capture_output=True, check=True)
        unchecked = yield from run_process([PY, "-c", "raise SystemExit(4)"])
        return info.value, unchecked.returncode

    error, code = iorun(main)
    assert error.returncode == 3 and error.stdout == b"out\n" and code == 4


def test_run_process_timeout_kills_and_reaps():
    def main():
        start = genlet.clock()
        with pytest.raises(TimeoutError) as info:
            yield from run_process(["sleep", "60"], timeout=30)
        return str(info.value), genlet.clock() - start

    with NoLeaks():
        message, took = iorun(main)  # virtual time: the 30 s pass at once
    assert "did not finish within 30 seconds" in message and "killed" in message
    # Exactly 30 where the kill is awaited on a pidfd. Without os.pidfd_open (PyPy) the reaping
    # polls with a backoff of virtual sleeps, which the clock jumps through at once while the
    # killed program takes real time to exit: how far virtual time runs on depends on the
    # machine's load (it went past 30.5 on a busy machine), so only the start is pinned.
    assert took == 30 if hasattr(os, "pidfd_open") else took >= 30
    assert children() == []


def test_cancelling_run_process_kills_the_program():
    def main():
        with genlet.move_on_after(10) as scope:
            yield from run_process(["sleep", "60"], capture_output=True)
        return scope.cancelled_caught

    with NoLeaks():
        assert iorun(main)
    assert children() == []


def test_process_streams_and_wait():
    def main():
        with Process(["cat"], stdin=PIPE, stdout=PIPE) as proc:
            assert proc.returncode is None and proc.pid > 0
            yield from proc.stdin.write(b"line one\nline two\n")
            first = yield from proc.stdout.readline()
            proc.stdin.close()
            rest = yield from proc.stdout.read()
            code = yield from proc.wait()
            assert "exited 0" in repr(proc)
            return first, rest, code, (yield from proc.wait())

    with NoLeaks():
        assert iorun(main) == (b"line one\n", b"line two\n", 0, 0)
    assert children() == []


def test_leaving_the_with_block_kills_a_running_program():
    def main():
        with Process(["sleep", "60"]) as proc:
            yield from genlet.sleep(0)
        return proc.returncode

    with NoLeaks():
        assert iorun(main) == -9
    assert children() == []


WAIT_FOR_STDIN = [PY, "-c", "import sys; sys.stdin.read(); raise SystemExit(7)"]


def close_stdin_later(proc):
    yield from genlet.sleep(0.1)
    proc.stdin.close()


def test_two_tasks_wait_for_one_process():
    def waiter(proc):
        return (yield from proc.wait())

    def main():
        with Process(WAIT_FOR_STDIN, stdin=PIPE) as proc:
            tasks = [genlet.spawn(waiter, proc) for _ in range(3)]
            genlet.spawn(close_stdin_later, proc)
            codes = []
            for task in tasks:
                codes.append((yield from task.join()))
            return codes

    with NoLeaks():
        assert iorun(main) == [7, 7, 7]


def test_wait_without_pidfd_polls_without_blocking_the_kernel(monkeypatch):
    monkeypatch.delattr(os, "pidfd_open", raising=False)

    def main():
        with Process(WAIT_FOR_STDIN, stdin=PIPE) as proc:
            assert proc._pidfd is None
            genlet.spawn(close_stdin_later, proc)  # it can run only if wait() does not block
            return (yield from proc.wait())

    with NoLeaks():
        assert iorun(main) == 7


def test_process_rejects_text_mode():
    with pytest.raises(TypeError, match="bytes"):
        Process(["true"], text=True)


def test_stderr_to_stdout():
    def main():
        script = "import sys; print('out'); sys.stdout.flush(); print('err', file=sys.stderr)"
        return (yield from run_process([PY, "-c", script], stdout=PIPE, stderr=genlet.io.STDOUT))

    assert iorun(main).stdout == b"out\nerr\n"


# -- pipes ----------------------------------------------------------------------------------------


def test_fd_stream_over_a_pipe_restores_blocking_mode():
    def main():
        read_end, write_end = os.pipe()
        reader = genlet.io.fd_stream(read_end)
        writer = genlet.io.fd_stream(write_end)
        assert not os.get_blocking(read_end)
        payload = b"p" * 1_000_000  # a pipe holds 64 kB: the writer must wait for the reader

        def read_all():
            return (yield from reader.read())

        task = genlet.spawn(read_all)
        yield from writer.write(payload)
        yield from writer.write_eof()  # closes the write end
        got = yield from task.join()
        reader.close()
        return got == payload

    with NoLeaks():
        assert iorun(main)


def test_fd_stream_without_close_leaves_the_descriptor_open():
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"hello\n")

        def main():
            with genlet.io.fd_stream(read_end, close=False) as stream:
                return (yield from stream.readline())

        assert iorun(main) == b"hello\n"
        assert os.get_blocking(read_end)  # put back as it was
        os.write(write_end, b"x")
        assert os.read(read_end, 1) == b"x"
    finally:
        os.close(read_end)
        os.close(write_end)


def test_closing_a_pipe_wakes_its_reader():
    def reader(stream):
        with pytest.raises(OSError, match="closed while this task waited"):
            yield from stream.read(10)

    def main():
        read_end, write_end = os.pipe()
        stream = genlet.io.fd_stream(read_end)
        task = genlet.spawn(reader, stream)
        yield from genlet.sleep(0)
        stream.close()
        yield from task.join()
        os.close(write_end)

    with NoLeaks():
        iorun(main)


def test_a_missing_program_raises_and_leaks_nothing():
    def main():
        with pytest.raises(FileNotFoundError):
            yield from run_process(["/nonexistent/program"], input=b"x", capture_output=True)

    with NoLeaks():
        iorun(main)
