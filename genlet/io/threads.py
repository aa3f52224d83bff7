# genlet/io/threads.py
"""Threads: run blocking functions off the kernel, and call back into it from other threads.

A generator task cannot block: a plain blocking call (a C library, ``time.sleep``, a database
driver, ``socket.getaddrinfo``) would stop every task. ``run_in_thread`` hands such a call to a
small pool of worker threads and parks the task; when the call returns, the worker queues the
result into the kernel with ``kernel.call_from_thread`` (which wakes the kernel's poller
through its waker), and the kernel hands it to the task::

    data = yield from genlet.io.run_in_thread(blocking_read, path)

``from_thread`` is the way back: a worker (or any other thread) runs a function in the kernel's
thread and blocks until it has the result::

    def job():                            # runs in a worker thread
        return genlet.io.from_thread(channel.send_nowait, "hello")

The pool is one per process, bounded (``set_max_threads``, 20 by default): jobs beyond the
bound wait in its queue. Threads start when jobs need them and end after ``IDLE_SECONDS``
without work.

While a job is in flight the kernel's ``external`` counter counts it, so that deadlock
detection knows something outside the tasks can still wake one.

Cancellation. By default a task waiting for its job cannot be cancelled out of the wait (its
wait's ``abort`` says no): the thread cannot be stopped, and leaving would drop its result. The
task gets the result, and the cancel arrives at its next checkpoint (the hand-off rule). With
``cancellable=True`` the task leaves at once with ``Cancelled``; the job is *abandoned*: if it
has not started it never runs, and if it has, its result is closed (when it has a ``close()``)
as soon as it arrives.
"""

try:
    from typing import Any, Callable, Generator, Optional
except ImportError:
    pass

from ..kernel import report
from ..kernel._typing import TYPE_CHECKING, T
from ..kernel.errors import Cancelled, TaskCancelled
from ..kernel.lowlevel import (
    YIELD_ONCE,
    Failure,
    cancel_pending,
    current_task,
    park,
    parking_task,
    reschedule,
    running_kernel,
)

if TYPE_CHECKING:
    from ..kernel.loop import Kernel

DEFAULT_MAX_THREADS = 20
IDLE_SECONDS = 10.0  # a worker with nothing to do for this long ends
_STOP_CHECK_SECONDS = 0.25  # from_thread: how often a waiting thread checks the kernel is alive

# Job states. Discussion: the worker (finishing) and the kernel (abandoning) race for a job;
# the pool's lock makes it leave _PENDING exactly once, for _FINISHED or _ABANDONED.
_PENDING = 0  # queued or running
_FINISHED = 1  # the result is on its way to the kernel
_ABANDONED = 2  # its task left (cancellable=True): nobody will take the result


class PoolStatistics:
    """A snapshot of the thread pool (``genlet.io.threads.statistics()``)."""

    __slots__ = ("max_threads", "threads", "idle_threads", "running", "queued", "submitted", "completed")

    def __init__(self, pool: "_Pool") -> None:
        self.max_threads = pool.max_threads
        self.threads = pool.threads  # alive now
        self.idle_threads = pool.idle  # alive and waiting for work
        self.running = pool.running  # jobs being run now
        self.queued = len(pool.jobs)  # jobs waiting for a thread
        self.submitted = pool.submitted  # jobs ever submitted
        self.completed = pool.completed  # jobs ever finished (abandoned ones included)

    def __repr__(self) -> str:
        return "PoolStatistics(%s)" % ", ".join("%s=%r" % (name, getattr(self, name)) for name in self.__slots__)


class _Job:
    """One call to run in a worker; also the parked task's wait object."""

    __slots__ = ("fn", "args", "kernel", "task", "cancellable", "state", "value", "error")

    def __init__(self, fn: "Callable[..., Any]", args: "Any", kernel: "Kernel", task: "Any", cancellable: bool) -> None:
        self.fn = fn
        self.args = args
        self.kernel = kernel
        self.task = task
        self.cancellable = cancellable
        self.state = _PENDING
        self.value = None  # type: Any
        self.error = None  # type: Optional[BaseException]

    # -- the wait object (kernel thread) ---------------------------------------------------
    def abort(self, task: "Any") -> bool:
        """Cancel the wait: only a cancellable job lets go, and only before its result came."""
        if not self.cancellable:
            return False  # the result is coming; the cancel waits for it (see the docstring)
        with _POOL.lock:
            if self.state == _FINISHED:
                return False  # on its way already: take it, nothing is dropped
            self.state = _ABANDONED
        self.kernel.external -= 1
        return True

    def describe(self) -> str:
        return "thread job %s()" % _name(self.fn)

    # -- the worker's side -----------------------------------------------------------------
    def run(self) -> None:
        """Run the call in this worker thread, then send the outcome to the kernel."""
        try:
            self.value = self.fn(*self.args)
        except BaseException as exc:
            self.error = exc
        with _POOL.lock:
            abandoned = self.state == _ABANDONED
            if not abandoned:
                self.state = _FINISHED
        if abandoned:
            self.discard()
        else:
            self.kernel.call_from_thread(self.deliver)

    def discard(self) -> None:
        """Nobody takes the outcome: close the result, report the error (any thread)."""
        if self.error is not None:
            report.failure("thread job %s() failed after its task stopped waiting for it" % _name(self.fn), self.error)
        else:
            _close(self.value, self.fn)
        self.value = self.error = None

    # -- back in the kernel ----------------------------------------------------------------
    def deliver(self) -> None:
        """Hand the outcome to the task (the kernel runs this between passes)."""
        self.kernel.external -= 1
        task = self.task
        if task.wait_object is not self:  # the task was closed by force while the thread ran
            self.discard()
            return
        reply = self.value if self.error is None else Failure(self.error)
        self.value = self.error = None
        reschedule(task, reply)


