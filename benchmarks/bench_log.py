"""The transparency log: Merkle roots and proofs (pure), and appends and heads on SQLite.

Prints, for a log of N leaves: the time to hash the leaves, compute the root, one inclusion
proof and one consistency proof in memory; then, on a fresh SQLite database, appends per second
through ``record`` (one transaction per event, as the services do) and the service's heads and
proofs; then the same for a large log inserted in bulk (what every member's sync asks for).

    .venv/bin/python benchmarks/bench_log.py            # 1,000,000 leaves; 20,000 appends
    .venv/bin/python benchmarks/bench_log.py --quick    # 20,000 leaves; 1,000 appends
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from hotlist.publish.log.merkle import consistency_proof, inclusion_proof, leaf_hash, root_hash


def _timed(label: str, action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    print(f"  {label:<40} {seconds * 1000:10.1f} ms")
    return seconds


def pure(size: int) -> None:
    print(f"Merkle tree of {size:,} leaves (pure Python, hashlib):")
    hashes: list[bytes] = []
    _timed(
        "hash the leaves",
        lambda: hashes.extend(leaf_hash(i.to_bytes(8, "big")) for i in range(size)),
    )
    _timed("root", lambda: root_hash(hashes))
    _timed("inclusion proof (one leaf)", lambda: inclusion_proof(hashes, size // 3))
    _timed(
        "consistency proof (size - 1000 to size)",
        lambda: consistency_proof(hashes, max(1, size - 1000)),
    )


def database(appends: int) -> None:
    from hotlist.server.db.session import make_engine, session_factory
    from hotlist.server.db.upgrade import upgrade
    from hotlist.server.log import service

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'hotlist.db'}"
        upgrade(url)
        engine = make_engine(url)
        sessions = session_factory(engine)
        print(f"SQLite, {appends:,} appends, one transaction each:")

        def append_all() -> None:
            for number in range(appends):
                with sessions() as session, session.begin():
                    service.record(
                        session,
                        "entry_removed",
                        entry_id=f"{number + 1:016x}",
                        expression_hash=f"{number:064x}",
                        category="csam",
                        policy_version=1,
                    )

        seconds = _timed("append", append_all)
        print(f"  {'appends per second':<40} {appends / seconds:10.0f}")
        with sessions() as session:
            _timed("tree_head, first in the process", lambda: service.tree_head(session))
            _timed("tree_head, subtrees kept", lambda: service.tree_head(session))
            _timed(
                "consistency proof (half to all), kept",
                lambda: service.prove_consistency(session, appends // 2 + 7, appends),
            )
            _timed(
                "inclusion proof, kept",
                lambda: service.prove_inclusion(session, 12345 % appends, appends),
            )
        engine.dispose()


def large(size: int) -> None:
    """Proofs from the database for a large log (leaves inserted in bulk, not through record)."""
    from sqlalchemy import insert

    from hotlist.server.db.base import utcnow
    from hotlist.server.db.session import make_engine, session_factory
    from hotlist.server.db.upgrade import upgrade
    from hotlist.server.log import service
    from hotlist.server.log.models import LogLeaf

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'hotlist.db'}"
        upgrade(url)
        engine = make_engine(url)
        sessions = session_factory(engine)
        now = utcnow()
        with sessions() as session, session.begin():
            for start in range(0, size, 50_000):
                rows = [
                    {
                        "leaf_index": i,
                        "kind": "entry_removed",
                        "data": i.to_bytes(8, "big"),
                        "leaf_hash": leaf_hash(i.to_bytes(8, "big")),
                        "created_at": now,
                    }
                    for i in range(start, min(size, start + 50_000))
                ]
                session.execute(insert(LogLeaf), rows)
        print(f"SQLite, a log of {size:,} leaves (inserted in bulk):")
        with sessions() as session:
            _timed("tree_head, first in the process", lambda: service.tree_head(session))
            _timed("tree_head, subtrees kept", lambda: service.tree_head(session))
            _timed(
                "consistency proof (size - 1000 to size)",
                lambda: service.prove_consistency(session, size - 1000, size),
            )
            _timed("inclusion proof", lambda: service.prove_inclusion(session, size // 3, size))
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run")
    args = parser.parse_args()
    pure(20_000 if args.quick else 1_000_000)
    database(1_000 if args.quick else 20_000)
    large(20_000 if args.quick else 1_000_000)


if __name__ == "__main__":
    main()
