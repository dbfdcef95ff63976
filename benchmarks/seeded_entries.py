"""Active page entries made straight in a server's database, for the removal benchmarks.

``from seeded_entries import seed_entries`` (the benchmarks folder is on ``sys.path`` when a
script in it runs): ``count`` entries of category csam under the demo policy, the ``i``-th at
``http://{hosts[i % len(hosts)]}/p/{i}.html``, decided by a bench analyst, in batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hotlist.server.accounts import service as accounts
from hotlist.server.entries import service as entries
from hotlist.server.policies import service as policies
from hotlist.urls import Scope, entry_expression

BATCH = 5_000


def seed_entries(sessions: Any, hosts: Sequence[str], count: int) -> None:
    """``count`` active page entries spread evenly over ``hosts``."""
    with sessions() as session, session.begin():
        version = policies.ensure_policy(session)
        org = accounts.create_org(session, "Bench Hotline", "hotline")
        analyst = accounts.create_user(session, org, "Bench Analyst", "analyst")
        category = policies.policy_of(version).category("csam")
        decisions = [
            entries.Decision(
                expression=entry_expression(
                    f"http://{hosts[i % len(hosts)]}/p/{i}.html", Scope.PAGE
                ),
                scope=Scope.PAGE,
                category=category,
                policy_version_id=version.id,
                facts="Assessed by an analyst.",
                scope_reason="One page.",
                decided_by=analyst.id,
                report_id=None,
            )
            for i in range(count)
        ]
        for start in range(0, len(decisions), BATCH):
            entries.create_many(session, decisions[start : start + BATCH])
