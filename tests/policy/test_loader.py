"""Loading and validating policy files: every mistake reported with its location."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.errors import InvalidPolicy, PolicyError
from hotlist.policy import demo_policy_path, load_demo_policy, load_policy, policy_from_dict

Factory = Callable[..., dict[str, Any]]
POLICY_FIELDS = ["policy_id", "title", "operator", "effective", "categories"]
CATEGORY_FIELDS = ["code", "wire_id", "name", "definition", "legal_basis", "reverify_days"]


def problems_of(source: Any) -> tuple[str, ...]:
    """The problems a policy given as data (dict) or as YAML text (str) is refused with."""
    load = load_policy if isinstance(source, str) else policy_from_dict
    with pytest.raises(InvalidPolicy) as info:
        load(source)
    return info.value.problems


def test_valid_policy_loads_from_text(policy_yaml: Callable[..., str]) -> None:
    policy = load_policy(policy_yaml())
    assert policy.policy_id == "test-policy"
    assert policy.effective == date(2026, 1, 1)
    assert [c.code for c in policy.categories] == ["csam", "terror"]
    assert policy.category("terror").legal_order is True
    assert policy.category("csam").jurisdictions == ("EU", "GB")


def test_valid_policy_loads_from_file(tmp_path: Path, policy_yaml: Callable[..., str]) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(policy_yaml(), encoding="utf-8")
    assert load_policy(path) == load_policy(policy_yaml())


def test_missing_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read policy file"):
        load_policy(tmp_path / "absent.yaml")


def test_demo_policy_is_valid_and_uses_the_demo_operator() -> None:
    policy = load_demo_policy()
    assert policy.operator == "Example Hotline"
    assert {"csam", "terror"} <= {c.code for c in policy.categories}
    assert len(policy.categories) >= 3
    assert any(c.legal_order for c in policy.categories)
    assert demo_policy_path().is_file()


def test_every_problem_is_reported_with_its_location(
    policy_data: Factory, category_data: Factory
) -> None:
    data = policy_data(
        policy_id="",
        unknown="x",
        categories=[category_data(wire_id=0), category_data(code="Bad Code", reverify_days="x"), 7],
    )
    del data["title"]
    problems = problems_of(data)
    assert "policy_id: must be 1..64 of A-Z a-z 0-9 . _ -, starting with a letter or digit" in (
        problems
    )
    assert "title: is required" in problems
    assert any(p.startswith("unknown: unknown field") for p in problems)
    assert "categories[0].wire_id: must be an integer 1..65535" in problems
    assert any(p.startswith("categories[1].code: must be a slug") for p in problems)
    assert "categories[1].reverify_days: must be an integer 1..3650" in problems
    assert any(p.startswith("categories[2]: must be a mapping") for p in problems)
    assert len(problems) == 7


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ({"wire_id": 65_536}, "categories[0].wire_id: must be an integer 1..65535"),
        ({"wire_id": True}, "categories[0].wire_id: must be an integer 1..65535"),
        ({"name": "  "}, "categories[0].name: must be a non-empty string"),
        ({"definition": 3}, "categories[0].definition: must be a non-empty string"),
        ({"legal_order": "yes please"}, "categories[0].legal_order: must be true or false"),
        ({"host_scope_allowed": 1}, "categories[0].host_scope_allowed: must be true or false"),
        ({"reverify_days": 0}, "categories[0].reverify_days: must be an integer 1..3650"),
        ({"legal_basis": {}}, "categories[0].legal_basis: must map a jurisdiction"),
        ({"legal_basis": {"de": "x"}}, "categories[0].legal_basis.de: jurisdiction must be"),
        ({"legal_basis": {"DE": ""}}, "categories[0].legal_basis.DE: must be the law's text"),
        ({"extra": 1}, "categories[0].extra: unknown field"),
    ],
)
def test_one_bad_category_field(
    category: dict[str, Any], expected: str, policy_data: Factory, category_data: Factory
) -> None:
    data = policy_data(categories=[category_data(**category)])
    problems = problems_of(data)
    assert len(problems) == 1
    assert problems[0].startswith(expected)


def test_duplicate_codes_and_wire_ids_name_the_first_use(
    policy_data: Factory, category_data: Factory
) -> None:
    data = policy_data(categories=[category_data(), category_data(), category_data(wire_id=9)])
    problems = problems_of(data)
    assert "categories[1].code: 'csam' is already used by categories[0]" in problems
    assert "categories[1].wire_id: 1 is already used by categories[0]" in problems
    assert "categories[2].code: 'csam' is already used by categories[0]" in problems
    assert len(problems) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "policy: must be a mapping"),
        ("- a\n- b\n", "policy: must be a mapping"),
        ("title: [unclosed\n", "line 2, column 1: not valid YAML"),
        ("title: a\ntitle: b\n", "line 2, column 1: not valid YAML: found duplicate key 'title'"),
        ("effective: 2026-13-45\n", "policy: a value YAML cannot build"),
        ("!!python/object:os.system {}\n", "line 1, column 1: not valid YAML"),
    ],
)
def test_text_that_is_not_a_policy(text: str, expected: str) -> None:
    problems = problems_of(text)
    assert problems[0].startswith(expected)


@pytest.mark.parametrize("effective", ["2026-02-30", "soon", 20260101, "2026-01-01T10:00:00"])
def test_effective_must_be_a_date(effective: object, policy_data: Factory) -> None:
    assert problems_of(policy_data(effective=effective)) == (
        "effective: must be a date, YYYY-MM-DD",
    )


def test_error_message_lists_problems_for_people(policy_yaml: Callable[..., str]) -> None:
    with pytest.raises(InvalidPolicy) as info:
        load_policy(policy_yaml(categories=[]))
    assert info.value.message == (
        "policy text is not valid (1 problem):\n"
        "  categories: must be a non-empty list of categories"
    )


def test_text_is_stripped_so_folded_yaml_hashes_the_same(policy_yaml: Callable[..., str]) -> None:
    folded = policy_yaml().replace(
        "definition: Images that depict the sexual abuse of a child.",
        "definition: >\n    Images that depict the sexual abuse of a child.\n",
        1,
    )
    assert load_policy(folded) == load_policy(policy_yaml())


def test_oversized_text_is_refused() -> None:
    problems = problems_of("#" * 1_000_001)
    assert problems == ("policy: larger than 1000000 bytes",)


yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=20), st.dates().map(str)
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from([*POLICY_FIELDS, *CATEGORY_FIELDS, "x"]), inner, max_size=6
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_arbitrary_text_raises_only_policy_error(text: str | bytes) -> None:
    with contextlib.suppress(PolicyError):
        load_policy(text)


@settings(max_examples=200, deadline=None)
@given(yaml_values)
def test_arbitrary_structures_raise_only_policy_error(value: object) -> None:
    with contextlib.suppress(PolicyError):
        load_policy(yaml.safe_dump(value))


@settings(max_examples=100, deadline=None)
@given(fields=st.dictionaries(st.sampled_from(POLICY_FIELDS), yaml_scalars))
def test_partial_policies_report_or_load(fields: dict[str, Any], policy_data: Factory) -> None:
    data = {**policy_data(), **fields}
    problems: tuple[str, ...] = ()
    try:
        policy = policy_from_dict(data)
    except InvalidPolicy as exc:
        problems = exc.problems
    if problems:
        assert all(": " in problem for problem in problems)
    else:
        assert policy_from_dict(policy.to_dict()) == policy
        assert policy.categories


def test_removal_block_and_home_country_are_optional_with_the_defaults(
    policy_data: Factory,
) -> None:
    policy = policy_from_dict(policy_data())
    assert policy.home_country is None
    removal = policy.category("csam").removal
    assert (removal.xarf_type, removal.renotice_hours, removal.escalate_hours) == (None, 24, 72)
    assert (removal.refer_hours, removal.recheck_hours, removal.unchecked_days) == (168, 12, 3)


def test_removal_block_is_read_and_survives_the_round_trip(
    policy_data: Factory, category_data: Factory
) -> None:
    removal = {"xarf_type": "csam", "renotice_hours": 6, "escalate_hours": 48, "refer_hours": 96}
    data = policy_data(home_country="GB", categories=[category_data(removal=removal)])
    policy = policy_from_dict(data)
    assert policy.home_country == "GB"
    assert policy.category("csam").removal.renotice_hours == 6
    assert policy.category("csam").removal.recheck_hours == 12
    assert policy_from_dict(policy.to_dict()) == policy
    assert policy.content_hash != policy_from_dict(policy_data()).content_hash


@pytest.mark.parametrize(
    ("removal", "expected"),
    [
        (
            {"xarf_type": "spam"},
            "categories[0].removal.xarf_type: must be one of csam, csem",
        ),
        ({"renotice_hours": 0}, "categories[0].removal.renotice_hours: must be an integer 1.."),
        ({"recheck_hours": "12"}, "categories[0].removal.recheck_hours: must be an integer"),
        ({"resend": 1}, "categories[0].removal.resend: unknown field"),
        ({"renotice_hours": 80}, "categories[0].removal: the ladder must climb"),
        ("daily", "categories[0].removal: must be a mapping"),
    ],
)
def test_a_bad_removal_block_names_the_field(
    removal: object, expected: str, policy_data: Factory, category_data: Factory
) -> None:
    problems = problems_of(policy_data(categories=[category_data(removal=removal)]))
    assert len(problems) == 1
    assert problems[0].startswith(expected)


@pytest.mark.parametrize("home", ["gb", "GBR", 44, ""])
def test_home_country_must_be_alpha_2(home: object, policy_data: Factory) -> None:
    assert problems_of(policy_data(home_country=home)) == (
        "home_country: must be the hotline's country, ISO 3166 alpha-2 (GB)",
    )
