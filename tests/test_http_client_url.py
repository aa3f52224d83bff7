"""genlet.http.url: the client's URLs, checked against urllib.parse (which MicroPython lacks)."""

from urllib.parse import quote, urljoin, urlsplit

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from genlet.http.url import URL, encode_query

BASE = "http://a.example:8080/b/c/d;p?q"
# (no ";": urllib.parse still splits RFC 2396 "params" off the last segment, RFC 3986 does not)
segment = st.text(alphabet="abz.=", min_size=1, max_size=4)  # (urllib drops empty segments; RFC 3986 keeps them)
reference = st.builds(
    lambda lead, parts, query: lead + "/".join(parts) + query,
    st.sampled_from(["", "/", "./", "../", "//h.example/"]),
    st.lists(segment, max_size=5),
    st.sampled_from(["", "?x=1", "?a/b"]),  # (not a bare "?": urllib keeps the old query, RFC 3986 empties it)
)


def normal(url):
    parts = urlsplit(url)
    return parts.scheme, parts.netloc, parts.path or "/", parts.query


@given(reference)
def test_join_agrees_with_urllib(ref):
    assume(not ref.startswith("//") or ref.startswith("//h"))  # "//" alone: no host, a ValueError
    assert normal(str(URL.parse(BASE).join(ref))) == normal(urljoin(BASE, ref).partition("#")[0])


@given(st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=4))
def test_encode_query_agrees_with_urllib_quoting(params):
    expected = "&".join("%s=%s" % (quote(k, safe=""), quote(v, safe="")) for k, v in params.items())
    assert encode_query(params) == expected


def test_parse_splits_what_a_request_needs():
    url = URL.parse("HTTPS://User:pw@Example.COM:8443/a b/ü?x=1#frag")
    assert (url.scheme, url.host, url.port, url.userinfo) == ("https", "example.com", 8443, "User:pw")
    assert url.target == "/a%20b/%C3%BC?x=1" and url.authority == "example.com:8443"
    assert str(URL.parse("http://[::1]/")) == "http://[::1]/" and URL.parse("http://[::1]:81").port == 81
    assert URL.parse("http://h?q").target == "/?q"


@pytest.mark.parametrize("bad", ["mailto:a@b.c", "javascript:void(0)"])
def test_joining_a_non_http_reference_is_a_value_error(bad):
    with pytest.raises(ValueError, match="unsupported URL scheme"):
        URL.parse(BASE).join(bad)
