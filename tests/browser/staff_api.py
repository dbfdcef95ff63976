"""What the staff pages' browser tests set up through the server's API and database: another
person of the demo's hotline who can sign in, and an entry reported and assessed over HTTP."""

from __future__ import annotations

import json
from typing import Any

import urllib3
from sqlalchemy import select

from hotlist.server.accounts import service as accounts
from hotlist.server.accounts.models import User
from hotlist.server.web.auth import service as auth

from .conftest import WebServer
from .test_staff_pages import FAST, PASSWORD, Person


def api(web_server: WebServer, method: str, path: str, body: Any = None) -> Any:
    """Call the API as the demo's analyst; anything but a 2xx fails the test."""
    headers = {"Accept": "application/json", "Authorization": f"Bearer {web_server.keys.analyst}"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    answer = urllib3.request(method, web_server.url(path), body=data, headers=headers, timeout=30)
    assert answer.status < 300, answer.data[:500]
    return json.loads(answer.data)


def new_person(web_server: WebServer, name: str, role: str) -> Person:
    """A new person of the demo's hotline with ``role``, a password and a TOTP secret."""
    with web_server.db() as session:
        hotline = session.scalars(select(User).where(User.name == "Ada Analyst")).one().org
        user = accounts.create_user(session, hotline, name, role)
        login = auth.set_password(session, user, PASSWORD, FAST)
        return Person(user.id, login, auth.enroll_totp(session, user).secret)


def assessed_entry(web_server: WebServer, url: str) -> str:
    """Report ``url`` and assess it actionable (csam, page scope); the entry's public id."""
    api(web_server, "POST", "/v1/reports", {"url": url})
    queue = api(web_server, "GET", "/v1/reports?status=received&limit=100")["items"]
    report = next(
        r for r in queue if api(web_server, "GET", f"/v1/reports/{r['id']}")["url"] == url
    )
    assessment = api(
        web_server,
        "POST",
        f"/v1/reports/{report['id']}/assessments",
        {
            "actionable": True,
            "category": "csam",
            "scope": "page",
            "reason": "Test: the page shows what the policy's csam definition covers.",
        },
    )
    public_id: str = assessment["entry_public_id"]
    return public_id
