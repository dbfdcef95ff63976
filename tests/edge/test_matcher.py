"""The edge matcher: verdicts, the host stage, swapping versions under load, reloading a store."""

from __future__ import annotations

import hashlib
import threading
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotlist.edge.config import EdgeConfig
from hotlist.edge.matcher import Matcher
from hotlist.edge.store import Store, StoreState
from hotlist.edge.verdict import Verdict
from hotlist.errors import ConfigError, InvalidURL, NotFound, VerificationError
from hotlist.publish.format import Snapshot
from hotlist.publish.records import ListRecord
from hotlist.publish.wire import FLAG_DISPUTED
from hotlist.urls import Scope, canonical_parts, entry_expression

LIST = "test-list"


@dataclass(frozen=True)
class Entry:
    """A list entry as the tests write it: plaintext expression, category, id, flags."""

    expression: str
    category: int = 1
    entry_id: int = 1
    flags: int = 0


def record_of(entry: Entry) -> ListRecord:
    """The publisher's record for an entry, as the server makes it."""
    host = entry.expression.split("/", 1)[0]
    return ListRecord(
        expression_hash=hashlib.sha256(entry.expression.encode()).digest(),
        host_hash=hashlib.sha256((host + "/").encode()).digest(),
        category=entry.category,
        entry_id=entry.entry_id,
        flags=entry.flags,
    )


SnapshotFactory = Callable[..., Snapshot]


@pytest.fixture
def make_snapshot() -> SnapshotFactory:
    """Build a snapshot of ``entries`` (Entry or bare expressions, ids numbered from 1)."""

    def make(entries: Iterable[Entry | str] = (), *, version: int = 1) -> Snapshot:
        records = []
        for number, entry in enumerate(entries, start=1):
            if isinstance(entry, str):
                entry = Entry(entry, entry_id=number)
            records.append(record_of(entry))
        return Snapshot.from_records(LIST, version, records)

    return make


# -- Verdicts ---------------------------------------------------------------------------------


def test_a_page_entry_blocks_that_page_only(make_snapshot: SnapshotFactory) -> None:
    matcher = Matcher(make_snapshot([Entry("www.example.com/a/page.html", 7, 42)]))
    verdict = matcher.check("http://www.example.com/a/page.html")
    assert verdict == Verdict(True, 7, 42, False, 1)
    assert verdict.entry_ref == "000000000000002a"
    assert matcher.check("https://WWW.Example.com:8080/a/./page.html#top").blocked
    assert matcher.check("http://sub.www.example.com/a/page.html").blocked
    assert not matcher.check("http://www.example.com/a/other.html").blocked
    assert not matcher.check("http://www.example.com/a/").blocked
    assert not matcher.check("http://example.com/a/page.html").blocked


def test_a_folder_entry_blocks_everything_below_it(make_snapshot: SnapshotFactory) -> None:
    matcher = Matcher(make_snapshot(["files.example.org/shared/"]))
    for url in (
        "http://files.example.org/shared/",
        "http://files.example.org/shared/x.jpg",
        "http://files.example.org/shared/deeper/y.jpg?size=2",
    ):
        assert matcher.check(url).blocked, url
    assert not matcher.check("http://files.example.org/sharedx/").blocked
    assert not matcher.check("http://files.example.org/").blocked


def test_a_host_entry_blocks_the_host_and_its_subdomains(make_snapshot: SnapshotFactory) -> None:
    matcher = Matcher(make_snapshot(["bad.example/"]))
    assert matcher.check("http://bad.example/").blocked
    assert matcher.check("http://bad.example/any/path?q=1").blocked
    assert matcher.check("https://a.b.bad.example/x").blocked
    assert not matcher.check("http://notbad.example/").blocked
    assert not matcher.check("http://bad.example.com/").blocked


