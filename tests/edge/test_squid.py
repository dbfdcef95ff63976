"""Squid's url_rewrite protocol: request lines in, answer lines out (no I/O)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.edge.matcher import Matcher
from hotlist.edge.squid import BlockPage, SquidResponder, kv_pair, split_request
from hotlist.errors import ConfigError
from hotlist.publish.format import Snapshot
from hotlist.publish.records import FLAG_DISPUTED, ListRecord
from hotlist.urls import Scope, entry_expression

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
    assert make_responder().answer(long_url).startswith('ERR message="not checked: the URL is too')


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


def test_unicode_digits_are_no_channel_id() -> None:
    assert split_request("\u0663 http://www.example.com/") == ("", "\u0663")


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
