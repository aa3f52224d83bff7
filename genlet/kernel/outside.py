# genlet/kernel/outside.py
"""How the world outside the run loop reaches the kernel.

Three ways in, each made only when first needed:

- **descriptors**: ``read_wait`` / ``write_wait`` park a task on the poller (``IOWaits`` in
  ``poller.py``); ``notify_closing`` wakes those tasks with an ``OSError``;
- **other threads**: ``call_from_thread(fn, *args)`` queues a call and writes to the waker, a
  socket pair the poller watches, so a kernel blocked in ``poll`` wakes up at once. Work in
  flight outside the kernel (a thread job, a signal being waited for) is counted in
  ``kernel.external``, so that deadlock detection knows something may still wake a task.
  Nothing else crosses threads: a primitive (an Event, a Lock, a Channel) belongs to the
  kernel whose tasks wait on it, and waking one of them from another thread is refused
  (``_foreign_wake``);
- **Ctrl-C**: ``run`` installs a SIGINT handler (main thread only) that sets a flag and wakes
  the poller; the run loop then cancels every task and raises ``KeyboardInterrupt``. Pressed a
  second time, it raises at once, for a task stuck in a loop that never yields; the first
  press says so on stderr when it lands while a task runs (``_sigint_hint``).
"""

try:
    from typing import Any, Callable, Dict, List, Optional
except ImportError:
    pass

from .poller import IOWaits, best_poller, make_waker

try:
    from _thread import get_ident as get_ident  # (re-exported: the kernel records its thread)
except ImportError:  # no threads: one kernel, in the one thread there is

    def get_ident() -> int:
        return 0


def allocate_lock() -> "Any":
    """A lock for the queue of calls from other threads; None where there are no threads."""
    try:
        import _thread
    except ImportError:
        return None
    return _thread.allocate_lock()


# The SignalWakeup of the kernel whose run() handles Ctrl-C (one at most: the main thread's).
# Discussion: kept here, not as an attribute of the kernel: on CPython 3.11 an object keeps at
# most 29 instance attributes in the compact layout its class shares, which the run loop's
# attribute reads and stores are specialized for; a Kernel has 29 (tests/test_fast_paths.py
# counts them), and a 30th moves it to a dict of its own, where each is slower (``ping-pong``
# in benchmarks/).
_SIGINT_WAKEUPS = {}  # type: Dict[Any, SignalWakeup]


class SignalWakeup:
    """A pipe that the C-level signal handler writes to (``signal.set_wakeup_fd``), watched by
    the poller while ``run`` handles Ctrl-C.

    Discussion: Python runs a signal's handler between two bytecodes of the main thread, and
    PyPy possibly later still. A Ctrl-C that lands after the run loop last looked at
    ``_interrupted`` and before ``poll`` begins is seen by neither: its handler wakes the
    waker only once ``poll`` returns, and it may never return. The C-level handler runs at
    once, and its byte makes ``poll`` return (CI saw a server under PyPy sleep through its
    Ctrl-C). asyncio does the same.
    """

    def __init__(self, signal: "Any") -> None:
        import os

        self._os = os
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)
        self._previous = signal.set_wakeup_fd(self._write)

    def fileno(self) -> int:
        return self._read

    def drain(self) -> None:
        try:
            while self._os.read(self._read, 4096):
                pass
        except OSError:  # nothing left (EAGAIN)
            pass

    def close(self, signal: "Any") -> None:
        current = signal.set_wakeup_fd(self._previous)
        if current != self._write:  # somebody else's since: leave theirs in place
            signal.set_wakeup_fd(current)
        self._os.close(self._read)
        self._os.close(self._write)


