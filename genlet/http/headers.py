# genlet/http/headers.py
"""Headers: the case-insensitive, ordered multi-dict of an HTTP message's header fields.

The same class holds a server's request headers and a client's response headers, and the
headers an application writes. It keeps every field line in the order it came, with the name
spelled as it came (``Content-Type`` stays ``Content-Type``), and looks names up without regard
to case (``headers.get("content-type")`` finds it).

Names and values are ``str``. A field value is text in ISO-8859-1 (latin-1): RFC 9110 allows
bytes 0x80-0xFF in values ("obs-text") and gives them no meaning, and latin-1 maps each byte to
one character and back, so nothing is lost (``raw()`` gives the same bytes again).

Also here: the portable latin-1 conversions (MicroPython's ``str`` knows only UTF-8).
"""

try:
    from typing import Dict, Iterable, Iterator, List, Optional, Tuple, Union
except ImportError:
    pass

# The characters of a `token` (RFC 9110 §5.6.2): a field name, a method, a transfer coding.
TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _latin1_decode_works() -> bool:
    try:
        return b"\xe9".decode("latin-1") == "\xe9"
    except UnicodeError:  # MicroPython: every str is UTF-8, decode() ignores the codec name
        return False


_LATIN1 = _latin1_decode_works()


def latin1(data: bytes) -> str:
    """``data.decode("latin-1")``, on MicroPython too (where only ASCII decodes that way)."""
    if _LATIN1:
        return data.decode("latin-1")
    # Discussion: MicroPython would decode non-ASCII bytes as UTF-8 (or fail), which is not
    # what the bytes mean here; one character per byte is, and such values are rare.
    if not data or max(data) < 0x80:
        return data.decode()
    return "".join([chr(byte) for byte in data])


def to_latin1(text: str) -> bytes:
    """The bytes of ``text`` in latin-1; ValueError for a character latin-1 cannot hold."""
    if _LATIN1:
        try:
            return text.encode("latin-1")
        except UnicodeError:
            pass
    else:
        data = text.encode()
        if len(data) == len(text):  # all ASCII
            return data
        if max(text) <= "\xff":
            return bytes([ord(char) for char in text])
    raise ValueError(
        "%r has a character outside latin-1; an HTTP header carries bytes: "
        "percent-encode the text (or encode it per RFC 8187) first" % (text,)
    )


def is_token(text: str) -> bool:
    """Is ``text`` a non-empty RFC 9110 token (a valid field name or method)?"""
    return bool(text) and not text.strip(TCHARS)


def check_field(name: str, value: str) -> None:
    """Refuse a field an application wants to send that would break the message it is in."""
    if not isinstance(name, str) or not isinstance(value, str):
        raise TypeError("header names and values are str: got %r; decode bytes first" % ((name, value),))
    if not is_token(name):
        raise ValueError("invalid header name %r: a name is a token (letters, digits, !#$%%&'*+-.^_`|~)" % (name,))
    for bad in ("\r", "\n", "\x00"):
        if bad in value:
            raise ValueError(
                "header %s: the value %r holds %r, which would end the field early "
                "(header injection); remove it" % (name, value, bad)
            )
    if value != value.strip(" \t"):
        raise ValueError("header %s: the value %r starts or ends with whitespace; strip it" % (name, value))


class Headers:
    """An HTTP message's header fields: ordered, repeatable, looked up without regard to case.

    ``Headers([("Host", "example.com"), ("Accept", "*/*")])``, or from a dict. Iterating gives
    ``(name, value)`` pairs in order, with names as they were spelled.
    """

    __slots__ = ("_items",)

    def __init__(self, fields: "Union[Iterable[Tuple[str, str]], Dict[str, str], None]" = None) -> None:
        # Each field is (lowercased name, name, value): the lowercased name is what lookups
        # compare, made once per field.
        self._items = []  # type: List[Tuple[str, str, str]]
        if fields is not None:
            pairs = fields.items() if isinstance(fields, dict) else fields
            for name, value in pairs:
                self.add(name, value)

    @classmethod
    def _parsed(cls, items: "List[Tuple[str, str, str]]") -> "Headers":
        """Headers made from (lowercased name, name, value) triples the parser has checked."""
        headers = cls()
        headers._items = items
        return headers

    def get(self, name: str, default: "Optional[str]" = None) -> "Optional[str]":
        """The value of the first field called ``name`` (any case), or ``default``."""
        key = name.lower()
        for lname, _, value in self._items:
            if lname == key:
                return value
        return default

    def get_all(self, name: str) -> "List[str]":
        """The values of every field called ``name`` (any case), in order; [] if none."""
        key = name.lower()
        return [value for lname, _, value in self._items if lname == key]

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        key = name.lower()
        for lname, _, _ in self._items:
            if lname == key:
                return True
        return False

    def __iter__(self) -> "Iterator[Tuple[str, str]]":
        for _, name, value in self._items:
            yield name, value

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        """Equal when the same fields come in the same order (names compared without case)."""
        if not isinstance(other, Headers):
            return NotImplemented
        return [(k, v) for k, _, v in self._items] == [(k, v) for k, _, v in other._items]

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return "Headers(%r)" % (list(self),)

    def add(self, name: str, value: str) -> None:
        """Append a field, keeping any others of the same name."""
        check_field(name, value)
        self._items.append((name.lower(), name, value))

    def set(self, name: str, value: str) -> None:
        """Make ``value`` the only value of ``name``: in place of the first such field, the
        others removed; appended if there was none."""
        check_field(name, value)
        key = name.lower()
        items = []  # type: List[Tuple[str, str, str]]
        placed = False
        for item in self._items:
            if item[0] != key:
                items.append(item)
            elif not placed:
                items.append((key, name, value))
                placed = True
        if not placed:
            items.append((key, name, value))
        self._items = items

    def remove(self, name: str) -> int:
        """Remove every field called ``name``; return how many there were."""
        key = name.lower()
        before = len(self._items)
        self._items = [item for item in self._items if item[0] != key]
        return before - len(self._items)

    def copy(self) -> "Headers":
        return Headers._parsed(list(self._items))

    def raw(self) -> bytes:
        """The fields as they go on the wire: ``Name: value\\r\\n`` each, in order."""
        return to_latin1("".join(["%s: %s\r\n" % (name, value) for _, name, value in self._items]))
