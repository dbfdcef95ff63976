"""Publishing a large list, the delta for a 1% change, and applying it at the edge.

    .venv/bin/python benchmarks/bench_publish.py            # 1,000,000 entries
    .venv/bin/python benchmarks/bench_publish.py --quick    # 50,000 entries

Figures printed: publish seconds and MB for version 1 (snapshot, signed TUF metadata, fsync);
publish seconds for version 2 after a 1% change; the delta's bytes against the floor of 32
bytes per change, for a mixed change and for adds and removes alone; applying the delta at the
edge (decode + apply_delta + digest check, and the store's atomic install), and a whole edge
sync of it over loopback HTTP from a static file server (TUF refresh, download, apply, verify,
install); snapshot decode time
and the in-memory snapshot's bytes per entry. Goals: publish <= 10 s, delta <= 1.2x floor,
apply <= 1 s.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import tracemalloc
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from hotlist.edge.config import EdgeConfig
from hotlist.edge.store import Store, StoreState
from hotlist.edge.sync import sync
from hotlist.publish.format import (
    Snapshot,
    apply_delta,
    decode_delta,
    decode_snapshot,
    diff,
    encode_delta,
)
from hotlist.publish.keys import KeyRing
from hotlist.publish.publisher import Publisher
from hotlist.publish.records import ListRecord
from hotlist.publish.synthetic import synthetic_records
from hotlist.publish.wire import delta_target, snapshot_target

FLOOR = 32


def changed_records(records: list[ListRecord], n: int, share: float) -> list[ListRecord]:
    """The records after ``share`` of them changed: 40% removed, 40% added, 20% flags flipped."""
    changes = int(n * share)
    removed = int(changes * 0.4)
    flipped = changes - 2 * removed
    kept = records[removed:]
    for i in range(flipped):
        r = kept[i * 7]
        kept[i * 7] = ListRecord(
            r.expression_hash, r.host_hash, r.category, r.entry_id, r.flags ^ 1
        )
    return kept + synthetic_records(removed, seed=0, start=n)


def serve(directory: Path) -> ThreadingHTTPServer:
    """A static file server on loopback for the repository: what any web server or CDN does."""

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(directory), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def server_url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/"


def timed(label: str, func, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = func(*args)
    seconds = time.perf_counter() - started
    print(f"  {label:<54} {seconds:8.3f} s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="50,000 entries instead of 1M")
    parser.add_argument("--entries", type=int, default=None)
    args = parser.parse_args()
    n = args.entries or (50_000 if args.quick else 1_000_000)
    print(f"bench_publish: {n:,} entries")

    records, _ = timed("generate records (input, not counted)", synthetic_records, n)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        KeyRing.init(base / "keys")
        publisher = Publisher(base / "repo", base / "keys", "bench")
        first, publish_s = timed(
            "publish version 1 (snapshot, sign, fsync)", publisher.publish, records
        )
        size = sum(p.stat().st_size for p in (base / "repo").rglob("*") if p.is_file())
        print(f"  snapshot {first.snapshot_bytes / 1e6:.1f} MB, repository {size / 1e6:.1f} MB")

        server = serve(base / "repo")
        member = Store.create(
            base / "member",
            EdgeConfig(server=server_url(server), key="file:key", list_name="bench"),
            (base / "repo" / "metadata" / "1.root.json").read_bytes(),
            api_key="bench-key",
        )
        timed("edge: sync version 1 over loopback HTTP (snapshot)", sync, member)

        second_records = changed_records(records, n, 0.01)
        second, publish2_s = timed(
            "publish version 2 after a 1% change", publisher.publish, second_records
        )
        changes = second.added + second.removed + second.changed
        print(
            f"  delta 1->2: {second.delta_bytes:,} bytes for {changes:,} changes "
            f"({second.added:,} added, {second.removed:,} removed, {second.changed:,} flags) "
            f"= {second.delta_bytes / changes:.1f} B/change, "
            f"{second.delta_bytes / (FLOOR * changes):.2f}x the 32 B floor"
        )

        unchanged, _ = timed(
            "publish again, nothing changed (timestamp refreshed)",
            publisher.publish,
            second_records,
        )
        assert not unchanged.published
        synced2, sync2_s = timed("edge: sync version 2 over loopback HTTP (delta)", sync, member)
        print(f"  ({synced2.method}, {synced2.bytes_downloaded:,} bytes downloaded)")
        server.shutdown()
        server.server_close()

        old_data = publisher.repository.read_target(snapshot_target(1))
        delta_data = publisher.repository.read_target(delta_target(1, 2))
        assert old_data is not None
        assert delta_data is not None
        old, decode_s = timed("edge: decode + verify snapshot 1", decode_snapshot, old_data)

        def apply() -> Snapshot:
            new = apply_delta(old, decode_delta(delta_data, old))
            new.digest  # noqa: B018 - the edge checks the digest against list.json
            return new

        new, apply_s = timed("edge: decode + apply delta + digest check", apply)
        expected = publisher.current()
        assert expected == new, "apply_delta disagrees with the publisher"
        store = Store(base / "store")
        store.path.mkdir()
        _, install_s = timed(
            "edge: install in store (write, fsync, rename)",
            store.install,
            new,
            StoreState(version=2),
        )

        for label, share_add, share_remove in (("adds only", 0.01, 0), ("removes only", 0, 0.01)):
            a = synthetic_records(int(n * share_add), start=2 * n)
            kept = records[int(n * share_remove) :]
            other = Snapshot.from_records("bench", 2, kept + a)
            v1 = decode_snapshot(old_data)
            size = len(encode_delta(diff(v1, other), v1))
            count = len(a) + int(n * share_remove)
            print(
                f"  delta, 1% {label}: {size / count:.1f} B/change, "
                f"{size / (FLOOR * count):.2f}x the floor"
            )

        tracemalloc.start()
        snap = decode_snapshot(old_data)
        current, _peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  in-memory snapshot: {current / snap.count:.1f} bytes per entry")

    print()
    print(f"publish {n:,}: {publish_s:.2f} s (goal <= 10 s); v2: {publish2_s:.2f} s")
    print(f"delta: {second.delta_bytes / (FLOOR * changes):.2f}x floor (goal <= 1.2x)")
    print(f"apply: {apply_s:.3f} s (+ install {install_s:.3f} s) (goal <= 1 s)")
    print(f"edge sync of the 1% change over HTTP (TUF, apply, verify, install): {sync2_s:.3f} s")
    print(f"decode snapshot: {decode_s:.3f} s")


if __name__ == "__main__":
    main()
