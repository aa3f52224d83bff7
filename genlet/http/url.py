"""URLs for the client: split one, resolve a redirect's Location, encode a query.

A small, strict reader of ``http://`` and ``https://`` URLs (RFC 3986), with no ``urllib``
(MicroPython has none): ``URL.parse(text)`` gives the scheme, host, port and the request
target to send; ``url.join(location)`` resolves a relative reference against it;
``encode_query(params)`` writes ``a=1&b=x%20y``; ``unquote_bytes`` reads ``%xx`` back. Anything it cannot send raises ``ValueError``
and says why.
"""

try:
    from typing import Any, List, Tuple
except ImportError:
    pass

DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters sent as they are in a query's names and values (RFC 3986 "unreserved").
_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
# What may stay as it is in a path or query a user wrote (the rest is percent-encoded).
_PATH_SAFE = _SAFE + "!$&'()*+,;=:@/?%"


def quote(text: str, safe: str = _SAFE) -> str:
    """Percent-encode ``text`` (as UTF-8), keeping the characters in ``safe``."""
    out = []  # type: List[str]
    for char in text:
        if char in safe:
            out.append(char)
        else:
            out.extend(["%%%02X" % byte for byte in char.encode()])
    return "".join(out)


def unquote_bytes(text: str) -> bytes:
    """Undo percent-encoding: ``"p%40ss%C3%BC"`` -> ``b"p@ss\xc3\xbc"`` (a ``%`` not followed by
    two hex digits stays as it is, as browsers and urllib do)."""
    pieces = text.split("%")
    out = [pieces[0].encode()]
    for piece in pieces[1:]:
        digits = piece[:2]
        if len(digits) == 2 and not digits.strip("0123456789abcdefABCDEF"):
            out.append(bytes([int(digits, 16)]))
            out.append(piece[2:].encode())
        else:
            out.append(b"%" + piece.encode())
    return b"".join(out)


def encode_query(params: "Any") -> str:
    """``{"q": "a b", "n": 1}`` or ``[("q", "a b")]`` -> ``q=a%20b&n=1`` (None values left out)."""
    pairs = params.items() if isinstance(params, dict) else params
    out = []  # type: List[str]
    try:
        for name, value in pairs:
            if value is None:
                continue
            values = value if isinstance(value, (list, tuple)) else [value]
            for item in values:
                out.append("%s=%s" % (quote(_text(name)), quote(_text(item))))
    except (TypeError, ValueError):
        raise TypeError("params= takes a dict or a list of (name, value) pairs, not %r" % (params,)) from None
    return "&".join(out)


