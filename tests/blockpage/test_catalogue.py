"""Message catalogues: every shipped language is complete and safe; an operator adds one by
adding a file; Accept-Language picks the language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.blockpage import Catalogues
from hotlist.blockpage.catalogue import preferred_languages
from hotlist.errors import ConfigError

SHIPPED = Catalogues()


@pytest.fixture
def shipped() -> Catalogues:
    return SHIPPED


def test_english_and_german_are_shipped_complete(shipped: Catalogues) -> None:
    assert {"en", "de"} <= set(shipped.languages)
    english = shipped.get("en").messages
    for language in shipped.languages:
        catalogue = shipped.get(language)
        assert set(catalogue.messages) >= set(english)
        assert catalogue.text("lead", operator="X")


@pytest.mark.parametrize(
    ("header", "override", "language"),
    [
        (None, None, "en"),
        ("de", None, "de"),
        ("de-AT", None, "de"),
        ("fr, de;q=0.8, en;q=0.9", None, "en"),
        ("fr, de;q=0.9, en;q=0.8", None, "de"),
        ("de;q=0", None, "en"),
        ("*", None, "en"),
        ("de", "en", "en"),
        ("en", "DE", "de"),
        ("en", "xx", "en"),
        ("garbage;;;q=x, ,", None, "en"),
    ],
)
def test_choose(
    shipped: Catalogues, header: str | None, override: str | None, language: str
) -> None:
    assert shipped.choose(header, override).language == language


@settings(max_examples=200)
@given(st.text(max_size=200))
def test_any_header_gives_a_language(header: str) -> None:
    tags = preferred_languages(header)
    assert all(tag == tag.lower() and tag != "*" for tag in tags)
    assert SHIPPED.choose(header).language in SHIPPED.languages


def test_an_operator_adds_a_language_and_translates_a_category(tmp_path: Path) -> None:
    (tmp_path / "fr.json").write_text(
        json.dumps({"title": "Accès bloqué", "category.csam": "Abus sexuels sur enfants"}),
        encoding="utf-8",
    )
    catalogues = Catalogues(tmp_path)
    french = catalogues.choose("fr-CH")
    assert french.language == "fr"
    assert french.text("title") == "Accès bloqué"
    assert french.text("entry") == "Entry"  # what a catalogue lacks is said in English
    assert french.category_name("csam", "Child sexual abuse material") == "Abus sexuels sur enfants"
    assert french.category_name("ncii", "NCII") == "NCII"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fr.json", "{", "not valid JSON"),
        ("fr.json", "[]", "one JSON object"),
        ("fr.json", '{"title": 3}', "one JSON object"),
        ("fr.json", '{"nonsense": "x"}', "unknown key"),
        ("fr.json", '{"lead": "{operator} {secret}"}', "unknown placeholders: secret"),
        ("fr.json", '{"lead": "{operator"}', "malformed"),
        ("fr.json", '{"category.csam": "{operator}"}', "unknown placeholders"),
        ("Not A Tag.json", "{}", "no language tag"),
    ],
)
def test_bad_catalogues_are_clear_errors(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        Catalogues(tmp_path)


def test_a_folder_without_catalogues_adds_nothing(tmp_path: Path) -> None:
    Catalogues(tmp_path / "none")  # glob of a missing folder: nothing added
    (tmp_path / "file").write_text("x")
    assert Catalogues(tmp_path / "file").languages == Catalogues().languages
