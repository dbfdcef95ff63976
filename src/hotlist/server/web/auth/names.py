"""Login names: what a person types to sign in, made by the server and not guessable.

User ids are sequential, so signing in by id told anyone the accounts there are. A login name is
the first letters of the person's display name (to recognise it by) and ten characters drawn at
random from 31 that cannot be mistaken for one another (about 50 bits): ``ada.k7m2q9xd4h``.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RANDOM_CHARS = 10
PREFIX_MAX = 12
_SHAPE = re.compile(rf"[a-z0-9-]{{1,{PREFIX_MAX}}}\.[{ALPHABET}]{{{RANDOM_CHARS}}}")


def _prefix(display_name: str) -> str:
    """The display name's first letters in lower-case ASCII (``person`` if none)."""
    ascii_name = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name.lower())
    return "-".join(words)[:PREFIX_MAX].strip("-") or "person"


def new_login_name(display_name: str) -> str:
    """A fresh login name for someone called ``display_name``."""
    suffix = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    return f"{_prefix(display_name)}.{suffix}"


def normalise(text: str) -> str | None:
    """A typed login name as stored (trimmed, lower-case), or None if it cannot be one."""
    name = text.strip().lower()
    return name if _SHAPE.fullmatch(name) else None