def _text(value: "Any") -> str:
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class URL:
    """A parsed ``http`` / ``https`` URL. ``str(url)`` gives it back (without a fragment)."""

    __slots__ = ("scheme", "host", "port", "target", "userinfo")

    def __init__(self, scheme: str, host: str, port: int, target: str, userinfo: str = "") -> None:
        self.scheme = scheme  # "http" or "https"
        self.host = host  # lowercased; an IPv6 literal without its brackets
        self.port = port
        self.target = target  # the path and query, as sent in the request line: "/a?b=1"
        self.userinfo = userinfo  # "user:password" before the host, if any

    @classmethod
    def parse(cls, text: str) -> "URL":
        if not isinstance(text, str):
            raise TypeError("a URL is a str such as 'http://example.com/', not %r" % (text,))
        scheme, sep, rest = text.strip().partition("://")
        scheme = scheme.lower()
        if not sep and has_scheme(text):
            scheme = text.partition(":")[0].lower()
            if scheme not in DEFAULT_PORTS:
                raise ValueError("unsupported URL scheme %r in %r: genlet.http speaks http and https" % (scheme, text))
        if not sep:
            raise ValueError("%r is not an absolute URL: write it as 'http://host/path' (or https://)" % (text,))
        if scheme not in DEFAULT_PORTS:
            raise ValueError("unsupported URL scheme %r in %r: genlet.http speaks http and https" % (scheme, text))
        rest = rest.partition("#")[0]
        cut = len(rest)
        for mark in "/?":
            found = rest.find(mark)
            if 0 <= found < cut:
                cut = found
        authority, target = rest[:cut], rest[cut:]
        userinfo, at, hostport = authority.rpartition("@")
        host, port = _split_hostport(hostport, scheme, text)
        if target[:1] != "/":
            target = "/" + target
        target = quote(target, _PATH_SAFE)
        return cls(scheme, host, port, target, userinfo if at else "")

    @property
    def authority(self) -> str:
        """``host`` or ``host:port`` (the port only when it is not the scheme's default), as
        the Host header says it."""
        host = "[%s]" % self.host if ":" in self.host else self.host
        if self.port == DEFAULT_PORTS[self.scheme]:
            return host
        return "%s:%d" % (host, self.port)

    @property
    def origin(self) -> "Tuple[str, str, int]":
        """What a pooled connection serves: ``(scheme, host, port)``."""
        return (self.scheme, self.host, self.port)

    def join(self, reference: str) -> "URL":
        """The URL that ``reference`` (a Location, a link) points to, seen from this one."""
        reference = reference.strip()
        if has_scheme(reference):
            return URL.parse(reference)  # ValueError for mailto:, javascript:...
        if reference.startswith("//"):
            return URL.parse("%s:%s" % (self.scheme, reference))
        reference = reference.partition("#")[0]
        path, _, query = self.target.partition("?")
        if not reference:
            target = self.target
        elif reference.startswith("/"):
            target = reference
        elif reference.startswith("?"):
            target = path + reference
        else:
            target = path[: path.rfind("/") + 1] + reference
        path, mark, query = target.partition("?")
        target = remove_dot_segments(path) + mark + query
        return URL(self.scheme, self.host, self.port, quote(target, _PATH_SAFE), self.userinfo)

    def __str__(self) -> str:
        return "%s://%s%s" % (self.scheme, self.authority, self.target)

    def __repr__(self) -> str:
        return "URL(%r)" % str(self)


def _split_hostport(hostport: str, scheme: str, text: str) -> "Tuple[str, int]":
    if hostport.startswith("["):
        host, bracket, port_text = hostport[1:].partition("]")
        if not bracket or (port_text and not port_text.startswith(":")):
            raise ValueError("malformed IPv6 address in %r: write it as http://[::1]:8000/" % (text,))
        port_text = port_text[1:]
    else:
        host, _, port_text = hostport.partition(":")
    if not host:
        raise ValueError("the URL %r has no host: write it as '%s://host/path'" % (text, scheme))
    for char in host:
        if char in " \t\r\n\\<>\"{}|^`" or ord(char) < 32:
            raise ValueError("the URL %r has the character %r in its host" % (text, char))
    if not port_text:
        return host.lower(), DEFAULT_PORTS[scheme]
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError("the URL %r has a bad port %r: a number from 1 to 65535" % (text, port_text))
    return host.lower(), int(port_text)


def remove_dot_segments(path: str) -> str:
    """``/a/b/../c/./d`` -> ``/a/c/d`` (RFC 3986 §5.2.4, for absolute paths)."""
    out = []  # type: List[str]
    segments = path.split("/")
    for index, segment in enumerate(segments):
        if segment == ".":
            if index == len(segments) - 1:
                out.append("")
        elif segment == "..":
            if len(out) > 1:
                out.pop()
            if index == len(segments) - 1:
                out.append("")
        else:
            out.append(segment)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def has_scheme(reference: str) -> bool:
    """Does ``reference`` start with ``scheme:`` (an absolute URL, not a relative one)?"""
    colon = reference.find(":")
    if colon <= 0 or not reference[0].isalpha():
        return False
    return not reference[:colon].lower().strip("abcdefghijklmnopqrstuvwxyz0123456789+-.")
