# genlet/http/serialize.py
"""Writing HTTP/1.1: a response head, a request head, chunked framing.

Each helper returns ``bytes`` ready to send, so that a caller can join a head with the first
piece of a body and send both at once (one segment: no Nagle / delayed-ACK stall).
"""

try:
    from typing import Iterable, Optional, Tuple, Union

    FieldsLike = Union["Headers", Iterable[Tuple[str, str]], None]
except ImportError:
    pass

from .headers import Headers, is_token, to_latin1

REASONS = {
    100: "Continue", 101: "Switching Protocols", 200: "OK", 201: "Created", 202: "Accepted",
    204: "No Content", 206: "Partial Content", 301: "Moved Permanently", 302: "Found",
    303: "See Other", 304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict", 411: "Length Required",
    413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type",
    417: "Expectation Failed", 422: "Unprocessable Content", 426: "Upgrade Required",
    429: "Too Many Requests", 431: "Request Header Fields Too Large",
    500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
}  # fmt: skip


def _fields(headers: "FieldsLike") -> bytes:
    if headers is None:
        return b""
    if not isinstance(headers, Headers):
        headers = Headers(headers)
    return headers.raw()


def _check_line_part(what: str, text: str) -> None:
    for bad in ("\r", "\n", "\x00"):
        if bad in text:
            raise ValueError("the %s %r holds %r, which would end the start line early; remove it" % (what, text, bad))


def response_head(
    status: int, headers: "FieldsLike" = None, reason: "Optional[str]" = None, http_version: str = "1.1"
) -> bytes:
    """``HTTP/1.1 200 OK\\r\\n`` + the fields + the empty line. ``reason`` defaults to the
    standard phrase for ``status`` (empty for a status genlet has no phrase for)."""
    if not isinstance(status, int) or not 100 <= status <= 999:
        raise ValueError("a status is an int from 100 to 999, not %r" % (status,))
    if reason is None:
        reason = REASONS.get(status, "")
    _check_line_part("reason", reason)
    return to_latin1("HTTP/%s %d %s\r\n" % (http_version, status, reason)) + _fields(headers) + b"\r\n"


def request_head(method: str, target: str, headers: "FieldsLike" = None, http_version: str = "1.1") -> bytes:
    """``GET /path HTTP/1.1\\r\\n`` + the fields + the empty line."""
    if not is_token(method):
        raise ValueError("invalid method %r: a method is a token such as GET or POST" % (method,))
    if not target or " " in target or "\t" in target:
        raise ValueError("invalid request target %r: percent-encode spaces (%%20)" % (target,))
    _check_line_part("request target", target)
    return to_latin1("%s %s HTTP/%s\r\n" % (method, target, http_version)) + _fields(headers) + b"\r\n"


def chunk(data: bytes) -> bytes:
    """One chunk of a chunked body: ``size-in-hex\\r\\n data \\r\\n``. Empty data gives b""
    (an empty chunk would end the body: that is ``last_chunk()``)."""
    if not data:
        return b""
    return b"%x\r\n" % len(data) + bytes(data) + b"\r\n"


def last_chunk(trailers: "FieldsLike" = None) -> bytes:
    """The end of a chunked body: ``0\\r\\n``, the trailer fields, the empty line."""
    return b"0\r\n" + _fields(trailers) + b"\r\n"
