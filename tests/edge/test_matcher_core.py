"""The matcher in the compiled core against the Python reference: the same verdict for every URL.

Lists are made the way the server makes entries (``entry_expression`` of a URL and a scope, some
disputed); the URLs checked are the listed ones, their neighbours and arbitrary text and bytes.
``HOTLIST_CORE_EXAMPLES`` sets the examples for a nightly-size run (see tests/urls/test_core.py).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotlist.edge.config import EdgeConfig
from hotlist.edge.matcher import CoreListIndex, ListIndex, Matcher
from hotlist.edge.store import Store, StoreState
from hotlist.edge.verdict import Verdict
from hotlist.errors import InvalidURL
from hotlist.publish.format import Snapshot
from hotlist.publish.records import ListRecord
from hotlist.publish.wire import FLAG_DISPUTED
from hotlist.urls import Scope, canonical_parts, entry_expression, expression_host
from urls.strategies import url_like  # tests/ is on sys.path (rootdir-based packages)

EXAMPLES = int(os.environ.get("HOTLIST_CORE_EXAMPLES", "0"))


def snapshot_of(entries: list[tuple[str, int]], version: int = 1) -> Snapshot:
    """A snapshot of ``(expression, flags)`` entries, ids numbered from 1."""
    records = []
    for number, (expression, flags) in enumerate(entries, start=1):
        host = expression_host(expression)
        records.append(
            ListRecord(
                hashlib.sha256(expression.encode()).digest(),
                hashlib.sha256(f"{host}/".encode()).digest(),
                number % 7 + 1,
                number * 0x10001,
                flags,
            )
        )
    return Snapshot.from_records("test-list", version, records)


def neighbours(url: str) -> list[str]:
    """URLs near ``url``: other paths and subdomains on its host, and its parent folders."""
    try:
        parts = canonical_parts(url)
    except InvalidURL:
        return [url]
    base = f"{parts.scheme}://{parts.host}"
    return [
        url,
        f"{base}/",
        f"{base}{parts.path}x",
        f"{base}{parts.path}/deeper/page.html?q=1",
        f"HTTP://www.{parts.host}{parts.path}",
        f"{parts.host}{parts.path}#frag",
        f"{base}/other/",
    ]


listed = st.lists(
    st.tuples(url_like, st.sampled_from(list(Scope)), st.sampled_from([0, FLAG_DISPUTED])),
    min_size=0,
    max_size=12,
)
checked = st.lists(
    st.one_of(url_like, st.text(max_size=40), st.binary(max_size=40)), min_size=0, max_size=12
)


def entries_of(chosen: list[tuple[str, Scope, int]]) -> tuple[list[tuple[str, int]], list[str]]:
    """The list's entries and the URLs they were made from (invalid ones are left out)."""
    entries: dict[str, int] = {}
    urls = []
    for url, scope, flags in chosen:
        try:
            entries[entry_expression(url, scope)] = flags
        except InvalidURL:
            continue
        urls.append(url)
    return sorted(entries.items()), urls


