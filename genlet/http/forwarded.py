# genlet/http/forwarded.py
"""Behind a proxy: whose ``X-Forwarded-For`` and ``X-Forwarded-Proto`` to believe.

A proxy in front of the server (nginx, a load balancer) connects to it itself, so the peer's
address is the proxy's; it says who the client was in ``X-Forwarded-For: client, proxy1`` and
which scheme the client used in ``X-Forwarded-Proto: https``. Any client can send those headers
too, so they are read only from peers listed in ``forwarded_allow`` (as gunicorn's
``forwarded_allow_ips``): from any other peer they are ignored (the application still sees
them as headers, as gunicorn's do).

``forwarded_allow`` is a comma-separated string or an iterable of addresses (``"10.0.0.2"``),
networks (``"10.0.0.0/8"``, read with ``ipaddress``, imported only then) or ``"*"`` (trust every
peer: only when nothing but the proxy can reach the server). The default is gunicorn's,
``"127.0.0.1,::1"``: a proxy on the same machine works without configuration, and a peer that
connects over loopback already runs on the server's machine.

Discussion: which address of ``X-Forwarded-For`` is the client? Each proxy appends the address
it got the request from, so only the right end of the list was written by proxies we trust: the
left end is whatever the client sent. So the list is read from the right, skipping addresses
that are themselves trusted proxies; the first one that is not is the client (uvicorn's rule).
If every address is trusted, the leftmost is taken. The client's port is not forwarded: it is 0.
"""

try:
    from typing import Any, List, Optional, Tuple
except ImportError:
    pass

DEFAULT_FORWARDED_ALLOW = "127.0.0.1,::1"  # gunicorn's forwarded_allow_ips default
_SCHEMES = ("http", "https")


class Trusted:
    """The peers whose forwarding headers are believed (see the module's docstring)."""

    __slots__ = ("everyone", "hosts", "networks")

    def __init__(self, spec: "Any") -> None:
        if spec is None:
            spec = ()
        if isinstance(spec, str):
            spec = spec.split(",")
        self.everyone = False
        self.hosts = set()  # type: Any
        self.networks = []  # type: List[Any]
        for entry in spec:
            if not isinstance(entry, str):
                raise TypeError("forwarded_allow takes addresses as str ('10.0.0.2', '10.0.0.0/8', '*'), got %r" % (entry,))
            entry = entry.strip()
            if entry == "*":
                self.everyone = True
            elif "/" in entry:
                import ipaddress

                try:
                    self.networks.append(ipaddress.ip_network(entry, strict=False))
                except ValueError as exc:
                    raise ValueError("forwarded_allow: %r is not a network such as '10.0.0.0/8' (%s)" % (entry, exc)) from None
            elif entry:
                self.hosts.add(entry)

    def __bool__(self) -> bool:
        return self.everyone or bool(self.hosts) or bool(self.networks)

    def trusts(self, host: "Any") -> bool:
        """Is ``host`` (an address string) a trusted proxy?"""
        if self.everyone or host in self.hosts:
            return True
        if not self.networks or not isinstance(host, str):
            return False
        import ipaddress

        try:
            address = ipaddress.ip_address(host.split("%")[0])  # (an IPv6 zone is not part of it)
        except ValueError:
            return False
        for network in self.networks:
            if address in network:
                return True
        return False

    def resolve(self, remote: "Any", headers: "Any", scheme: str) -> "Tuple[Any, str]":
        """(the client's address, the scheme it used), read from the forwarding headers of a
        request that came from the trusted peer ``remote``; what is missing or malformed is
        left as it was."""
        forwarded = headers.get_all("x-forwarded-for")
        if forwarded:
            client = self._client(",".join(forwarded))
            if client is not None:
                remote = (client, 0)
        proto = headers.get_all("x-forwarded-proto")
        if proto:
            value = proto[-1].split(",")[-1].strip().lower()  # the nearest proxy's word
            if value in _SCHEMES:
                scheme = value
        return remote, scheme

    def _client(self, value: str) -> "Optional[str]":
        hops = [hop.strip() for hop in value.split(",")]
        if not all(hops):
            return None  # an empty element: a malformed list, believe none of it
        for hop in reversed(hops):
            if not self.trusts(hop):
                return hop
        return hops[0]