def test_the_most_specific_entry_answers(make_snapshot: SnapshotFactory) -> None:
    matcher = Matcher(
        make_snapshot(
            [
                Entry("example.com/", 1, 1),
                Entry("www.example.com/", 2, 2),
                Entry("www.example.com/dir/", 3, 3),
                Entry("www.example.com/dir/page.html", 4, 4),
            ]
        )
    )
    assert matcher.check("http://www.example.com/dir/page.html").entry_id == 4
    assert matcher.check("http://www.example.com/dir/other.html").entry_id == 3
    assert matcher.check("http://www.example.com/").entry_id == 2
    assert matcher.check("http://mail.example.com/").entry_id == 1


def test_a_disputed_entry_still_blocks_and_says_so(make_snapshot: SnapshotFactory) -> None:
    matcher = Matcher(make_snapshot([Entry("host.test/", 5, 9, FLAG_DISPUTED)]))
    assert matcher.check("http://host.test/") == Verdict(True, 5, 9, True, 1)


def test_a_member_may_suspend_disputed_entries(make_snapshot: SnapshotFactory) -> None:
    entries = [
        Entry("host.test/", 5, 9, FLAG_DISPUTED),
        Entry("www.example.com/", 2, 2),
        Entry("www.example.com/dir/page.html", 4, 4, FLAG_DISPUTED),
    ]
    matcher = Matcher(make_snapshot(entries), suspend_disputed=True)
    assert matcher.check("http://host.test/") == Verdict(False, None, None, False, 1)
    # A disputed entry steps aside for the next entry that covers the URL.
    assert matcher.check("http://www.example.com/dir/page.html").entry_id == 2
    assert matcher.check_many(["http://host.test/a"]) == [Verdict(False, None, None, False, 1)]
    matcher.swap(make_snapshot(entries, version=2))
    assert not matcher.check("http://host.test/").blocked


def test_from_store_honours_the_stores_setting(
    tmp_path: Path, make_snapshot: SnapshotFactory
) -> None:
    config = EdgeConfig(
        server="http://127.0.0.1:9/", key="env:HOTLIST_TEST_KEY", suspend_disputed=True
    )
    suspending = Store.create(tmp_path / "suspending", config, root=b"{}")
    install(suspending, make_snapshot([Entry("host.test/", 5, 9, FLAG_DISPUTED)]))
    assert not Matcher.from_store(suspending.path).check("http://host.test/").blocked
    assert (
        Matcher.from_store(suspending.path, suspend_disputed=False)
        .check("http://host.test/")
        .blocked
    )
    reread = EdgeConfig.from_json(config.to_json(), tmp_path / "config.json")
    assert reread.suspend_disputed is True
    with pytest.raises(ConfigError, match="suspend_disputed"):
        EdgeConfig.from_json(
            '{"server": "http://127.0.0.1:9/", "key": "env:K", "suspend_disputed": "yes"}',
            tmp_path / "config.json",
        )


def test_an_empty_list_blocks_nothing(make_snapshot: SnapshotFactory) -> None:
    matcher = Matcher(make_snapshot([], version=3))
    assert matcher.check("http://example.com/") == Verdict(False, None, None, False, 3)
    assert matcher.count == 0


@pytest.mark.parametrize("url", ["", "   ", "http://example.com:port/", "http://256.1.1.1/"])
def test_an_invalid_url_is_not_blocked_and_says_why(
    make_snapshot: SnapshotFactory, url: str
) -> None:
    matcher = Matcher(make_snapshot(["example.com/"]))
    verdict = matcher.check(url)
    assert not verdict.blocked
    assert verdict.error
    assert verdict.list_version == 1
    with pytest.raises(InvalidURL):
        matcher.check_strict(url)


@pytest.mark.parametrize(
    "url", ["/blah", "/blah#ref", "/blah;param", "http:///blah", "///blah", "http:/blah"]
)
def test_a_url_without_a_host_is_invalid_on_every_path(
    make_snapshot: SnapshotFactory, url: str
) -> None:
    # "/blah" once became http://blah/: a host entry for "blah" must not block it.
    snapshot = make_snapshot(["blah/"])
    for host_stage in (True, False):
        matcher = Matcher(snapshot, host_stage=host_stage)
        verdict = matcher.check(url)
        assert not verdict.blocked
        assert verdict.error is not None
        assert "no host" in verdict.error
        assert matcher.check_many([url, "http://blah/"]) == [verdict, matcher.check("http://blah/")]
        assert matcher.check("http://blah/").blocked
        with pytest.raises(InvalidURL, match="no host"):
            matcher.check_strict(url)


