"""The shared-hosting warning list: host suffixes where many unrelated sites live.

Listing a whole host under such a suffix would block every tenant's lawful content with the
one bad page, so the server refuses host scope for any host the list covers. The file holds one
host suffix per line; ``#`` starts a comment; a leading ``*.`` or ``.`` is allowed and changes
nothing (a suffix always covers itself and every name below it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from hotlist.errors import PolicyError

_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")


def default_shared_hosting_path() -> Path:
    """The shared-hosting list shipped with the package."""
    return Path(str(resources.files("hotlist.policy") / "data" / "shared-hosting.txt"))


@dataclass(frozen=True)
class SharedHostingList:
    """A set of host suffixes; :meth:`covers` matches on whole labels only."""

    suffixes: frozenset[str]

    @classmethod
    def load(cls, path: Path) -> SharedHostingList:
        """Read a list file; a PolicyError names the file and each bad line."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PolicyError(f"cannot read shared-hosting list {path}: {exc}") from exc
        return cls.parse(text, origin=str(path))

    @classmethod
    def default(cls) -> SharedHostingList:
        """The list shipped with the package."""
        return cls.load(default_shared_hosting_path())

    @classmethod
    def parse(cls, text: str, origin: str = "shared-hosting list") -> SharedHostingList:
        """Parse the file's text; every malformed line is reported with its number."""
        suffixes: set[str] = set()
        problems: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            entry = line.split("#", 1)[0].strip().lower()
            if not entry:
                continue
            suffix = normalise_suffix(entry)
            if suffix is None:
                problems.append(f"line {number}: {entry!r} is not a host suffix")
            else:
                suffixes.add(suffix)
        if problems:
            raise PolicyError(f"{origin} has bad lines:\n  " + "\n  ".join(problems))
        return cls(frozenset(suffixes))

    def covers(self, host: str) -> bool:
        """Whether ``host`` is one of the suffixes or a name below one (label boundaries)."""
        return self.matching_suffix(host) is not None

    def matching_suffix(self, host: str) -> str | None:
        """The longest listed suffix covering ``host``, to name the rule in an error."""
        labels = host.lower().rstrip(".").split(".")
        for start in range(len(labels)):
            candidate = ".".join(labels[start:])
            if candidate in self.suffixes:
                return candidate
        return None

    def dumps(self) -> str:
        """The list as file text, one suffix per line, sorted."""
        return "".join(f"{suffix}\n" for suffix in sorted(self.suffixes))


def normalise_suffix(entry: str) -> str | None:
    """A suffix in list form (lower case, no wildcard or dots at the ends), or None if invalid."""
    value = entry.strip().lower()
    value = value.removeprefix("*.").removeprefix(".").removesuffix(".")
    if not value or len(value) > 253:
        return None
    if not all(_LABEL.fullmatch(label) for label in value.split(".")):
        return None
    return value
