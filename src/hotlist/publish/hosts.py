"""The extra ``hosts.json``: the host-scope entries in force, with their host names in clear.

DNS resolvers match names, not hashes, so an RPZ zone needs the names themselves. This extra is
the one place a host name travels in clear, and only for entries of host scope (a whole host is
listed); page and folder entries stay hashes everywhere. Format, with sorted keys and the
entries sorted by host so that the same entries always make the same bytes::

    {"format": 1, "hosts": [{"category": 1, "entry_id": "00000000000000be", "host": "x.example"}]}

Pure: no I/O. The server encodes it (:func:`encode_hosts`), the edge decodes it
(:func:`decode_hosts`), which refuses anything malformed with a VerificationError.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from hotlist.errors import PublishError, VerificationError
from hotlist.publish.wire import HOSTS_EXTRA, format_entry_id, is_entry_id, parse_entry_id

HOSTS_FORMAT = 1
MAX_HOST_LENGTH = 255
# A canonical host: printable ASCII with no space or slash (hotlist.urls escapes everything else,
# as %XX with upper-case hex digits), or a bracketed IPv6 literal.
_HOST = re.compile(r"[!-.0-~]{1,255}")


@dataclass(frozen=True, order=True)
class HostEntry:
    """One host-scope entry: its canonical host, opaque entry id and category wire id."""

    host: str
    entry_id: int
    category: int

    @property
    def entry_ref(self) -> str:
        """The entry id as 16 lowercase hex digits."""
        return format_entry_id(self.entry_id)

    def to_json(self) -> dict[str, object]:
        """The entry as the extra writes it."""
        return {"category": self.category, "entry_id": self.entry_ref, "host": self.host}


def _problem(entry: HostEntry) -> str | None:
    if not _HOST.fullmatch(entry.host):
        return f"host {entry.host!r} is not a canonical host name"
    if not 0 < entry.entry_id < 1 << 64:
        return f"entry id {entry.entry_id} is out of range"
    if not 0 < entry.category < 1 << 16:
        return f"category {entry.category} is out of range"
    return None


def encode_hosts(entries: Iterable[HostEntry]) -> bytes:
    """The extra's bytes for ``entries`` (any order); a bad or repeated host is a PublishError."""
    ordered = sorted(entries)
    for entry in ordered:
        problem = _problem(entry)
        if problem is not None:
            raise PublishError(f"cannot publish the host names: {problem}")
    for first, second in itertools.pairwise(ordered):
        if first.host == second.host:
            raise PublishError(f"two host-scope entries list the host {first.host!r}")
    document = {"format": HOSTS_FORMAT, "hosts": [entry.to_json() for entry in ordered]}
    return (json.dumps(document, sort_keys=True, separators=(",", ":")) + "\n").encode()


def decode_hosts(data: bytes) -> tuple[HostEntry, ...]:
    """The entries of a ``hosts.json`` extra, sorted by host; VerificationError when malformed."""
    try:
        document = json.loads(data)
        if not isinstance(document, dict) or document.get("format") != HOSTS_FORMAT:
            raise ValueError(f"not a format {HOSTS_FORMAT} document")
        raw = document["hosts"]
        if not isinstance(raw, list):
            raise TypeError("'hosts' is not a list")
        entries = tuple(_entry(item) for item in raw)
    except (ValueError, KeyError, TypeError) as exc:
        raise VerificationError(f"the host names extra {HOSTS_EXTRA} is malformed: {exc}") from exc
    for entry in entries:
        problem = _problem(entry)
        if problem is not None:
            raise VerificationError(f"the host names extra {HOSTS_EXTRA} is malformed: {problem}")
    if any(a.host >= b.host for a, b in itertools.pairwise(entries)):
        raise VerificationError(f"the host names extra {HOSTS_EXTRA} is not sorted or repeats")
    return entries


def _entry(item: object) -> HostEntry:
    if not isinstance(item, dict):
        raise TypeError("an entry is not an object")
    host, ref, category = item["host"], item["entry_id"], item["category"]
    if not isinstance(host, str) or not isinstance(ref, str) or not is_entry_id(ref):
        raise ValueError("an entry's host or entry id has the wrong form")
    if not isinstance(category, int) or isinstance(category, bool):
        raise TypeError("an entry's category is not a number")
    return HostEntry(host=host, entry_id=parse_entry_id(ref), category=category)
