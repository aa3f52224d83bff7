"""Content-Encoding: ``gzip`` and ``deflate`` bodies decoded as they arrive, where zlib exists.

The client says ``Accept-Encoding: gzip, deflate`` only when this interpreter has
``zlib.decompressobj`` (CPython, PyPy; not every MicroPython port), so a server never sends it
what it cannot read. A body in another coding (``br``, ``zstd``: a server that ignored the
header) is left as it came, with its ``Content-Encoding`` header to say so.
"""

try:
    from typing import Any, Callable, Optional, Tuple

    Decoder = Tuple[Callable[[bytes], bytes], Callable[[], bytes]]
except ImportError:
    pass

from .errors import ProtocolError

try:
    import zlib

    _ZLIB = hasattr(zlib, "decompressobj")
except ImportError:  # pragma: no cover  (a MicroPython port without zlib)
    _ZLIB = False


def accept_encoding() -> "Optional[str]":
    """The ``Accept-Encoding`` value to send, or None when nothing can be decoded."""
    return "gzip, deflate" if _ZLIB else None


def decoder_for(headers: "Any") -> "Optional[Decoder]":
    """``(decode, flush)`` for the response's Content-Encoding, or None to keep the bytes."""
    coding = headers.get("content-encoding")
    if not coding or not _ZLIB:
        return None
    coding = coding.strip().lower()
    if coding in ("gzip", "x-gzip"):
        inflater = zlib.decompressobj(31)  # 16 + 15: a gzip header and trailer
        return _checked(inflater.decompress, coding), _checked(inflater.flush, coding)
    if coding == "deflate":
        deflate = _Deflate()
        return _checked(deflate.decode, coding), _checked(deflate.flush, coding)
    return None


def _checked(call: "Any", coding: str) -> "Any":
    """``call``, with a body that does not decompress raised as a ProtocolError."""

    def checked(*args: "Any") -> bytes:
        try:
            return call(*args)  # type: ignore[no-any-return]
        except zlib.error as exc:
            raise ProtocolError(502, "content-encoding", "the %s body does not decompress: %s" % (coding, exc)) from None

    return checked


class _Deflate:
    """``deflate`` is meant to be zlib-wrapped (RFC 9110 §8.4.1.2), but some servers send a raw
    deflate stream: the first two bytes tell which (a zlib header is a multiple of 31)."""

    __slots__ = ("_inflater",)

    def __init__(self) -> None:
        self._inflater = None  # type: Any

    def decode(self, data: bytes) -> bytes:
        if self._inflater is None:
            wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] * 256 + data[1]) % 31 == 0
            self._inflater = zlib.decompressobj(15 if wrapped else -15)
        return self._inflater.decompress(data)  # type: ignore[no-any-return]

    def flush(self) -> bytes:
        return self._inflater.flush() if self._inflater is not None else b""

