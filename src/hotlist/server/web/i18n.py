"""The pages' languages: English in the templates, every other language in a Babel ``.po`` file.

``translations/<lang>/LC_MESSAGES/messages.po`` is read when the app starts and compiled in
memory, so adding a language is adding that one file (see ``docs/web.md``); fuzzy entries are
left out until a translator clears the flag. A page's language is, in order: a ``lang`` query
parameter (the visible switch, which also sets the ``lang`` cookie), the ``lang`` cookie, the
browser's ``Accept-Language``, English.
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations
from starlette.requests import HTTPConnection

from hotlist.blockpage.catalogue import preferred_languages
from hotlist.errors import ConfigError

DEFAULT_LANGUAGE = "en"
LANG_PARAM = "lang"
LANG_COOKIE = "lang"
_CODE = re.compile(r"[a-z]{2,3}(?:_[A-Z]{2})?")


@dataclass(frozen=True)
class Language:
    """A language the pages speak: its code and its name in itself (for the switch)."""

    code: str
    name: str


def _name(code: str) -> str:
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return code
    name = locale.get_display_name(locale) or code
    return name[:1].upper() + name[1:]


def _compile(source: str, text: bytes, code: str) -> Translations:
    """The ``.po`` text as gettext translations (compiled in memory, fuzzy entries left out)."""
    try:
        catalog = read_po(io.BytesIO(text), locale=code, abort_invalid=True)
    except (PoFileError, ValueError, UnknownLocaleError) as exc:
        raise ConfigError(f"translation file {source} cannot be read: {exc}") from exc
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


class Languages:
    """Every language there is a translation file for, and English."""

    def __init__(self, translations: Mapping[str, gettext.NullTranslations]) -> None:
        self._translations = {DEFAULT_LANGUAGE: gettext.NullTranslations(), **translations}
        self.languages = tuple(Language(code, _name(code)) for code in sorted(self._translations))

    @classmethod
    def packaged(cls) -> Languages:
        """The languages shipped in ``hotlist/server/web/translations``."""
        root = resources.files("hotlist.server.web").joinpath("translations")
        return cls(dict(_read_tree(root)))

    @classmethod
    def from_directory(cls, root: Path) -> Languages:
        """The languages of a ``<lang>/LC_MESSAGES/messages.po`` tree (and English)."""
        return cls(dict(_read_tree(root)))

    @property
    def codes(self) -> tuple[str, ...]:
        """The language codes, sorted."""
        return tuple(language.code for language in self.languages)

    def translations(self, code: str) -> gettext.NullTranslations:
        """The translations of ``code`` (English, that is none, when unknown)."""
        return self._translations.get(code, self._translations[DEFAULT_LANGUAGE])

    def match(self, tag: str | None) -> str | None:
        """Our code for a language tag (``de``, ``de-AT``, ``DE``), or None."""
        if not tag:
            return None
        lowered = tag.strip().replace("_", "-").lower()
        for candidate in (lowered, lowered.split("-", 1)[0]):
            if candidate in self._translations:
                return candidate
        return None

    def choose(self, connection: HTTPConnection) -> str:
        """The language of a page for this request (see the module's docstring)."""
        for explicit in (
            connection.query_params.get(LANG_PARAM),
            connection.cookies.get(LANG_COOKIE),
        ):
            code = self.match(explicit)
            if code is not None:
                return code
        for tag in preferred_languages(connection.headers.get("accept-language", "")):
            code = self.match(tag)
            if code is not None:
                return code
        return DEFAULT_LANGUAGE


def _read_tree(root: Traversable | Path) -> list[tuple[str, Translations]]:
    found: list[tuple[str, Translations]] = []
    if not root.is_dir():
        return found
    for folder in root.iterdir():
        po = folder.joinpath("LC_MESSAGES").joinpath("messages.po")
        if not folder.is_dir() or not po.is_file():
            continue
        if not _CODE.fullmatch(folder.name):
            raise ConfigError(f"translations/{folder.name}: the folder must be a language code")
        code = folder.name.lower().replace("_", "-")
        found.append((code, _compile(f"translations/{folder.name}", po.read_bytes(), folder.name)))
    return found
