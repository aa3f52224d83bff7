# genlet/http/_grammar.py
"""The rules of RFC 9112 / RFC 9110 that the parser checks, each a small function.

Every check works on a whole line or a whole head at once with ``bytes`` and ``str`` methods
(``count``, ``partition``, ``strip(chars)``), which run in C on every interpreter and need no
``re`` (MicroPython's is a subset). The rare, fiddly grammars (chunk extensions) scan by hand.
Each refusal is a ProtocolError that names the rule and says what to send instead.
"""

try:
    from typing import Dict, List, Tuple
except ImportError:
    pass

from .errors import ProtocolError
from .headers import TCHARS, latin1

DIGITS = "0123456789"
HEX = "0123456789abcdefABCDEF"
_HEX_BYTES = b"0123456789abcdefABCDEF"
_ALNUM = DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# What a Host value (uri-host [":" port], RFC 3986) is made of: reg-name, IP literals, port.
_HOST_CHARS = _ALNUM + "-._~!$&'()*+,;=:[]%"

# Control characters other than HTAB, CR and LF: allowed nowhere in a head. (CR and LF are
# allowed only as the pair that ends a line; check_head_bytes counts those.)
_CTLS = bytes([byte for byte in range(32) if byte not in (9, 10, 13)]) + b"\x7f"
_CTL_LIST = [bytes([byte]) for byte in _CTLS]
_HAS_TRANSLATE = hasattr(b"", "translate")

# The fields that decide framing and routing: the parser collects their values as it goes.
SPECIAL = {"content-length": 1, "transfer-encoding": 1, "host": 1, "connection": 1, "expect": 1}


def bad(kind: str, message: str, status: int = 400) -> ProtocolError:
    return ProtocolError(status, kind, message)


_HAS_ISASCII = hasattr("", "isascii")


def _isascii(text: str) -> bool:
    if _HAS_ISASCII:
        return text.isascii()  # O(1) for a str on CPython
    return not text or max(text) < "\x80"


def check_head_bytes(head: bytes, what: str) -> None:
    """Refuse the bytes a head may never hold: a bare CR or LF, obs-fold, NUL, other CTLs."""
    if head[:1] == b"\x16":
        raise tls_error()
    crlf = head.count(b"\r\n")
    if head.count(b"\n") != crlf:
        raise bad("bare-lf", "the %s has a line that ends in a bare LF; HTTP/1.1 lines end in CRLF (RFC 9112 §2.2)" % what)
    if head.count(b"\r") != crlf:
        raise bad("bare-cr", "the %s holds a bare CR (not followed by LF); refused (RFC 9112 §2.2)" % what)
    if b"\r\n " in head or b"\r\n\t" in head:
        raise bad(
            "obs-fold",
            "the %s has a field line folded onto the next one (obs-fold, RFC 9112 §5.2); "
            "send each field on one line" % what,
        )
    if _HAS_TRANSLATE and len(head.translate(None, _CTLS)) == len(head):
        return
    for ctl in _CTL_LIST:
        if ctl in head:
            if ctl == b"\x00":
                raise bad("nul", "the %s holds a NUL byte; refused (RFC 9110 §5.5)" % what)
            raise bad("ctl", "the %s holds the control character 0x%02x; refused (RFC 9110 §5.5)" % (what, ctl[0]))


def tls_error() -> ProtocolError:
    return bad("tls", "TLS handshake bytes on a plain-HTTP port: the client meant https://; refused")


def parse_request_line(line: str) -> "Tuple[str, str, str]":
    """``(method, target, http_version)`` of ``METHOD SP TARGET SP HTTP/1.1``."""
    method, _, rest = line.partition(" ")
    target, space, version = rest.partition(" ")
    if not space or not method or not target:
        raise bad("request-line", "malformed request line %r: expected 'METHOD /target HTTP/1.1', single spaces" % line[:200])
    http_version = _version(version, line)
    if method.strip(TCHARS):
        raise bad("method", "invalid method %r: a method is a token (RFC 9110 §9.1)" % method[:100])
    return method, target, http_version


def parse_status_line(line: str) -> "Tuple[str, int, str]":
    """``(http_version, status, reason)`` of ``HTTP/1.1 200 OK`` (the reason may be missing)."""
    http_version = _version(line[:8], line)
    code = line[9:12]
    if line[8:9] != " " or len(code) != 3 or code.strip(DIGITS) or line[12:13] not in ("", " ") or code[0] == "0":
        raise bad("status-line", "malformed status line %r: expected 'HTTP/1.1 200 Reason'" % line[:200])
    # Discussion: a reason phrase is optional in practice (RFC 9112 §4 asks for the space
    # before it, but some servers leave out both); it carries no meaning, so accept that.
    return http_version, int(code), line[13:]


