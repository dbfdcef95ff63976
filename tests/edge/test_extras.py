"""Extras travel with a list version: published, TUF-verified, checked, installed together."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from hotlist.edge.extras import ExtraContext, ExtraRule
from hotlist.edge.sync import EXTRA_RULES, sync
from hotlist.errors import PublishError, VerificationError
from hotlist.publish.synthetic import synthetic_records

from .conftest import World


def publish(world: World, extras: Mapping[str, bytes], start: int = 0) -> bool:
    return world.publisher.publish(synthetic_records(50, start=start), extras=extras).published


def test_extras_reach_the_store_with_their_version(world: World) -> None:
    assert publish(world, {"policy.json": b'{"v": 1}', "dns/hosts.txt": b"hosts-1"})
    sync(world.store)
    assert world.store.read_extra("policy.json") == b'{"v": 1}'
    assert world.store.read_extra("dns/hosts.txt") == b"hosts-1"
    assert world.store.read_extra("absent.json") is None


def test_a_changed_extra_alone_makes_a_new_version(world: World) -> None:
    assert publish(world, {"policy.json": b"one"})
    version = world.publisher.current()
    assert publish(world, {"policy.json": b"two"})
    newer = world.publisher.current()
    assert version is not None
    assert newer is not None
    assert newer.version == version.version + 1
    assert not publish(world, {"policy.json": b"two"})
    sync(world.store)
    assert world.store.read_extra("policy.json") == b"two"


def test_an_extra_dropped_by_the_publisher_goes_from_the_store(world: World) -> None:
    publish(world, {"a.json": b"a", "b.json": b"b"})
    sync(world.store)
    publish(world, {"a.json": b"a2"})
    sync(world.store)
    assert world.store.read_extra("a.json") == b"a2"
    assert world.store.read_extra("b.json") is None


@pytest.mark.parametrize("name", ["../escape", "UPPER.json", "a//b", "", "/abs", "a/" * 5 + "x"])
def test_extra_names_are_checked(world: World, name: str) -> None:
    with pytest.raises(PublishError, match="extra name"):
        publish(world, {name: b"x"})


@pytest.fixture
def refusing_check() -> tuple[list[bytes], Mapping[str, ExtraRule]]:
    seen: list[bytes] = []

    def check(context: ExtraContext, data: bytes, extras: Mapping[str, bytes]) -> None:
        seen.append(data)
        if data == b"bad":
            raise VerificationError("the test check refuses this version")

    return seen, {**EXTRA_RULES, "checked.json": ExtraRule(check)}


def test_a_failed_check_refuses_the_version_and_keeps_the_old(
    world: World, refusing_check: tuple[list[bytes], Mapping[str, ExtraRule]]
) -> None:
    seen, rules = refusing_check
    publish(world, {"checked.json": b"good"})
    first = sync(world.store, rules=rules)
    publish(world, {"checked.json": b"bad"}, start=5)
    with pytest.raises(VerificationError, match="refuses"):
        sync(world.store, rules=rules)
    current = world.store.load_current()
    assert current is not None
    assert current.version == first.version
    assert world.store.read_extra("checked.json") == b"good"
    assert seen == [b"good", b"bad"]


def test_a_tampered_extra_is_refused(world: World) -> None:
    publish(world, {"policy.json": b"original"})
    for path in (world.repo / "targets" / "extras").rglob("*policy.json"):
        path.write_bytes(b"tampered")
    with pytest.raises(VerificationError):
        sync(world.store)
    assert world.store.read_extra("policy.json") is None


@pytest.mark.parametrize(
    ("server", "api"),
    [
        ("http://127.0.0.1:8000/v1/tuf/", "http://127.0.0.1:8000"),
        ("https://hotline.example/v1/tuf", "https://hotline.example"),
        ("https://cdn.example/list/", None),
    ],
)
def test_the_api_base_comes_from_the_server_url(server: str, api: str | None) -> None:
    from hotlist.edge.config import EdgeConfig

    assert EdgeConfig(server=server, key="env:KEY").api_base == api
