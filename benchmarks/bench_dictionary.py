"""What a member holding the list learns with a dictionary of host names, and at what cost.

    .venv/bin/python benchmarks/bench_dictionary.py            # 100,000 entries, 1,000,000 names
    .venv/bin/python benchmarks/bench_dictionary.py --quick    # 10,000 entries, 100,000 names
    .venv/bin/python benchmarks/bench_dictionary.py --entries N --names M

Every record of the list carries its host key: the first 8 bytes of SHA-256(host + "/"). A list
of N synthetic entries (page, folder and host scope, on reserved ``.example`` names) is built and
encoded as a member receives it; the attacker decodes it and hashes each of M candidate names
(the list's hosts among decoys), keeping those whose key is in the list. A host-scope entry's
expression hash is SHA-256(host + "/") itself, so the attacker also tells which entries list a
whole host. Printed: the names hashed per second (one core, Python's hashlib: a lower bound for
an attacker with native code or a GPU) and the hosts recovered, by the entries' scope.

See docs/list-format.md, "What a member can learn from the list".
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from hashlib import sha256

from hotlist.publish.format import Snapshot, decode_snapshot, encode_snapshot
from hotlist.publish.synthetic import synthetic_expression, synthetic_records
from hotlist.publish.wire import HOST_KEY_SIZE


def scope_of(expression: str) -> str:
    """The scope of a synthetic expression: ``host``, ``folder`` or ``page``."""
    path = expression.split("/", 1)[1]
    if not path:
        return "host"
    return "folder" if path.endswith("/") else "page"


def candidates(entries: int, names: int, seed: int) -> list[str]:
    """``names`` host names in random order: every host of the list, and reserved decoys."""
    hosts = {synthetic_expression(i).split("/", 1)[0] for i in range(entries)}
    decoys = (f"w{j}.decoy{j % 89}.example" for j in range(max(0, names - len(hosts))))
    found = [*hosts, *decoys]
    random.Random(seed).shuffle(found)
    return found


def attack(list_bytes: bytes, names: list[str]) -> tuple[dict[bytes, str], set[bytes], float]:
    """The attacker's work: decode the list, hash every name, keep those the list holds.

    Returns the recovered hosts by host key, the expression hashes that are a host's own (the
    host-scope entries), and the CPU seconds spent hashing.
    """
    snapshot = decode_snapshot(list_bytes)
    keys = snapshot.host_keys
    held = {keys[i : i + HOST_KEY_SIZE] for i in range(0, len(keys), HOST_KEY_SIZE)}
    expressions = set(snapshot.hash_list())
    recovered: dict[bytes, str] = {}
    whole_hosts: set[bytes] = set()
    start = time.process_time()
    for name in names:
        digest = sha256(name.encode() + b"/").digest()
        key = digest[:HOST_KEY_SIZE]
        if key in held:
            recovered[key] = name
            if digest in expressions:
                whole_hosts.add(digest)
    return recovered, whole_hosts, time.process_time() - start


def main(argv: list[str]) -> int:
    """Build the list, run the attack, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 entries, 100,000 names")
    parser.add_argument("--entries", type=int, help="entries in the list (overrides --quick)")
    parser.add_argument("--names", type=int, help="names in the dictionary (overrides --quick)")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    entries = args.entries or (10_000 if args.quick else 100_000)
    names = args.names or (100_000 if args.quick else 1_000_000)

    print(f"building a list of {entries:,} entries and {names:,} candidate names ...", flush=True)
    records = synthetic_records(entries, seed=args.seed)
    list_bytes = encode_snapshot(Snapshot.from_records("bench", 1, records))
    dictionary = candidates(entries, names, args.seed)

    recovered, whole_hosts, seconds = attack(list_bytes, dictionary)

    by_scope: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for index, record in enumerate(records):
        scope = scope_of(synthetic_expression(index))
        by_scope[scope] += 1
        found[scope] += record.host_key in recovered
    hosts = {synthetic_expression(i).split("/", 1)[0] for i in range(entries)}
    print(f"list:                {len(list_bytes):,} bytes, {len(hosts):,} distinct hosts")
    print(
        f"dictionary:          {len(dictionary):,} names hashed in {seconds:.2f} CPU s "
        f"= {len(dictionary) / seconds:,.0f} names/s (one core, hashlib)"
    )
    print(f"hosts recovered:     {len(recovered):,} of {len(hosts):,}")
    for scope in ("page", "folder", "host"):
        print(
            f"  {scope:6} entries:    {found[scope]:,} of {by_scope[scope]:,} have their host "
            "recovered"
        )
    print(f"entries known to list a whole host: {len(whole_hosts):,} (their full expression)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
