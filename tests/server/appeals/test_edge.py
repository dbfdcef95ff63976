"""An appeal's interim suspension reaches the edge: after publish and sync the URL is no longer
blocked, and it is again once the appeal is rejected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from hotlist.edge.matcher import Matcher
from hotlist.edge.store import Store
from hotlist.edge.sync import sync

Auth = Callable[[str], dict[str, str]]
URL = "http://www.example.com/a/b/page.html"


def test_an_interim_suspension_reaches_the_edge(
    client: TestClient,
    auth: Auth,
    listed_entry: Callable[..., str],
    publish_now: Callable[[], Any],
    member_store: Callable[..., Store],
) -> None:
    entry = listed_entry(URL)
    publish_now()
    store = member_store("edge")
    sync(store)
    assert Matcher.from_store(store.path).check(URL).blocked

    client.post("/v1/appeals", json={"entry_id": entry, "relation": "site_owner", "reason": "x"})
    (appeal,) = client.get("/v1/appeals", headers=auth("supervisor")).json()["items"]
    interim = client.post(
        f"/v1/appeals/{appeal['id']}/interim",
        json={"reason": "The site looks legitimate."},
        headers=auth("supervisor"),
    )
    assert interim.status_code == 201
    publish_now()
    sync(store)
    assert not Matcher.from_store(store.path).check(URL).blocked

    rejected = client.post(
        f"/v1/appeals/{appeal['id']}/decision",
        json={"outcome": "rejected", "reason": "as assessed"},
        headers=auth("supervisor"),
    )
    assert rejected.status_code == 201
    publish_now()
    sync(store)
    assert Matcher.from_store(store.path).check(URL).blocked
