"""The public policy extra: deterministic bytes, a round trip, appeal links, malformed input."""

from __future__ import annotations

import pytest

from hotlist.errors import VerificationError
from hotlist.publish.public_policy import (
    PublicCategory,
    PublicPolicy,
    decode_public_policy,
    encode_public_policy,
)


def make_policy(appeal_url: str = "http://127.0.0.1:8000/appeal") -> PublicPolicy:
    return PublicPolicy(
        operator="Example Hotline",
        policy_id="example-hotline-demo",
        policy_version=2,
        title="Demo policy",
        appeal_url=appeal_url,
        categories=(
            PublicCategory.of(2, "terror", "Terrorist content", {"EU": "Reg", "DE": "§ 91"}, True),
            PublicCategory.of(1, "csam", "Child sexual abuse material", {"GB": "PCA"}, False),
        ),
    )


def test_round_trip() -> None:
    policy = make_policy()
    decoded = decode_public_policy(encode_public_policy(policy))
    assert decoded.operator == policy.operator
    assert decoded.category(2) == policy.category(2)
    assert decoded.category(1) == policy.category(1)
    assert decoded.category(9) is None
    assert encode_public_policy(decoded) == encode_public_policy(policy)


def test_the_same_policy_makes_the_same_bytes() -> None:
    assert encode_public_policy(make_policy()) == encode_public_policy(make_policy())
    data = encode_public_policy(make_policy())
    assert data.index(b'"appeal_url"') < data.index(b'"categories"')  # sorted keys


def test_legal_basis_is_sorted_by_jurisdiction() -> None:
    category = make_policy().category(2)
    assert category is not None
    assert category.legal_basis == (("DE", "§ 91"), ("EU", "Reg"))


@pytest.mark.parametrize(
    ("appeal_url", "link"),
    [
        ("http://127.0.0.1:8000/appeal", "http://127.0.0.1:8000/appeal?entry=00000000000000be"),
        ("https://hotline.example/a?x=1", "https://hotline.example/a?x=1&entry=00000000000000be"),
    ],
)
def test_appeal_link_carries_the_entry_id(appeal_url: str, link: str) -> None:
    assert make_policy(appeal_url).appeal_link("00000000000000be") == link


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"{}",
        b'{"format": 1}',
        encode_public_policy(make_policy()).replace(b'"policy_version":2', b'"policy_version":"2"'),
        encode_public_policy(make_policy()).replace(b'"legal_order":true', b'"legal_order":1'),
        encode_public_policy(make_policy()).replace(b'"GB":"PCA"', b'"GB":3'),
        encode_public_policy(make_policy("javascript:alert(1)")),
    ],
)
def test_malformed_extras_are_refused(data: bytes) -> None:
    with pytest.raises(VerificationError, match="policy"):
        decode_public_policy(data)
