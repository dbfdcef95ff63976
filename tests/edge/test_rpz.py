"""The RPZ zone: the same names the list blocks, host-scope entries only, serial = version,
written atomically with mode 0600, and a reload command run without a shell."""

from __future__ import annotations

import hashlib
import json
import stat
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hotlist.cli.main import app
from hotlist.edge.rpz import (
    RpzSettings,
    ZoneKeeper,
    export_zone,
    reload_resolver,
    render_zone,
    triggers,
    zone_blocks,
)
from hotlist.edge.store import Store
from hotlist.edge.sync import run, sync
from hotlist.errors import ConfigError, NotFound, VerificationError
from hotlist.publish.hosts import HostEntry, encode_hosts
from hotlist.publish.records import ListRecord
from hotlist.publish.wire import HOSTS_EXTRA
from hotlist.urls import host_suffixes

from .conftest import World

label = st.text("abcxyz019-_", min_size=1, max_size=5).filter(lambda s: s[0] != "-" != s[-1])
names = st.lists(label, min_size=1, max_size=8).map(".".join).filter(lambda n: not n[-1].isdigit())


def owners(text: str) -> list[str]:
    return [line.split()[0] for line in text.splitlines() if " CNAME " in line]


@settings(max_examples=300)
@given(names, st.lists(label, max_size=5))
def test_the_zone_blocks_what_the_list_blocks(entry_host: str, below: list[str]) -> None:
    """A host entry blocks a name under the list's rule exactly when the zone rewrites it."""
    query = ".".join([*below, entry_host])
    zone = render_zone([HostEntry(entry_host, 1, 1)], 1)
    assert zone_blocks(owners(zone.text), query) == (entry_host in host_suffixes(query))


def test_the_zone_file() -> None:
    zone = render_zone(
        [HostEntry("b.example", 0xBE, 2), HostEntry("a.b.c.d.e.f.example", 7, 1)],
        42,
        RpzSettings.of("rpz.hotlist", "nxdomain"),
    )
    lines = zone.text.splitlines()
    assert "$ORIGIN rpz.hotlist." in lines
    assert any(line.startswith("@ SOA localhost. hostmaster.localhost. 42 ") for line in lines)
    assert "b.example CNAME . ; entry 00000000000000be category 2" in lines
    assert "*.b.example CNAME . ; entry 00000000000000be category 2" in lines
    assert owners(zone.text) == ["a.b.c.d.e.f.example", "b.example", "*.b.example"]
    assert (zone.serial, zone.hosts, zone.skipped) == (42, 2, ())


def test_cname_action_points_at_the_block_page_host() -> None:
    settings_ = RpzSettings.of("Policy.Example.", "cname", "Block.Example.")
    zone = render_zone([HostEntry("b.example", 1, 1)], 3, settings_)
    assert "$ORIGIN policy.example." in zone.text
    assert "b.example CNAME block.example. ; entry 0000000000000001 category 1" in zone.text


