"""The whole way: the server publishes its log head with the list, a member's edge checks it on
every sync, a forked log fails the sync closed, and ``hotlist log`` audits the head it holds."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from hotlist.cli.main import app as cli
from hotlist.edge.store import Store
from hotlist.edge.sync import sync
from hotlist.errors import VerificationError
from hotlist.publish.log.head import SignedTreeHead
from hotlist.publish.log.merkle import leaf_hash
from hotlist.publish.publisher import PublishResult
from hotlist.server.log.models import LogLeaf

URL = "http://www.example.com/a/b/page.html"


def _held(store: Store) -> SignedTreeHead:
    data = store.read_extra("log/head.json")
    assert data is not None
    return SignedTreeHead.from_json(data)


def test_the_edge_follows_a_growing_log_and_refuses_a_fork(
    listed_entry: Callable[..., str],
    publish_now: Callable[[], PublishResult],
    member_store: Callable[..., Store],
    sessions: sessionmaker[Session],
) -> None:
    listed_entry(URL)
    publish_now()
    store = member_store("isp")
    sync(store)
    first = _held(store)
    assert first.head.size == 2  # the policy version, the entry

    listed_entry("http://www.example.org/other.html")
    assert publish_now().published
    sync(store)
    second = _held(store)
    assert second.head.size == 3
    assert store.read_extra("log/key.pub") is not None

    # Someone rewrites history on the server: leaf 1 changes, and a new leaf follows.
    with sessions() as session, session.begin():
        forged = b'{"entry_id":"00000000000000ff","expression_hash":"' + b"ee" * 32 + b'"}'
        session.execute(
            update(LogLeaf).where(LogLeaf.leaf_index == 1).values(leaf_hash=leaf_hash(forged))
        )
    listed_entry("http://www.example.org/third.html")
    assert publish_now().published
    version = store.state().version
    with pytest.raises(VerificationError, match="forked") as caught:
        sync(store)
    assert f"size 3 root {second.head.root_hash.hex()}" in caught.value.message
    assert store.state().version == version
    assert _held(store) == second


def test_log_show_and_verify_audit_the_head_an_edge_holds(
    listed_entry: Callable[..., str],
    publish_now: Callable[[], PublishResult],
    member_store: Callable[..., Store],
    live_server: str,
    api_key: Callable[[str], str],
    tmp_path: Path,
) -> None:
    listed_entry(URL)
    publish_now()
    store = member_store("isp")
    sync(store)
    older = tmp_path / "older-head.json"
    older.write_bytes(store.read_extra("log/head.json") or b"")
    listed_entry("http://www.example.org/other.html")
    publish_now()
    sync(store)
    head = store.path / "extras" / "log" / "head.json"
    key = api_key("observer")
    runner = CliRunner()

    shown = runner.invoke(cli, ["log", "show", "--server", live_server, "--key", key, "--json"])
    assert shown.exit_code == 0, shown.output
    kinds = [event["kind"] for event in json.loads(shown.output)]
    assert kinds == ["policy_version", "entry_added", "entry_added"]
    assert "example.com" not in shown.output
    assert "example.org" not in shown.output

    args = ["log", "verify", "--head", str(head), "--server", live_server, "--key", key]
    verified = runner.invoke(cli, [*args, "--previous", str(older)])
    assert verified.exit_code == 0, verified.output
    assert "OK" in verified.output

    # A head whose root the log does not reproduce fails with a clear message.
    document = json.loads(head.read_text())
    document["root_hash"] = "00" * 32
    forged = tmp_path / "forged" / "head.json"
    forged.parent.mkdir()
    forged.write_text(json.dumps(document))
    (forged.parent / "key.pub").write_bytes(store.read_extra("log/key.pub") or b"")
    refused = runner.invoke(
        cli, ["log", "verify", "--head", str(forged), "--server", live_server, "--key", key]
    )
    assert isinstance(refused.exception, VerificationError)
    assert "signature does not verify" in refused.exception.message
