# genlet/kernel/outside.py
"""How the world outside the run loop reaches the kernel.

Three ways in, each made only when first needed:

- **descriptors**: ``read_wait`` / ``write_wait`` park a task on the poller (``IOWaits`` in
  ``poller.py``); ``notify_closing`` wakes those tasks with an ``OSError``;
- **other threads**: ``call_from_thread(fn, *args)`` queues a call and writes to the waker, a
  socket pair the poller watches, so a kernel blocked in ``poll`` wakes up at once. Work in
  flight outside the kernel (a thread job, a signal being waited for) is counted in
  ``kernel.external``, so that deadlock detection knows something may still wake a task;
- **Ctrl-C**: ``run`` installs a SIGINT handler (main thread only) that sets a flag and wakes
  the poller; the run loop then cancels every task and raises ``KeyboardInterrupt``. Pressed a
  second time, it raises at once, for a task stuck in a loop that never yields.
"""

try:
    from typing import Any, Callable, Optional
except ImportError:
    pass

from .poller import IOWaits, best_poller, make_waker


def allocate_lock() -> "Any":
    """A lock for the queue of calls from other threads; None where there are no threads."""
    try:
        import _thread
    except ImportError:
        return None
    return _thread.allocate_lock()


class Outside:
    """The kernel's doors to descriptors, threads and signals (a base class of ``Kernel``)."""

    _io = None  # type: Optional[IOWaits]
    _waker = None  # type: Any
    _calls = None  # type: Any
    _calls_lock = None  # type: Any
    _interrupted = False
    _halt = False
    external = 0  # outside work in flight that may wake a task (thread jobs, signal waits)
    _sigint_needs_waker = False  # Ctrl-C is ours, and the waker is not made yet

    def _ensure_io(self) -> IOWaits:
        if self._io is None:
            self._io = IOWaits(best_poller())
        return self._io

    def _io_wait(self, task: "Any", fileobj: "Any", event: int) -> "Any":
        return self._ensure_io().add(task, fileobj, event)

    def ensure_waker(self) -> "Any":
        """The waker that other threads use to interrupt the poller (made on first use)."""
        if self._waker is None:
            self._waker = make_waker()
            if self._waker is not None:
                self._ensure_io().watch(self._waker, self._waker.drain)
        return self._waker

    def call_from_thread(self, fn: "Callable[..., Any]", *args: "Any") -> None:
        """Run ``fn(*args)`` in the kernel's thread, soon; safe to call from any thread."""
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
        """In the main thread, make Ctrl-C cancel everything (through the waker).

        Discussion: the waker (a socket pair and a poller; the first one in a process imports
        ``socket`` and ``selectors``, about 2 ms, a fiftieth of spawning and joining 100,000
        small tasks) is needed only to cut short a wait for events. So it is made before the
        kernel first blocks (``_waker_for_sigint``), not here: a run that never blocks never
        makes one.
        """
        try:
            import signal
            import threading
        except ImportError:
            return None
        if threading.current_thread() is not threading.main_thread():
            return None
        if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            return None  # somebody else handles Ctrl-C: leave it to them
        self._sigint_needs_waker = True

        def on_sigint(signum: int, frame: "Any") -> None:
            if self._interrupted:
                raise KeyboardInterrupt  # pressed twice: get out now
            self._interrupted = True
            self._halt = True
            waker = self._waker
            if waker is not None:
                waker.wake()

        previous = signal.signal(signal.SIGINT, on_sigint)

        def restore() -> None:
            self._sigint_needs_waker = False
            signal.signal(signal.SIGINT, previous)

        return restore

    def _waker_for_sigint(self) -> "Any":
        """Before the first wait that may block: make the waker Ctrl-C needs; return the IO
        waits. Ctrl-C may have come before the waker: then ``_interrupted`` is already set."""
        self._sigint_needs_waker = False
        self.ensure_waker()
        return self._io
