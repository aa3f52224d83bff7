# genlet/http/gunicorn.py
"""A gunicorn worker: genlet's WSGIServer in each process gunicorn manages.

::

    gunicorn -k genlet.http.gunicorn.Worker myproject.wsgi:application --workers 4

genlet runs one process on one core; gunicorn (the arbiter) forks the workers, restarts them,
reloads on SIGHUP, and stops them. Each worker runs a genlet kernel that serves the WSGI
application with ``WSGIServer`` on the listening sockets gunicorn gives it (``self.sockets``),
and keeps gunicorn's contract (gunicorn/workers/base.py):

- **heartbeat**: a task calls ``self.notify()`` every second (or every ``--timeout``/4 when
  that is shorter), so the arbiter does not kill a worker that is alive, however idle; it also
  stops the worker when its parent changed (the arbiter died). A worker whose kernel is stuck
  (an application that blocks with ``--threads 0``) misses it and is killed ("WORKER TIMEOUT"),
  which is what the heartbeat is for;
- **SIGTERM**: graceful: stop accepting, close idle keep-alive connections, let the requests in
  flight finish within ``--graceful-timeout``, then exit (the arbiter sends it on SIGTERM and
  to the old workers on SIGHUP: a reload);
- **SIGQUIT, SIGINT**: quick: the ``worker_int`` hook, then the requests in flight are
  cancelled and the worker exits at once (see ``_quit_soon``);
- **SIGUSR1**: gunicorn's log files are reopened (in a task, not in the signal handler:
  gunicorn#1645); SIGABRT and SIGWINCH keep gunicorn's own handlers;
- **--max-requests N** (and its jitter): after N requests the worker stops gracefully (the
  last response says ``Connection: close``) and the arbiter starts a fresh one.

Settings used: ``--threads`` (a WSGI application's threads per worker: gunicorn's default of 1
means genlet's default of 10; ``--threads 0`` is not accepted by gunicorn, so an inline
application is not available here), ``--worker-connections`` (``max_connections``),
``--keep-alive`` (``keepalive_timeout``), ``--limit-request-fields`` (``max_headers``),
``--forwarded-allow-ips``, and the TLS options (``--certfile``, ``--keyfile``...). The access
log is genlet's (``--access-logfile`` is not wired: set the ``genlet.http`` logger's level).
"""

import logging
import os
import signal

try:
    from typing import Any, Generator, List
except ImportError:
    pass

from gunicorn.workers.base import Worker as _GunicornWorker  # type: ignore[import-untyped, import-not-found, unused-ignore]

from ..io.signals import signal_wait
from ..kernel import sleep
from ..kernel.driving import run
from ..kernel.spawning import spawn
from ..kernel.waiting import joinall
from .wsgi import DEFAULT_THREADS, WSGIServer

_QUICK_SECONDS = 0.5  # a quick stop: how long the cancelled requests get to end


