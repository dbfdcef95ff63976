"""The lookup service without HTTP: batches in order, fail modes, new lists without restart,
block pages from the list and policy in force."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotlist.edge.lookup import MAX_BATCH, LookupService
from hotlist.edge.store import Store
from hotlist.edge.sync import sync
from hotlist.errors import ConfigError, InvalidRequest, NotFound, StaleList

from .conftest import World
from .listed import HOST_ENTRY, PAGE_ENTRY, POLICY, Entry, publish_entries


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def make_stale(store: Store) -> None:
    old = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    store.write_state(store.state()._replace(synced_at=old))


@pytest.fixture
def service(world: World) -> LookupService:
    publish_entries(world, [HOST_ENTRY, PAGE_ENTRY])
    return LookupService(world.store, reload_interval=0.0)


def test_a_batch_is_answered_in_order(service: LookupService) -> None:
    urls = [
        "http://www.example.com/",
        "http://www.blocked.example/gallery/page.html",
        "http://a.host.blocked.example/any/path",
        "http://[zz/",
    ]
    result = service.check(urls).to_json()
    assert (result["version"], result["stale"], result["count"]) == (2, False, 4)
    results = result["results"]
    assert isinstance(results, list)
    assert [r["blocked"] for r in results] == [False, True, True, False]
    assert [r["entry_id"] for r in results] == [None, "0000000000c0ffee", "00000000000000be", None]
    assert results[3]["error"]


def test_the_compact_answer_names_only_the_blocked_and_invalid_urls(
    service: LookupService,
) -> None:
    urls = [
        "http://www.example.com/",
        "http://www.blocked.example/gallery/page.html",
        "http://[zz/",
        "http://www.example.com/other",
        "http://a.host.blocked.example/any/path",
    ]
    full = service.check(urls).to_json()["results"]
    compact = service.check(urls, "compact").to_json()
    assert isinstance(full, list)
    assert (compact["count"], "results" in compact) == (5, False)
    assert compact["blocked_or_invalid"] == [
        {"index": index, **verdict} for index, verdict in enumerate(full) if index in (1, 2, 4)
    ]
    assert all(not r["blocked"] and r["error"] is None for i, r in enumerate(full) if i in (0, 3))


def test_batch_limits(service: LookupService) -> None:
    assert service.check(["http://www.example.com/"] * MAX_BATCH).results
    with pytest.raises(InvalidRequest, match="at most 10000"):
        service.check(["http://www.example.com/"] * (MAX_BATCH + 1))
    with pytest.raises(InvalidRequest, match=r"urls\[1\] is not a string"):
        service.check(["http://www.example.com/", 7])


def test_no_list_yet_refuses_checks(world: World) -> None:
    service = LookupService(world.store)
    with pytest.raises(NotFound, match="no list yet"):
        service.check(["http://www.example.com/"])
    status, document = service.health()
    assert (status, document["status"]) == (503, "unavailable")


def test_not_a_store_is_a_config_error(tmp_path: object) -> None:
    with pytest.raises(ConfigError, match="not an edge store"):
        LookupService(Store(f"{tmp_path}/nothing"))


def test_stale_under_fail_closed_refuses_and_open_answers(world: World) -> None:
    publish_entries(world, [PAGE_ENTRY])
    make_stale(world.store)
    closed = LookupService(world.store)
    with pytest.raises(StaleList, match="fail mode is closed"):
        closed.check(["http://www.example.com/"])
    assert closed.health()[0] == 503

    store = world.new_store("open", fail_mode="open", max_age_s=3600)
    sync(store)
    make_stale(store)
    opened = LookupService(store)
    result = opened.check(["http://www.blocked.example/gallery/page.html"])
    assert result.stale
    assert result.results[0]["blocked"] is True
    status, document = opened.health()
    assert (status, document["stale"]) == (200, True)


def test_a_new_list_is_picked_up_after_the_interval(world: World) -> None:
    publish_entries(world, [PAGE_ENTRY])
    clock = Clock()
    service = LookupService(world.store, reload_interval=5.0, clock=clock)
    url = "http://host.blocked.example/"
    assert service.check([url]).results[0]["blocked"] is False
    publish_entries(world, [PAGE_ENTRY, HOST_ENTRY])
    clock.now = 1.0
    assert service.check([url]).version == 2  # throttled: not looked at yet
    clock.now = 6.0
    result = service.check([url])
    assert (result.version, result.results[0]["blocked"]) == (3, True)


def test_block_page_from_the_list_in_force(service: LookupService) -> None:
    page = service.block_page("0000000000C0FFEE", "de;q=0.5, fr, en;q=0.8")
    assert (page.status, page.language) == (451, "en")
    assert "Example Hotline" in page.html
    assert "Terrorist content" in page.html
    assert "Reg 2021/784" in page.html
    assert "http://127.0.0.1:8000/appeal?entry=0000000000c0ffee" in page.html
    german = service.block_page("00000000000000be", "de-AT")
    assert (german.status, german.language) == (403, "de")
    assert "Zugriff gesperrt" in german.html


@pytest.mark.parametrize(
    ("entry", "status"),
    [("00000000000000bf", 404), ("xyz", 400), (None, 400), ("0" * 17, 400)],
)
def test_block_page_for_what_is_not_listed(
    service: LookupService, entry: str | None, status: int
) -> None:
    assert service.block_page(entry, None).status == status


def test_block_page_without_a_policy_extra_is_unavailable(world: World) -> None:
    publish_entries(world, [PAGE_ENTRY], policy=None)
    service = LookupService(world.store)
    assert service.block_page("0000000000c0ffee", None).status == 503


def test_no_block_page_holds_a_url(service: LookupService, world: World) -> None:
    """Whatever is asked, no page holds a listed expression or host (nor .example at all)."""
    pages = [
        service.block_page(ref, lang)
        for ref in ("00000000000000be", "0000000000c0ffee", "00000000000000bf", "bad")
        for lang in ("en", "de")
    ]
    for page in pages:
        for entry in (HOST_ENTRY, PAGE_ENTRY):
            assert entry.host not in page.html
            assert entry.expression not in page.html
        assert ".example" not in page.html


def test_metrics_count_checks_hits_and_errors(service: LookupService) -> None:
    service.check(["http://www.blocked.example/gallery/page.html", "http://host.blocked.example/"])
    service.check(["http://[zz/"])
    with pytest.raises(InvalidRequest):
        service.check([1])
    service.block_page("0000000000c0ffee", None)
    text = service.metrics_text()
    for line in (
        "hotlist_list_version 2",
        "hotlist_list_entries 2",
        "hotlist_list_stale 0",
        "hotlist_check_requests_total 2",
        "hotlist_checks_total 3",
        "hotlist_invalid_urls_total 1",
        'hotlist_hits_total{category="1"} 1',
        'hotlist_hits_total{category="2"} 1',
        'hotlist_errors_total{kind="bad_request"} 1',
        'hotlist_errors_total{kind="unavailable"} 0',
        'hotlist_block_pages_total{status="451"} 1',
    ):
        assert line in text.splitlines(), line
    assert "# TYPE hotlist_list_age_seconds gauge" in text


def test_block_pages_follow_the_list_and_policy(world: World) -> None:
    publish_entries(world, [PAGE_ENTRY])
    service = LookupService(world.store, reload_interval=0.0)
    assert "Example Hotline" in service.block_page("0000000000c0ffee", None).html
    assert service.block_page("0000000000000005", None).status == 404
    renamed = POLICY._replace(operator="Other Hotline")
    publish_entries(world, [PAGE_ENTRY, Entry("x.example/", 5)], policy=renamed)
    assert "Other Hotline" in service.block_page("0000000000c0ffee", None).html
    assert service.block_page("0000000000000005", None).status == 403
