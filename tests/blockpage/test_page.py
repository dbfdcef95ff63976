"""The block page: statuses, what it says, escaping, and never a URL."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.blockpage import (
    Catalogues,
    bad_entry_page,
    blocked_page,
    not_listed_page,
    parse_entry_ref,
    unavailable_page,
)
from hotlist.publish.public_policy import PublicCategory, PublicPolicy

CATALOGUES = Catalogues()
ENGLISH = CATALOGUES.get("en")


def policy(operator: str = "Example Hotline", law: str = "PCA 1978") -> PublicPolicy:
    return PublicPolicy(
        operator=operator,
        policy_id="demo",
        policy_version=4,
        title="Demo",
        appeal_url="https://hotline.example/appeal",
        categories=(
            PublicCategory.of(1, "csam", "Child sexual abuse material", {"GB": law}, False),
            PublicCategory.of(2, "terror", "Terrorist content", {"EU": "Reg 2021/784"}, True),
        ),
    )


def test_blocked_page_says_what_it_must() -> None:
    page = blocked_page(policy(), "00000000000000be", 1, ENGLISH)
    assert page.status == 403
    html = page.html
    for text in (
        "Access blocked",
        "blocked under the list kept by Example Hotline",
        "Child sexual abuse material",
        "GB: PCA 1978",
        "00000000000000be",
        'href="https://hotline.example/appeal?entry=00000000000000be"',
        "demo, version 4",
    ):
        assert text in html, text
    assert dict(page.headers)["Content-Security-Policy"].startswith("default-src 'none'")
    assert '<html lang="en">' in html


def test_a_legal_order_is_451_and_says_so() -> None:
    page = blocked_page(policy(), "00000000000000be", 2, ENGLISH)
    assert page.status == 451
    assert "because of a legal order" in page.html


def test_an_unknown_category_still_blocks_with_its_number() -> None:
    page = blocked_page(policy(), "00000000000000be", 9, ENGLISH)
    assert page.status == 403
    assert "category number 9 of the policy" in page.html


@settings(max_examples=100)
@given(st.text(max_size=40), st.text(max_size=40))
def test_every_value_is_escaped(operator: str, law: str) -> None:
    page = blocked_page(policy(operator, law), "00000000000000be", 1, ENGLISH)
    body = page.html.split("<main>", 1)[1]
    assert "<script" not in body.replace("&lt;script", "")
    if "<" in operator:
        assert operator not in body


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda c: not_listed_page("00000000000000be", c), 404),
        (bad_entry_page, 400),
        (unavailable_page, 503),
    ],
)
def test_other_pages(make: object, status: int) -> None:
    for language in CATALOGUES.languages:
        page = make(CATALOGUES.get(language))  # type: ignore[operator]
        assert (page.status, page.language) == (status, language)
        assert "http" not in page.html.split("<main>", 1)[1]


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("00000000000000BE", "00000000000000be"),
        (" 00000000000000be ", "00000000000000be"),
        ("be", None),
        ("00000000000000bg", None),
        (None, None),
        ("0" * 17, None),
    ],
)
def test_parse_entry_ref(text: str | None, ref: str | None) -> None:
    assert parse_entry_ref(text) == ref
