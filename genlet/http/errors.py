"""The errors of genlet.http: a broken message, a failed status, a redirect loop, a connect
that timed out, a request body that cannot be sent again."""

try:
    from typing import Any, Optional
except ImportError:
    pass

from ..kernel.errors import TimeoutError


class ProtocolError(Exception):
    """The peer sent what HTTP/1.1 does not allow; the connection cannot go on.

    ``status`` is what a server answers before it closes the connection (400, 413, 414, 431,
    501 or 505); ``kind`` names the rule that was broken in a word or two ("obs-fold",
    "cl-te", ...), for logs and tests; ``str(error)`` says what was wrong in a sentence.
    A client that reads a bad response gets the same error (its ``status`` says which kind of
    status a server would have answered; nobody is sent one); for a response whose body was
    cut short, ``partial`` holds the body bytes that did arrive (else None).
    """

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.partial = None  # type: Optional[bytes]

    def __repr__(self) -> str:
        return "ProtocolError(%d, %r, %r)" % (self.status, self.kind, str(self))


class HTTPStatusError(Exception):
    """``response.raise_for_status()`` on a 4xx or 5xx: ``.response`` is the response."""

    def __init__(self, message: str, response: "Any") -> None:
        super().__init__(message)
        self.response = response
        self.status = response.status  # type: int


class TooManyRedirects(Exception):
    """A request was redirected more than ``max_redirects`` times (a loop, most likely).

    ``.history`` holds the redirect responses, in order."""

    def __init__(self, message: str, history: "Any") -> None:
        super().__init__(message)
        self.history = history


class ConnectTimeout(TimeoutError):
    """The connection to the server was not made within ``connect_timeout`` seconds.

    A ``genlet.TimeoutError`` (so ``except genlet.TimeoutError`` catches it too), apart so
    that a crawler can tell a server that never answered from one that answered slowly."""


class StreamConsumed(RuntimeError):
    """A request must be sent again (a 307/308 redirect) but its body was a one-shot iterator
    (a generator...), used up by the first send. Pass the body as bytes or a list of bytes, or
    ``follow_redirects=False``. (httpx raises an error of the same name in the same case.)"""
