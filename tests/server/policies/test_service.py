"""Policy versions: made only on change, entries keep theirs, lookups fail clearly."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.errors import InvalidPolicy, NotFound
from hotlist.policy import demo_policy_path, load_demo_policy
from hotlist.server.policies import service


def test_no_policy_is_a_clear_not_found(session: Session) -> None:
    assert service.current_or_none(session) is None
    with pytest.raises(NotFound, match="no policy is loaded"):
        service.current(session)


def test_versions_are_made_only_when_the_content_changes(session: Session, tmp_path: Path) -> None:
    first, created = service.load(session, demo_policy_path(), by=None)
    assert (first.version, created) == (1, True)
    assert service.load(session, demo_policy_path(), by=None) == (first, False)
    data = yaml.safe_load(demo_policy_path().read_text())
    data["categories"][0]["reverify_days"] = 7
    changed = tmp_path / "p.yaml"
    changed.write_text(yaml.safe_dump(data))
    second, created = service.load(session, changed, by=None)
    assert (second.version, created) == (2, True)
    row, policy = service.current_policy(session)
    assert row.id == second.id
    assert policy.category("csam").reverify_days == 7
    assert service.policy_of(first) == load_demo_policy()


def test_a_bad_file_stores_nothing(session: Session) -> None:
    with pytest.raises(InvalidPolicy):
        service.load(session, "categories: 3\n", by=None)
    assert service.current_or_none(session) is None


def test_ensure_policy_loads_the_demo_once(session: Session) -> None:
    row = service.ensure_policy(session)
    assert service.ensure_policy(session).id == row.id
    assert row.document["operator"] == "Example Hotline"


def test_entries_keep_the_version_they_were_decided_under(
    listed_entry: Callable[..., str], client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    public_id = listed_entry("http://www.example.com/1.html")
    data = yaml.safe_load(demo_policy_path().read_text())
    data["title"] = "Second"
    loaded = client.post("/v1/policy", content=yaml.safe_dump(data), headers=auth("supervisor"))
    assert loaded.json()["version"]["version"] == 2
    newer = listed_entry("http://www.example.com/2.html")
    entries = {
        item["public_id"]: item["statement_of_reasons"]["policy_version"]
        for item in client.get("/v1/entries", headers=auth("member")).json()["items"]
    }
    assert entries == {public_id: 1, newer: 2}


def test_workers_starting_together_make_one_version(sessions: sessionmaker[Session]) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        rows = list(pool.map(lambda _: service.load_at_start(sessions, None), range(4)))
    assert {row.version for row in rows if row is not None} == {1}
    with sessions() as session:
        assert [v.version for v in service.list_versions(session)] == [1]
