# genlet/http/connection.py
"""One HTTP/1.1 connection on the server's side: read a request, run the handler, answer; again.

The connection's task is the only one that touches its socket. It reads a request head,
builds a ``Request``, runs the handler in the same task (``yield from handler(request)``: the
requests of one connection are served one after the other, so pipelined responses go out in
the order the requests came), writes the ``Response``, and reads the next head.

Discussion: why the handler runs in the connection's task rather than a task of its own.
Responses on one connection must go out in order anyway, so a second task would only wait for
the first; running the handler inline saves a spawn and a join per request, and cancelling the
connection (``server.close`` after its grace, or the watcher when the client leaves: see
``_watch``) cancels the handler where it waits.

Discussion: writes. The head and a ``bytes`` body go out in one ``send`` (one segment: no
Nagle / delayed-ACK stall), tried at once without a timer; only a write that cannot finish at
once waits, each wait bounded by ``send_timeout`` (a client that stops reading the response
is disconnected after it).
"""

try:
    from typing import Any, Generator, List, Optional
except ImportError:
    pass

from ..io.errors import WOULD_BLOCK, translate
from ..kernel import clock, write_wait
from ..kernel.cancel import CancelScope, move_on_after, move_on_at
from ..kernel.lowlevel import current_task
from ..kernel.spawning import spawn
from . import _log
from .errors import ProtocolError
from .headers import to_latin1
from .message import Request, Response
from .parser import NEED_DATA, NO_BODY, RequestHead, RequestParser
from .serialize import REASONS, chunk, last_chunk

CHUNK = 65536  # how much one receive asks for
_LINGER_SECONDS = 0.5  # after an error answer: how long to read what the client still sends
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class SendTimeout(OSError):
    """The client did not read the response for ``send_timeout`` seconds."""


