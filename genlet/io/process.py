# genlet/io/process.py
"""Subprocesses: ``run_process`` and ``Process``, with cooperative pipes and waits.

::

    result = yield from genlet.io.run_process(["ls", "-l"], capture_output=True, timeout=10)
    print(result.stdout.decode())

    with genlet.io.Process(["cat"], stdin=PIPE, stdout=PIPE) as p:
        yield from p.stdin.write(b"hello")
        p.stdin.close()
        print((yield from p.stdout.read()))
        yield from p.wait()

``subprocess.Popen`` starts the program (a quick, blocking fork and exec); genlet does the rest.
The pipes are ``Stream``s over non-blocking descriptors (``pipes.FileDescriptor``), and
``wait()`` parks the task until the program exits: on a *pidfd* where the system has them
(Linux 5.3+: a descriptor that becomes readable when the process ends, so the kernel's poller
wakes us exactly then), else by polling with a short, growing sleep (never blocking the kernel).

Nothing is left behind: ``run_process`` kills the program if it is cancelled or times out and
reaps it before going on, and leaving a ``with Process(...)`` block kills a program that is
still running and reaps it (no zombie), then closes the pipes. ``subprocess`` is imported only
when a process is started. CPython and PyPy only.
"""

import os

try:
    from typing import Any, Generator, List, Optional, Tuple
except ImportError:
    pass

from ..kernel import read_wait, sleep
from ..kernel.cancel import CancelScope, fail_after
from ..kernel.errors import TimeoutError, plural
from ..kernel.lowlevel import completed
from ..kernel.spawning import spawn
from ..kernel.waiting import joinall
from .errors import BrokenPipeError
from .pipes import FileDescriptor, fd_stream

PIPE = -1  # the same values as subprocess.PIPE, STDOUT and DEVNULL
STDOUT = -2
DEVNULL = -3


class Process:
    """A running program. ``stdin`` / ``stdout`` / ``stderr`` are Streams when set to PIPE."""

    def __init__(self, args: "Any", stdin: "Any" = None, stdout: "Any" = None, stderr: "Any" = None, **options: "Any") -> None:
        import subprocess

        for option in ("text", "universal_newlines", "encoding", "errors"):
            if options.get(option):
                raise TypeError("genlet's pipes carry bytes: drop %s=... and decode the output yourself" % option)
        self.args = args
        self.stdin = self.stdout = self.stderr = None  # type: Any
        ours = []  # type: List[int]  # the parent's ends of our pipes
        theirs = []  # type: List[int]  # the child's ends: closed here once it has them
        specs = []
        for name, spec in (("stdin", stdin), ("stdout", stdout), ("stderr", stderr)):
            if spec == PIPE:
                read_end, write_end = os.pipe()
                child, parent = (read_end, write_end) if name == "stdin" else (write_end, read_end)
                ours.append(parent)
                theirs.append(child)
                specs.append(child)
                setattr(self, name, parent)
            else:
                specs.append(spec)
        try:
            self._popen = subprocess.Popen(args, stdin=specs[0], stdout=specs[1], stderr=specs[2], **options)
        except BaseException:
            for fd in ours:
                os.close(fd)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        for name in ("stdin", "stdout", "stderr"):
            fd = getattr(self, name)
            if fd is not None:
                setattr(self, name, fd_stream(fd))
        self._pidfd = _open_pidfd(self._popen.pid)  # type: Optional[FileDescriptor]
        self._pidfd_busy = False

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def returncode(self) -> "Optional[int]":
        """The exit status (negative: killed by that signal); None while it runs."""
        return self._popen.poll()

    def wait(self) -> "Generator[Any, Any, int]":
        """``yield from p.wait()``: its exit status, once it has exited (and been reaped)."""
        code = self._popen.poll()
        if code is not None:
            self._release_pidfd()
            return completed(code)
        return self._wait()

    def _wait(self) -> "Generator[Any, Any, int]":
        delay = 0.001
        while True:
            code = self._popen.poll()
            if code is not None:
                self._release_pidfd()
                return code
            if self._pidfd is not None and not self._pidfd_busy:
                # Discussion: one task waits on the pidfd; a second waiter polls instead of
                # tripping the kernel's one-reader-per-descriptor rule.
                self._pidfd_busy = True
                try:
                    yield from read_wait(self._pidfd)
                finally:
                    self._pidfd_busy = False
            else:
                yield from sleep(delay)
                delay = min(delay * 2, 0.05)

    def _release_pidfd(self) -> None:
        if self._pidfd is not None and not self._pidfd_busy:
            self._pidfd.close()
            self._pidfd = None

    def send_signal(self, signum: int) -> None:
        """Send it a signal (nothing happens once it has been reaped)."""
        self._popen.send_signal(signum)

    def terminate(self) -> None:
        self._popen.terminate()

    def kill(self) -> None:
        self._popen.kill()

    def close(self) -> None:
        """Kill it if it still runs, reap it, close the pipes (a plain call).

        Discussion: after SIGKILL the exit is a matter of microseconds, so reaping it with a
        blocking ``waitpid`` here costs the kernel nothing noticeable, and it is the only way
        a plain call can promise "no zombie".
        """
        try:
            if self._popen.poll() is None:
                self._popen.kill()
                self._popen.wait()
        finally:
            for stream in (self.stdin, self.stdout, self.stderr):
                if stream is not None:
                    stream.close()
            if self._pidfd is not None:
                self._pidfd.close()
                self._pidfd = None

    def __enter__(self) -> "Process":
        return self

    def __exit__(self, *exc_info: "Any") -> None:
        self.close()

    def __repr__(self) -> str:
        code = self._popen.poll()
        state = "running" if code is None else "exited %d" % code
        return "<Process %d %r %s>" % (self.pid, self.args, state)

    # -- run_process's part -----------------------------------------------------------------
    def _communicate(self, data: "Optional[bytes]") -> "Generator[Any, Any, Tuple[Any, Any]]":
        """Feed ``data`` to stdin and read stdout and stderr, all at once; then wait."""
        feeder = spawn(self._feed, data or b"", name="stdin of %s" % self.pid) if self.stdin is not None else None
        readers = [spawn(s.read, -1, name="reading %s" % self.pid) if s is not None else None for s in (self.stdout, self.stderr)]
        tasks = [t for t in [feeder] + readers if t is not None]
        try:
            outputs = []
            for reader in readers:
                outputs.append(None if reader is None else (yield from reader.join()))
            if feeder is not None:
                yield from feeder.join()
            yield from self.wait()
        except BaseException:
            for task in tasks:
                task.cancel()
            with CancelScope(shield=True):
                yield from joinall(tasks)
            raise
        return outputs[0], outputs[1]

    def _feed(self, data: bytes) -> "Generator[Any, Any, None]":
        try:
            if data:
                yield from self.stdin.write(data)
        except BrokenPipeError:
            pass  # it exited (or closed its stdin) without reading everything: its business
        finally:
            self.stdin.close()


