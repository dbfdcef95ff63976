"""A disputed flag reaches the member's edge (publish, sync, check) and each member's setting is
honoured: one edge keeps blocking (and says the entry is disputed), one suspends it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from hotlist.edge.matcher import Matcher
from hotlist.edge.store import Store
from hotlist.edge.sync import sync

Auth = Callable[[str], dict[str, str]]
URL = "http://www.example.com/a/b/page.html"


def test_a_disputed_flag_reaches_the_edge_and_the_setting_is_honoured(
    client: TestClient,
    auth: Auth,
    listed_entry: Callable[..., str],
    publish_now: Callable[[], Any],
    member_store: Callable[..., Store],
) -> None:
    entry = listed_entry(URL)
    publish_now()
    enforcing = member_store("enforcing")
    suspending = member_store("suspending", suspend_disputed=True)
    for store in (enforcing, suspending):
        sync(store)
        verdict = Matcher.from_store(store.path).check(URL)
        assert (verdict.blocked, verdict.disputed, verdict.entry_ref) == (True, False, entry)

    objection = client.post(
        "/v1/objections", json={"entry_id": entry, "reason": "news report"}, headers=auth("member")
    )
    assert objection.status_code == 201
    assert publish_now().version == 2
    for store in (enforcing, suspending):
        assert sync(store).version == 2
    kept = Matcher.from_store(enforcing.path).check(URL)
    assert (kept.blocked, kept.disputed, kept.entry_ref) == (True, True, entry)
    assert not Matcher.from_store(suspending.path).check(URL).blocked

    decided = client.post(
        f"/v1/objections/{objection.json()['id']}/decision",
        json={"outcome": "rejected", "reason": "as assessed"},
        headers=auth("supervisor"),
    )
    assert decided.status_code == 201
    publish_now()
    sync(suspending)
    back = Matcher.from_store(suspending.path).check(URL)
    assert (back.blocked, back.disputed) == (True, False)
