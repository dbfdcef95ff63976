"""Every version carries policy.json (the public policy, appeals at the public URL) and
hosts.json (host-scope entries only): the one place a host name travels in clear."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from hotlist.publish.hosts import HOSTS_EXTRA, decode_hosts
from hotlist.publish.public_policy import POLICY_EXTRA, decode_public_policy
from hotlist.publish.publisher import Publisher
from hotlist.server.publishing.service import publish
from hotlist.urls import entry_expression

PAGE = "http://www.page.example/a/b/page.html"
FOLDER = "http://www.folder.example/gallery/x.html"
HOST = "http://Host.Blocked.example/any/thing.html"
PUBLIC_URL = "https://hotline.example"


def extras(publisher: Publisher) -> dict[str, bytes]:
    index = publisher.index()
    assert index is not None
    found = {}
    for name, info in index["extras"].items():
        data = publisher.repository.read_target(info["path"])
        assert data is not None
        found[name] = data
    return found


def test_host_entries_travel_in_clear_and_nothing_else(
    listed_entry: Callable[..., str], sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    page_id = listed_entry(PAGE)
    folder_id = listed_entry(FOLDER, scope="folder")
    host_id = listed_entry(
        HOST, scope="host", scope_reason="The whole site exists to distribute the material."
    )
    assert publish(sessions, publisher, public_url="https://hotline.example/").published
    published = extras(publisher)
    (host,) = decode_hosts(published[HOSTS_EXTRA])
    assert (host.host, host.entry_ref, host.category) == ("host.blocked.example", host_id, 1)
    # The stated exception: host.blocked.example is in hosts.json (and only there). Page and
    # folder entries appear nowhere in clear, neither expression nor host.
    needles = [entry_expression(url, scope) for url, scope in ((PAGE, "page"), (FOLDER, "folder"))]
    needles += ["www.page.example", "www.folder.example"]
    files = [p for p in publisher.repository.path.rglob("*") if p.is_file()]
    assert len(files) > 5
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in data, f"{path} holds {needle}"
        if b"host.blocked.example" in data:
            assert path.name.endswith(HOSTS_EXTRA), path
    assert page_id != folder_id


def test_policy_extra_is_the_public_policy(
    listed_entry: Callable[..., str], sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    listed_entry(PAGE)
    publish(sessions, publisher, public_url="https://hotline.example/")
    data = extras(publisher)[POLICY_EXTRA]
    policy = decode_public_policy(data)
    assert policy.operator == "Example Hotline"
    assert policy.policy_version == 1
    assert policy.appeal_link("00000000000000be") == (
        "https://hotline.example/appeal?entry=00000000000000be"
    )
    terror = policy.category(2)
    assert terror is not None
    assert (terror.code, terror.legal_order) == ("terror", True)
    assert dict(terror.legal_basis)["EU"].startswith("Regulation (EU) 2021/784")
    document = json.loads(data)
    assert "definition" not in document["categories"][0]
    assert list(document) == sorted(document)


def test_unchanged_extras_make_no_new_version(
    listed_entry: Callable[..., str], sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    listed_entry(HOST, scope="host", scope_reason="The whole site exists for the material.")
    first = publish(sessions, publisher, public_url=PUBLIC_URL)
    before = extras(publisher)
    again = publish(sessions, publisher, public_url=PUBLIC_URL)
    assert (first.published, again.published, again.version) == (True, False, first.version)
    assert extras(publisher) == before


def test_the_unsafe_setting_publishes_a_loopback_public_url(
    listed_entry: Callable[..., str], sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    listed_entry(PAGE)
    result = publish(sessions, publisher, public_url="http://127.0.0.1:8123", allow_loopback=True)
    assert result.published
    policy = decode_public_policy(extras(publisher)[POLICY_EXTRA])
    assert policy.appeal_url == "http://127.0.0.1:8123/appeal"