class Outside:
    """The kernel's doors to descriptors, threads and signals (a base class of ``Kernel``)."""

    _io = None  # type: Optional[IOWaits]
    _waker = None  # type: Any
    _calls = None  # type: Any
    _calls_lock = None  # type: Any
    _interrupted = False
    _halt = False
    _stepping = False
    _thread = 0  # the thread that last ran the kernel (``get_ident()``)
    current = None  # type: Any
    external = 0  # outside work in flight that may wake a task (thread jobs, signal waits)
    _needs_waker = False  # the waker is not made yet, and a thread or Ctrl-C may need it

    def _open_outside(self) -> None:
        """A new kernel's doors, all closed (``Kernel.__init__``); the waker is made when needed."""
        self._io = None  # descriptors and the waker
        self._waker = None
        self.external = 0
        self._calls = []  # callbacks queued by other threads
        self._calls_lock = allocate_lock()
        self._needs_waker = self._calls_lock is not None  # (see _make_waker)
        self._thread = 0
        self._interrupted = False

    def _ensure_io(self) -> IOWaits:
        if self._io is None:
            self._io = IOWaits(best_poller())
        return self._io

    def _io_wait(self, task: "Any", fileobj: "Any", event: int) -> "Any":
        return self._ensure_io().add(task, fileobj, event)

    def watch_fd(self, fileobj: "Any", callback: "Callable[[], Any]") -> None:
        """Call ``callback()`` in the kernel's thread whenever ``fileobj`` is readable.

        A watched descriptor is not a waiting task: it keeps no ``Deadlock`` from being seen.
        """
        self._ensure_io().watch(fileobj, callback)

    def unwatch_fd(self, fileobj: "Any") -> None:
        """Stop watching ``fileobj`` (see ``watch_fd``)."""
        if self._io is not None:
            self._io.unwatch(fileobj)

    def has_waker(self) -> bool:
        """Can another thread wake this kernel (``call_from_thread``)? False until
        ``ensure_waker()`` (or a first block) makes the waker, and again once it is closed.

        Discussion: a method, not a property, like every public name of a Kernel. On
        MicroPython a class with a property anywhere among its bases looks each attribute
        store up in the class and every base first (``self.current = task`` at every step):
        a switch cost two thirds more for one property here.
        """
        return self._waker is not None

    def _io_closing(self, fileobj: "Any") -> None:
        """``notify_closing``: fail every task waiting on ``fileobj``.

        Discussion: the caller itself may be one of them (``read_wait(sock)`` without ``yield
        from``, then ``sock.close()``). ``reschedule`` refuses to wake it (see there), but only
        once the other waiters have their error and the descriptor is let go, so that closing
        leaves nothing behind; then the caller gets the TypeError.
        """
        if self._io is not None:
            from .traps import Failure, reschedule
            from .unwaited import stale_wait_error

            own = []  # type: List[Any]

            def fail(task: "Any", error: BaseException) -> None:
                if task is self.current:
                    own.append(task)
                else:
                    reschedule(task, Failure(error))

            self._io.closing(fileobj, fail)
            if own:
                raise stale_wait_error(own[0], True)

    def ensure_waker(self) -> "Any":
        """The waker that other threads use to interrupt the poller (made on first use)."""
        if self._waker is None:
            self._waker = make_waker()
            if self._waker is not None:
                self._ensure_io().watch(self._waker, self._waker.drain)
        return self._waker

    def call_from_thread(self, fn: "Callable[..., Any]", *args: "Any") -> None:
        """Run ``fn(*args)`` in the kernel's thread, soon; safe to call from any thread.

        Discussion: the waker is made only before the kernel first blocks (``_make_waker``), so
        a run that never blocks makes none. A call queued before the waker exists is not
        missed: the kernel looks at the queue right after making the waker, and this reads
        the waker right after queueing, so one of the two sees the other.
        """
        if self._calls_lock is None:
            raise RuntimeError("this interpreter has no threads (no _thread module)")
        with self._calls_lock:
            self._calls.append((fn, args))
        waker = self._waker
        if waker is not None:
            waker.wake()

    def _run_calls(self) -> None:
        if self._calls_lock is None:
            calls, self._calls = self._calls, []
        else:
            with self._calls_lock:
                calls, self._calls = self._calls, []
        for fn, args in calls:
            fn(*args)

    def fileno(self) -> "Optional[int]":
        """The poller's descriptor (readable when ``step`` has work), where there is one."""
        self.ensure_waker()
        return self._ensure_io().poller.fileno()  # type: ignore[no-any-return]

    def _install_sigint(self) -> "Any":
        """In the main thread, make Ctrl-C cancel everything (through the waker)."""
        try:
            import signal
            import threading
        except ImportError:
            return None
        if threading.current_thread() is not threading.main_thread():
            return None
        if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            return None  # somebody else handles Ctrl-C: leave it to them

        def on_sigint(signum: int, frame: "Any") -> None:
            if self._interrupted:
                raise KeyboardInterrupt  # pressed twice: get out now
            self._interrupted = True
            self._halt = True
            waker = self._waker
            if waker is not None:
                waker.wake()
            if self.current is not None:
                self._sigint_hint(frame)

        wakeup = _SIGINT_WAKEUPS[self] = SignalWakeup(signal)  # first: no moment without it
        previous = signal.signal(signal.SIGINT, on_sigint)
        if self._io is not None:  # (else _make_waker watches it, before the kernel first blocks)
            self._io.watch(wakeup, wakeup.drain)

        def restore() -> None:
            signal.signal(signal.SIGINT, previous)
            _SIGINT_WAKEUPS.pop(self, None)
            if self._io is not None:
                self._io.unwatch(wakeup)
            wakeup.close(signal)

        return restore

    def _sigint_hint(self, frame: "Any") -> None:
        """The first Ctrl-C landed while a task runs: say which, and where, on stderr.

        Discussion: the run loop notices Ctrl-C only when the task yields. A task in a loop
        with no checkpoint never does, and without a word Ctrl-C would seem to do nothing.
        The frame the handler interrupted is where the task is now (or a function it called).
        """
        import sys

        task = self.current
        frame = _task_frame(frame)
        if task is None or frame is None:
            return  # it landed in the kernel, which looks at the flag next
        code = frame.f_code
        sys.stderr.write(
            "genlet: Ctrl-C: stopping every task at its next checkpoint; task %r is running at "
            "%s:%d in %s(). If it never yields (a loop with no checkpoint), press Ctrl-C again "
            "to interrupt it there, and add a `yield` to the loop.\n" % (task.name, code.co_filename, frame.f_lineno, code.co_name)
        )

    def _make_waker(self) -> "Any":
        """Before the kernel first blocks: make the waker; return the IO waits.

        Discussion: the waker (a socket pair and a poller; the first one in a process imports
        ``socket`` and ``selectors``, which takes as long as spawning and joining thousands of
        small tasks) is needed only to cut a wait for events short: for Ctrl-C, and for a call
        from another thread. So it is made here, not at ``run``: a run that never blocks never
        makes one. A call or Ctrl-C that came before it is seen by the caller, which looks at
        ``_calls`` and ``_interrupted`` after this (see ``call_from_thread``).
        """
        self._needs_waker = False
        self.ensure_waker()
        wakeup = _SIGINT_WAKEUPS.get(self)
        if wakeup is not None:
            self._ensure_io().watch(wakeup, wakeup.drain)
        return self._io

    # -- one kernel per primitive ------------------------------------------------------------
    def _foreign_wake(self, queue: "Any", task: "Any") -> None:
        """``queue`` is about to wake ``task``, one of this kernel's tasks, in a thread where
        this kernel is not the one running: refuse, unless it is safe (see the Discussion).

        Discussion: a wake-up puts the task on its kernel's ready list. From another thread
        that races the kernel, which may be blocked in ``poll`` and never look (a late wake),
        or may find no task it can run and report a false ``Deadlock``. So a primitive
        belongs to the kernel whose tasks wait on it, and ``WaitQueue.pop`` asks here before it
        takes a waiter of another kernel out of line: nothing is handed over, and the error
        says how to cross threads (``call_from_thread``). It is safe only in the kernel's own
        thread while the kernel is not running: an embedding program between two ``step()``
        calls, or after ``run`` has ended.
        """
        if not self._stepping and self._thread == get_ident():
            return
        owner = queue.owner
        text = owner.describe() if hasattr(owner, "describe") else queue.describe()
        raise RuntimeError(
            "%s belongs to the genlet kernel running in %s (task %r waits on it there), but "
            "was used from %s: a primitive belongs to one kernel, and only that kernel's "
            "thread may wake its tasks. From another thread, hand the call to that kernel: "
            "kernel.call_from_thread(fn, *args), e.g. kernel.call_from_thread(event.set)"
            % (text, thread_name(self._thread), task.name, _here())
        )


def _task_frame(frame: "Any") -> "Any":
    """The innermost frame of the running task's own code, from where a signal landed; None
    if it landed in the kernel (or in genlet code the kernel called), not in a task's code.

    Discussion: a task's frames are called by the run loop (``loop.py``, driven from
    ``driving.py``), so the walk out
    from the signal's frame stops there; genlet's own frames on the way (``spawn`` called
    in a loop, say) are passed over, to name the line in the user's code.
    """
    import os

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    loop = [os.path.join(package, "kernel", name) for name in ("loop.py", "driving.py")]
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if filename in loop:
            return None
        if not filename.startswith(package + os.sep):
            return frame
        frame = frame.f_back
    return None


def thread_name(ident: int) -> str:
    """``"thread 'worker'"`` for a thread's ident, as well as it can be named."""
    try:
        import threading
    except ImportError:
        return "thread %d" % ident
    for thread in threading.enumerate():
        if thread.ident == ident:
            return "thread %r" % thread.name
    return "thread %d" % ident


def _here() -> str:
    from .running import running_kernel

    kernel = running_kernel()
    if kernel is not None:
        return "%s, which runs another kernel" % thread_name(get_ident())
    return "%s, which runs no kernel" % thread_name(get_ident())
