# genlet/http/wsgi.py
"""WSGIServer: serve a WSGI application (PEP 3333) on genlet's HTTP/1.1 server.

::

    server = genlet.http.WSGIServer(("127.0.0.1", 8000), app)
    server.serve_forever()        # no kernel running: runs one, serves until SIGINT / SIGTERM

A WSGI application is synchronous and may block (a database driver, ``time.sleep``), so by
default it runs on genlet's thread pool, at most ``threads`` requests at a time: a blocking
application never freezes the kernel or the other connections. ``threads=0`` runs it inline
in the kernel's thread, the fastest path, for applications that never block.

How the work is split. The connection's task does all the socket I/O. A worker thread calls
``app(environ, start_response)`` and takes the first non-empty piece of the body; each later
piece is another ``next()`` in a thread (a body iterator may block too), and ``close()`` on the
iterable is called however the request ends. ``wsgi.input`` reads the request body on demand
from the thread, through ``genlet.io.from_thread`` (the connection's task reads the socket), so
it never reads past the body, and ``100 Continue`` goes out only when the application reads.
With ``threads=0`` the body is read before the application is called (an inline application
cannot wait for bytes), so ``100 Continue`` goes out then.
"""

import sys

try:
    from typing import Any, Callable, Dict, Generator, List, Optional
except ImportError:
    pass

from . import _log
from .message import Request, Response
from .server import Server

DEFAULT_THREADS = 10
_END = object()  # what a pull returns when the body iterable is exhausted


class _Input:
    """``wsgi.input``: the request body, read on demand, never past its end."""

    def __init__(self, fetch: "Callable[[], bytes]") -> None:
        self._fetch = fetch  # the next piece of the body, b"" at its end
        self._buffer = b""
        self._eof = False

    def _fill(self) -> bool:
        if self._eof:
            return False
        piece = self._fetch()
        if not piece:
            self._eof = True
            return False
        self._buffer += piece
        return True

    def read(self, size: "Optional[int]" = -1) -> bytes:
        if size is None or size < 0:
            while self._fill():
                pass
            size = len(self._buffer)
        while len(self._buffer) < size and self._fill():
            pass
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def readline(self, size: "Optional[int]" = -1) -> bytes:
        while b"\n" not in self._buffer and (size is None or size < 0 or len(self._buffer) < size) and self._fill():
            pass
        end = self._buffer.find(b"\n") + 1 or len(self._buffer)
        if size is not None and 0 <= size < end:
            end = size
        data, self._buffer = self._buffer[:end], self._buffer[end:]
        return data

    def readlines(self, hint: "Optional[int]" = -1) -> "List[bytes]":
        lines = []  # type: List[bytes]
        total = 0
        while True:
            line = self.readline()
            if not line:
                return lines
            lines.append(line)
            total += len(line)
            if hint is not None and 0 < hint <= total:
                return lines

    def __iter__(self) -> "Any":
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


class _Exchange:
    """One request's WSGI state: start_response, write(), and whether the head went out."""

    __slots__ = ("status", "headers", "written", "sent")

    def __init__(self) -> None:
        self.status = None  # type: Optional[int]
        self.headers = None  # type: Any
        self.written = []  # type: List[bytes]  # what write() buffered
        self.sent = False  # the head has gone out

    def start_response(self, status: str, headers: "List[Any]", exc_info: "Any" = None) -> "Callable[[bytes], None]":
        if exc_info is not None:
            try:
                if self.sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None  # no cycle through the traceback
        elif self.status is not None:
            raise AssertionError("start_response() was called twice without exc_info (PEP 3333)")
        if not isinstance(status, str) or len(status) < 4 or not status[:3].isdigit() or status[3] != " ":
            raise ValueError("a WSGI status is a str such as '200 OK', got %r" % (status,))
        self.status = int(status[:3])
        self.headers = (headers, status[4:])
        return self.write

    def write(self, data: bytes) -> None:
        """The legacy ``write()`` callable: the data is buffered, and goes out before the body."""
        if not isinstance(data, bytes):
            raise TypeError("write() takes bytes, got %r" % (type(data).__name__,))
        if self.status is None:
            raise AssertionError("write() before start_response() (PEP 3333)")
        self.written.append(data)

    def complete(self, first: bytes) -> bool:
        """Is ``first`` the whole body? Yes when the Content-Length says so (Flask's case):
        then the head and the body go out in one write, and the iterable is closed at once."""
        if self.written or self.status is None:
            return False
        for name, value in self.headers[0]:
            if name.lower() == "content-length":
                return bool(value.strip() == str(len(first)))
        return False

    def response(self, body: "Any") -> Response:
        if self.status is None:
            raise AssertionError("the application returned without calling start_response() (PEP 3333)")
        headers, reason = self.headers
        return Response(self.status, headers, body, reason)


