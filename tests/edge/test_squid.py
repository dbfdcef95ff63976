"""Squid's url_rewrite protocol: request lines in, answer lines out (no I/O)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.edge.matcher import Matcher
from hotlist.edge.squid import (
    BlockPage,
    SquidResponder,
    answer_bytes,
    kv_pair,
    request_host,
    request_lines,
    split_request,
)
from hotlist.edge.verdict import Verdict
from hotlist.errors import ConfigError, InvalidURL
from hotlist.publish.format import Snapshot
from hotlist.publish.records import ListRecord
from hotlist.publish.wire import FLAG_DISPUTED
from hotlist.urls import Scope, canonical_parts, entry_expression
from urls.strategies import url_like  # tests/ is on sys.path (rootdir-based packages)

TEMPLATE = "http://block.example/blocked?entry={entry_id}&c={category}"
PAGE_URL = "http://www.blocked.example/gallery/Set%2042/index.html?page=2"
EXTRAS = "127.0.0.1/- - GET myip=127.0.0.1 myport=3128"


def record(url: str, scope: Scope, entry_id: int, category: int = 2, flags: int = 0) -> ListRecord:
    """The record an entry of ``scope`` made from ``url`` publishes."""
    expression = entry_expression(url, scope)
    host = expression.split("/", 1)[0] + "/"
    return ListRecord(
        hashlib.sha256(expression.encode()).digest(),
        hashlib.sha256(host.encode()).digest(),
        category,
        entry_id,
        flags,
    )


ENTRIES = (
    record(PAGE_URL, Scope.PAGE, 0xABC),
    record("http://folder.example/dir/x.html", Scope.FOLDER, 0x10),
    record("http://host.test/", Scope.HOST, 0x20, category=3),
    record("http://page.example/only.html", Scope.PAGE, 0x30, flags=FLAG_DISPUTED),
)

ResponderFactory = Callable[..., SquidResponder]


@pytest.fixture
def make_responder() -> ResponderFactory:
    """A responder over a list of ``records`` (default: ENTRIES) at ``version``."""

    def make(
        records: Iterable[ListRecord] = ENTRIES, *, version: int = 1, **options: object
    ) -> SquidResponder:
        matcher = Matcher(Snapshot.from_records("main", version, list(records)))
        return SquidResponder(matcher, BlockPage(TEMPLATE), **options)  # type: ignore[arg-type]

    return make


# -- Answers -----------------------------------------------------------------------------------


def test_a_listed_url_is_redirected_to_the_block_page(make_responder: ResponderFactory) -> None:
    responder = make_responder()
    assert responder.answer(f"{PAGE_URL} {EXTRAS}") == (
        "OK status=302 url=http://block.example/blocked?entry=0000000000000abc&c=2"
    )


def test_an_unlisted_url_is_kept(make_responder: ResponderFactory) -> None:
    responder = make_responder()
    assert responder.answer(f"http://www.example.com/news/today.html {EXTRAS}") == "ERR"
    assert responder.answer("http://www.blocked.example/gallery/other.html") == "ERR"


@pytest.mark.parametrize(
    ("url", "entry"),
    [
        ("http://folder.example/dir/deeper/y.jpg", "0000000000000010"),
        ("https://cdn.host.test/any/thing?q=1", "0000000000000020"),
        ("http://page.example/only.html", "0000000000000030"),  # disputed still blocks
        (
            "HTTP://WWW.Blocked.Example:80/gallery/Set%252042/./index.html?page=2",
            "0000000000000abc",
        ),
    ],
)
def test_folder_host_disputed_and_odd_forms_are_blocked(
    make_responder: ResponderFactory, url: str, entry: str
) -> None:
    assert f"entry={entry}&" in make_responder().answer(url)


def test_every_answer_carries_the_channel_id_of_its_line(make_responder: ResponderFactory) -> None:
    responder = make_responder()
    lines = [f"7 {PAGE_URL} {EXTRAS}", "0 http://www.example.com/", f"123 {PAGE_URL}"]
    answers = responder.answer_lines(lines)
    assert [answer.split(" ", 1)[0] for answer in answers] == ["7", "0", "123"]
    assert answers[0] == "7 " + responder.answer(PAGE_URL)
    assert answers[1] == "0 ERR"


def test_connect_is_checked_at_host_scope_only(make_responder: ResponderFactory) -> None:
    responder = make_responder()
    assert "entry=0000000000000020" in responder.answer(f"3 www.host.test:443 {EXTRAS}")
    # A page entry on a host never blocks CONNECT to that host: the proxy sees no path.
    assert responder.answer("4 www.blocked.example:443") == "4 ERR"
    assert responder.answer("5 [2001:db8::1]:443") == "5 ERR"


@pytest.mark.parametrize(
    ("line", "answer"),
    [
        ("", 'BH message="empty request line"'),
        ("   ", 'BH message="empty request line"'),
        ("42", '42 BH message="no URL on the request line"'),
        ("42 ", '42 BH message="no URL on the request line"'),
    ],
)
def test_a_line_without_a_url_gets_bh(
    make_responder: ResponderFactory, line: str, answer: str
) -> None:
    assert make_responder().answer(line) == answer


def test_a_url_that_cannot_be_checked_is_kept_with_the_reason(
    make_responder: ResponderFactory,
) -> None:
    answer = make_responder().answer("9 gopher://old.example/")
    assert answer.startswith('9 ERR message="not checked: unsupported scheme')
    long_url = "http://www.example.com/" + "a" * 9000
    assert make_responder().answer(long_url) == "ERR"  # its host has no entry
    long_url = "http://folder.example/dir/" + "a" * 9000
    answer = make_responder().answer(long_url)
    assert answer.startswith('ERR message="only its host was checked: the URL is too long')


def test_a_url_too_long_to_canonicalize_is_still_checked_at_host_scope(
    make_responder: ResponderFactory,
) -> None:
    answer = make_responder().answer("3 http://www.host.test/" + "a" * 9000)
    assert answer.startswith("3 OK status=302")
    assert "entry=0000000000000020" in answer


def test_a_trailing_carriage_return_is_ignored(make_responder: ResponderFactory) -> None:
    assert make_responder().answer(f"1 {PAGE_URL}\r").startswith("1 OK status=302")


def test_without_a_list_every_line_gets_bh() -> None:
    responder = SquidResponder(None, BlockPage(TEMPLATE))
    assert responder.answer_lines(["1 http://www.example.com/", "http://x.example/"]) == [
        '1 BH message="no list to enforce"',
        'BH message="no list to enforce"',
    ]


def test_a_refusal_answers_bh_with_the_reason(make_responder: ResponderFactory) -> None:
    responder = make_responder()
    responder.refusal = "the list is stale"
    assert responder.answer(f"5 {PAGE_URL}") == '5 BH message="the list is stale"'
    responder.refusal = None
    assert responder.answer(f"5 {PAGE_URL}").startswith("5 OK status=302")


@pytest.mark.parametrize("cache_size", [0, 1, 3, 100])
def test_cached_answers_equal_fresh_ones(make_responder: ResponderFactory, cache_size: int) -> None:
    urls = [PAGE_URL, "http://www.example.com/", "x.host.test:443", "http://host.test/a"] * 3
    fresh = make_responder(cache_size=0).answer_lines(urls)
    assert make_responder(cache_size=cache_size).answer_lines(urls) == fresh


def test_a_new_list_version_forgets_cached_answers(make_responder: ResponderFactory) -> None:
    responder = make_responder()
    assert responder.answer(PAGE_URL).startswith("OK")
    assert responder.matcher is not None
    responder.matcher.swap(Snapshot.from_records("main", 2, [ENTRIES[2]]))
    assert responder.answer(PAGE_URL) == "ERR"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="\n", codec="utf-8"), max_size=80))
def test_any_line_gets_one_answer_line_with_its_channel(line: str) -> None:
    responder = SquidResponder(
        Matcher(Snapshot.from_records("main", 1, list(ENTRIES))), BlockPage(TEMPLATE)
    )
    answer = responder.answer(line)
    prefix, _url = split_request(line)
    assert "\n" not in answer
    assert answer.isascii()
    assert answer.startswith(prefix)
    assert answer[len(prefix) :].split(" ", 1)[0] in {"OK", "ERR", "BH"}


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from([PAGE_URL, "http://www.example.com/", "a:1"]))
def test_a_digit_token_is_a_channel_and_a_url_never_is(channel: int, url: str) -> None:
    assert split_request(f"{channel} {url} {EXTRAS}") == (f"{channel} ", url)
    assert split_request(f"{url} {EXTRAS}") == ("", url)


def test_odd_spacing_never_loses_the_channel_id(make_responder: ResponderFactory) -> None:
    responder = make_responder()
    assert responder.answer("http://7/") == "ERR"  # "7" is now a known authority
    assert responder.answer("7  http://www.example.com/") == "7 ERR"
    assert responder.answer("7\thttp://www.example.com/ -") == "7 ERR"
    assert responder.answer(" 7 http://www.example.com/") == "7 ERR"


_token = st.sampled_from(
    ["7", "12", "http://7/", "http://www.example.com/a", "host.test:443", PAGE_URL, "-", "x=1"]
)
_space = st.sampled_from([" ", "  ", "\t", " \t", "\r"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_space, _token), min_size=1, max_size=4))
def test_remembered_answers_equal_first_answers_and_keep_the_channel(
    pairs: list[tuple[str, str]],
) -> None:
    line = pairs[0][1] + "".join(space + token for space, token in pairs[1:])
    responder = SquidResponder(
        Matcher(Snapshot.from_records("main", 1, list(ENTRIES))), BlockPage(TEMPLATE)
    )
    warm = ["http://7/", "http://12/", "x=1", "-", line]
    first = responder.answer_lines(warm)
    again = responder.answer_lines(warm)
    assert again == first
    assert first[-1].startswith(split_request(line)[0])


def test_unicode_digits_are_no_channel_id() -> None:
    assert split_request("\u0663 http://www.example.com/") == ("", "\u0663")


# Hosts and authorities with the characters that make canonicalization differ from lower-casing.
_label = st.text(alphabet="aZ0-_.%@:[]x9\t\\ ", min_size=0, max_size=6)
_rest = st.text(alphabet="/?#%2Fa.:@ \t", max_size=8)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["http://", "https://", "HTTP://", "", "ftp://", "http:///"]),
    st.lists(_label, min_size=1, max_size=4).map(".".join),
    st.sampled_from(["", ":", ":8080", ":x"]),
    _rest,
)
def test_the_request_host_is_the_canonical_host_whenever_it_answers(
    scheme: str, host: str, port: str, rest: str
) -> None:
    url = f"{scheme}{host}{port}{rest}"
    found = request_host(url)
    if found is None:
        return
    try:
        canonical = canonical_parts(url).host
    except InvalidURL:
        return  # the full check answers ERR too when the host has no entry
    assert found == canonical


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://WWW.Example.COM:8080/a%2Fb?c#d", "www.example.com"),
        ("https://a.example", "a.example"),
        ("www.example.com:443", "www.example.com"),
        ("http://3221225985/x", "192.0.2.1"),
        ("http://www..example.com./", "www.example.com"),
        ("[2001:DB8::1]:443", "[2001:db8::1]"),
        ("http://user@www.example.com/", None),
        ("http://www.ex%61mple.com/", None),
        ("ftp://www.example.com/", None),
        ("http://www.example.com:x/", None),
    ],
)
def test_the_request_host_needs_only_the_authority(url: str, host: str | None) -> None:
    assert request_host(url) == host


def test_ip_hosts_in_any_form_are_checked(make_responder: ResponderFactory) -> None:
    responder = make_responder([record("http://192.0.2.7/", Scope.HOST, 9)])
    for url in ("http://192.0.2.7/a", "http://3221225991/b", "http://0xc0.0.2.7/", "192.0.2.7:443"):
        assert responder.answer(url).startswith("OK status=302"), url
    assert responder.answer("http://192.0.2.8/a") == "ERR"


# -- kv-pairs and the block page --------------------------------------------------------------


def unquote(value: str) -> str:
    """Read a kv-pair value back as Squid does (double quotes, backslash escapes)."""
    if not value.startswith('"'):
        return value
    out, escaped = [], False
    for char in value[1:-1]:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    return "".join(out)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="ascii", categories=["L", "N", "P", "S", "Zs"])))
def test_kv_pair_values_read_back_unchanged(value: str) -> None:
    pair = kv_pair("message", value)
    assert pair.startswith("message=")
    assert "\n" not in pair
    assert unquote(pair.removeprefix("message=")) == value


def test_kv_pair_escapes_controls_and_non_ascii() -> None:
    assert kv_pair("message", "a\nb\u00e9") == 'message="a\\\\x0ab\\\\xe9"'
    assert kv_pair("message", "") == 'message=""'


def test_the_block_page_names_entry_and_category(make_responder: ResponderFactory) -> None:
    page = BlockPage("https://block.example/e/{entry_id}")
    verdict = Matcher(Snapshot.from_records("main", 1, list(ENTRIES))).check(PAGE_URL)
    assert page.url(verdict) == "https://block.example/e/0000000000000abc"


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("block.example/{entry_id}", "must start with http"),
        ("http://block.example/", "lacks {entry_id}"),
        ("http://block.example/{entry_id}/{url}", "the field {url}"),
        ("http://block.example/{entry_id!r}", "the field {entry_id}"),
        ("http://block.example/{entry_id:>20}", "the field {entry_id}"),
        ("http://block.example/a b/{entry_id}", "holds ' '"),
        ('http://block.example/"{entry_id}', "holds '\"'"),
        ("http://block.example/{entry_id", "not a valid template"),
    ],
)
def test_a_bad_block_page_template_says_what_is_wrong(template: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem.replace("{", r"\{").replace("}", r"\}")):
        BlockPage(template)


# -- One call per block ------------------------------------------------------------------------


class CountingMatcher(Matcher):
    """A matcher that counts its batch calls (and answers them as any matcher does)."""

    batches = 0
    blocks = 0

    def check_many(self, urls: Iterable[str | bytes]) -> list[Verdict]:
        self.batches += 1
        return super().check_many(urls)

    def answer_squid_lines(self, *args: Any) -> list[str | None] | None:
        answers = super().answer_squid_lines(*args)
        self.blocks += answers is not None
        return answers


BLOCK = [
    PAGE_URL,
    "http://www.blocked.example/gallery/other.html",
    "http://folder.example/dir/deeper/y.jpg",
    "https://cdn.host.test/any/thing?q=1",
    "http://page.example/only.html",
    "http://www.blocked.example:port/x",
    "host.test:443",
    "http://www.example.com/",
    PAGE_URL,
]


@pytest.mark.parametrize("engine", ["core", "python"])
def test_a_block_needs_one_matcher_call_and_answers_like_single_lines(engine: str) -> None:
    snapshot = Snapshot.from_records("main", 1, list(ENTRIES))
    lines = [f"{channel} {url} {EXTRAS}" for channel, url in enumerate(BLOCK * 3)]
    matcher = CountingMatcher(snapshot, engine=engine)  # type: ignore[arg-type]
    answers = SquidResponder(matcher, BlockPage(TEMPLATE)).answer_lines(lines)
    if engine == "core":
        # One core call for the block; the invalid URL's line (with its message) is answered
        # on its own, once (then from the answer cache).
        assert (matcher.blocks, matcher.batches) == (1, 1)
    else:
        assert (matcher.blocks, matcher.batches) == (0, 1)
    single = SquidResponder(Matcher(snapshot, engine="python"), BlockPage(TEMPLATE), cache_size=0)
    assert answers == [single.answer(line) for line in lines]
    assert sum(answer.split(" ", 1)[1].startswith("OK") for answer in answers) == 18


_SPACES = st.sampled_from([" ", "  ", "\t", " \t ", "\xa0", "\u3000", "\x1c", "\u2003", ""])
_REQUEST_URLS = st.one_of(
    url_like,
    st.sampled_from([*BLOCK, "host.test:443", "HOST.test:443", "folder.example:80", "12", ""]),
    st.text(max_size=20),
    st.binary(max_size=20).map(lambda data: data.decode("utf-8", "surrogateescape")),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(0, 99).map(str)),
            _SPACES,
            _REQUEST_URLS,
            st.sampled_from(["", " " + EXTRAS, "\t-", "\r"]),
        ),
        max_size=12,
    )
)
def test_the_core_answers_every_line_as_the_python_path(
    parts: list[tuple[str | None, str, str, str]],
) -> None:
    lines = [
        f"{channel or ''}{space if channel else ''}{url}{extras}"
        for channel, space, url, extras in parts
    ]
    snapshot = Snapshot.from_records("main", 1, list(ENTRIES))
    for suspend in (False, True):
        expected = SquidResponder(
            Matcher(snapshot, engine="python", suspend_disputed=suspend), BlockPage(TEMPLATE)
        ).answer_lines(lines)
        core = SquidResponder(Matcher(snapshot, suspend_disputed=suspend), BlockPage(TEMPLATE))
        assert core.answer_lines(lines) == expected
        assert core.answer_lines(lines) == expected  # again, from the caches
        assert core.answer_block(lines) == answer_bytes(expected)


@given(
    st.lists(
        st.one_of(
            st.tuples(st.sampled_from(["", "7 ", "12\t"]), _REQUEST_URLS, st.just(" " + EXTRAS)),
            st.tuples(st.just(""), st.binary(max_size=20), st.sampled_from(["", "\r", " -"])),
        ).map(lambda part: "".join(_text(field) for field in part)),
        max_size=12,
    )
)
def test_a_buffer_of_lines_is_answered_as_its_lines_decoded(lines: list[str]) -> None:
    data = "\n".join(lines).encode("utf-8", "surrogateescape")
    snapshot = Snapshot.from_records("main", 1, list(ENTRIES))
    expected = SquidResponder(Matcher(snapshot, engine="python"), BlockPage(TEMPLATE)).answer_lines(
        request_lines(data)
    )
    core = SquidResponder(Matcher(snapshot), BlockPage(TEMPLATE))
    assert core.answer_data(data) == answer_bytes(expected)
    assert core.answer_data(memoryview(data).toreadonly()) == answer_bytes(expected)
    python = SquidResponder(Matcher(snapshot, engine="python"), BlockPage(TEMPLATE))
    assert python.answer_data(data) == answer_bytes(expected)


def _text(field: str | bytes) -> str:
    if isinstance(field, bytes):
        return field.decode("utf-8", "surrogateescape")
    return field


def test_a_buffer_of_lines_is_read_in_place_only_when_read_only() -> None:
    matcher = Matcher(Snapshot.from_records("main", 1, list(ENTRIES)))
    data = f"1 {PAGE_URL}\n2 http://x.example/".encode()
    block = matcher.answer_squid_data(data, BlockPage(TEMPLATE).url, "empty", "no URL")
    lines = [f"1 {PAGE_URL}", "2 http://x.example/"]
    assert block == matcher.answer_squid_block(lines, BlockPage(TEMPLATE).url, "empty", "no URL")
    assert block is not None
    assert block.startswith(b"1 http://block.example/")
    with pytest.raises(ValueError, match="read-only"):
        matcher.answer_squid_data(bytearray(data), BlockPage(TEMPLATE).url, "empty", "no URL")


@pytest.mark.parametrize("channels", [False, True])
def test_a_block_is_answered_as_the_bytes_to_write_in_one_core_call(channels: bool) -> None:
    snapshot = Snapshot.from_records("main", 1, list(ENTRIES))
    urls = [url for url in BLOCK if ":port" not in url]  # every answer without a message
    lines = [f"{n} {url} {EXTRAS}" if channels else f"{url} {EXTRAS}" for n, url in enumerate(urls)]
    matcher = Matcher(snapshot)
    block = matcher.answer_squid_block(lines, BlockPage(TEMPLATE).url, "empty", "no URL")
    assert block is not None
    single = SquidResponder(Matcher(snapshot, engine="python"), BlockPage(TEMPLATE), cache_size=0)
    expected = answer_bytes([single.answer(line) for line in lines])
    assert SquidResponder(matcher, BlockPage(TEMPLATE)).answer_block(lines) == expected
    # A line whose answer has a message is the caller's: the block falls back, same answers.
    lines.append("http://www.blocked.example:port/x")
    assert matcher.answer_squid_block(lines, BlockPage(TEMPLATE).url, "empty", "no URL") is None
    expected = answer_bytes([single.answer(line) for line in lines])
    assert SquidResponder(matcher, BlockPage(TEMPLATE)).answer_block(lines) == expected
