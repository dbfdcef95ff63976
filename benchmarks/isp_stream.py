"""An ISP-like request stream to a list with entries on popular hosts (issue 13's measure).

The project's own stream (``synthetic.py``) seldom goes to a host that carries an entry, so nearly
every request is answered by the host stage. Real traffic to a hotline's list is less kind: the
listed hosts are popular, most requests to them are for pages that are not listed, and many
hosts are new. This workload has, by default:

* about 260,000 distinct hosts in 1,000,000 lines (reserved names and documentation addresses
  only; 800,000 to draw from), requested with a zipf spread (weight rank^-0.85) over each of two
  pools: hosts that carry entries and hosts that do not;
* 45 % of the lines to hosts that carry some entry, on other paths than the listed ones;
* 1 % of the lines hitting an entry (page, folder or host scope);
* query strings (30 %), percent-escapes, upper case in paths, ports, IP hosts, and about 10 % of
  the lines in forms outside the canonical fast path (dot segments, double slashes, escapes).

Entries: 70 % pages, 25 % folders on the listed hosts (about four per host), 5 % host entries on
hosts of their own. Hits are made the way ``bench_matcher.url_hitting`` makes them, which
squidGuard's domain and URL lists match alike. Deterministic for a seed.
"""

from __future__ import annotations

import random
from itertools import accumulate

from bench_matcher import url_hitting

_ZONES = ("example", "test", "example.com", "example.org", "example.net", "invalid")
_WORDS = ("news", "img", "static", "video", "blog", "shop", "search", "user", "api", "cdn")


def _zipf_weights(count: int, exponent: float) -> list[float]:
    return list(accumulate(rank**-exponent for rank in range(1, count + 1)))


def _host(kind: str, number: int, rng: random.Random) -> str:
    return f"{kind}{number}x{rng.randrange(1 << 16):x}.{rng.choice(_ZONES)}"


def _other_path(rng: random.Random) -> str:
    """A path no entry lists: its first segment never starts like an entry's (d, f)."""
    depth = rng.randrange(0, 4)
    segments = [f"{rng.choice(_WORDS)}{rng.randrange(200)}" for _ in range(depth)]
    page = rng.choice(["", "index.html", f"a{rng.randrange(10_000)}.jpg", "view.php"])
    path = "/" + "/".join([*segments, page]) if segments or page else "/"
    if rng.random() < 0.10:
        path = path.upper()
    return path


def _odd(path: str, rng: random.Random) -> str:
    """The same request in a form the canonical fast path does not take."""
    form = rng.randrange(4)
    if form == 0:
        return "/./" + path.lstrip("/")
    if form == 1:
        return "/x/.." + path
    if form == 2:
        return path.replace("/", "//", 1)
    return path + ("%20" if path.endswith("/") else "%7E")


def isp_workload(
    entries: int,
    lines: int,
    seed: int,
    *,
    hosts: int = 800_000,
    exponent: float = 0.85,
    listed_share: float = 0.45,
    hit_share: float = 0.01,
) -> tuple[list[str], list[str], dict[str, float]]:
    """The list's expressions, the stream's URLs, and figures about the stream."""
    rng = random.Random(seed)
    host_entries = max(1, entries // 20)
    path_entries = entries - host_entries
    listed_count = max(1, min(path_entries // 4, hosts // 3))
    listed_hosts = [_host("s", n, rng) for n in range(listed_count)]
    expressions: list[str] = []
    for number in range(path_entries):
        host = listed_hosts[number % listed_count]
        if number % 20 < 14:
            expressions.append(f"{host}/d{number % 50}/p{number}.html")
        else:
            expressions.append(f"{host}/f{number}/")
    expressions.extend(f"{_host('b', n, rng)}/" for n in range(host_entries))

    other_count = max(1, hosts - listed_count - host_entries)
    other_hosts = [
        f"203.0.113.{n % 256}" if n % 50 == 7 else _host("h", n, rng) for n in range(other_count)
    ]
    rng.shuffle(other_hosts)
    listed_weights = _zipf_weights(listed_count, exponent)
    other_weights = _zipf_weights(other_count, exponent)
    listed_draws = iter(rng.choices(listed_hosts, cum_weights=listed_weights, k=lines))
    other_draws = iter(rng.choices(other_hosts, cum_weights=other_weights, k=lines))

    urls: list[str] = []
    seen: set[str] = set()
    to_listed = seen_odd = 0
    for _ in range(lines):
        draw = rng.random()
        if draw < hit_share:
            urls.append(url_hitting(rng.choice(expressions), rng))
            continue
        if draw < listed_share:
            host = next(listed_draws)
            to_listed += 1
        else:
            host = next(other_draws)
        seen.add(host)
        path = _other_path(rng)
        if rng.random() < 0.10:
            path = _odd(path, rng)
            seen_odd += 1
        scheme = "https" if rng.random() < 0.6 else "http"
        port = ":8080" if rng.random() < 0.02 else ""
        query = f"?id={rng.randrange(10**6)}&q={rng.choice(_WORDS)}" if rng.random() < 0.3 else ""
        urls.append(f"{scheme}://{host}{port}{path}{query}")
    figures = {
        "distinct hosts": float(len(seen)),
        "lines to hosts with entries": (to_listed + int(lines * hit_share)) / lines,
        "lines outside the fast path": seen_odd / lines,
    }
    return expressions, urls, figures