def _version(version: str, line: str) -> str:
    """``"1.1"`` or ``"1.0"`` from ``HTTP/1.1`` or ``HTTP/1.0`` (a higher 1.x reads as 1.1)."""
    if version == "HTTP/1.1":
        return "1.1"
    if version == "HTTP/1.0":
        return "1.0"
    if not (len(version) == 8 and version[:5] == "HTTP/" and version[6] == "."):
        raise bad("version", "malformed HTTP version %r: expected HTTP/1.1 or HTTP/1.0" % version[:100])
    major, minor = version[5], version[7]
    if major not in DIGITS or minor not in DIGITS:
        raise bad("version", "malformed HTTP version %r: expected HTTP/1.1 or HTTP/1.0" % version)
    if major == "1":
        # Discussion: HTTP/1.2 and up do not exist, but RFC 9110 §2.5 says a recipient treats a
        # higher minor version of a major version it speaks as the highest minor it implements.
        return "1.1"
    if line == "PRI * HTTP/2.0":
        raise bad("http2", "an HTTP/2 connection preface: genlet speaks HTTP/1.1 only (no h2c)", 505)
    raise bad("version", "%s is not supported: genlet speaks HTTP/1.0 and HTTP/1.1" % version, 505)


def split_target(method: str, target: str) -> "Tuple[str, str]":
    """``(path, query)`` of a request target: the path percent-decoded, the query raw."""
    if not _isascii(target):
        raise bad("target", "the request target %r has non-ASCII bytes; percent-encode them" % target[:200])
    if "\t" in target:  # the head's byte check lets tabs through: field values may hold them
        raise bad("target", "the request target %r holds a tab; percent-encode it (%%09)" % target[:200])
    if "#" in target:
        raise bad("target", "the request target %r has a fragment ('#'), which is never sent (RFC 9112 §3.2)" % target[:200])
    if target[0] == "/" and method != "CONNECT":
        raw_path, _, query = target.partition("?")  # origin-form
    elif target == "*" and method == "OPTIONS":
        return "*", ""  # asterisk-form
    elif method == "CONNECT":
        host, colon, port = target.rpartition(":")  # authority-form
        if not colon or not host or not port or port.strip(DIGITS) or host.strip(_HOST_CHARS) or "@" in host:
            raise bad("target", "CONNECT takes host:port as its target, not %r" % target[:200])
        return target, ""
    else:
        scheme, sep, rest = target.partition("://")  # absolute-form
        if not sep or not scheme or not scheme[0].isalpha() or scheme.strip(_ALNUM + "+-.") or rest[:1] in ("", "/", "?"):
            raise bad(
                "target",
                "the request target %r is none of the forms '/path?query', 'http://host/path', "
                "'*' (OPTIONS only) and 'host:port' (CONNECT only)" % target[:200],
            )
        slash, question = rest.find("/"), rest.find("?")
        if slash < 0 or 0 <= question < slash:
            raw_path, query = "/", rest.partition("?")[2]
        else:
            raw_path, _, query = rest[slash:].partition("?")
    return percent_decode(raw_path), query


def percent_decode(path: str) -> str:
    """``/a%20b`` -> ``/a b``: the path's %XX escapes decoded, then read as UTF-8."""
    if "%" not in path:
        return path
    parts = path.split("%")
    out = bytearray(parts[0].encode())
    for part in parts[1:]:
        code = part[:2]
        if len(code) != 2 or code.strip(HEX):
            raise bad("target", "the path %r has a bad escape '%%%s': '%%' is followed by two hex digits" % (path[:200], code))
        out.append(int(code, 16))
        out += part[2:].encode()
    try:
        return bytes(out).decode("utf-8")
    except UnicodeError:
        raise bad("target", "the path %r is not UTF-8 once percent-decoded" % path[:200]) from None


def parse_fields(lines: "List[str]", what: str) -> "Tuple[List[Tuple[str, str, str]], Dict[str, List[str]]]":
    """The field lines ``lines[1:]`` as (lowercased name, name, value) triples, and the values
    of the SPECIAL fields by lowercased name."""
    items = []  # type: List[Tuple[str, str, str]]
    special = {}  # type: Dict[str, List[str]]
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name:
            raise bad("field", "the %s has a line %r that is not 'Name: value'" % (what, line[:200]))
        lname = name.lower()
        value = value.strip(" \t")
        items.append((lname, name, value))
        if lname in SPECIAL:
            if lname in special:
                special[lname].append(value)
            else:
                special[lname] = [value]
    if "".join([item[1] for item in items]).strip(TCHARS):
        _bad_name(items, what)
    return items, special


