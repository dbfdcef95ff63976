"""The compiled core against the Python reference: same canonical form, expressions, hashes and
errors (word for word) for every input.

``hotlist.urls`` calls the core; ``hotlist.urls.canonical`` and ``hotlist.urls.expressions`` are
the reference. The generated runs are bounded here (a few thousand examples, seconds); set
``HOTLIST_CORE_EXAMPLES`` (say to 2000000) for a nightly-size run of each.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from hashlib import sha256

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotlist import _core
from hotlist.errors import InvalidURL
from hotlist.urls import (
    MAX_URL_BYTES,
    canonical_parts,
    canonical_parts_many,
    canonicalize,
    expression_hash_batch,
    expression_hashes,
    expression_hashes_from_parts,
    expression_hashes_many,
    expressions,
)
from hotlist.urls import canonical as reference
from hotlist.urls.expressions import expressions_from_parts

from .strategies import url_like
from .test_canonical import GOOGLE_EXAMPLES, HOSTLESS, MORE_EXAMPLES
from .test_expressions import DOCUMENTED

EXAMPLES = int(os.environ.get("HOTLIST_CORE_EXAMPLES", "0"))
"""Examples per generated test; 0 keeps each test's bounded default."""


def _examples(default: int) -> int:
    return EXAMPLES or default


Outcome = tuple[str, object]


def _outcome(function: Callable[[str | bytes], object], url: str | bytes) -> Outcome:
    try:
        return ("ok", function(url))
    except InvalidURL as exc:
        return ("invalid", exc.message)


def _reference_expressions(url: str | bytes) -> list[str]:
    return expressions_from_parts(reference.canonical_parts(url))


def _reference_hashes(url: str | bytes) -> list[bytes]:
    return [sha256(e.encode("ascii")).digest() for e in _reference_expressions(url)]


def assert_same(url: str | bytes) -> None:
    """The core and the reference agree on ``url`` in every respect."""
    parts = _outcome(reference.canonical_parts, url)
    assert _outcome(canonical_parts, url) == parts, url
    assert _outcome(canonicalize, url) == _outcome(reference.canonicalize, url), url
    assert _outcome(expressions, url) == _outcome(_reference_expressions, url), url
    hashes = _outcome(_reference_hashes, url)
    assert _outcome(expression_hashes, url) == hashes, url
    if parts[0] == "ok":
        assert expression_hashes_from_parts(parts[1]) == hashes[1]  # type: ignore[arg-type]


# Pieces that reach the rarer rules: IP literals in every encoding, escapes, dots, brackets,
# user information, ports, non-ASCII and IDNA (fullwidth letters, the ideographic full stop).
_PIECES = [
    "http://",
    "https://",
    "HtTp://",
    "ftp:",
    "ws://",
    "x:",
    "//",
    "/",
    "?",
    "#",
    "@",
    ":",
    "::",
    "[",
    "]",
    ".",
    "..",
    "%",
    "%2e",
    "%2E",
    "%25",
    "%5b",
    "%5d",
    "%3a",
    "%40",
    "%2f",
    "%3f",
    "%00",
    "%20",
    "%e9",
    "%c3%a9",
    "%ff",
    "0x",
    "0X1f",
    "0",
    "07",
    "08",
    "1",
    "255",
    "256",
    "4294967295",
    "4294967296",
    "192.0.2.1",
    "::ffff:",
    "64:ff9b::",
    "ffff",
    "2001:db8",
    "1.2.3",
    "a",
    "B",
    "example",
    "xn--",
    "-",
    "_",
    "\u00e9",
    "\u00fc",
    "\uff21",
    "\u3002",
    "\u2603",
    "\u200d",
    " ",
    "\t",
    "\n",
    "\x7f",
    "\\",
    "~",
    "+",
    "ab%zz",
    "\udc80",
    "\udcff",
]
pieced = st.lists(st.sampled_from(_PIECES), max_size=16).map("".join)
surrogate_escaped = st.binary(max_size=60).map(lambda data: data.decode("utf-8", "surrogateescape"))
texts = st.one_of(url_like, pieced, st.text(max_size=60), surrogate_escaped)


@pytest.mark.parametrize(
    "url",
    [url for url, _ in GOOGLE_EXAMPLES + MORE_EXAMPLES]
    + [expected for _, expected in GOOGLE_EXAMPLES + MORE_EXAMPLES]
    + [url for url, _ in DOCUMENTED]
    + HOSTLESS,
)
def test_every_safe_browsing_vector_agrees(url: str | bytes) -> None:
    assert_same(url)
    if isinstance(url, str):
        assert_same(url.encode("utf-8", "surrogateescape"))


