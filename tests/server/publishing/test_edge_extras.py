"""Every version carries policy.json (the public policy, appeals at the public URL) and
hosts.json (host-scope entries only): the one place a host name travels in clear."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from hotlist.edge.config import EdgeConfig
from hotlist.edge.store import Store
from hotlist.edge.sync import sync
from hotlist.publish.hosts import HOSTS_EXTRA, decode_hosts
from hotlist.publish.public_policy import POLICY_EXTRA, decode_public_policy
from hotlist.publish.publisher import Publisher
from hotlist.server.config import Settings
from hotlist.server.publishing.service import publish, repository_paths
from hotlist.urls import entry_expression
from server.objections.edge_fixtures import live_server, publish_now

PAGE = "http://www.page.example/a/b/page.html"
FOLDER = "http://www.folder.example/gallery/x.html"
HOST = "http://Host.Blocked.example/any/thing.html"
PUBLIC_URL = "https://hotline.example"
__all__ = ["live_server", "publish_now"]


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


def test_an_observer_edge_syncs_without_the_host_names(
    listed_entry: Callable[..., str],
    publish_now: Callable[[], Any],
    live_server: str,
    settings: Settings,
    api_key: Callable[[str], str],
    tmp_path: Path,
) -> None:
    """An observer without a plaintext grant verifies the list like a member, but the server
    withholds hosts.json from it (403), and its edge installs the version without it."""
    listed_entry(HOST, scope="host", scope_reason="The whole site exists for the material.")
    publish_now()
    root = (repository_paths(settings).repository / "metadata" / "1.root.json").read_bytes()
    config = EdgeConfig(server=f"{live_server}/v1/tuf/", key="file:key")
    stores = {
        role: Store.create(tmp_path / role, config, root, api_key=api_key(role))
        for role in ("member", "observer")
    }
    for store in stores.values():
        assert sync(store).version == 1
        assert store.read_extra(POLICY_EXTRA) is not None
    assert stores["member"].read_extra(HOSTS_EXTRA) is not None
    assert stores["observer"].read_extra(HOSTS_EXTRA) is None
    assert stores["observer"].state().last_error is None
    held = [p for p in stores["observer"].path.rglob("*") if p.is_file()]
    assert not [p for p in held if b"host.blocked.example" in p.read_bytes()]
