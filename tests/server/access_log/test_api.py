"""GET /v1/access-log: admins and observers read it, pages by cursor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from hotlist.server.access_log.service import record_plaintext_access
from hotlist.server.kit.permissions import Role
from hotlist.server.kit.principal import Principal


def test_read_the_log_in_pages(
    client: Any,
    auth: Callable[[Role], dict[str, str]],
    make_key: Callable[..., tuple[str, Principal]],
    sessions: sessionmaker[Session],
) -> None:
    _, analyst = make_key(Role.ANALYST)
    with sessions() as session:
        for n in range(5):
            record_plaintext_access(session, analyst, "report.open", "report", f"R{n}")
        session.commit()
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        # Filtered: an observer's own reads of the log are logged too.
        params: dict[str, Any] = {"limit": 2, "subject_type": "report"}
        params |= {"cursor": cursor} if cursor else {}
        response = client.get("/v1/access-log", params=params, headers=auth(Role.OBSERVER))
        assert response.status_code == 200, response.text
        seen += [item["subject_id"] for item in response.json()["items"]]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == ["R4", "R3", "R2", "R1", "R0"]
    filtered = client.get(
        "/v1/access-log", params={"subject_id": "R2"}, headers=auth(Role.ADMIN)
    ).json()
    assert [item["subject_id"] for item in filtered["items"]] == ["R2"]
    assert filtered["items"][0]["user_id"] == analyst.user_id


def test_analysts_and_members_cannot_read_it(
    client: Any, auth: Callable[[Role], dict[str, str]]
) -> None:
    assert client.get("/v1/access-log", headers=auth(Role.ANALYST)).status_code == 403
    assert client.get("/v1/access-log", headers=auth(Role.MEMBER)).status_code == 403
    assert client.get("/v1/access-log").status_code == 401
