"""Synthetic list records for benchmarks, demos and tests, all under reserved ``.example`` names."""

from __future__ import annotations

import hashlib

from hotlist.publish.records import ListRecord
from hotlist.publish.wire import MAX_ENTRY_ID


def synthetic_expression(index: int) -> str:
    """Expression ``index``: a host scope, or a folder or page on a host shared by 8 indexes."""
    scope = index % 10
    if scope == 0:
        return f"x{index}.site{index % 97}.example/"
    host = f"h{index // 8}.site{index // 8 % 97}.example"
    if scope < 4:
        return f"{host}/d{index}/"
    return f"{host}/d{index % 1000}/p{index}.html"


def synthetic_records(count: int, seed: int = 0, *, start: int = 0) -> list[ListRecord]:
    """``count`` records for expressions ``start .. start+count-1``, reproducible from ``seed``.

    Hashes are real SHA-256 values of the expressions; entry ids look random (as opaque public
    ids do) but depend only on ``seed`` and the index, so overlapping ranges agree on shared
    records; categories are 1-4; one in fifty is disputed.
    """
    sha = hashlib.sha256
    records = []
    for index in range(start, start + count):
        expression = synthetic_expression(index)
        host = expression.split("/", 1)[0] + "/"
        records.append(
            ListRecord(
                sha(expression.encode()).digest(),
                sha(host.encode()).digest(),
                1 + index % 4,
                int.from_bytes(sha(b"%d:%d" % (seed, index)).digest()[:8]) % MAX_ENTRY_ID + 1,
                1 if index % 50 == 7 else 0,
            )
        )
    return records
