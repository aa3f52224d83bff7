"""A simple cookie jar (RFC 6265, the parts a crawler of a site with sessions needs).

Each ``Client`` has one (``client.cookies``). Every ``Set-Cookie`` of a response is stored
under its domain (the host that set it, or the ``Domain`` it names if that covers the host),
path and name; each request carries the cookies whose domain and path match, and whose
``Secure`` flag (https only) allows it. ``Max-Age`` and ``Expires`` are honoured enough to
delete a cookie (``Max-Age=0``, or an expiry in the past) and to expire one on time
(``Max-Age`` seconds); an ``Expires`` date in the future keeps the cookie for the client's life.
"""

import time

try:
    from typing import Dict, List, Optional, Tuple
except ImportError:
    pass


class Cookie:
    __slots__ = ("name", "value", "domain", "host_only", "path", "secure", "expires")

    def __init__(self, name: str, value: str, domain: str, host_only: bool, path: str, secure: bool,
                 expires: "Optional[float]") -> None:  # fmt: skip
        self.name = name
        self.value = value
        self.domain = domain
        self.host_only = host_only
        self.path = path
        self.secure = secure
        self.expires = expires  # time.time() after which it is gone, or None

    def matches(self, host: str, path: str, secure: bool, now: float) -> bool:
        if self.expires is not None and now >= self.expires:
            return False
        if self.secure and not secure:
            return False
        if self.host_only:
            if host != self.domain:
                return False
        elif host != self.domain and not host.endswith("." + self.domain):
            return False
        return path == self.path or path.startswith(self.path.rstrip("/") + "/") or self.path == "/"

    def __repr__(self) -> str:
        return "<Cookie %s=%s for %s%s>" % (self.name, self.value, self.domain, self.path)


class CookieJar:
    """The cookies a client has been given: ``jar.get(name)``, ``len(jar)``, ``jar.clear()``."""

    __slots__ = ("_cookies",)

    def __init__(self) -> None:
        self._cookies = {}  # type: Dict[Tuple[str, str, str], Cookie]

    def extract(self, host: str, path: str, set_cookies: "List[str]") -> None:
        """Store the cookies of a response's ``Set-Cookie`` values, for a request to ``host``
        and ``path``. A value it cannot read is ignored (RFC 6265 §5.2: so would a browser)."""
        for line in set_cookies:
            cookie = _parse(line, host, path)
            if cookie is None:
                continue
            key = (cookie.domain, cookie.path, cookie.name)
            if cookie.expires is not None and cookie.expires <= time.time():
                self._cookies.pop(key, None)  # Max-Age=0 or a past date: delete it
            else:
                self._cookies[key] = cookie

    def header(self, host: str, path: str, secure: bool) -> "Optional[str]":
        """The ``Cookie`` header for a request, or None when no cookie applies."""
        if not self._cookies:
            return None
        now = time.time()
        found = [c for c in self._cookies.values() if c.matches(host, path, secure, now)]
        if not found:
            return None
        found.sort(key=lambda c: -len(c.path))  # longer paths first (RFC 6265 §5.4)
        return "; ".join(["%s=%s" % (c.name, c.value) for c in found])

    def get(self, name: str, default: "Optional[str]" = None) -> "Optional[str]":
        """The value of a cookie called ``name`` (any domain and path), or ``default``."""
        for cookie in self._cookies.values():
            if cookie.name == name:
                return cookie.value
        return default

    def clear(self) -> None:
        self._cookies.clear()

    def __len__(self) -> int:
        return len(self._cookies)

    def __iter__(self) -> "object":
        return iter(list(self._cookies.values()))

    def __repr__(self) -> str:
        return "<CookieJar %r>" % (list(self._cookies.values()),)


def _parse(line: str, host: str, request_path: str) -> "Optional[Cookie]":
    parts = line.split(";")
    name, eq, value = parts[0].partition("=")
    name, value = name.strip(), value.strip()
    if not eq or not name:
        return None
    domain, host_only, secure = host, True, False
    path = request_path[: request_path.rfind("/")] or "/"  # the default path (RFC 6265 §5.1.4)
    expires = None  # type: Optional[float]
    for attribute in parts[1:]:
        key, _, arg = attribute.partition("=")
        key, arg = key.strip().lower(), arg.strip()
        if key == "domain" and arg:
            wanted = arg.lstrip(".").lower()
            if host != wanted and not host.endswith("." + wanted):
                return None  # a cookie for another site: refused (RFC 6265 §5.3 step 6)
            domain, host_only = wanted, False
        elif key == "path" and arg.startswith("/"):
            path = arg
        elif key == "secure":
            secure = True
        elif key == "max-age":
            try:
                expires = time.time() + int(arg)
            except ValueError:
                pass
        elif key == "expires" and expires is None and _in_the_past(arg):
            expires = 0.0
    return Cookie(name, value, domain, host_only, path, secure, expires)


def _in_the_past(date: str) -> bool:
    """Is an HTTP date (``Thu, 01 Jan 1970 00:00:00 GMT``) before now? Only the year is
    read (servers that delete a cookie set a date years back); an unreadable date: no."""
    for word in date.replace("-", " ").split():
        if len(word) == 4 and word.isdigit():
            return int(word) < time.gmtime()[0]
    return False
