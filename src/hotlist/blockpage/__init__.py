"""The block page, shared by the edge (``hotlist edge serve``) and the hotline's server.

Pure rendering from the public policy (:mod:`hotlist.publish.public_policy`) and an entry id,
in the language the visitor prefers (:mod:`hotlist.blockpage.catalogue`). Base install only.
"""

from __future__ import annotations

from hotlist.blockpage.catalogue import Catalogue, Catalogues
from hotlist.blockpage.page import (
    RenderedPage,
    bad_entry_page,
    blocked_page,
    not_listed_page,
    parse_entry_ref,
    unavailable_page,
)

__all__ = [
    "Catalogue",
    "Catalogues",
    "RenderedPage",
    "bad_entry_page",
    "blocked_page",
    "not_listed_page",
    "parse_entry_ref",
    "unavailable_page",
]