class Worker(_GunicornWorker):  # type: ignore[misc]
    """``gunicorn -k genlet.http.gunicorn.Worker``: see the module's docstring."""

    def run(self) -> None:
        """The worker's main loop (gunicorn calls it in the forked process)."""
        run(self._main)

    def _main(self) -> "Generator[Any, Any, None]":
        self._servers = [self._server(listener) for listener in self.sockets]
        self._serving = [spawn(server.serve_forever, name="gunicorn worker %s" % (server.address,)) for server in self._servers]
        spawn(self._heartbeat, daemon=True, name="gunicorn heartbeat")
        spawn(self._signals, daemon=True, name="gunicorn signals")
        self._stopping = False
        self.log.debug("genlet worker %s serving on %s", self.pid, ", ".join(str(server.address) for server in self._servers))
        for task in self._serving:
            yield from task.wait()

    def _server(self, listener: "Any") -> WSGIServer:
        cfg = self.cfg
        ssl_context = None
        if cfg.is_ssl:
            from gunicorn.sock import ssl_context as make_context  # type: ignore[import-untyped, import-not-found, unused-ignore]

            ssl_context = make_context(cfg)
        threads = cfg.threads if cfg.threads > 1 else DEFAULT_THREADS
        server = WSGIServer(
            getattr(listener, "sock", listener),
            self.wsgi,
            threads=threads,
            ssl=ssl_context,
            forwarded_allow=list(cfg.forwarded_allow_ips),
            max_connections=cfg.worker_connections,
            keepalive_timeout=float(cfg.keepalive) if cfg.keepalive else 0.0,
            max_headers=cfg.limit_request_fields or 32768,
        )
        server._base["wsgi.multiprocess"] = cfg.workers > 1
        server.handler = self._counted(server.handler)
        return server

    def _counted(self, handle: "Any") -> "Any":
        """``handle``, counting the requests: at ``max_requests`` the worker stops gracefully."""

        def counted(request: "Any") -> "Generator[Any, Any, Any]":
            try:
                return (yield from handle(request))
            finally:  # (a request that failed counts too)
                self.nr += 1
                if self.nr >= self.max_requests and self.alive:
                    self.log.info("Autorestarting worker after current request.")
                    self._stop(quick=False)

        return counted

    def _stop(self, quick: bool) -> None:
        """Stop serving: gracefully (``--graceful-timeout`` for the requests in flight), or at
        once (a quick stop also cuts short a graceful one under way)."""
        self.alive = False
        self._stopping = True
        for server in self._servers:
            server.close(0.0 if quick else float(self.cfg.graceful_timeout))
        if quick:
            for task in self._serving:
                task.cancel()  # its handlers are cancelled with it
            spawn(self._quit_soon, daemon=True, name="gunicorn quick stop")

    def _quit_soon(self) -> "Generator[Any, Any, None]":
        """A quick stop leaves at once, even if an application's thread is stuck.

        Discussion: a cancelled request whose application runs in a thread waits for that
        thread (its iterable's ``close()`` is owed: PEP 3333), so it may hold the kernel, and
        the process, for as long as the application blocks. gunicorn's own workers leave with
        ``sys.exit(0)`` from the signal handler after 0.1 s; here the cancelled requests get a
        moment to end, and what still runs in a thread is left behind by ``os._exit(0)`` (the
        arbiter would kill the worker after --graceful-timeout anyway).
        """
        done = yield from joinall(self._serving, timeout=_QUICK_SECONDS)
        if len(done) < len(self._serving):
            self.log.info("Worker exiting at once with requests still in application threads (pid: %s)", self.pid)
            logging.shutdown()  # (flushes the log's handlers)
            os._exit(0)

    def _heartbeat(self) -> "Generator[Any, Any, None]":
        """Tell the arbiter this worker is alive (see the module's docstring)."""
        interval = min(1.0, self.timeout / 2.0) if self.timeout else 1.0
        while True:
            self.notify()
            if os.getppid() != self.ppid and self.alive:
                self.log.info("Parent changed, shutting down: %s", self)
                self._stop(quick=False)
            elif not self.alive and not self._stopping:
                # Discussion: a SIGTERM that came before the signal task took the signal over
                # (while the application loaded, say) was seen by gunicorn's own handler,
                # which only set ``alive``: it is acted on here.
                self._stop(quick=False)
            yield from sleep(interval)

    def _signals(self) -> "Generator[Any, Any, None]":
        """The worker's signals, handled in a task (the handlers only wake it)."""
        while True:
            signum = yield from signal_wait(signal.SIGTERM, signal.SIGQUIT, signal.SIGINT, signal.SIGUSR1)
            if signum == signal.SIGUSR1:
                self.log.reopen_files()
            elif signum == signal.SIGTERM:
                self._stop(quick=False)
            else:
                self.cfg.worker_int(self)
                self._stop(quick=True)


__all__: "List[str]" = ["Worker"]
