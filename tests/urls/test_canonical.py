"""Canonicalization: Google's published examples, bad input, and properties over generated URLs.

Google's examples name real hosts and addresses; our test data uses reserved names only, so each
example is translated keeping exactly the feature it tests (google.com -> example.com,
evil.com -> evil.example, host%23.com -> host%23.example, the phishing path words -> neutral ones;
real IPv4 addresses -> documentation ranges with their decimal, octal, hex and percent encodings
recomputed). The percent-escape examples are kept exactly.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hotlist.errors import InvalidURL
from hotlist.urls import MAX_URL_BYTES, CanonicalURL, canonical_parts, canonicalize, expressions

from .strategies import url_like

GOOGLE_EXAMPLES: list[tuple[str | bytes, str]] = [
    ("http://host/%25%32%35", "http://host/%25"),
    ("http://host/%25%32%35%25%32%35", "http://host/%25%25"),
    ("http://host/%2525252525252525", "http://host/%25"),
    ("http://host/asdf%25%32%35asd", "http://host/asdf%25asd"),
    ("http://host/%%%25%32%35asd%%", "http://host/%25%25%25asd%25%25"),
    ("http://www.example.com/", "http://www.example.com/"),
    # Fully percent-encoded host (198.51.100.26) and path (/.secure/www.example.com/).
    (
        "http://%31%39%38%2e%35%31%2e%31%30%30%2e%32%36/%2E%73%65%63%75%72%65/"
        "%77%77%77%2E%65%78%61%6D%70%6C%65%2E%63%6F%6D/",
        "http://198.51.100.26/.secure/www.example.com/",
    ),
    (
        "http://203.0.113.11/uploads/%20%20%20%20/.verify/.Examplesecure=updatedata-x=y/",
        "http://203.0.113.11/uploads/%20%20%20%20/.verify/.Examplesecure=updatedata-x=y/",
    ),
    (
        "http://host%23.example/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%252611%252A22%252833"
        "%252944_55%252B",
        "http://host%23.example/~a!b@c%23d$e%25f^00&11*22(33)44_55+",
    ),
    ("http://3405803787/blah", "http://203.0.113.11/blah"),  # 203.0.113.11 as one number
    ("http://www.example.com/blah/..", "http://www.example.com/"),
    ("www.example.com/", "http://www.example.com/"),
    ("www.example.com", "http://www.example.com/"),
    ("http://www.evil.example/blah#frag", "http://www.evil.example/blah"),
    ("http://www.EXAmple.com/", "http://www.example.com/"),
    ("http://www.example.com.../", "http://www.example.com/"),
    ("http://www.example.com/foo\tbar\rbaz\n2", "http://www.example.com/foobarbaz2"),
    ("http://www.example.com/q?", "http://www.example.com/q?"),
    ("http://www.example.com/q?r?", "http://www.example.com/q?r?"),
    ("http://www.example.com/q?r?s", "http://www.example.com/q?r?s"),
    ("http://evil.example/foo#bar#baz", "http://evil.example/foo"),
    ("http://evil.example/foo;", "http://evil.example/foo;"),
    ("http://evil.example/foo?bar;", "http://evil.example/foo?bar;"),
    # Google's example is a C string: the bytes 0x01 and 0x80, so it is given as bytes here.
    (b"http://\x01\x80.example/", "http://%01%80.example/"),
    ("http://notrailingslash.example", "http://notrailingslash.example/"),
    # The port is removed, as Google documents it (Chromium would keep a non-default port).
    ("http://www.gotaport.example:1234/", "http://www.gotaport.example/"),
    ("  http://www.example.com/  ", "http://www.example.com/"),
    ("http:// leadingspace.example/", "http://%20leadingspace.example/"),
    ("http://%20leadingspace.example/", "http://%20leadingspace.example/"),
    ("%20leadingspace.example/", "http://%20leadingspace.example/"),
    ("https://www.securesite.example/", "https://www.securesite.example/"),
    ("http://host.example/ab%23cd", "http://host.example/ab%23cd"),
    (
        "http://host.example//twoslashes?more//slashes",
        "http://host.example/twoslashes?more//slashes",
    ),
]

# Our own cases: the v5 IPv6 rules, IPv4 encodings, and the choices where clients differ.
MORE_EXAMPLES: list[tuple[str | bytes, str]] = [
    ("http://[2001:0db8:0000::1]/", "http://[2001:db8::1]/"),
    ("http://[2001:DB8:0:0:0:0:0:1]:8080/x", "http://[2001:db8::1]/x"),
    ("http://[::ffff:192.0.2.4]/", "http://192.0.2.4/"),  # IPv4-mapped
    ("http://[64:ff9b::198.51.100.7]/a", "http://198.51.100.7/a"),  # NAT64 well-known prefix
    ("http://0xC0.0.2.4/", "http://192.0.2.4/"),  # hex part
    ("http://0300.0.2.4/", "http://192.0.2.4/"),  # octal part
    ("http://192.0.516/", "http://192.0.2.4/"),  # three parts: the last fills two bytes
    ("http://0xc0000204/", "http://192.0.2.4/"),  # one hex number
    ("http://192.0.2.4.:80/", "http://192.0.2.4/"),
    ("http://user:secret@www.example.com/", "http://www.example.com/"),
    ("HTTPS://WWW.Example.COM/Path/Upper", "https://www.example.com/Path/Upper"),
    ("http://www.example.com/%7e%7E", "http://www.example.com/~~"),
    ("http://www.example.com/%0a", "http://www.example.com/%0A"),  # escape kept, upper-case hex
    ("http://www.example.com/a/./b/../c//d/.", "http://www.example.com/a/c/d/"),
    ("http://www.example.com/a%2Fb", "http://www.example.com/a/b"),
    ("http://www.example.com/a%3Fb", "http://www.example.com/a?b"),
    ("http://www.example.com?x=1", "http://www.example.com/?x=1"),
    ("http://www.example.com/a?b/../c//d#e", "http://www.example.com/a?b/../c//d"),
    ("ftp://files.example/pub/", "ftp://files.example/pub/"),
    ("//cdn.example/x.js", "http://cdn.example/x.js"),
    ("localhost:8080/admin", "http://localhost/admin"),
    ("example:443//static/a", "http://example/static/a"),
    ("http://caf\u00e9.example/men\u00fc", "http://xn--caf-dma.example/men%C3%BC"),
    ("http://caf%C3%A9.example/", "http://xn--caf-dma.example/"),
    (b"http://www.example.com/\xff", "http://www.example.com/%FF"),
    ("http://www.example.com/\udcff", "http://www.example.com/%FF"),  # surrogateescape byte
]


@pytest.mark.parametrize(("url", "expected"), GOOGLE_EXAMPLES + MORE_EXAMPLES)
def test_canonicalize_examples(url: str | bytes, expected: str) -> None:
    assert canonicalize(url) == expected


@pytest.mark.parametrize(("url", "expected"), GOOGLE_EXAMPLES + MORE_EXAMPLES)
def test_canonical_form_is_a_fixed_point(url: str | bytes, expected: str) -> None:
    assert canonicalize(expected) == expected


def test_canonical_parts_split_the_url() -> None:
    assert canonical_parts("http://A.example/p/q.html?x=1#f") == CanonicalURL(
        "http", "a.example", "/p/q.html", "x=1"
    )
    assert canonical_parts("https://a.example").query is None
    assert canonical_parts("https://a.example/?").query == ""


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "empty"),
        ("   \t\n", "empty"),
        ("#only-a-fragment", "empty"),
        (b"", "empty"),
        ("http://", "no host"),
        ("http:///?q", "no host"),
        ("http://.../", "no usable host"),
        ("http://user@:80/", "no host"),
        ("http://example.com\x00/", "NUL"),
        (b"\x00", "NUL"),
        ("http://example.com/" + "a" * MAX_URL_BYTES, "too long"),
        (b"http://example.com/" + b"a" * MAX_URL_BYTES, "too long"),
        ("http://example.com/" + "\u00e9" * (MAX_URL_BYTES // 2), "too long"),
        ("http://example.com/#" + "\u00e9" * (MAX_URL_BYTES // 2), "too long"),
        ("http://example.com/#\x00", "NUL"),
        ("javascript:alert(1)", "unsupported scheme"),
        ("mailto:someone@example.com", "unsupported scheme"),
        ("hxxp://example.com/", "unsupported scheme"),
        ("http://example.com:port/", "invalid port"),
        ("http://[2001:db8::1/", "IPv6"),
        ("http://[2001:db8::g]/", "IPv6"),
        ("http://[2001:db8::1]x/", "IPv6"),
        ("http://[fe80::1%25eth0]/", "IPv6"),
        ("http://a[b.example/", "IPv6"),
        ("http://256.0.2.4/", "IPv4"),
        ("http://192.0.2.4.5/", "IPv4"),
        ("http://4294967296/", "IPv4"),
        ("http://example.123/", "IPv4"),
        ("http://089.0.2.4/", "IPv4"),
        ("http://example.com/\ud800", "surrogate"),
    ],
)
def test_bad_input_says_what_is_wrong(url: str | bytes, message: str) -> None:
    with pytest.raises(InvalidURL, match=message):
        canonicalize(url)


# A string with no host is refused, never read as one: "/blah" is a path, not host "blah".
HOSTLESS = [
    "/blah",
    "/blah#ref",
    "/blah;param",
    "/asdf",
    "/",
    " /blah",
    "%2Fblah",
    "http:///blah",
    "HTTPS:///blah",
    "ftp:///pub/",
    "///blah",
    "http:/blah",
    "http:blah",
    "ftp:/files.example/",
    "http://?q",
    "http://u@/blah",
]


@pytest.mark.parametrize("url", HOSTLESS)
def test_a_url_without_a_host_is_refused_and_says_how_to_give_one(url: str) -> None:
    with pytest.raises(InvalidURL, match=r"the URL has no host: .*give the whole URL"):
        canonicalize(url)
    with pytest.raises(InvalidURL, match="no host"):
        canonicalize(url.encode())


_hostless = st.builds(
    "{}{}".format,
    st.sampled_from(["/", "///", "http:///", "https:///", "http:/", "ftp:", "WS:/", "%2F"]),
    # Anything that cannot become a slash: tab, CR and LF are removed and escapes unescaped.
    st.text(st.characters(blacklist_characters="/%\t\r\n"), max_size=20),
)


@settings(max_examples=300, deadline=None)
@given(_hostless)
def test_no_string_without_a_host_gets_one(url: str) -> None:
    with pytest.raises(InvalidURL, match=r"no host|NUL|surrogate"):
        canonicalize(url)


def test_a_url_of_exactly_the_limit_is_accepted() -> None:
    url = "http://example.com/"
    url += "a" * (MAX_URL_BYTES - len(url))
    assert canonicalize(url) == url


def test_wrong_type_is_an_invalid_url() -> None:
    with pytest.raises(InvalidURL, match="text or bytes"):
        canonicalize(42)  # type: ignore[arg-type]


def _canonical_or_error(url: str | bytes) -> str | None:
    """The canonical form, or None after checking the InvalidURL raised says something."""
    error: InvalidURL | None = None
    try:
        return canonicalize(url)
    except InvalidURL as exc:
        error = exc
    assert error.message
    return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=80), url_like))
@example("http://a%2Fb.example/")
@example("http://.[0::1]/")
def test_text_gives_a_canonical_form_or_invalid_url(url: str) -> None:
    canonical = _canonical_or_error(url)
    if canonical is None:
        return
    assert canonical.isascii()
    assert canonicalize(canonical) == canonical
    assert expressions(canonical) == expressions(url)
    # Bytes never take the fast path: both paths must agree.
    assert canonicalize(url.encode("utf-8", "surrogateescape")) == canonical


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80))
def test_bytes_give_a_canonical_form_or_invalid_url(url: bytes) -> None:
    canonical = _canonical_or_error(url)
    if canonical is None:
        return
    assert canonicalize(canonical) == canonical
    assert expressions(canonical) == expressions(url)