class Connection:
    """The state of one connection (see the module's docstring)."""

    __slots__ = ("server", "sock", "raw", "remote", "client", "trusted", "parser", "body_done", "body_error", "sent_continue", "started")

    def __init__(self, server: "Any", sock: "Any", remote: "Any") -> None:
        self.server = server
        self.sock = sock  # the genlet.io Socket
        # the standard socket, for the first try of each write (None for TLS: see write)
        self.raw = None if server.scheme == "https" else sock.socket
        self.remote = remote
        self.client = remote  # the current request's client (behind a trusted proxy: X-Forwarded-For)
        forwarded = server.forwarded
        self.trusted = bool(forwarded) and isinstance(remote, tuple) and forwarded.trusts(remote[0])
        self.parser = RequestParser(server.max_head_bytes, server.max_headers, server.max_body_bytes)
        self.body_done = True  # the current request's body has been read to its end
        self.body_error = None  # type: Optional[ProtocolError]  # what reading it ran into
        self.sent_continue = False
        self.started = False  # the current response's head has gone out

    # -- the loop ----------------------------------------------------------------------------
    def serve(self) -> "Generator[Any, Any, None]":
        """Serve requests until one of the two sides closes, a limit is hit, or the server stops."""
        server = self.server
        first = True
        try:
            while not server.closing:
                self.started = False  # (a malformed request after a good one is answered too)
                try:
                    head = yield from self._read_head(first)
                except ProtocolError as exc:
                    yield from self._refuse(exc)
                    return
                if head is None:
                    return
                first = False
                if not (yield from self._exchange(head)):
                    return
        except OSError:
            return  # the client reset or vanished, or stopped reading: nothing to answer

    def _recv(self, deadline: "Optional[float]") -> "Generator[Any, Any, Optional[bytes]]":
        """Receive once; None when ``deadline`` passes first."""
        if deadline is None:
            return (yield from self.sock.recv(CHUNK))  # type: ignore[no-any-return]
        with move_on_at(deadline):
            return (yield from self.sock.recv(CHUNK))  # type: ignore[no-any-return]
        return None

    def _read_head(self, first: bool) -> "Generator[Any, Any, Any]":
        """The next request's head; None when the client closed or stayed idle too long.

        Waiting for the first byte of a head is being idle (``keepalive_timeout``, or
        ``header_timeout`` on a new connection); from the first byte on, the whole head must
        arrive within ``header_timeout`` (a client that sends half a line and stops: slowloris).
        """
        parser = self.parser
        event = parser.next_event()
        if event is NEED_DATA:
            server = self.server
            idle = True
            deadline = clock() + (server.header_timeout if first else server.keepalive_timeout)
            while event is NEED_DATA:
                if idle:
                    server.idle.add(self)
                try:
                    data = yield from self._recv(deadline)
                finally:
                    server.idle.discard(self)
                if data is None:
                    if idle:
                        return None
                    message = "the request head did not arrive within header_timeout=%r seconds" % server.header_timeout
                    raise ProtocolError(408, "header-timeout", message)
                if idle and data:
                    idle = False
                    deadline = clock() + server.header_timeout
                parser.feed(data)
                event = parser.next_event()
        if event.__class__ is not RequestHead:
            return None  # CLOSED
        return event

    def _exchange(self, head: "Any") -> "Generator[Any, Any, bool]":
        """Run the handler for one request and send its response; False: close the connection."""
        server = self.server
        self.started = self.sent_continue = False
        self.body_error = None
        self.body_done = head.framing == NO_BODY or head.content_length == 0
        if self.body_done:
            self.parser.next_event()  # its EndOfMessage, at once
        if self.trusted:  # a proxy we trust: the client and its scheme are in X-Forwarded-*
            self.client, scheme = server.forwarded.resolve(self.remote, head.headers, server.scheme)
            request = Request(head, self.client, self, scheme)
        else:
            request = Request(head, self.remote, self, server.scheme)
        try:
            response = yield from self._call(request)
        except ProtocolError as exc:  # found while the handler read the body
            yield from self._refuse(exc)
            return False
        except (OSError, GeneratorExit):
            raise
        except Exception as exc:
            if self.body_error is not None:  # the handler caught the framing error, then failed
                yield from self._refuse(self.body_error)
                return False
            _log.failure("handler %s() failed on %s %s from %s" % (server.handler_name, head.method, head.target, _log.peer(self.remote)), exc)
            yield from self._refuse(ProtocolError(500, "handler", "Internal Server Error"))
            return False
        try:
            return (yield from self._answer(head, response))
        finally:
            body = response.body
            close = None if isinstance(body, (bytes, bytearray, memoryview)) else getattr(body, "close", None)
            if close is not None:  # however the response ended (PEP 3333's rule, kept for every body)
                close()

    def _answer(self, head: "Any", response: Response) -> "Generator[Any, Any, bool]":
        """Send the handler's response; False: close the connection."""
        server = self.server
        if self.body_error is not None:  # the handler caught it and answered anyway
            yield from self._refuse(self.body_error)
            return False
        keep = head.keep_alive and not server.closing
        if keep and not self.body_done:
            keep = self._skip_body(head)
        try:
            return (yield from self._send(head, response, keep))
        except (OSError, GeneratorExit):
            raise
        except Exception as exc:
            _log.failure("the response of %s() to %s %s failed" % (server.handler_name, head.method, head.target), exc)
            if not self.started:
                yield from self._refuse(ProtocolError(500, "response", "Internal Server Error"))
            return False

    def _call(self, request: Request) -> "Generator[Any, Any, Response]":
        """Run the handler; the Response it returns (checked)."""
        server = self.server
        job = server.handler(request)
        if not hasattr(job, "send"):
            raise TypeError(
                "the handler %s returned %r, not a generator: make it a generator function "
                "(def handler(request): ... return Response(...))" % (server.handler_name, job)
            )
        try:
            trap = job.send(None)
        except StopIteration as stop:  # it answered without waiting: nothing to watch
            response = stop.value
        else:
            response = yield from self._watched(job, trap, server.watch_handlers)
        if not isinstance(response, Response):
            raise TypeError(
                "the handler %s returned %r; it must return a genlet.http.Response(status, headers, body)"
                % (server.handler_name, response)
            )
        return response

    def _watched(self, job: "Any", trap: "Any", watch: bool) -> "Generator[Any, Any, Any]":
        """Run the rest of a handler that waits, with a watcher on the client if ``watch``.

        Discussion: the handler has taken its first step already (most answer without ever
        waiting, and need no watcher: a task less per request), so this resumes it by hand,
        as ``yield from`` would: the kernel's replies are sent in, its exceptions thrown in.
        """
        watcher = spawn(self._watch, current_task(), daemon=True) if watch and self.body_done else None
        try:
            while True:
                try:
                    reply = yield trap
                except GeneratorExit:
                    job.close()
                    raise
                except BaseException as exc:
                    try:
                        trap = job.throw(exc)
                    except StopIteration as stop:
                        return stop.value
                    continue
                try:
                    trap = job.send(reply)
                except StopIteration as stop:
                    return stop.value
        finally:
            if watcher is not None and not watcher.done():
                watcher.cancel()
                with CancelScope(shield=True):
                    yield from watcher.wait()

    def _watch(self, handler_task: "Any") -> "Generator[Any, Any, None]":
        """While the handler runs (its request read to the end): has the client left?

        Discussion: a client that resets or closes its side while its handler waits (sleeps,
        queries...) would otherwise be noticed only when the response is written. So a small
        task reads meanwhile: bytes are a pipelined request (kept in the parser for later; the
        watching stops there), an end or a reset means the client left: the handler's task is
        cancelled. A client that only half-closes after its request is taken to have left too
        (as aiohttp does).
        """
        try:
            data = yield from self.sock.recv(CHUNK)
        except OSError:
            data = b""
        self.parser.feed(data)
        if not data:
            handler_task.cancel()

    def _skip_body(self, head: "Any") -> bool:
        """The handler left the body unread: can the connection carry another request?

        Only if the rest of the body is here already (read it off without waiting). A client
        that waits for ``100 Continue`` never got one: it may or may not send the body now, so
        the connection cannot be framed any more.
        """
        if head.expect_continue and not self.sent_continue:
            return False
        parser = self.parser
        try:
            while True:
                event = parser.next_event()
                if event is NEED_DATA:
                    return False
                if event.__class__ is not bytes:
                    self.body_done = True
                    return True
        except ProtocolError:
            return False

    # -- the request body --------------------------------------------------------------------
    def read_body(self, request: Request) -> "Generator[Any, Any, bytes]":
        """The whole body of the current request (``request.read()``)."""
        chunks = []  # type: List[bytes]
        while True:
            piece = yield from self.read_piece(request)
            if not piece:
                return b"".join(chunks)
            chunks.append(piece)

    def read_piece(self, request: Request) -> "Generator[Any, Any, bytes]":
        """The next piece of the current request's body; ``b""`` at its end.

        The first call tells an ``Expect: 100-continue`` client to send the body. A framing
        error or a body that stops arriving raises ``ProtocolError`` (kept in ``body_error``,
        so that the client gets its status even if the application catches it).
        """
        if self.body_done:
            return b""
        if request.head.expect_continue and not self.sent_continue:
            self.sent_continue = True
            yield from self.write(_CONTINUE)
        parser = self.parser
        timeout = self.server.body_timeout
        try:
            while True:
                event = parser.next_event()
                if event is NEED_DATA:
                    data = yield from self._recv(None if timeout is None else clock() + timeout)
                    if data is None:
                        message = "no part of the request body arrived for body_timeout=%r seconds" % timeout
                        raise ProtocolError(408, "body-timeout", message)
                    parser.feed(data)
                elif isinstance(event, bytes):
                    return event
                else:
                    self.body_done = True
                    return b""
        except ProtocolError as exc:
            self.body_error = exc
            raise

    # -- writing -----------------------------------------------------------------------------
    def write(self, data: "Any") -> "Generator[Any, Any, None]":
        """Send all of ``data``; SendTimeout if the client reads none of it for send_timeout."""
        raw = self.raw
        if raw is None:
            yield from self._write_tls(data)
            return
        try:
            sent = raw.send(data)
        except OSError as exc:
            if exc.errno not in WOULD_BLOCK:
                raise translate(exc)
            sent = 0
        total = len(data)
        if sent == total:
            return
        view = memoryview(data)
        timeout = self.server.send_timeout
        while sent < total:
            with move_on_after(timeout) as scope:
                yield from write_wait(raw)
            if scope.cancelled_caught:
                raise SendTimeout("the client read none of the response for send_timeout=%r seconds" % timeout)
            try:
                sent += raw.send(view[sent:])
            except OSError as exc:
                if exc.errno not in WOULD_BLOCK:
                    raise translate(exc)

    def _write_tls(self, data: "Any") -> "Generator[Any, Any, None]":
        """``write`` over TLS: each piece through the TLSSocket, which knows what OpenSSL waits
        for (a TLS write may need the socket readable); each wait bounded by send_timeout."""
        view = memoryview(data)
        total = len(view)
        sent = 0
        timeout = self.server.send_timeout
        while sent < total:
            with move_on_after(timeout) as scope:
                sent += yield from self.sock.send(view[sent:])
            if scope.cancelled_caught:
                raise SendTimeout("the client read none of the response for send_timeout=%r seconds" % timeout)

    def _send(self, head: "Any", response: Response, keep: bool) -> "Generator[Any, Any, bool]":
        status = response.status
        body = response.body
        length, chunked_by_app, close = _framing_fields(response.headers)
        if close:
            keep = False
        bodiless = status < 200 or status == 204 or status == 304
        streamed = not isinstance(body, (bytes, bytearray, memoryview))
        extra = ""
        if chunked_by_app:
            raise ValueError(
                "the response sets Transfer-Encoding itself; leave it out: genlet chunks a streamed "
                "body (or give a Content-Length)"
            )
        if not streamed:
            if length is None:
                if not bodiless:
                    extra = "Content-Length: %d\r\n" % len(body)
            elif int(length) != len(body) and not bodiless:
                raise ValueError("the response's Content-Length is %s but its body has %d bytes" % (length, len(body)))
        elif length is None and not bodiless:
            if head.http_version == "1.1":
                extra = "Transfer-Encoding: chunked\r\n"
            else:
                keep = False  # HTTP/1.0: the body ends when the connection does
        if not keep:
            extra += "Connection: close\r\n"
        elif head.http_version == "1.0":
            extra += "Connection: keep-alive\r\n"
        start = to_latin1("HTTP/1.1 %d %s\r\nServer: genlet\r\nDate: %s\r\n%s" % (status, response.reason, _log.http_date(), extra))
        start += response.headers.raw() + b"\r\n"
        send_body = not bodiless and head.method != "HEAD"
        if not streamed:
            self.started = True
            yield from self.write(start + body if send_body else start)
            if self.server.log:
                _log.access(self.client, head, status, len(body) if send_body else 0)
            return keep
        writer = BodyWriter(self, start, send_body, length is None and extra.startswith("Transfer"))
        yield from writer.run(body)
        if length is not None and send_body and writer.count != int(length):
            raise ValueError("the response's Content-Length is %s but its body sent %d bytes" % (length, writer.count))
        if self.server.log:
            _log.access(self.client, head, status, writer.count if send_body else 0)
        return keep

    def _refuse(self, error: ProtocolError) -> "Generator[Any, Any, None]":
        """Answer a request we cannot serve with ``error.status``, then close (see _linger)."""
        if self.started:
            return
        self.started = True
        status = error.status
        text = str(error) if status != 500 else "Internal Server Error"
        body = to_latin1(text.replace("\r", " ").replace("\n", " ")) + b"\n"
        head = "HTTP/1.1 %d %s\r\nServer: genlet\r\nDate: %s\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n\r\n"
        yield from self.write(to_latin1(head % (status, REASONS.get(status, ""), _log.http_date(), len(body))) + body)
        if self.server.log:
            _log.access(self.remote, None, status, len(body))
        yield from self._linger()

    def _linger(self) -> "Generator[Any, Any, None]":
        """Close our side, then read what the client still sends for a moment.

        Discussion: closing a socket with unread bytes in it makes the system send a reset,
        which can destroy the answer on its way to the client before it is read. So we
        half-close and drain briefly first.
        """
        try:
            yield from self.sock.shutdown(1)
            deadline = clock() + _LINGER_SECONDS
            received = 0
            while received < CHUNK * 4:
                data = yield from self._recv(deadline)
                if not data:
                    return
                received += len(data)
        except OSError:
            pass


