"""Languages: which one a page is in, the switch, and that every public text is translated."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from starlette.requests import Request
from starlette.testclient import TestClient

from hotlist.errors import ConfigError
from hotlist.server.web.i18n import Languages

WEB = Path(str(resources.files("hotlist.server.web")))
PUBLIC_SOURCES = (
    "templates/base.html",
    "templates/error.html",
    "templates/_forms.html",
    "templates/public/",
    "pages/public.py",
    "forms.py",
)
"""What the public sees: every message here must be in every language's file."""


def _request(
    query: str = "", cookie: str | None = None, accept_language: str | None = None
) -> Request:
    headers = []
    if cookie is not None:
        headers.append((b"cookie", f"lang={cookie}".encode()))
    if accept_language is not None:
        headers.append((b"accept-language", accept_language.encode()))
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/",
            "query_string": query.encode(),
            "headers": headers,
        }
    )


@pytest.fixture(scope="module")
def languages() -> Languages:
    return Languages.packaged()


def test_english_and_german_are_shipped(languages: Languages) -> None:
    assert languages.codes == ("de", "en")
    assert [language.name for language in languages.languages] == ["Deutsch", "English"]


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        ("", None, None, "en"),
        ("", None, "de", "de"),
        ("", None, "de-AT,de;q=0.9,en;q=0.5", "de"),
        ("", None, "fr-CH, fr;q=0.9, de;q=0.7, en;q=0.8", "en"),
        ("", None, "fr-CH, fr;q=0.9, de;q=0.8, en;q=0.7", "de"),
        ("", None, "de;q=0, en", "en"),
        ("", None, "xx, *", "en"),
        ("", "de", "en", "de"),
        ("", "zz", "de", "de"),
        ("lang=en", "de", "de", "en"),
        ("lang=DE", None, None, "de"),
        ("lang=klingon", None, "de", "de"),
    ],
)
def test_the_language_of_a_page(
    languages: Languages, query: str, cookie: str | None, accept: str | None, expected: str
) -> None:
    assert languages.choose(_request(query, cookie, accept)) == expected


def test_every_public_message_is_translated() -> None:
    wanted: set[str] = set()
    method_map = [("**.py", "python"), ("**.html", "jinja2")]
    options = {"**.html": {"trim_blocks": "True", "lstrip_blocks": "True"}}
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(WEB), method_map, options_map=options
    ):
        if filename.startswith(PUBLIC_SOURCES):
            wanted.add(message if isinstance(message, str) else message[0])
    assert len(wanted) > 50
    for po in WEB.joinpath("translations").glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
        assert sorted(wanted - translated) == [], po


def test_a_new_language_is_one_po_file(tmp_path: Path) -> None:
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Report a web page"\nmsgstr "Signaler une page web"\n\n'
        '#, fuzzy\nmsgid "Report"\nmsgstr "Signaler?"\n',
        encoding="utf-8",
    )
    languages = Languages.from_directory(tmp_path)
    assert languages.codes == ("en", "fr")
    french = languages.translations("fr")
    assert french.gettext("Report a web page") == "Signaler une page web"
    assert french.gettext("Report") == "Report"  # fuzzy: not used until reviewed
    assert french.gettext("Transparency") == "Transparency"  # missing: English
    assert languages.choose(_request(accept_language="fr-FR")) == "fr"


def test_a_broken_po_file_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text('msgid "unterminated\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="fr"):
        Languages.from_directory(tmp_path)


def test_a_folder_that_is_no_language_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-language" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="language code"):
        Languages.from_directory(tmp_path)


def test_pages_follow_accept_language(browser_client: TestClient) -> None:
    page = browser_client.get("/report", headers={"accept-language": "de-DE,de;q=0.9"})
    assert page.headers["content-language"] == "de"
    assert '<html lang="de">' in page.text
    assert "Eine Webseite melden" in page.text
    assert "Wir speichern Ihre IP-Adresse nicht" in page.text


def test_the_switch_sets_a_cookie_that_later_pages_follow(browser_client: TestClient) -> None:
    english = browser_client.get("/report")
    assert english.headers["content-language"] == "en"
    assert 'href="/report?lang=de"' in english.text
    assert 'aria-current="true">English' in english.text
    switched = browser_client.get("/report?lang=de")
    assert "lang=de" in switched.headers["set-cookie"]
    assert switched.headers["content-language"] == "de"
    assert browser_client.get("/transparency").headers["content-language"] == "de"
    back = browser_client.get("/?lang=en")
    assert back.headers["content-language"] == "en"
    assert browser_client.get("/appeal").headers["content-language"] == "en"


def test_the_switch_keeps_the_rest_of_the_query(browser_client: TestClient) -> None:
    page = browser_client.get("/appeal?entry=00000000000000ab")
    assert 'href="/appeal?entry=00000000000000ab&amp;lang=de"' in page.text


def test_form_errors_are_said_in_the_pages_language(browser_client: TestClient) -> None:
    browser_client.get("/?lang=de")
    token_page = browser_client.get("/report")
    token = token_page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = browser_client.post("/report", data={"csrf_token": token, "url": ""})
    assert response.status_code == 422
    assert "Geben Sie die vollständige Adresse der Seite ein" in response.text