@settings(
    max_examples=EXAMPLES or 300,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(chosen=listed, others=checked)
def test_the_core_gives_the_references_verdicts(
    chosen: list[tuple[str, Scope, int]], others: list[str | bytes]
) -> None:
    entries, sources = entries_of(chosen)
    snapshot = snapshot_of(entries)
    urls: list[str | bytes] = [near for url in sources for near in neighbours(url)] + others
    for host_stage in (True, False):
        for suspend in (False, True):
            options = {"host_stage": host_stage, "suspend_disputed": suspend}
            reference = Matcher(snapshot, engine="python", **options)  # type: ignore[arg-type]
            core = Matcher(snapshot, **options)  # type: ignore[arg-type]
            expected = reference.check_many(urls)
            assert core.check_many(urls) == expected
            assert [core.check(url) for url in urls] == expected
            sparse = [(i, v) for i, v in enumerate(expected) if v is not reference.miss]
            assert core.check_sparse(urls) == reference.check_sparse(urls) == (core.version, sparse)
            for url, verdict in zip(urls, expected, strict=True):
                if verdict.error is None:
                    parts = canonical_parts(url)
                    assert core.check_parts(parts) == verdict
                    assert core.candidate_hosts(parts.host) == reference.candidate_hosts(parts.host)


def test_the_default_engine_is_the_core() -> None:
    snapshot = snapshot_of([("blocked.example/", 0)])
    assert isinstance(Matcher(snapshot)._index, CoreListIndex)
    assert type(Matcher(snapshot, engine="python")._index) is ListIndex
    assert Matcher(snapshot).check("http://www.blocked.example/x").blocked


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown matcher engine"):
        Matcher(snapshot_of([]), engine="c")  # type: ignore[arg-type]


def test_the_core_holds_the_columns_without_a_copy() -> None:
    snapshot = snapshot_of([(f"host{i}.example/", 0) for i in range(5000)])
    before = sys.getrefcount(snapshot.hashes), sys.getrefcount(snapshot.flags)
    matcher = Matcher(snapshot)
    # The core keeps the snapshot's own bytes objects, not copies (the index keeps the flags for
    # its verdicts too).
    after = sys.getrefcount(snapshot.hashes), sys.getrefcount(snapshot.flags)
    assert (after[0] - before[0], after[1] - before[1]) == (1, 2)
    # The core's own memory is the host filter's table alone: 2 to 4 bytes per entry.
    extra = matcher.nbytes() - (len(snapshot.hashes) + len(snapshot.flags) + 10 * 5000)
    assert 2 * 5000 <= extra <= 4 * 5000
    assert matcher.check_many(["http://host4999.example/a", "http://host5000.example/"]) == [
        matcher.check("http://host4999.example/"),
        Verdict(False, None, None, False, 1),
    ]


def test_the_core_reads_only_read_only_contiguous_columns() -> None:
    from hotlist import _core

    hashes, flags = bytes(32), b"\x00"
    _core.Index(memoryview(hashes), memoryview(flags), memoryview(bytes(8)), False)
    with pytest.raises(ValueError, match="hash column must be read-only"):
        _core.Index(bytearray(hashes), flags, None, False)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="host key column must be read-only and contiguous"):
        _core.Index(hashes, flags, memoryview(bytes(16))[::2], False)
    with pytest.raises(ValueError, match="flags column is not a buffer of bytes"):
        _core.Index(hashes, "x", None, False)  # type: ignore[arg-type]


def test_the_core_takes_a_host_filter_only_when_it_covers_every_key() -> None:
    from hotlist import _core

    snapshot = snapshot_of([(f"host{i}.example/", 0) for i in range(3000)])
    table = _core.host_filter_table(snapshot.host_keys)
    cleared = bytearray(table)
    first = int.from_bytes(snapshot.host_keys[:8], "little") & (len(table) * 8 - 1)
    cleared[first >> 3] &= ~(1 << (first & 7))
    cases = {
        "its own": (table, True),
        "a key's bit cleared": (bytes(cleared), False),
        "another size": (table[: len(table) // 2], False),
        "empty": (b"", False),
    }
    blocked, clear = "http://host0.example/a", "http://other.example/"
    for name, (table_given, shared) in cases.items():
        matcher = Matcher(snapshot, host_filter=table_given)
        assert matcher._index.filter_shared is shared, name  # type: ignore[attr-defined]
        assert matcher.check(blocked).blocked, name
        assert not matcher.check(clear).blocked, name
    with pytest.raises(ValueError, match="host filter column must be read-only"):
        Matcher(snapshot, host_filter=bytearray(table))  # type: ignore[arg-type]
    # The reference builds its own table whatever it is given.
    reference = Matcher(snapshot, engine="python", host_filter=b"")
    assert reference.check(blocked) == Matcher(snapshot).check(blocked)


@pytest.mark.parametrize(
    "damage", ["absent", "empty", "magic", "truncated", "zeroed", "of another list"]
)
def test_a_damaged_or_stale_host_filter_in_a_store_is_rebuilt_not_trusted(
    tmp_path: Path, damage: str
) -> None:
    config = EdgeConfig(server="http://127.0.0.1:9/", key="file:key", list_name="test-list")
    store = Store.create(tmp_path / "store", config, b"{}", api_key="k")
    listed = snapshot_of([(f"host{i}.example/d/", 0) for i in range(300)], version=2)
    store.install(snapshot_of([(f"other{i}.example/", 0) for i in range(900)]), StoreState(1))
    other = store.filter_path.read_bytes()
    store.install(listed, StoreState(version=2))
    data = store.filter_path.read_bytes()
    damaged = {
        "absent": None,
        "empty": b"",
        "magic": b"X" + data[1:],
        "truncated": data[:-1],
        "zeroed": data[:8] + bytes(len(data) - 8),
        "of another list": other,
    }[damage]
    store.filter_path.unlink()
    if damaged is not None:
        store.filter_path.write_bytes(damaged)
    matcher = Matcher.from_store(store.path)
    assert not matcher._index.filter_shared  # type: ignore[attr-defined]
    urls = [f"http://host{i}.example/d/x" for i in range(0, 300, 7)] + ["http://host1.example/"]
    assert matcher.check_many(urls) == Matcher(listed, engine="python").check_many(urls)
    assert sum(verdict.blocked for verdict in matcher.check_many(urls)) == len(urls) - 1