def test_check_many_answers_like_check(make_snapshot: SnapshotFactory) -> None:
    matcher = Matcher(make_snapshot(["example.com/x/", "www.example.org/"]))
    urls = ["http://example.com/x/1", "http://example.com/y", "", "https://www.example.org/z"]
    assert matcher.check_many(urls) == [matcher.check(url) for url in urls]
    assert [v.blocked for v in matcher.check_many(urls)] == [True, False, False, True]


def test_verdict_json_shows_the_entry_id_as_hex(make_snapshot: SnapshotFactory) -> None:
    matcher = Matcher(make_snapshot([Entry("example.com/", 3, 2**63 - 1)]))
    assert matcher.check("http://example.com/").to_json() == {
        "blocked": True,
        "category": 3,
        "entry_id": "7fffffffffffffff",
        "disputed": False,
        "list_version": 1,
        "error": None,
    }


# -- Properties -------------------------------------------------------------------------------

_LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8).filter(
    lambda label: not label.startswith("-") and not label.endswith("-")
)
_SEGMENT = st.text("abcdefghijklmnopqrstuvwxyzABC0123456789-_.~%20", min_size=1, max_size=6)


@st.composite
def urls_on(draw: st.DrawFn, zone: str) -> str:
    """A URL on a reserved name under ``zone``, with a path, maybe a query."""
    labels = draw(st.lists(_LABEL, min_size=1, max_size=4))
    scheme = draw(st.sampled_from(["http", "https"]))
    segments = draw(st.lists(_SEGMENT, max_size=5))
    trailing = draw(st.booleans())
    path = "/" + "/".join(segments) + ("/" if trailing and segments else "")
    query = draw(st.one_of(st.none(), st.text("abc=&123", max_size=6)))
    url = f"{scheme}://{'.'.join([*labels, zone])}{path}"
    return url if query is None else f"{url}?{query}"


_SCOPES = st.sampled_from(list(Scope))
_PROPERTY = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_PROPERTY
@given(url=urls_on("example"), scope=_SCOPES, entry_id=st.integers(1, 2**63 - 1))
def test_an_entry_made_from_a_url_blocks_that_url(
    make_snapshot: SnapshotFactory, url: str, scope: Scope, entry_id: int
) -> None:
    expression = entry_expression(url, scope)
    snapshot = make_snapshot([Entry(expression, 2, entry_id)])
    for host_stage in (True, False):
        verdict = Matcher(snapshot, host_stage=host_stage).check(url)
        assert verdict == Verdict(True, 2, entry_id, False, 1), (expression, host_stage)


@_PROPERTY
@given(
    listed=st.lists(st.tuples(urls_on("example"), _SCOPES), min_size=1, max_size=10),
    checked=st.lists(urls_on("test"), min_size=1, max_size=10),
)
def test_urls_sharing_no_host_never_match(
    make_snapshot: SnapshotFactory, listed: list[tuple[str, Scope]], checked: list[str]
) -> None:
    expressions = {entry_expression(url, scope) for url, scope in listed}
    snapshot = make_snapshot(sorted(expressions))
    for host_stage in (True, False):
        matcher = Matcher(snapshot, host_stage=host_stage)
        assert not any(verdict.blocked for verdict in matcher.check_many(checked))


@_PROPERTY
@given(
    listed=st.lists(st.tuples(urls_on("example"), _SCOPES), min_size=1, max_size=8),
    checked=st.lists(urls_on("example"), min_size=1, max_size=8),
)
def test_the_host_stage_and_its_cache_never_change_a_verdict(
    make_snapshot: SnapshotFactory, listed: list[tuple[str, Scope]], checked: list[str]
) -> None:
    expressions = {entry_expression(url, scope) for url, scope in listed}
    snapshot = make_snapshot(sorted(expressions))
    urls = checked + [url for url, _ in listed]
    expected = Matcher(snapshot, host_stage=False).check_many(urls)
    for host_cache in (0, 1, 2, 1000):
        matcher = Matcher(snapshot, host_cache=host_cache)
        assert matcher.check_many(urls) == expected
        assert [matcher.check(url) for url in urls] == expected  # now answered from the cache


