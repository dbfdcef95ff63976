"""An RPZ zone (DNS Response Policy Zone) from the host-scope entries in force.

DNS sees a name, never a path, so only host-scope entries can be enforced there; page and
folder entries need the full URL (a proxy, a platform). A host entry ``b.example`` blocks
``b.example`` and, by Safe Browsing's suffix rule (:func:`hotlist.urls.host_suffixes`), every
name below it, as long as the entry's host has two to five labels: a lookup tries the host
itself and its suffixes of five down to two labels. The zone says exactly that: ``name`` always,
``*.name`` for entries of two to five labels. IP-address entries are left out (a resolver is
asked for names; RPZ's IP triggers act on answers, which is another thing), and so are names
that cannot be DNS names (escaped bytes, labels over 63 characters).

Actions: ``nxdomain`` (``CNAME .``: the name does not exist) or ``cname`` (``CNAME <target>.``:
the resolver answers with the block page's host). The SOA serial is the list version, so a
resolver and an operator can tell which list a zone holds.

:func:`render_zone` is pure; :func:`export_zone` writes the zone of the list in force
(:class:`hotlist.edge.in_force.ListInForce`: no zone when no verdict may be given, as every
enforcer refuses then) from the store's ``hosts.json`` extra, keeping only the entries the
verified list confirms, atomically with mode 0600 (it holds host names in clear);
:func:`reload_resolver` runs the resolver's reload command.
"""

from __future__ import annotations

import logging
import re
import shlex
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from hotlist.edge.in_force import ListInForce
from hotlist.errors import ConfigError, HotlistError, NotFound
from hotlist.publish.files import atomic_write
from hotlist.publish.hosts import HostEntry, decode_hosts
from hotlist.publish.wire import HOSTS_EXTRA
from hotlist.urls import host_hash, is_ip_host

if TYPE_CHECKING:
    from hotlist.edge.store import Store
    from hotlist.edge.sync import SyncResult
    from hotlist.publish.format import Snapshot

logger = logging.getLogger(__name__)

Action = Literal["nxdomain", "cname"]
ACTIONS: tuple[Action, ...] = ("nxdomain", "cname")
DEFAULT_ZONE = "rpz.hotlist"
DEFAULT_TTL = 60
MAX_SERIAL = 2**32 - 1
WILDCARD_LABELS = range(2, 6)
"""A host entry with this many labels also covers the names below it (see the module doc)."""

_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_NAME_LIMIT = 253  # a DNS name in text, without the final dot


@dataclass(frozen=True)
class Zone:
    """A rendered zone: its text, the names it holds, and the hosts left out (with why)."""

    text: str
    serial: int
    hosts: int
    skipped: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True)
class RpzSettings:
    """How the zone is made: its name, the action, the CNAME target, the records' TTL."""

    zone: str = DEFAULT_ZONE
    action: Action = "nxdomain"
    cname_target: str | None = None
    ttl: int = DEFAULT_TTL

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", _dns_name(self.zone, "--zone"))
        if self.action not in ACTIONS:
            raise ConfigError(f"RPZ action {self.action!r} must be one of {', '.join(ACTIONS)}")
        if self.action == "cname":
            if not self.cname_target:
                raise ConfigError("the cname action needs --cname-target HOST (the block page's)")
            object.__setattr__(self, "cname_target", _dns_name(self.cname_target, "--cname-target"))
        elif self.cname_target is not None:
            raise ConfigError("--cname-target goes with --action cname only")
        if not 0 < self.ttl <= 86_400:
            raise ConfigError("the zone's TTL must be 1 to 86400 seconds")

    @classmethod
    def of(
        cls, zone: str, action: str, cname_target: str | None = None, ttl: int = DEFAULT_TTL
    ) -> RpzSettings:
        """Settings from command-line text (the action is checked here)."""
        return cls(zone, cast(Action, action), cname_target, ttl)

    @property
    def target(self) -> str:
        """The CNAME target of every trigger: ``.`` (NXDOMAIN) or the block page host."""
        return "." if self.action == "nxdomain" else f"{self.cname_target}."


def _dns_name(text: str, option: str) -> str:
    name = text.strip().rstrip(".").lower()
    if dns_name_problem(name) is not None:
        raise ConfigError(f"{option} {text!r} is not a DNS name (letters, digits, '-', '_')")
    return name


def dns_name_problem(host: str) -> str | None:
    """Why ``host`` cannot be written as a DNS name in a zone, or None when it can."""
    if is_ip_host(host):
        return "an IP address (DNS is asked for names)"
    if len(host) > _NAME_LIMIT:
        return "longer than a DNS name may be"
    if not all(_LABEL.fullmatch(label) for label in host.split(".")):
        return "not made of DNS labels (letters, digits, '-', '_'; at most 63 each)"
    return None


def triggers(host: str) -> list[str]:
    """The zone's owner names for one host entry: the name, and ``*.name`` when the entry
    covers the names below it."""
    if host.count(".") + 1 in WILDCARD_LABELS:
        return [host, f"*.{host}"]
    return [host]


