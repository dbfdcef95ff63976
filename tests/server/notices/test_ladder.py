"""The ladder, pure: re-sends on the category's interval, escalation, referral, holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hotlist.policy.model import Removal
from hotlist.server.notices.ladder import NEVER, Action, Standing, due, schedule
from hotlist.server.notices.models import ContactRole, NoticeState

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEMO = Removal(xarf_type="csam", renotice_hours=24, escalate_hours=72, refer_hours=168)


def sent(role: ContactRole = ContactRole.HOST, step: int = 1, **changes: object) -> Standing:
    values: dict[str, object] = {
        "state": NoticeState.SENT,
        "role": role,
        "step": step,
        "first_sent_at": T0,
    }
    values.update(changes)
    return Standing(**values)  # type: ignore[arg-type]


removals = st.builds(
    lambda renotice, escalate, extra: Removal(
        renotice_hours=renotice, escalate_hours=escalate, refer_hours=escalate + extra
    ),
    st.integers(0, 48),
    st.integers(1, 200),
    st.integers(1, 400),
)


def walk(standing: Standing, removal: Removal) -> list[tuple[Action, datetime]]:
    """Follow the ladder as the job would, re-sending in place, until it escalates or refers."""
    steps: list[tuple[Action, datetime]] = []
    for _ in range(1000):
        planned = schedule(standing, removal)
        assert planned.at is not None
        steps.append((planned.action, planned.at))
        if planned.action is not Action.RESEND:
            return steps
        standing = Standing(
            standing.state,
            standing.role,
            standing.step + 1,
            standing.first_sent_at,
            standing.origin_sent_at,
            standing.escalated,
        )
    raise AssertionError("the ladder never left re-sending")


def test_the_demo_csam_ladder() -> None:
    steps = walk(sent(), DEMO)
    assert steps == [
        (Action.RESEND, T0 + timedelta(hours=24)),
        (Action.RESEND, T0 + timedelta(hours=48)),
        (Action.ESCALATE, T0 + timedelta(hours=72)),
    ]
    upstream = sent(
        ContactRole.REGISTRAR, origin_sent_at=T0, first_sent_at=T0 + timedelta(hours=72)
    )
    assert walk(upstream, DEMO)[-1] == (Action.REFER, T0 + timedelta(hours=168))
    assert [a for a, _ in walk(upstream, DEMO)].count(Action.RESEND) == 3  # at 96, 120, 144 h


@given(removal=removals)
def test_host_resends_on_the_interval_then_escalates_at_its_hour(removal: Removal) -> None:
    steps = walk(sent(), removal)
    escalate_at = T0 + timedelta(hours=removal.escalate_hours)
    assert steps[-1] == (Action.ESCALATE, escalate_at)
    resends = [at for action, at in steps if action is Action.RESEND]
    if removal.renotice_hours == 0:
        assert resends == []
    else:
        assert resends == [
            T0 + timedelta(hours=removal.renotice_hours * k) for k in range(1, len(resends) + 1)
        ]
        assert all(at < escalate_at for at in resends)
        assert T0 + timedelta(hours=removal.renotice_hours * (len(resends) + 1)) >= escalate_at


@given(removal=removals, role=st.sampled_from([ContactRole.UPSTREAM, ContactRole.REGISTRAR]))
def test_above_the_host_the_ladder_ends_in_a_referral_from_the_first_notice(
    removal: Removal, role: ContactRole
) -> None:
    standing = sent(
        role, origin_sent_at=T0, first_sent_at=T0 + timedelta(hours=removal.escalate_hours)
    )
    assert walk(standing, removal)[-1] == (Action.REFER, T0 + timedelta(hours=removal.refer_hours))


@given(removal=removals)
def test_a_host_with_no_one_above_goes_on_to_the_referral(removal: Removal) -> None:
    assert walk(sent(escalated=True), removal)[-1][0] is Action.REFER


@given(removal=removals, hours=st.integers(0, 800))
def test_nothing_is_due_before_its_time_and_due_after(removal: Removal, hours: int) -> None:
    standing = sent()
    now = T0 + timedelta(hours=hours)
    planned = schedule(standing, removal)
    assert planned.at is not None
    got = due(standing, removal, now)
    rung = schedule(sent(state=NoticeState.ACKNOWLEDGED), removal)
    assert rung.at is not None
    if now < planned.at:
        assert got == type(got)(Action.NOTHING, planned.at)
    elif now >= rung.at:
        assert got == rung  # late: the rung wins over the reminders missed before it
    else:
        assert got == planned


@given(removal=removals, hours=st.integers(0, 800))
def test_an_acknowledged_notice_gets_no_reminder(removal: Removal, hours: int) -> None:
    standing = sent(state=NoticeState.ACKNOWLEDGED)
    assert schedule(standing, removal).action is Action.ESCALATE
    assert due(standing, removal, T0 + timedelta(hours=hours)).action is not Action.RESEND


@given(removal=removals, hours=st.integers(0, 800), until=st.none() | st.integers(1, 800))
def test_a_hold_stops_everything_until_its_end(
    removal: Removal, hours: int, until: int | None
) -> None:
    held_until = None if until is None else T0 + timedelta(hours=until)
    standing = sent(held=True, held_until=held_until)
    now = T0 + timedelta(hours=hours)
    got = due(standing, removal, now)
    if held_until is None or held_until > now:
        assert got.action is Action.NOTHING
        assert got.at == held_until
    else:
        assert got == due(sent(), removal, now)


@given(
    state=st.sampled_from(
        [NoticeState.DRAFTED, NoticeState.REMOVED, NoticeState.ESCALATED, NoticeState.UNRESOLVED]
    ),
    hours=st.integers(0, 800),
)
def test_drafts_and_closed_notices_are_not_on_the_ladder(state: NoticeState, hours: int) -> None:
    assert due(sent(state=state), DEMO, T0 + timedelta(hours=hours)) == NEVER


def test_the_police_rung_is_the_last() -> None:
    assert schedule(sent(ContactRole.POLICE), DEMO) == NEVER
    assert schedule(sent(ContactRole.PARTNER), DEMO) == NEVER
