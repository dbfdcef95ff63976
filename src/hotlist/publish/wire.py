"""The list's wire vocabulary: sizes, flags, entry ids, extra names and the ``list.json`` manifest.

Everything a publisher writes and an edge reads besides the binary files' layout
(:mod:`hotlist.publish.format`) is named here once, so the two sides cannot drift apart: the
server and the publisher build with these values, the edge checks against them. Standard library
only (no third-party import, nothing of ours but :mod:`hotlist.errors`): the edge, the command
line and the server's schemas import it at no cost. What an expression is and how it is hashed is
:mod:`hotlist.urls`'s; this module only says how much of each hash the list carries.

``list.json`` (a signed target) is the index a member reads first::

    {"format": 1, "list": "main", "version": N, "count": C,
     "digest": "<hex content digest of snapshot N>",
     "snapshot": {"path": "snapshots/N.snapshot", "length": L, "sha256": "<hex>"},
     "deltas": [{"from": N-1, "to": N, "path": "deltas/N-1-N.delta", "length": L}, ...],
     "extras": {"<name>": {"path": "extras/<name>", "length": L, "sha256": "<hex>"}, ...},
     "published_at": "<ISO 8601 UTC>"}

Extras are small signed documents that travel with a version (the policy's public part, the
host-scope names for DNS, the transparency log's signed tree head and key).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from hotlist.errors import PublishError, VerificationError

# -- Sizes and flags --------------------------------------------------------------------------

HASH_SIZE = 32
"""Bytes of a SHA-256 hash: an expression hash (:func:`hotlist.urls.expression_hash`), and a
node of the transparency log's tree (:mod:`hotlist.publish.log.merkle`)."""
HOST_KEY_SIZE = 8
"""Bytes of a record's host key: the first bytes of its host's hash
(:func:`hotlist.urls.host_hash`), all the edge's first stage needs."""
MAX_CATEGORY = 0xFFFF
"""The largest category wire id (two bytes); categories start at 1."""
MAX_ENTRY_ID = 2**63 - 1
"""The largest entry id; ids start at 1."""
FLAG_DISPUTED = 0x01
"""Flag bit 0: a member's objection to the entry is pending."""
KNOWN_FLAGS = FLAG_DISPUTED
"""Every flag bit defined; the others are reserved and must be 0."""


def check_fields(expression_hash: bytes, category: int, entry_id: int, flags: int) -> str | None:
    """Say what is wrong with a record's fields (the wire's value ranges), or None."""
    if len(expression_hash) != HASH_SIZE:
        return f"expression hash is {len(expression_hash)} bytes, expected {HASH_SIZE}"
    if not 1 <= category <= MAX_CATEGORY:
        return f"category {category} is outside 1..{MAX_CATEGORY}"
    if not 1 <= entry_id <= MAX_ENTRY_ID:
        return f"entry id {entry_id} is outside 1..2**63-1"
    if flags & ~KNOWN_FLAGS or flags < 0:
        return f"flags {flags:#x} set reserved bits (only bit 0, disputed, is defined)"
    return None


# -- Entry ids ----------------------------------------------------------------------------------

ENTRY_ID_DIGITS = 16
ENTRY_ID_PATTERN = r"^[0-9a-f]{16}$"
"""An entry id as text: 16 lower-case hex digits (anchored, for ``re`` and schema validators)."""
_ENTRY_ID = re.compile(ENTRY_ID_PATTERN)


def format_entry_id(entry_id: int) -> str:
    """An entry id as members, block pages and the log show it: 16 lower-case hex digits."""
    return f"{entry_id:0{ENTRY_ID_DIGITS}x}"


def is_entry_id(text: str) -> bool:
    """Whether ``text`` is an entry id in its one written form (:data:`ENTRY_ID_PATTERN`)."""
    return _ENTRY_ID.fullmatch(text) is not None


def parse_entry_id(text: str) -> int:
    """The entry id written as ``text``; ValueError when it is not 16 lower-case hex digits."""
    if not is_entry_id(text):
        raise ValueError(f"{text!r} is not an entry id (16 lower-case hex digits)")
    return int(text, 16)


# -- Extras -------------------------------------------------------------------------------------

EXTRA_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}(/[a-z0-9][a-z0-9._-]{0,63}){0,3}")
"""An extra's name: lower-case letters, digits, ``.``, ``_``, ``-``; at most four ``/`` parts."""
POLICY_EXTRA = "policy.json"
"""The public part of the policy in force (:mod:`hotlist.publish.public_policy`)."""
HOSTS_EXTRA = "hosts.json"
"""The host-scope entries with their names in clear, for DNS (:mod:`hotlist.publish.hosts`)."""
LOG_HEAD_EXTRA = "log/head.json"
"""The transparency log's signed tree head (:mod:`hotlist.publish.log.head`)."""
LOG_KEY_EXTRA = "log/key.pub"
"""The log's public key (SubjectPublicKeyInfo PEM), trusted on first use by the edge."""


def is_extra_name(name: str) -> bool:
    """Whether ``name`` is a valid extra name (:data:`EXTRA_NAME`)."""
    return EXTRA_NAME.fullmatch(name) is not None