def render_zone(
    entries: Iterable[HostEntry], version: int, settings: RpzSettings | None = None
) -> Zone:
    """The zone file's text for the host entries of list ``version``.

    The serial is ``version``; names that cannot go into DNS are listed in ``skipped``.
    """
    settings = settings or RpzSettings()
    if not 0 <= version <= MAX_SERIAL:
        raise ConfigError(f"list version {version} does not fit an SOA serial")
    origin = f"{settings.zone}."
    lines = [
        f"; RPZ of hotlist list version {version}: host-scope entries only (DNS sees no path).",
        "; Written by `hotlist edge rpz`; edits are overwritten. It holds host names in clear.",
        f"$ORIGIN {origin}",
        f"$TTL {settings.ttl}",
        f"@ SOA localhost. hostmaster.localhost. {version} 3600 600 86400 {settings.ttl}",
        "@ NS localhost.",
    ]
    skipped: list[tuple[str, str]] = []
    written = 0
    room = _NAME_LIMIT - len(origin) - 2  # "*." and the joining dot
    for entry in sorted(entries):
        problem = dns_name_problem(entry.host)
        if problem is None and len(entry.host) > room:
            problem = "too long to fit under the zone's name"
        if problem is not None:
            skipped.append((entry.host, problem))
            continue
        written += 1
        note = f"; entry {entry.entry_ref} category {entry.category}"
        for owner in triggers(entry.host):
            lines.append(f"{owner} CNAME {settings.target} {note}")
    return Zone("\n".join(lines) + "\n", version, written, tuple(skipped))


def zone_blocks(zone_names: Iterable[str], name: str) -> bool:
    """Whether a zone holding ``zone_names`` (owner names, relative) rewrites a query for
    ``name``: an exact owner, or a wildcard owner ``*.x`` with ``name`` below ``x``. This is
    RPZ's QNAME trigger rule (what a resolver does with the zone)."""
    owners = set(zone_names)
    if name in owners:
        return True
    labels = name.split(".")
    return any(f"*.{'.'.join(labels[i:])}" in owners for i in range(1, len(labels)))


def confirmed(entries: Iterable[HostEntry], snapshot: Snapshot) -> list[HostEntry]:
    """The entries the verified list holds too: ``host/`` listed under the same entry id.

    The extra and the list are signed together; this check makes sure the zone never blocks
    a name the list in force does not.
    """
    kept = []
    for entry in entries:
        position = snapshot.find(host_hash(entry.host))
        if position is not None and snapshot.entry_ids[position] == entry.entry_id:
            kept.append(entry)
        else:
            logger.warning("host entry %s is not in the list in force: left out", entry.entry_ref)
    return kept


def zone_for_store(store: Store, settings: RpzSettings | None = None) -> Zone:
    """The zone of the list in force in ``store``; its refusal when no verdict may be given
    (NotFound before a sync, StaleList when stale under fail mode closed...), NotFound without
    the ``hosts.json`` extra."""
    ListInForce(store).enforceable()
    snapshot = store.load_current()
    if snapshot is None:  # pragma: no cover - removed since the line above read it
        raise NotFound(f"{store.path} holds no list yet: run `hotlist edge sync` first")
    data = store.read_extra(HOSTS_EXTRA)
    if data is None:
        raise NotFound(
            f"list version {snapshot.version} in {store.path} carries no {HOSTS_EXTRA}: the "
            "hotline's server must publish the host names for DNS (hotlist 0.1 servers do)"
        )
    return render_zone(confirmed(decode_hosts(data), snapshot), snapshot.version, settings)


def export_zone(store: Store, out: Path, settings: RpzSettings | None = None) -> Zone:
    """Write the zone of the list in force to ``out`` atomically, mode 0600; returns it."""
    zone = zone_for_store(store, settings)
    atomic_write(out, zone.text.encode(), mode=0o600)
    for _host, problem in zone.skipped:
        # The host itself is not logged: logs travel further than the zone file.
        logger.warning("a host entry is left out of the zone: %s", problem)
    return zone


def reload_resolver(command: str, timeout: float = 30.0) -> None:
    """Run the resolver's reload command (no shell); ConfigError when it fails."""
    argv = shlex.split(command)
    if not argv:
        raise ConfigError("the reload command is empty")
    try:
        done = subprocess.run(  # noqa: S603  # the operator's own command, without a shell
            argv, capture_output=True, text=True, timeout=timeout, check=False
        )
    except FileNotFoundError as exc:
        raise ConfigError(f"reload command {argv[0]!r} not found") from exc
    except subprocess.TimeoutExpired as exc:
        raise ConfigError(f"reload command {command!r} took over {timeout:.0f} s") from exc
    except OSError as exc:
        raise ConfigError(f"cannot run reload command {command!r}: {exc.strerror}") from exc
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip().splitlines()
        detail = output[-1] if output else "no output"
        raise ConfigError(
            f"reload command {command!r} exited with {done.returncode}: {detail[:300]}"
        )


class ZoneKeeper:
    """Keeps an RPZ file current for ``hotlist edge run --rpz``: after a sync that brought a
    version the file does not hold yet (and after the first), rewrite it and run the reload
    command. Errors are logged, never raised; a failed step is tried again after the next sync.
    """

    def __init__(
        self,
        store: Store,
        out: Path,
        settings: RpzSettings | None = None,
        reload_command: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.store = store
        self.out = out
        self.settings = settings or RpzSettings()
        self.reload_command = reload_command
        self.timeout = timeout
        self.version: int | None = None
        """The list version the zone file holds and the resolver was told about."""

    def __call__(self, result: SyncResult) -> None:
        """The ``on_sync`` hook of :func:`hotlist.edge.sync.run`."""
        if result.version == self.version:
            return
        try:
            zone = export_zone(self.store, self.out, self.settings)
            logger.info(
                "RPZ %s serial %d: %s written to %s",
                self.settings.zone,
                zone.serial,
                "1 host entry" if zone.hosts == 1 else f"{zone.hosts} host entries",
                self.out,
            )
            if self.reload_command:
                reload_resolver(self.reload_command, self.timeout)
        except HotlistError as exc:
            logger.error("RPZ not updated (tried again after the next sync): %s", exc.message)
            return
        self.version = zone.serial