@pytest.mark.parametrize(
    "url",
    [
        "",
        " ",
        "#x",
        "http://",
        "http://.../",
        "http://user@:80/",
        "http://a:b/",
        "http://a:/",
        "http://[2001:db8::1/",
        "http://[2001:db8::1]x/",
        "http://[2001:db8::1]:x/",
        "http://[]/",
        "http://[:]/",
        "http://[::1::]/",
        "http://[1:2:3:4:5:6:7:8:9]/",
        "http://[1:2:3:4:5:6:7]/",
        "http://[:1:2:3:4:5:6:7]/",
        "http://[1:2:3:4:5:6:7:]/",
        "http://[1::2:3:4:5:6:7:8]/",
        "http://[12345::]/",
        "http://[::1.2.3]/",
        "http://[::1.2.3.04]/",
        "http://[::1.2.3.256]/",
        "http://[::ffff:192.0.2.1]/",
        "http://[0:0:0:0:0:ffff:c000:201]/",
        "http://[::\u00e9]/",
        "http://[fe80::1%25eth0]/",
        "http://a[b/",
        "http://a]b/",
        "http://\u00e9[/",
        "http://1.2.3.4.5/",
        "http://1.2.3.0x/",
        "http://0x100000000/",
        "http://0xffffffffffffffffffffffffffffffff/",
        "http://99999999999999999999999999/",
        "http://1.16777216/",
        "http://1.2.65536/",
        "http://example.09/",
        "http://\u00e9.1/",
        b"http://\xff.1/",
        "http://b\u00fccher.example/",
        "http://\uff21\u3002example/",
        "http://\u2603.test/",
        "http://xn--zz.test/",
        "http://a\u200db.test/",
        "javascript:alert(1)",
        "a.b:c",
        "example.com:80",
        "example.com:80/x",
        "localhost:8080?x",
        "x:/y",
        "x://y",
        "1http://a/",
        "http://a\x00/",
        "http://a/\udc80",
        "http://a.example/x\ud800y",
        "http://a/" + "b" * (MAX_URL_BYTES - 9),
        "http://a/" + "b" * (MAX_URL_BYTES - 8),
        "http://a/" + "\u00e9" * (MAX_URL_BYTES // 2),
        b"http://a/" + b"b" * MAX_URL_BYTES,
        bytearray(b"http://a.example/%41"),
        memoryview(b"http://a.example/%41"),
        "http://.[0::1]/",
        "//a.example/x",
        "///a.example/x",
        "http:a.example",
        "https:/a.example",
        "ws:",
        "x.example//y",
        "%2F%2Fa.example/",
        "http://%2Fa.example/",
        "http://u:p@/x",
        "http://[::1]:/x",
    ],
)
def test_errors_and_edges_agree(url: str | bytes) -> None:
    assert_same(url)


@pytest.mark.parametrize("url", [42, None, 1.5, ["http://a.example/"]])
def test_wrong_types_agree(url: object) -> None:
    assert_same(url)  # type: ignore[arg-type]


@settings(max_examples=_examples(2500), deadline=None, suppress_health_check=list(HealthCheck))
@given(texts)
def test_generated_text_agrees(url: str) -> None:
    assert_same(url)


@settings(max_examples=_examples(1500), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.binary(max_size=80), pieced.map(lambda s: s.encode("utf-8", "surrogatepass"))))
def test_generated_bytes_agree(url: bytes) -> None:
    assert_same(url)


@settings(max_examples=_examples(200), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(texts, st.binary(max_size=40)), max_size=20))
def test_batches_agree_with_single_calls(urls: list[str | bytes]) -> None:
    hashes = expression_hashes_many(urls)
    parts = canonical_parts_many(urls)
    assert len(hashes) == len(parts) == len(urls)
    for url, hashed, parted in zip(urls, hashes, parts, strict=True):
        expected = _outcome(_reference_hashes, url)
        if isinstance(hashed, InvalidURL):
            assert isinstance(parted, InvalidURL)
            assert expected == ("invalid", hashed.message) == ("invalid", parted.message)
        else:
            assert expected == ("ok", hashed)
            assert parted == reference.canonical_parts(url)


def test_the_core_sha256_is_sha256() -> None:
    for data in (b"", b"a.example/", bytes(range(256)) * 3, bytes(range(256)) * 4099):
        assert _core.sha256(data) == sha256(data).digest()
        assert _core.sha256(memoryview(data)) == sha256(data).digest()


def test_the_core_sha256_lets_other_threads_run_over_a_large_buffer() -> None:
    """The Squid helper's watcher verifies a list's checksum (50 ms at 1,000,000 entries)
    while the helper answers: the core hashes a large buffer with the GIL released."""
    data = bytes(16 << 20)
    spins = [0]
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            spins[0] += 1

    interval = sys.getswitchinterval()
    # Longer than the hash: a thread holding the GIL through it would not let the spinner run.
    sys.setswitchinterval(0.2)
    spinner = threading.Thread(target=spin)
    try:
        spinner.start()
        before = spins[0]
        digest = _core.sha256(data)
        during = spins[0] - before
    finally:
        stop.set()
        spinner.join()
        sys.setswitchinterval(interval)
    assert digest == sha256(data).digest()
    assert during > 0


@settings(max_examples=_examples(200), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(texts, st.binary(max_size=40)), max_size=20))
def test_the_flat_batch_holds_the_same_hashes(urls: list[str | bytes]) -> None:
    batch = expression_hash_batch(urls)
    assert len(batch.counts) == len(urls)
    assert len(batch.digests) == 32 * sum(batch.counts)
    assert set(batch.errors) == {i for i, count in enumerate(batch.counts) if count == 0}
    listed = expression_hashes_many(urls)
    assert [r.message if isinstance(r, InvalidURL) else r for r in batch.hashes()] == [
        r.message if isinstance(r, InvalidURL) else r for r in listed
    ]