def _name(fn: "Any") -> str:
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    return name if isinstance(name, str) else repr(fn)


def _close(value: "Any", fn: "Any") -> None:
    close = getattr(value, "close", None)
    if close is None or not callable(close):
        return
    try:
        close()
    except Exception as exc:
        report.failure("closing the abandoned result of %s() failed" % _name(fn), exc)


class _Pool:
    """Worker threads and a FIFO of jobs, under one lock.

    Discussion: the pool starts a thread when there are more queued jobs than threads not busy
    with a job (and fewer threads than the bound). A thread that was just started or just
    notified is not busy yet, and the queue still holds the job it will take, so the count
    stays right while threads are on their way. A worker leaves only when the queue is empty
    (checked under the lock), so no job is ever stranded.
    """

    def __init__(self, max_threads: int) -> None:
        import threading
        from collections import deque

        self._threading = threading
        self.lock = threading.Lock()
        self._work = threading.Condition(self.lock)
        self.jobs = deque()  # type: Any
        self.max_threads = max_threads
        self.threads = 0
        self.idle = 0
        self.running = 0
        self.submitted = 0
        self.completed = 0
        self._local = threading.local()  # .kernel: the kernel of the job this worker runs

    def submit(self, job: _Job) -> None:
        with self.lock:
            self.jobs.append(job)
            self.submitted += 1
            self._staff()

    def resize(self, max_threads: int) -> None:
        with self.lock:
            self.max_threads = max_threads
            self._staff()
            self._work.notify_all()  # surplus idle workers notice and leave

    def _staff(self) -> None:
        """Wake idle workers for the queued jobs; start threads if they are too few (lock held)."""
        self._work.notify(len(self.jobs))
        while self.threads < self.max_threads and self.threads - self.running < len(self.jobs):
            self.threads += 1
            worker = self._threading.Thread(target=self._serve, name="genlet-worker", daemon=True)
            worker.start()

    def _serve(self) -> None:
        """A worker's life: take jobs until there are none for IDLE_SECONDS."""
        local = self._local
        with self.lock:
            while self.threads <= self.max_threads:  # else the pool was shrunk: leave
                if not self.jobs:
                    self.idle += 1
                    notified = self._work.wait(IDLE_SECONDS)
                    self.idle -= 1
                    if not notified and not self.jobs:
                        break
                    continue
                job = self.jobs.popleft()
                if job.state == _ABANDONED:  # cancelled before it started: never run it
                    self.completed += 1
                    continue
                self.running += 1
                self.lock.release()
                try:
                    local.kernel = job.kernel
                    job.run()
                finally:
                    local.kernel = None
                    self.lock.acquire()
                    self.running -= 1
                    self.completed += 1
            self.threads -= 1

    def statistics(self) -> PoolStatistics:
        with self.lock:
            return PoolStatistics(self)


_POOL = None  # type: Any  # the process's pool, made on first use
_max_threads = DEFAULT_MAX_THREADS


_fork_hook = False


def _pool() -> _Pool:
    global _POOL, _fork_hook
    if _POOL is None:
        _POOL = _Pool(_max_threads)
        import os

        if not _fork_hook and hasattr(os, "register_at_fork"):
            # Discussion: a forked child has none of the parent's threads, and the lock may
            # have been held by one of them at the fork. The child starts a fresh pool.
            os.register_at_fork(after_in_child=_forget_pool)
            _fork_hook = True
    return _POOL  # type: ignore[no-any-return]


def _forget_pool() -> None:
    global _POOL
    _POOL = None


def set_max_threads(n: int) -> None:
    """Bound the worker threads (default ``DEFAULT_MAX_THREADS``); jobs beyond it queue."""
    global _max_threads
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError("set_max_threads(%r): the bound must be an int >= 1" % (n,))
    _max_threads = n
    if _POOL is not None:
        _POOL.resize(n)


def max_threads() -> int:
    """The current bound on worker threads."""
    return _max_threads


def statistics() -> PoolStatistics:
    """How many threads exist, are idle, run jobs; how many jobs queue, were submitted, done."""
    return _pool().statistics()


