# genlet/http/errors.py
"""ProtocolError: a message that breaks HTTP/1.1's rules, with the status to answer it."""


class ProtocolError(Exception):
    """The peer sent what HTTP/1.1 does not allow; the connection cannot go on.

    ``status`` is what a server answers before it closes the connection (400, 413, 414, 431,
    501 or 505); ``kind`` names the rule that was broken in a word or two ("obs-fold",
    "cl-te", ...), for logs and tests; ``str(error)`` says what was wrong in a sentence.
    A client that reads a bad response gets the same error (its ``status`` says which kind of
    status a server would have answered; nobody is sent one).
    """

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind

    def __repr__(self) -> str:
        return "ProtocolError(%d, %r, %r)" % (self.status, self.kind, str(self))
