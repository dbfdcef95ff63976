"""The block page's words, one message catalogue per language: ``messages/<lang>.json``.

English (``en.json``) is complete and the reference: every other catalogue may hold any of its
keys, and a key it lacks is said in English. A catalogue may also translate category names
with ``category.<code>`` keys (the policy's own name is used otherwise). Placeholders are
``{name}`` and only those the English message has. Adding a language is adding a file, to the
package or to an operator's folder (``--messages DIR``), which may also override a shipped one.

The language of a page follows the request's ``Accept-Language`` (quality values honoured, a
regional tag falls back to its language), English when nothing matches.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from hotlist.errors import ConfigError

DEFAULT_LANGUAGE = "en"
_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
_ITEM = re.compile(
    r"\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]{1,5}))?\s*"
)
MAX_CATALOGUE_BYTES = 256 * 1024


@dataclass(frozen=True)
class Catalogue:
    """The messages of one language, English filling what it lacks."""

    language: str
    messages: Mapping[str, str]

    def text(self, key: str, **values: str) -> str:
        """Message ``key`` with ``values`` put in (plain text: the page escapes it)."""
        return self.messages[key].format_map(values)

    def category_name(self, code: str, default: str) -> str:
        """The category's name in this language, or ``default`` (the policy's)."""
        return self.messages.get(f"category.{code}", default)


def _placeholders(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name is not None}


def _read(source: str, text: str) -> dict[str, str]:
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"message catalogue {source} is not valid JSON: {exc}") from exc
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise ConfigError(f"message catalogue {source} must be one JSON object of text")
    return raw


def _check(source: str, messages: Mapping[str, str], reference: Mapping[str, str]) -> None:
    for key, message in messages.items():
        if key.startswith("category."):
            allowed: set[str] = set()
        elif key in reference:
            allowed = _placeholders(reference[key])
        else:
            raise ConfigError(f"message catalogue {source} has an unknown key {key!r}")
        try:
            used = _placeholders(message)
        except ValueError as exc:
            raise ConfigError(f"message {key!r} in {source} is malformed: {exc}") from exc
        if not used <= allowed:
            extra = ", ".join(sorted(used - allowed))
            raise ConfigError(f"message {key!r} in {source} uses unknown placeholders: {extra}")


class Catalogues:
    """Every language's catalogue: the packaged ones, then an operator's folder over them."""

    def __init__(self, extra_dir: Path | None = None) -> None:
        packaged = resources.files("hotlist.blockpage").joinpath("messages")
        texts: dict[str, tuple[str, str]] = {}
        for item in packaged.iterdir():
            if item.name.endswith(".json"):
                texts[item.name[:-5]] = (f"messages/{item.name}", item.read_text("utf-8"))
        if extra_dir is not None:
            try:
                files = sorted(extra_dir.glob("*.json"))
                for path in files:
                    if path.stat().st_size > MAX_CATALOGUE_BYTES:
                        raise ConfigError(f"message catalogue {path} is too large")
                    texts[path.stem.lower()] = (str(path), path.read_text("utf-8"))
            except OSError as exc:
                raise ConfigError(
                    f"cannot read the message catalogues in {extra_dir}: {exc}"
                ) from exc
        reference = _read(*texts[DEFAULT_LANGUAGE])
        _check(texts[DEFAULT_LANGUAGE][0], reference, reference)
        self._catalogues: dict[str, Catalogue] = {}
        for language, (source, text) in sorted(texts.items()):
            if not _TAG.fullmatch(language):
                raise ConfigError(f"message catalogue {source}: {language!r} is no language tag")
            messages = _read(source, text)
            _check(source, messages, reference)
            self._catalogues[language] = Catalogue(language, {**reference, **messages})

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages there are catalogues for, sorted."""
        return tuple(self._catalogues)

    def get(self, language: str) -> Catalogue:
        """The catalogue of ``language``, or English."""
        return self._catalogues.get(language.lower(), self._catalogues[DEFAULT_LANGUAGE])

    def choose(self, accept_language: str | None, override: str | None = None) -> Catalogue:
        """The best catalogue for an ``Accept-Language`` header (``override``, a ``lang``
        parameter, first when there is a catalogue for it)."""
        if override and override.lower() in self._catalogues:
            return self._catalogues[override.lower()]
        for tag in preferred_languages(accept_language or ""):
            for candidate in (tag, tag.split("-", 1)[0]):
                if candidate in self._catalogues:
                    return self._catalogues[candidate]
        return self._catalogues[DEFAULT_LANGUAGE]


def preferred_languages(header: str) -> list[str]:
    """The language tags of an ``Accept-Language`` header, best first (q=0 left out)."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header[:1024].split(",")[:32]):
        match = _ITEM.fullmatch(item)
        if match is None or match.group(1) == "*":
            continue
        try:
            quality = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        if 0 < quality <= 1:
            ranked.append((-quality, position, match.group(1).lower()))
    return [tag for _, _, tag in sorted(ranked)]
