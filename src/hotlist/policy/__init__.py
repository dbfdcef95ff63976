"""The hotline's written policy: categories, their legal basis, and the shared-hosting list.

Pure Python with no web or database imports; the server stores versions of it, and the
statement of reasons of every entry names the version it was decided under.
"""

from __future__ import annotations

from hotlist.policy.loader import demo_policy_path, load_demo_policy, load_policy, policy_from_dict
from hotlist.policy.model import Category, Policy
from hotlist.policy.shared_hosting import SharedHostingList, default_shared_hosting_path

__all__ = [
    "Category",
    "Policy",
    "SharedHostingList",
    "default_shared_hosting_path",
    "demo_policy_path",
    "load_demo_policy",
    "load_policy",
    "policy_from_dict",
]