@pytest.mark.parametrize(
    "host", ["192.0.2.1", "[2001:db8::1]", "a%20b.example", "x" * 64 + ".example", "a..b"]
)
def test_names_dns_cannot_hold_are_left_out(host: str) -> None:
    zone = render_zone([HostEntry(host, 1, 1), HostEntry("ok.example", 2, 1)], 1)
    assert zone.hosts == 1
    assert [skipped for skipped, _ in zone.skipped] == [host]
    assert host not in zone.text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("rpz", "drop", None), "must be one of"),
        (("rpz", "cname", None), "needs --cname-target"),
        (("rpz", "nxdomain", "block.example"), "goes with --action cname"),
        (("bad zone", "nxdomain", None), "not a DNS name"),
        (("rpz", "cname", "http://block.example/"), "not a DNS name"),
    ],
)
def test_bad_settings_are_clear_errors(args: tuple[str, str, str | None], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        RpzSettings.of(*args)


def test_a_version_beyond_an_soa_serial_is_refused() -> None:
    with pytest.raises(ConfigError, match="SOA serial"):
        render_zone([], 2**32)


def test_triggers() -> None:
    assert triggers("example") == ["example"]
    assert triggers("b.example") == ["b.example", "*.b.example"]
    assert triggers("a.b.c.d.e.f") == ["a.b.c.d.e.f"]


# -- From a synced store -------------------------------------------------------------------


def host_record(host: str, entry_id: int, category: int = 1) -> ListRecord:
    digest = hashlib.sha256(f"{host}/".encode()).digest()
    return ListRecord(digest, digest, category, entry_id)


def page_record(expression: str, entry_id: int) -> ListRecord:
    host = expression.split("/", 1)[0] + "/"
    return ListRecord(
        hashlib.sha256(expression.encode()).digest(),
        hashlib.sha256(host.encode()).digest(),
        1,
        entry_id,
    )


def publish_hosts(world: World, hosts: list[HostEntry], listed: list[HostEntry]) -> None:
    """Publish records for ``listed`` (and a page entry) with ``hosts`` as the extra."""
    records = [host_record(h.host, h.entry_id, h.category) for h in listed]
    records.append(page_record("page.example/a/b.html", 99))
    world.publisher.publish(records, extras={HOSTS_EXTRA: encode_hosts(hosts)})
    sync(world.store)


def test_export_writes_the_zone_with_mode_0600(world: World, tmp_path: Path) -> None:
    entries = [HostEntry("b.example", 0xBE, 2), HostEntry("c.example", 0xC0, 1)]
    publish_hosts(world, entries, entries)
    out = tmp_path / "hotlist.rpz"
    out.write_text("old")
    out.chmod(0o644)
    zone = export_zone(world.store, out, RpzSettings())
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text() == zone.text
    assert zone.serial == world.store.state().version == 2
    assert owners(zone.text) == ["b.example", "*.b.example", "c.example", "*.c.example"]
    assert "page.example" not in zone.text


def test_an_entry_the_list_does_not_hold_is_left_out(world: World, tmp_path: Path) -> None:
    entries = [HostEntry("b.example", 0xBE, 2), HostEntry("c.example", 0xC0, 1)]
    publish_hosts(world, entries, [entries[0], HostEntry("c.example", 0xC1, 1)])
    zone = export_zone(world.store, tmp_path / "z", RpzSettings())
    assert owners(zone.text) == ["b.example", "*.b.example"]


def test_no_list_or_no_extra_is_a_clear_error(world: World, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no list yet"):
        export_zone(world.store, tmp_path / "z")
    sync(world.store)  # version 1 of the fixture carries no extras
    with pytest.raises(NotFound, match=r"carries no hosts\.json"):
        export_zone(world.store, tmp_path / "z")
    assert not (tmp_path / "z").exists()


def test_a_malformed_extra_keeps_the_old_zone(world: World, tmp_path: Path) -> None:
    world.publisher.publish([], extras={HOSTS_EXTRA: b'{"format": 1, "hosts": 3}'})
    sync(world.store)
    out = tmp_path / "z"
    out.write_text("previous zone")
    with pytest.raises(VerificationError, match="malformed"):
        export_zone(Store(world.store.path), out)
    assert out.read_text() == "previous zone"


def test_reload_command_runs_without_a_shell(tmp_path: Path) -> None:
    marker = tmp_path / "reloaded; echo"
    reload_resolver(f"{sys.executable} -c 'import sys; open(sys.argv[1], \"w\")' '{marker}'")
    assert marker.exists()


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("", "empty"),
        ("/nonexistent/unbound-control reload", "not found"),
        (f"{sys.executable} -c 'import sys; sys.exit(\"no socket\")'", "exited with 1: no socket"),
    ],
)
def test_a_failing_reload_is_a_clear_error(command: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        reload_resolver(command)


def test_a_hanging_reload_times_out() -> None:
    with pytest.raises(ConfigError, match="took over"):
        reload_resolver(f"{sys.executable} -c 'import time; time.sleep(5)'", timeout=0.2)


# -- Kept current by `hotlist edge run --rpz` -----------------------------------------------


def test_run_keeps_the_zone_current_and_reloads(world: World, tmp_path: Path) -> None:
    entries = [HostEntry("b.example", 0xBE, 2)]
    publish_hosts(world, entries, entries)
    out = tmp_path / "hotlist.rpz"
    marker = tmp_path / "reloads"
    command = f'{sys.executable} -c \'import sys; open(sys.argv[1], "a").write("x")\' {marker}'
    keeper = ZoneKeeper(world.store, out, RpzSettings(), command)
    assert run(world.store, max_cycles=2, jitter=0.0, sleep=lambda _: None, on_sync=keeper) == 0
    assert "b.example CNAME ." in out.read_text()
    assert marker.read_text() == "x"  # the second sync brought nothing new: no rewrite
    publish_hosts(world, [], [])
    run(world.store, max_cycles=1, on_sync=keeper)
    assert "b.example" not in out.read_text()
    assert " 3 3600 600 " in out.read_text()
    assert marker.read_text() == "xx"


def test_a_failing_zone_or_reload_does_not_stop_the_syncs(
    world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    keeper = ZoneKeeper(world.store, tmp_path / "z", RpzSettings(), "/nonexistent/reload")
    # Version 1 carries no hosts.json: the zone cannot be made, the sync still counts.
    assert run(world.store, max_cycles=1, on_sync=keeper) == 0
    assert "RPZ not updated" in caplog.text
    publish_hosts(world, [], [])
    assert run(world.store, max_cycles=1, on_sync=keeper) == 0
    assert (tmp_path / "z").exists()
    assert "not found" in caplog.text
    assert keeper.version is None  # the reload is tried again after the next sync


def test_the_commands(world: World, tmp_path: Path) -> None:
    entries = [HostEntry("b.example", 0xBE, 2), HostEntry("192.0.2.1", 0xC0, 1)]
    publish_hosts(world, entries, entries)
    runner = CliRunner()
    out = tmp_path / "zone"
    store = str(world.store.path)
    cname = ["--action", "cname", "--cname-target", "block.example"]
    result = runner.invoke(
        app, ["edge", "rpz", "--store", store, "--out", str(out), *cname, "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "hosts": 1,
        "out": str(out),
        "reloaded": False,
        "serial": 2,
        "skipped": 1,
        "zone": "rpz.hotlist",
    }
    assert "b.example CNAME block.example." in out.read_text()
    result = runner.invoke(app, ["edge", "rpz", "--store", store, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 host entry (nxdomain)" in result.output
    assert "left out 1 host (not a DNS name):" in result.output
    assert "192.0.2.1: an IP address" in result.output
    result = runner.invoke(
        app, ["edge", "run", "--store", store, "--once", "--rpz", str(tmp_path / "run.rpz")]
    )
    assert result.exit_code == 0, result.output
    assert "b.example CNAME ." in (tmp_path / "run.rpz").read_text()
    result = runner.invoke(app, ["edge", "run", "--store", store, "--reload-command", "x"])
    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigError)
