"""Rendering the block page: pure functions from the public policy and an entry to HTML.

A blocked address answers 403, or 451 (RFC 7725) when the category's legal basis is a legal
order. The page says who keeps the list, the category and its legal basis per jurisdiction, the
entry id, and how to appeal (a link to the hotline's appeal form carrying the entry id). It never
holds a URL of any entry: nothing here receives one. Every value is HTML-escaped, messages too.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from importlib import resources
from string import Template

from hotlist.blockpage.catalogue import Catalogue
from hotlist.publish.public_policy import PublicPolicy
from hotlist.publish.wire import is_entry_id

_TEMPLATE = Template(
    resources.files("hotlist.blockpage").joinpath("page.html").read_text(encoding="utf-8")
)
_HEADERS = (
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"),
)


@dataclass(frozen=True)
class RenderedPage:
    """A page ready to send: status, HTML, its language and headers (Content-Type included)."""

    status: int
    html: str
    language: str
    headers: tuple[tuple[str, str], ...]

    @property
    def body(self) -> bytes:
        """The HTML as UTF-8."""
        return self.html.encode("utf-8")


def parse_entry_ref(text: str | None) -> str | None:
    """The entry id in its written form (16 lower-case hex digits), or None when it is not one;
    a visitor's copy may have spaces around it or upper-case digits."""
    if text is None:
        return None
    ref = text.strip().lower()
    return ref if is_entry_id(ref) else None


def _page(status: int, catalogue: Catalogue, title: str, body: str) -> RenderedPage:
    html = _TEMPLATE.substitute(lang=escape(catalogue.language), title=escape(title), body=body)
    headers = (
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Language", catalogue.language),
        *_HEADERS,
    )
    return RenderedPage(status, html, catalogue.language, headers)


def blocked_page(
    policy: PublicPolicy, entry_ref: str, category_id: int | None, catalogue: Catalogue
) -> RenderedPage:
    """The page for an address blocked under entry ``entry_ref`` of category ``category_id``."""
    t = catalogue.text
    category = policy.category(category_id)
    operator = policy.operator
    if category is None:
        name = t("unknown_category", wire_id=str(category_id))
        basis = ""
    else:
        name = catalogue.category_name(category.code, category.name)
        items = "".join(
            f"<li>{escape(where)}: {escape(law)}</li>" for where, law in category.legal_basis
        )
        basis = f"<dt>{escape(t('legal_basis'))}</dt><dd><ul>{items}</ul></dd>"
    legal_order = category is not None and category.legal_order
    order = f"<p><strong>{escape(t('legal_order'))}</strong></p>" if legal_order else ""
    policy_text = t(
        "policy_text", policy_id=policy.policy_id, policy_version=str(policy.policy_version)
    )
    appeal = policy.appeal_link(entry_ref)
    body = (
        f"<p>{escape(t('lead', operator=operator))}</p>{order}"
        f"<dl><dt>{escape(t('category'))}</dt><dd>{escape(name)}</dd>{basis}"
        f'<dt>{escape(t("entry"))}</dt><dd class="entry">{escape(entry_ref)}</dd>'
        f"<dt>{escape(t('policy'))}</dt><dd>{escape(policy_text)}</dd></dl>"
        f"<h2>{escape(t('appeal_heading'))}</h2>"
        f"<p>{escape(t('appeal_text', entry_id=entry_ref))}</p>"
        f'<p><a class="appeal" href="{escape(appeal)}">{escape(t("appeal_link"))}</a></p>'
        f"<p><small>{escape(t('why_blocked', operator=operator))}</small></p>"
    )
    return _page(451 if legal_order else 403, catalogue, t("title"), body)


def not_listed_page(entry_ref: str, catalogue: Catalogue) -> RenderedPage:
    """404: the entry is not on the list in force (removed, or never there)."""
    text = catalogue.text("not_listed", entry_id=entry_ref)
    return _page(404, catalogue, catalogue.text("not_listed_title"), f"<p>{escape(text)}</p>")


def bad_entry_page(catalogue: Catalogue) -> RenderedPage:
    """400: the request names no valid entry id."""
    text = catalogue.text("bad_entry")
    return _page(400, catalogue, catalogue.text("bad_entry_title"), f"<p>{escape(text)}</p>")


def unavailable_page(catalogue: Catalogue) -> RenderedPage:
    """503: no list (or no policy extra) to say anything from."""
    text = catalogue.text("unavailable")
    return _page(503, catalogue, catalogue.text("unavailable_title"), f"<p>{escape(text)}</p>")