# -- Swapping versions ------------------------------------------------------------------------


def test_swap_puts_a_new_version_in_force(make_snapshot: SnapshotFactory) -> None:
    matcher = Matcher(make_snapshot(["old.example/"], version=1))
    matcher.swap(make_snapshot(["new.example/"], version=2))
    assert matcher.version == 2
    assert not matcher.check("http://old.example/").blocked
    assert matcher.check("http://new.example/") == Verdict(True, 1, 1, False, 2)


def test_swap_refuses_an_older_version_and_keeps_the_list(
    make_snapshot: SnapshotFactory,
) -> None:
    matcher = Matcher(make_snapshot(["current.example/"], version=5))
    with pytest.raises(VerificationError, match="roll back"):
        matcher.swap(make_snapshot(["older.example/"], version=4))
    assert matcher.version == 5
    assert matcher.check("http://current.example/").blocked


def test_swap_refuses_another_lists_snapshot(make_snapshot: SnapshotFactory) -> None:
    matcher = Matcher(make_snapshot(["current.example/"]))
    with pytest.raises(VerificationError, match="cannot replace"):
        matcher.swap(Snapshot.from_records("other-list", 2, [record_of(Entry("x.example/"))]))
    assert matcher.list_name == LIST


def test_checks_during_swaps_answer_from_one_version_or_the_next(
    make_snapshot: SnapshotFactory,
) -> None:
    """Version v lists host v{v}.example only; every verdict must agree with its own version."""
    versions = 30
    urls = [f"http://v{v}.example/page" for v in range(1, versions + 1)]
    snapshots = [
        make_snapshot([Entry(f"v{v}.example/", v, v)], version=v) for v in range(1, versions + 1)
    ]
    matcher = Matcher(snapshots[0])
    done = threading.Event()
    seen: list[tuple[str, Verdict]] = []
    failures: list[BaseException] = []

    def check_until_done() -> None:
        try:
            while not done.is_set():
                for url in urls:
                    seen.append((url, matcher.check(url)))
        except BaseException as exc:  # the test reports any error a check raised
            failures.append(exc)

    threads = [threading.Thread(target=check_until_done) for _ in range(4)]
    for thread in threads:
        thread.start()
    for snapshot in snapshots[1:]:
        matcher.swap(snapshot)
    done.set()
    for thread in threads:
        thread.join()

    assert not failures
    assert seen
    for url, verdict in seen:
        assert verdict.error is None
        version = verdict.list_version
        assert 1 <= version <= versions
        if url == urls[version - 1]:
            assert verdict == Verdict(True, version, version, False, version)
        else:
            assert verdict == Verdict(False, None, None, False, version)


# -- Memory -----------------------------------------------------------------------------------


def test_memory_stays_under_64_bytes_per_entry(make_snapshot: SnapshotFactory) -> None:
    count = 20_000
    snapshot = make_snapshot([f"host{i // 3}.example/dir{i % 3}/" for i in range(count)], version=1)
    shared = len(snapshot.hashes) + len(snapshot.flags) + 2 * count + 8 * count
    tracemalloc.start()
    try:
        matcher = Matcher(snapshot)
        own, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert matcher.count == count
    assert (shared + own) / count <= 64
    assert matcher.nbytes() / count <= 64


# -- From a store -----------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """An edge store that has not synced yet (its server is never contacted here)."""
    config = EdgeConfig(server="http://127.0.0.1:9/", key="env:HOTLIST_TEST_KEY")
    return Store.create(tmp_path / "store", config, root=b"{}")


def install(store: Store, snapshot: Snapshot) -> None:
    """Put ``snapshot`` in force in ``store`` as a sync would."""
    store.install(snapshot, StoreState(version=snapshot.version, count=snapshot.count))