def extra_target(name: str) -> str:
    """The target name of the extra ``name``; a name outside the allowed form is an error."""
    if not is_extra_name(name):
        raise PublishError(
            f"extra name {name!r} must be lower-case letters, digits, '.', '_', '-' in at most "
            "four '/'-separated parts"
        )
    return f"extras/{name}"


# -- The manifest (list.json) -------------------------------------------------------------------

MANIFEST = "list.json"
"""The manifest's target name."""
MANIFEST_FORMAT = 1


def snapshot_target(version: int) -> str:
    """The target name of snapshot ``version``."""
    return f"snapshots/{version}.snapshot"


def delta_target(base: int, version: int) -> str:
    """The target name of the delta ``base`` -> ``version``."""
    return f"deltas/{base}-{version}.delta"


class FileRef(NamedTuple):
    """A file the manifest names: its target path, length and SHA-256 (hex)."""

    path: str
    length: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        """The reference as ``list.json`` writes it."""
        return {"path": self.path, "length": self.length, "sha256": self.sha256}


class DeltaRef(NamedTuple):
    """A delta the manifest offers: from version ``base`` to ``version``, its path and length."""

    base: int
    version: int
    path: str
    length: int

    def to_json(self) -> dict[str, Any]:
        """The delta as ``list.json`` writes it."""
        return {"from": self.base, "to": self.version, "path": self.path, "length": self.length}


class Manifest(NamedTuple):
    """``list.json``: which version is current, its content digest, and the files that make it.

    ``digest`` is the snapshot's content digest in hex; ``deltas`` the deltas still offered, oldest
    first; ``extras`` the version's extras by name. :meth:`encode` and :meth:`decode` are the only
    way to and from the bytes, used by the publisher and the edge alike.
    """

    list_name: str
    version: int
    count: int  # type: ignore[assignment]  # a field: tuple.count is never called on it
    digest: str
    snapshot: FileRef
    deltas: tuple[DeltaRef, ...] = ()
    extras: Mapping[str, FileRef] = MappingProxyType({})  # read-only: one empty default serves
    published_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The manifest as a JSON document."""
        return {
            "format": MANIFEST_FORMAT,
            "list": self.list_name,
            "version": self.version,
            "count": self.count,
            "digest": self.digest,
            "snapshot": self.snapshot.to_json(),
            "deltas": [delta.to_json() for delta in self.deltas],
            "extras": {name: ref.to_json() for name, ref in sorted(self.extras.items())},
            "published_at": self.published_at,
        }

    def encode(self) -> bytes:
        """The bytes of ``list.json``: sorted keys, one space of indent."""
        return json.dumps(self.to_json(), indent=1, sort_keys=True).encode()

    @classmethod
    def decode(cls, data: bytes) -> Manifest:
        """The manifest in ``data``; VerificationError saying what is wrong when it is none.

        A delta entry the edge cannot read is left out (the snapshot is taken instead of a chain
        through it); anything else malformed refuses the whole manifest.
        """
        try:
            raw = json.loads(data)
            if not isinstance(raw, dict) or raw.get("format") != MANIFEST_FORMAT:
                raise ValueError("unknown index format")
            for key in ("version", "count"):
                if not isinstance(raw.get(key), int):
                    raise ValueError(f"{key} is not a number")
            bytes.fromhex(raw["digest"])
            snapshot = raw["snapshot"]
            if not isinstance(snapshot["path"], str):
                raise ValueError("no snapshot path")
            manifest = cls(
                list_name=str(raw.get("list")),
                version=raw["version"],
                count=raw["count"],
                digest=raw["digest"],
                snapshot=FileRef(
                    snapshot["path"], _length(snapshot), str(snapshot.get("sha256", ""))
                ),
                deltas=tuple(_deltas(raw.get("deltas", []))),
                extras=MappingProxyType(_extras(raw.get("extras", {}))),
                published_at=_optional_text(raw.get("published_at")),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise VerificationError(f"{MANIFEST} is not valid: {exc}") from exc
        return manifest


def _length(info: Mapping[str, Any]) -> int:
    length = info.get("length", 0)
    if not isinstance(length, int) or length < 0:
        raise ValueError("a file length is not a number")
    return length


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def _deltas(listed: object) -> list[DeltaRef]:
    """The readable delta entries, in order (see Manifest.decode)."""
    if not isinstance(listed, list):
        return []
    deltas = []
    for item in listed:
        if not isinstance(item, dict):
            continue
        base, version, path = item.get("from"), item.get("to"), item.get("path")
        length = item.get("length", 0)
        if (
            isinstance(base, int)
            and isinstance(version, int)
            and version > base
            and isinstance(path, str)
            and isinstance(length, int)
        ):
            deltas.append(DeltaRef(base, version, path, length))
    return deltas


def _extras(listed: object) -> dict[str, FileRef]:
    if not isinstance(listed, dict):
        raise VerificationError(f"{MANIFEST} names its extras wrongly")
    extras = {}
    for name, info in sorted(listed.items()):
        if not isinstance(info, dict) or not is_extra_name(str(name)):
            raise VerificationError(f"{MANIFEST} names an invalid extra {name!r}")
        path, digest = info.get("path"), info.get("sha256")
        if not isinstance(path, str) or not isinstance(digest, str):
            raise VerificationError(f"{MANIFEST} names the extra {name} wrongly")
        extras[str(name)] = FileRef(path, _length(info), digest)
    return extras