def _pull(iterator: "Any", result: "Any") -> "Any":
    """The next non-empty piece of the body, or _END (after closing the iterable)."""
    for piece in iterator:
        if not isinstance(piece, bytes):
            raise TypeError("a WSGI body yields bytes, got %r" % (type(piece).__name__,))
        if piece:
            return piece
    _close(result)
    return _END


def _client_left(conn: "Any") -> bool:
    """Has the client closed or reset the connection? A look (MSG_PEEK) that never waits;
    False when it cannot tell (TLS: the bytes there are the TLS layer's)."""
    import socket

    if conn.raw is None:
        return False
    try:
        return bool(conn.raw.recv(1, socket.MSG_PEEK) == b"")
    except BlockingIOError:
        return False  # nothing to read: still there, waiting for its response
    except OSError:
        return True  # reset


def _close(result: "Any") -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


def _start(app: "Any", environ: "Dict[str, Any]", exchange: _Exchange) -> "Any":
    """Call the application and take the first piece of its body (in a worker thread, or inline)."""
    result = app(environ, exchange.start_response)
    if type(result) in (list, tuple):
        for piece in result:
            if not isinstance(piece, bytes):
                raise TypeError("a WSGI body yields bytes, got %r" % (type(piece).__name__,))
        return result, None, None
    try:
        iterator = iter(result)
        first = _pull(iterator, result)
        if first is not _END and exchange.complete(first):
            _close(result)
            return [first], None, None
        return result, iterator, first
    except BaseException:
        _close(result)
        raise