def run_in_thread(fn: "Callable[..., T]", *args: "Any", cancellable: bool = False) -> "Generator[Any, Any, T]":
    """``result = yield from run_in_thread(fn, *args)``: call ``fn(*args)`` in a worker thread.

    The task waits (other tasks run) and gets what ``fn`` returned, or its exception raised
    with its traceback. See the module docstring for ``cancellable``.
    """
    if not callable(fn):
        raise TypeError("run_in_thread() needs a function to call, got %r" % (fn,))
    task = parking_task()
    while cancel_pending(task):  # cancelled already: a checkpoint delivers it; no job starts
        yield from YIELD_ONCE
    kernel = task.kernel
    if kernel.ensure_waker() is None:
        raise RuntimeError("run_in_thread: this interpreter has no socket.socketpair, so a thread cannot wake the kernel")
    job = _Job(fn, args, kernel, task, cancellable)
    _pool().submit(job)  # its result can only be delivered in this thread, after this step
    kernel.external += 1
    return (yield from park(task, job))  # type: ignore[no-any-return]


# -- from_thread: the way back into the kernel -----------------------------------------------


class _Reply:
    """Where the kernel leaves a from_thread call's outcome for the waiting thread."""

    __slots__ = ("done", "value", "error")

    def __init__(self, done: "Any") -> None:
        self.done = done  # a threading.Event
        self.value = None  # type: Any
        self.error = None  # type: Optional[BaseException]

    def succeed(self, value: "Any") -> None:
        self.value = value
        self.done.set()

    def fail(self, error: BaseException) -> None:
        self.error = error
        self.done.set()


def _start_call(kernel: "Kernel", fn: "Callable[..., Any]", args: "Any", reply: _Reply) -> None:
    """In the kernel's thread: call ``fn``; a generator it returns runs as a task."""
    try:
        result = fn(*args)
        if not (hasattr(result, "send") and hasattr(result, "throw")):
            reply.succeed(result)
            return
        if type(result).__name__ == "coroutine" or hasattr(result, "cr_frame"):
            result.close()
            raise TypeError("from_thread(%s): got a coroutine from `async def`; genlet runs plain generators" % _name(fn))
        kernel.spawn(_relay, result, reply, name="from_thread:%s" % _name(fn))
    except BaseException as exc:  # never into the kernel: the calling thread gets it
        reply.fail(exc)


def _relay(gen: "Any", reply: _Reply) -> "Generator[Any, Any, None]":
    """The task that runs a generator for ``from_thread`` and passes on how it ended."""
    try:
        value = yield from gen
    except Cancelled:
        reply.fail(TaskCancelled(current_task()))
        raise
    except BaseException as exc:
        reply.fail(exc)
        if not isinstance(exc, Exception):
            raise  # KeyboardInterrupt, SystemExit: the kernel must see them too
        return
    reply.succeed(value)


def _kernel_for(kernel: "Optional[Kernel]") -> "Kernel":
    if kernel is None:
        pool = _POOL
        kernel = getattr(pool._local, "kernel", None) if pool is not None else None
        if kernel is None:
            raise RuntimeError(
                "from_thread() does not know which genlet kernel to call: call it from a "
                "function run by run_in_thread, or pass kernel= (take it in a task with "
                "genlet.kernel.current_kernel())"
            )
    if running_kernel() is kernel:
        raise RuntimeError(
            "from_thread() was called in the kernel's own thread, where waiting would block the "
            "kernel forever; in a task, call the function directly (or `yield from` it)"
        )
    if not kernel.has_waker():
        raise RuntimeError(
            "from_thread(): this kernel has no waker, so it could sleep through the call; call "
            "kernel.ensure_waker() in the kernel's thread before handing the kernel to other "
            "threads (or the kernel has stopped)"
        )
    return kernel


def from_thread(fn: "Callable[..., Any]", *args: "Any", kernel: "Optional[Kernel]" = None) -> "Any":
    """From another thread: run ``fn(*args)`` in the kernel; return its result or raise its error.

    Blocks the calling thread until done. If ``fn`` returns a generator (a generator
    function), it runs as a new task and its return value is the result; if that task is
    cancelled, ``TaskCancelled`` is raised here. The kernel is the one that started this
    thread's job (``run_in_thread``), or ``kernel=``.
    """
    import threading

    kernel = _kernel_for(kernel)
    reply = _Reply(threading.Event())
    kernel.call_from_thread(_start_call, kernel, fn, args, reply)
    # Discussion: a kernel that stops before it runs the call never answers. Waiting in short
    # slices and checking that the kernel is still open turns that hang into an error.
    while not reply.done.wait(_STOP_CHECK_SECONDS):
        if not kernel.has_waker():
            raise RuntimeError("from_thread(%s): the genlet kernel stopped before it ran the call" % _name(fn))
    if reply.error is not None:
        error, reply.error = reply.error, None
        raise error
    return reply.value

