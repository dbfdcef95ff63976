"""Real Unbound with the RPZ zone ``hotlist edge rpz`` writes, queried with dig on loopback.

Unbound listens on a loopback port. The test names live in a local authoritative zone
(``auth-zone`` for ``example.``, answered to Unbound's own resolution), so no outside network is
involved and RPZ applies as it does to any resolved name. A host-scope entry's name and the
names below it get the configured answer (NXDOMAIN, or a CNAME to the block page's host); an
unlisted name and a name with only a page-scope entry (DNS sees no path) resolve. After a sync
that removes the entry, the zone is rewritten and ``unbound-control auth_zone_reload`` makes
Unbound take it, without a restart.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hotlist.edge.rpz import RpzSettings, export_zone, reload_resolver
from hotlist.publish.hosts import HostEntry, encode_hosts
from hotlist.publish.wire import HOSTS_EXTRA
from hotlist.urls import Scope

from .conftest import EdgeWorld, Listed, require_program

HOST_ENTRY = Listed("http://host.blocked.example/", Scope.HOST, 0xBEEF, category=1)
PAGE_ENTRY = Listed("http://www.blocked.example/gallery/index.html", Scope.PAGE, 0xC0FFEE)
ZONE = "rpz.hotlist"
START_TIMEOUT_S = 30.0
LOCAL_ZONE = """$ORIGIN example.
$TTL 60
@ SOA localhost. hostmaster.localhost. 1 3600 600 86400 60
@ NS localhost.
host.blocked A 127.0.0.3
deep.sub.host.blocked A 127.0.0.3
www.blocked A 127.0.0.4
www.unlisted A 127.0.0.2
block A 127.0.0.9
"""


@dataclass
class Unbound:
    """A running Unbound and its configuration folder."""

    process: subprocess.Popen[bytes]
    port: int
    folder: Path

    @property
    def conf(self) -> Path:
        return self.folder / "unbound.conf"

    @property
    def log(self) -> str:
        path = self.folder / "unbound.out"
        return path.read_text(errors="replace") if path.exists() else ""


def free_port() -> int:
    """A port free for both UDP and TCP on loopback right now."""
    while True:
        with socket.socket() as tcp:
            tcp.bind(("127.0.0.1", 0))
            port: int = tcp.getsockname()[1]
            with socket.socket(type=socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port


def unbound_conf(folder: Path, port: int, zone_file: Path) -> str:
    return f"""
server:
  interface: 127.0.0.1
  port: {port}
  do-ip6: no
  username: ""
  chroot: ""
  directory: "{folder}"
  pidfile: "{folder}/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 1
  module-config: "respip iterator"
  access-control: 127.0.0.0/8 allow
auth-zone:
  name: "example."
  zonefile: "{folder}/example.zone"
  for-downstream: no
  for-upstream: yes
  fallback-enabled: no
rpz:
  name: "{ZONE}."
  zonefile: "{zone_file}"
  rpz-log: yes
remote-control:
  control-enable: yes
  control-interface: "{folder}/control.sock"
  control-use-cert: no
"""


def dig(unbound: Unbound, name: str) -> tuple[str, list[str]]:
    """The answer's status and records (``TYPE data``) for ``name`` A."""
    server = ["@127.0.0.1", "-p", str(unbound.port), "+time=2", "+tries=2"]
    result = subprocess.run(
        [require_program("dig"), *server, "+noall", "+comments", "+answer", name, "A"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"dig failed ({result.returncode}): {result.stdout}{result.stderr}")
    status = next(
        line.split("status: ")[1].split(",")[0]
        for line in result.stdout.splitlines()
        if "status: " in line
    )
    answers = [
        " ".join(line.split()[3:])
        for line in result.stdout.splitlines()
        if line and not line.startswith(";")
    ]
    return status, answers


@pytest.fixture
def folder() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="hotlist-unbound-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def start_unbound(folder: Path, zone_file: Path) -> Unbound:
    port = free_port()
    (folder / "example.zone").write_text(LOCAL_ZONE)
    (folder / "unbound.conf").write_text(unbound_conf(folder, port, zone_file))
    command = [require_program("unbound"), "-d", "-c", str(folder / "unbound.conf")]
    with (folder / "unbound.out").open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    unbound = Unbound(process, port, folder)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            pytest.fail(f"unbound exited with {process.returncode}:\n{unbound.log[-3000:]}")
        try:
            if dig(unbound, "www.unlisted.example")[0] == "NOERROR":
                return unbound
        except AssertionError:
            pass
        if time.monotonic() > deadline:
            stop_unbound(unbound)
            pytest.fail(f"unbound did not answer within {START_TIMEOUT_S} s:\n{unbound.log}")
        time.sleep(0.1)


def stop_unbound(unbound: Unbound) -> None:
    if unbound.process.poll() is None:
        unbound.process.terminate()
        try:
            unbound.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            unbound.process.kill()
            unbound.process.wait()


def publish(world: EdgeWorld, entries: list[Listed]) -> None:
    """Publish ``entries`` with the host names extra, as the hotline's server does; sync."""
    hosts = [
        HostEntry(entry.url.split("/")[2], entry.entry_id, entry.category)
        for entry in entries
        if entry.scope is Scope.HOST
    ]
    world.publisher.publish(
        [entry.record() for entry in entries], extras={HOSTS_EXTRA: encode_hosts(hosts)}
    )
    world.sync()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("settings", "blocked"),
    [
        (RpzSettings(ZONE, "nxdomain"), ("NXDOMAIN", [])),
        (
            RpzSettings(ZONE, "cname", "block.example"),
            ("NOERROR", ["CNAME block.example.", "A 127.0.0.9"]),
        ),
    ],
    ids=["nxdomain", "cname"],
)
def test_unbound_enforces_the_zone(
    edge_world: EdgeWorld,
    folder: Path,
    settings: RpzSettings,
    blocked: tuple[str, list[str]],
) -> None:
    require_program("unbound")
    require_program("dig")
    control = require_program("unbound-control")
    publish(edge_world, [HOST_ENTRY, PAGE_ENTRY])
    zone_file = folder / "hotlist.rpz"
    zone = export_zone(edge_world.store, zone_file, settings)
    assert zone.hosts == 1
    assert zone.serial == edge_world.store.state().version
    unbound = start_unbound(folder, zone_file)
    try:
        assert dig(unbound, "host.blocked.example") == blocked, unbound.log
        assert dig(unbound, "deep.sub.host.blocked.example") == blocked
        assert dig(unbound, "www.unlisted.example") == ("NOERROR", ["A 127.0.0.2"])
        # A page-scope entry is not in DNS: the resolver sees no path.
        assert dig(unbound, "www.blocked.example") == ("NOERROR", ["A 127.0.0.4"])
        assert "rpz: applied" in unbound.log

        publish(edge_world, [PAGE_ENTRY])
        export_zone(edge_world.store, zone_file, settings)
        reload_resolver(f"{control} -c {unbound.conf} auth_zone_reload {ZONE}")
        assert dig(unbound, "host.blocked.example") == ("NOERROR", ["A 127.0.0.3"])
        assert unbound.process.poll() is None
    finally:
        stop_unbound(unbound)