class BodyWriter:
    """What a streamed body writes to: ``yield from writer.write(chunk)`` (backpressure: it
    returns once the piece is handed to the system). The head goes out with the first piece."""

    __slots__ = ("_conn", "_head", "_send", "_chunked", "count")

    def __init__(self, conn: Connection, head: bytes, send: bool, chunked: bool) -> None:
        self._conn = conn
        self._head = head  # type: Optional[bytes]  # not sent yet
        self._send = send  # False for HEAD, 204, 304: the body is dropped
        self._chunked = chunked
        self.count = 0  # body bytes written

    def write(self, data: bytes) -> "Generator[Any, Any, None]":
        """``yield from writer.write(data)``: send a piece of the body."""
        if isinstance(data, str):
            raise TypeError("writer.write() takes bytes, not str: encode it first")
        if not data:
            return
        self.count += len(data)
        if not self._send:
            if self._head is not None:
                yield from self._flush(b"")
            return
        yield from self._flush(chunk(data) if self._chunked else bytes(data))

    def _flush(self, data: bytes) -> "Generator[Any, Any, None]":
        head = self._head
        if head is not None:
            self._head = None
            self._conn.started = True
            data = head + data
        yield from self._conn.write(data)

    def run(self, body: "Any") -> "Generator[Any, Any, None]":
        """Send ``body`` (a body writer, or an iterable of bytes), then the end of it."""
        if callable(body):
            job = body(self)
            if not hasattr(job, "send"):
                raise TypeError("a response body function must be a generator function body(writer), got %r" % (body,))
            yield from job
        else:
            for piece in body:
                yield from self.write(piece)
        ending = last_chunk() if self._chunked and self._send else b""
        if ending or self._head is not None:
            yield from self._flush(ending)


def _framing_fields(headers: "Any") -> "Any":
    """(Content-Length value or None, Transfer-Encoding present, Connection: close) in one pass."""
    length = None
    chunked = close = False
    for lname, _, value in headers._items:
        if lname == "content-length":
            length = value
        elif lname == "transfer-encoding":
            chunked = True
        elif lname == "connection" and "close" in value.lower():
            close = True
    if length is not None and not length.isdigit():
        raise ValueError("the response's Content-Length %r is not a number of bytes" % (length,))
    return length, chunked, close
