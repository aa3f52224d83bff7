# genlet/http/__init__.py
"""genlet.http: HTTP/1.1 for genlet: the parser, the headers, and the server.

- ``Server(address, handler)``: the cooperative server (a handler is a generator function
  ``handler(request)`` returning a ``Response``); ``Request``, ``Response``;
  ``WSGIServer(address, app)``: a PEP 3333 application; both take ``ssl=`` and
  ``forwarded_allow=`` (see forwarded.py);
- deployment: ``python -m genlet.http module:app`` (cli.py), and
  ``gunicorn -k genlet.http.gunicorn.Worker`` (gunicorn.py);
- ``Headers``: the case-insensitive, ordered multi-dict of a message's fields;
- ``RequestParser``, ``ResponseParser``: sans-IO parsers (feed bytes, get events):
  ``RequestHead``, ``ResponseHead``, body ``bytes``, ``EndOfMessage``, and the sentinels
  ``NEED_DATA``, ``CLOSED``, ``SWITCHED``;
- ``ProtocolError``: what a malformed message raises, with the status to answer;
- writing: ``response_head``, ``request_head``, ``chunk``, ``last_chunk``, ``REASONS``;
- the client: ``request``, ``get``, ``post``, ``put``, ``delete``, ``head``, ``stream`` (on the
  kernel's default client), ``Client`` (a pool of keep-alive connections), ``StreamResponse``,
  ``HTTPStatusError``, ``TooManyRedirects``, ``ConnectTimeout``, ``StreamConsumed``.

Pure Python with no dependencies; runs on MicroPython too. See docs/http.md.
"""

from .errors import ConnectTimeout, HTTPStatusError, ProtocolError, StreamConsumed, TooManyRedirects
from .headers import Headers
from .message import Request, Response
from .parser import (
    CHUNKED,
    CLOSED,
    CONTENT_LENGTH,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_HEAD_BYTES,
    DEFAULT_MAX_HEADERS,
    NEED_DATA,
    NO_BODY,
    SWITCHED,
    UNTIL_CLOSE,
    EndOfMessage,
    RequestHead,
    RequestParser,
    ResponseHead,
    ResponseParser,
)
from .serialize import REASONS, chunk, last_chunk, request_head, response_head

__all__ = [
    "CHUNKED",
    "CLOSED",
    "Client",
    "ConnectTimeout",
    "CONTENT_LENGTH",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_HEAD_BYTES",
    "DEFAULT_MAX_HEADERS",
    "NEED_DATA",
    "NO_BODY",
    "REASONS",
    "SWITCHED",
    "UNTIL_CLOSE",
    "EndOfMessage",
    "HTTPStatusError",
    "Headers",
    "ProtocolError",
    "RequestHead",
    "RequestParser",
    "ResponseHead",
    "ResponseParser",
    "Request",
    "Response",
    "Server",
    "StreamConsumed",
    "StreamResponse",
    "TooManyRedirects",
    "WSGIServer",
    "chunk",
    "delete",
    "get",
    "head",
    "last_chunk",
    "post",
    "put",
    "request",
    "request_head",
    "response_head",
    "stream",
]

# The client's names, imported on first use (they need genlet.io).
_CLIENT = ("Client", "request", "get", "post", "put", "delete", "head", "stream", "StreamResponse")


def __getattr__(name: str) -> "object":
    """``Server`` and ``WSGIServer`` are imported on first use (they need genlet.io; the parser
    alone does not)."""
    if name == "Server":
        from .server import Server

        globals()["Server"] = Server
        return Server
    if name in _CLIENT:
        from . import client

        value = getattr(client, name)
        globals()[name] = value
        return value
    if name == "WSGIServer":
        from .wsgi import WSGIServer

        globals()["WSGIServer"] = WSGIServer
        return WSGIServer
    # Discussion: MicroPython's ``from . import _log`` (in server.py) asks the package's
    # __getattr__ before it looks for the submodule, so a submodule is imported here too.
    import sys

    try:
        __import__("genlet.http." + name)
    except ImportError as exc:
        raise AttributeError("module 'genlet.http' has no attribute %r (%s)" % (name, exc)) from None
    return sys.modules["genlet.http." + name]