def _bad_name(items: "List[Tuple[str, str, str]]", what: str) -> None:
    for _, name, _ in items:
        if name.strip(TCHARS):
            if name.rstrip(" \t") != name:
                raise bad(
                    "ws-before-colon",
                    "the %s has whitespace between the field name %r and its colon; "
                    "refused (RFC 9112 §5.1)" % (what, name.rstrip(" \t")[:100]),
                )
            raise bad("field-name", "invalid field name %r in the %s: a name is a token" % (name[:100], what))


def check_host(values: "List[str]", http_version: str) -> None:
    """RFC 9112 §3.2: exactly one Host on HTTP/1.1, at most one on 1.0, a valid value."""
    if not values:
        if http_version == "1.1":
            raise bad("host", "an HTTP/1.1 request without a Host header; add 'Host: name' (RFC 9112 §3.2)")
        return
    if len(values) > 1:
        raise bad("host", "a request with %d Host headers; send one (RFC 9112 §3.2)" % len(values))
    if values[0].strip(_HOST_CHARS):
        raise bad("host", "invalid Host value %r: expected host[:port]" % values[0][:200])


def content_length(values: "List[str]") -> int:
    """The one Content-Length of a message, or a refusal."""
    if len(values) > 1 or "," in values[0]:
        distinct = {part.strip(" \t") for value in values for part in value.split(",")}
        if len(distinct) == 1:
            raise bad("cl-duplicate", "Content-Length is given more than once (%s); send it once" % ", ".join(values)[:200])
        raise bad(
            "cl-conflict",
            "differing Content-Length values (%s): a request smuggling attempt; refused" % ", ".join(values)[:200],
        )
    value = values[0]
    if not value or value.strip(DIGITS):
        raise bad("cl-invalid", "Content-Length %r is not a byte count (digits only: no sign, space or hex)" % value[:100])
    if len(value) > 20:
        raise bad("cl-invalid", "Content-Length %s... has more than 20 digits" % value[:20])
    return int(value)


def check_chunked(values: "List[str]") -> None:
    """Transfer-Encoding must be exactly ``chunked`` (any case), once."""
    codings = [part.strip(" \t").lower() for value in values for part in value.split(",")]
    if codings == ["chunked"]:
        return
    for coding in codings:
        if not coding:
            raise bad("te-invalid", "Transfer-Encoding %r has an empty element; refused" % ", ".join(values)[:200])
        if coding != "chunked":
            raise bad(
                "te-unsupported",
                "transfer coding %r is not supported: genlet decodes only 'chunked' "
                "(a compressed body is a Content-Encoding)" % coding[:100],
                501,
            )
    raise bad("te-invalid", "Transfer-Encoding applies chunked more than once (%s); refused" % ", ".join(values)[:200])


def tokens(values: "List[str]") -> "List[str]":
    """The lowercased elements of a comma-separated list field such as Connection."""
    return [part.strip(" \t").lower() for value in values for part in value.split(",")]


def chunk_size(line: bytes) -> int:
    """The size of a chunk from its size line (CRLF removed): ``1a`` or ``1a;name=value``."""
    semi = line.find(b";")
    size = line if semi < 0 else line[:semi].rstrip(b" \t")
    if not size or size.strip(_HEX_BYTES) or len(size) > 20:
        kind = "chunk-size-ws" if semi < 0 and size.rstrip(b" \t") != size else "chunk-size"
        raise bad(kind, "bad chunk size line %r: expected hex digits, then optional ';extensions'" % line[:100])
    if semi >= 0:
        _check_chunk_ext(latin1(line[semi:]), line)
    return int(size, 16)


def _check_chunk_ext(ext: str, line: bytes) -> None:
    """RFC 9112 §7.1.1: ``*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )``."""
    i, n = 0, len(ext)
    while i < n:
        i = _skip_ws(ext, i)
        if i >= n or ext[i] != ";":
            break
        start = i = _skip_ws(ext, i + 1)
        i = _token_end(ext, i)
        if i == start:
            break
        i = _skip_ws(ext, i)
        if i < n and ext[i] == "=":
            start = i = _skip_ws(ext, i + 1)
            i = _quoted_end(ext, i) if ext[i : i + 1] == '"' else _token_end(ext, i)
            if i <= start:
                break
    else:
        return
    raise bad("chunk-ext", "malformed chunk extension in %r (RFC 9112 §7.1.1)" % line[:100])


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t":
        i += 1
    return i


def _token_end(text: str, i: int) -> int:
    while i < len(text) and text[i] in TCHARS:
        i += 1
    return i


def _quoted_end(text: str, i: int) -> int:
    """Past the quoted-string that starts at ``text[i]``; ``i`` itself if it is malformed."""
    j = i + 1
    while j < len(text):
        char = text[j]
        if char == '"':
            return j + 1
        if char == "\\":
            j += 1
            if j >= len(text):
                break
            char = text[j]
        if (char < " " and char != "\t") or char == "\x7f":
            break
        j += 1
    return i