def _open_pidfd(pid: int) -> "Optional[FileDescriptor]":
    """A descriptor that becomes readable when ``pid`` exits, or None (not Linux 5.3+)."""
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is None:
        return None
    try:
        return FileDescriptor(pidfd_open(pid))
    except OSError:  # ENOSYS on an older kernel; ESRCH cannot happen before we reap it
        return None


def run_process(
    args: "Any",
    input: "Optional[bytes]" = None,
    timeout: "Optional[float]" = None,
    check: bool = False,
    capture_output: bool = False,
    stdin: "Any" = None,
    stdout: "Any" = None,
    stderr: "Any" = None,
    **options: "Any",
) -> "Generator[Any, Any, Any]":
    """``yield from run_process(args)``: run a program to its end; a ``CompletedProcess``.

    Like ``subprocess.run``: ``input`` is fed to its stdin; ``capture_output=True`` collects
    stdout and stderr (bytes); ``check=True`` raises ``subprocess.CalledProcessError`` on a
    non-zero exit. ``timeout``: the program is killed after that many seconds and
    ``TimeoutError`` is raised. Cancelling the task kills the program too; it is always reaped
    before this returns or raises.
    """
    import subprocess

    if capture_output:
        if stdout is not None or stderr is not None:
            raise ValueError("run_process: capture_output=True already sets stdout and stderr; pass one or the other")
        stdout = stderr = PIPE
    if input is not None:
        if stdin is not None:
            raise ValueError("run_process: input=... feeds stdin; do not pass stdin as well")
        stdin = PIPE
    process = Process(args, stdin, stdout, stderr, **options)
    try:
        if timeout is None:
            out, err = yield from process._communicate(input)
        else:
            scope = fail_after(timeout)
            try:
                with scope:
                    out, err = yield from process._communicate(input)
            except TimeoutError:
                if scope.cancelled_caught:
                    raise TimeoutError("run_process: %r did not finish within %s; it was killed" % (args, plural(timeout, "second")))
                raise
    except GeneratorExit:
        process.close()
        raise
    except BaseException:
        process.kill()
        with CancelScope(shield=True):
            yield from process.wait()
        process.close()
        raise
    process.close()
    code = process._popen.returncode  # type: int
    if check and code:
        raise subprocess.CalledProcessError(code, args, out, err)
    return subprocess.CompletedProcess(args, code, out, err)