class WSGIServer(Server):
    """Serve ``app`` (PEP 3333). ``threads``: at most that many requests run the application at
    once, on genlet's thread pool (0: inline in the kernel). Limits as for ``Server``."""

    watch_handlers = False  # (only while a request waits for a thread: see _handle)

    def __init__(self, address: "Any", app: "Callable[..., Any]", threads: int = DEFAULT_THREADS, **options: "Any") -> None:
        if not callable(app):
            raise TypeError("WSGIServer needs a WSGI application app(environ, start_response), got %r" % (app,))
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
            raise ValueError("threads must be an int >= 0 (0: run the application in the kernel), got %r" % (threads,))
        super().__init__(address, self._handle, **options)
        self.app = app
        self.threads = threads
        self.handler_name = _log.name(app)
        self._slots = None  # type: Any
        if threads:
            from ..sync.semaphores import Semaphore

            self._slots = Semaphore(threads)
        host, port = self.address[:2]
        self._base = {
            "SCRIPT_NAME": "",
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": bool(threads),
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "wsgi.input_terminated": True,
        }  # type: Dict[str, Any]

    def environ(self, request: Request) -> "Dict[str, Any]":
        """The PEP 3333 environ of ``request`` (without ``wsgi.input``)."""
        environ = dict(self._base)
        environ["REQUEST_METHOD"] = request.method
        environ["PATH_INFO"] = request.path.encode("utf-8").decode("latin-1")
        environ["QUERY_STRING"] = request.query
        environ["SERVER_PROTOCOL"] = "HTTP/" + request.http_version
        environ["wsgi.url_scheme"] = request.scheme
        remote = request.remote
        if isinstance(remote, tuple):
            environ["REMOTE_ADDR"] = str(remote[0])
            environ["REMOTE_PORT"] = str(remote[1])
        for name, value in request.headers:
            key = name.upper().replace("-", "_")
            if "_" in name:
                continue  # Discussion: X_User would pass for X-User: a spoofing trick; dropped
            if key == "CONTENT_TYPE" or key == "CONTENT_LENGTH":
                environ[key] = value
                continue
            key = "HTTP_" + key
            if key in environ:
                environ[key] += "," + value
            else:
                environ[key] = value
        return environ

    def _handle(self, request: Request) -> "Generator[Any, Any, Response]":
        environ = self.environ(request)
        exchange = _Exchange()
        if not self.threads:
            body = yield from request.read()
            environ["wsgi.input"] = _Input(iter((body, b"")).__next__)
            result, iterator, first = _start(self.app, environ, exchange)
            return self._response(exchange, result, iterator, first)
        from ..io.threads import from_thread, max_threads, run_in_thread, set_max_threads

        if max_threads() < self.threads:
            set_max_threads(self.threads)
        conn = request._reader
        environ["wsgi.input"] = _Input(lambda: from_thread(conn.read_piece, request))
        # Discussion: no watcher task reads the client while the application runs (see
        # Server.watch_handlers): the application cannot be stopped in its thread, and a
        # watcher would cost every request a task, a failed receive and a trip through the
        # poller. A request that had to wait for a thread checks that its client is still
        # there when its turn comes, so that no thread runs the application for nobody.
        waited = self._slots.locked()
        yield from self._slots.acquire()
        if waited and _client_left(conn):
            self._slots.release()
            raise ConnectionResetError("the client left while its request waited for a thread")
        try:
            result, iterator, first = yield from run_in_thread(_start, self.app, environ, exchange)
        except BaseException:
            self._slots.release()
            raise
        # Discussion: the slot is held until the body is done (see _stream), as a thread per
        # request would be: a slow body iterator counts against ``threads``.
        if iterator is None or first is _END:
            self._slots.release()
        return self._response(exchange, result, iterator, first)

    def _response(self, exchange: _Exchange, result: "Any", iterator: "Any", first: "Any") -> Response:
        written = exchange.written
        if iterator is None:  # a list or tuple: all of it is here
            return exchange.response(b"".join(written + list(result)) if written else b"".join(result))
        if first is _END:
            return exchange.response(b"".join(written))
        body = _Body(self, exchange, result, iterator, first)
        if exchange.status is None:  # the response below fails: free the slot, close the iterable
            body.close()
        return exchange.response(body)


class _Body:
    """The body of a WSGI response whose iterable is not a list: a body writer (the server
    calls it with the writer) with a ``close()`` the server calls however the response ends."""

    def __init__(self, server: WSGIServer, exchange: _Exchange, result: "Any", iterator: "Any", first: "Any") -> None:
        self.server = server
        self.exchange = exchange
        self.result = result
        self.iterator = iterator
        self.first = first
        self.done = False  # the iterable is exhausted and closed (by _pull)
        self.slot = bool(server.threads)  # this request holds one of the server's thread slots

    def __call__(self, writer: "Any") -> "Generator[Any, Any, None]":
        exchange, piece = self.exchange, self.first
        for data in exchange.written:
            yield from writer.write(data)
        while piece is not _END:
            yield from writer.write(piece)
            exchange.sent = True
            if self.slot:
                from ..io.threads import run_in_thread

                piece = yield from run_in_thread(_pull, self.iterator, self.result)
            else:
                piece = _pull(self.iterator, self.result)
        self.done = True

    def close(self) -> None:
        """Free the thread slot; close the iterable if the response ended before its end."""
        if self.slot:
            self.slot = False
            self.server._slots.release()
        if self.done:
            return
        self.done = True
        if not self.server.threads or getattr(self.result, "close", None) is None:
            _close(self.result)
            return
        from ..io.threads import run_in_thread
        from ..kernel.spawning import spawn

        # Discussion: close() may block (it runs the application's cleanup), so it goes to a
        # thread, from a task of its own: the response's task may be cancelled already.
        spawn(run_in_thread, _close, self.result, name="wsgi close %s" % self.server.handler_name)