def test_from_store_loads_the_list_in_force(store: Store, make_snapshot: SnapshotFactory) -> None:
    install(store, make_snapshot(["listed.example/"], version=4))
    matcher = Matcher.from_store(store.path)
    assert (matcher.list_name, matcher.version, matcher.count) == (LIST, 4, 1)
    assert matcher.check("http://listed.example/").blocked


def test_from_store_before_the_first_sync_says_what_to_do(store: Store) -> None:
    with pytest.raises(NotFound, match="hotlist edge sync"):
        Matcher.from_store(store.path)


def test_from_a_directory_that_is_no_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="hotlist edge init"):
        Matcher.from_store(tmp_path)


def test_from_store_refuses_a_tampered_list(store: Store, make_snapshot: SnapshotFactory) -> None:
    install(store, make_snapshot(["listed.example/"]))
    data = bytearray(store.current_path.read_bytes())
    data[len(data) // 2] ^= 0x01
    store.current_path.write_bytes(bytes(data))
    with pytest.raises(VerificationError):
        Matcher.from_store(store.path)


def test_reload_if_changed_picks_up_a_new_version(
    store: Store, make_snapshot: SnapshotFactory
) -> None:
    install(store, make_snapshot(["first.example/"], version=1))
    matcher = Matcher.from_store(store.path)
    assert not matcher.reload_if_changed()
    install(store, make_snapshot(["second.example/"], version=2))
    assert matcher.reload_if_changed()
    assert matcher.version == 2
    assert matcher.check("http://second.example/").blocked
    assert not matcher.check("http://first.example/").blocked
    assert not matcher.reload_if_changed()


def test_reload_keeps_the_list_in_force_when_the_new_file_is_bad(
    store: Store, make_snapshot: SnapshotFactory
) -> None:
    install(store, make_snapshot(["first.example/"], version=1))
    matcher = Matcher.from_store(store.path)
    install(store, make_snapshot(["second.example/"], version=2))
    truncated = store.current_path.read_bytes()[:-40]
    store.current_path.write_bytes(truncated)
    with pytest.raises(VerificationError):
        matcher.reload_if_changed()
    assert matcher.version == 1
    assert matcher.check("http://first.example/").blocked
    assert not matcher.reload_if_changed()  # the same bad file is not retried


def test_reload_refuses_an_older_list(store: Store, make_snapshot: SnapshotFactory) -> None:
    install(store, make_snapshot(["newer.example/"], version=7))
    matcher = Matcher.from_store(store.path)
    install(store, make_snapshot(["older.example/"], version=6))
    with pytest.raises(VerificationError, match="roll back"):
        matcher.reload_if_changed()
    assert matcher.version == 7


def test_a_matcher_without_a_store_has_nothing_to_reload(make_snapshot: SnapshotFactory) -> None:
    assert not Matcher(make_snapshot(["x.example/"])).reload_if_changed()


def test_check_parts_answers_like_check(make_snapshot: SnapshotFactory) -> None:
    matcher = Matcher(make_snapshot(["www.example.com/dir/"]))
    url = "HTTP://www.Example.com/dir/x.html?y=1"
    assert matcher.check_parts(canonical_parts(url)) == matcher.check(url)
    assert matcher.check(url).blocked


def test_threads_reloading_at_once_swap_in_the_new_version_once(
    store: Store, make_snapshot: SnapshotFactory
) -> None:
    install(store, make_snapshot(["first.example/"], version=1))
    matcher = Matcher.from_store(store.path)
    install(store, make_snapshot(["second.example/"], version=2))
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda: results.append(matcher.reload_if_changed()))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 1
    assert matcher.version == 2


def test_a_url_read_as_bytes_is_checked_like_text(make_snapshot: SnapshotFactory) -> None:
    matcher = Matcher(make_snapshot(["www.example.com/a/"]))
    assert matcher.check(b"http://www.example.com/a/b") == matcher.check(
        "http://www.example.com/a/b"
    )
    assert matcher.check_many([b"http://www.example.com/a/b"])[0].blocked
