"""Seeded synthetic URLs that look like real traffic but name only reserved hosts.

Other benchmarks reuse this: ``from synthetic import synthetic_urls`` (the benchmarks folder is on
``sys.path`` when a script in it runs). The same ``(n, seed)`` always gives the same URLs.

The mix, roughly as a proxy or crawler sees it: 65 % plain URLs (30 % of them with a query
string), 30 % with some of upper-case hosts and schemes, percent-escapes (some double-escaped,
some in the query), deep paths, ``//``, ``.`` and ``..`` segments, ports, user info, fragments and
no scheme, and 5 % with IP hosts (mostly dotted IPv4; a few decimal, hex, octal, IPv6). Paths are
0 to 9 segments deep. Hosts come only from example.com, example.org, *.example, *.test and
*.invalid; IP addresses only from the documentation ranges.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

_ZONES = ("example.com", "example.org", "shop.example", "news.test", "files.invalid", "example")
_SUBDOMAINS = ("www", "cdn", "m", "api", "img", "static", "blog", "forum", "mail", "dl", "a", "b")
_WORDS = (
    "index", "images", "static", "assets", "2024", "11", "user", "profile", "photos", "album",
    "view", "post", "thread", "page", "category", "tag", "search", "download", "files", "media",
    "video", "gallery", "archive", "content", "uploads", "js", "css", "v1", "v2", "en", "de",
)  # fmt: skip
_EXTENSIONS = (".html", ".php", ".jpg", ".png", ".js", ".css", ".mp4", ".zip", "", "", "/")
_KEYS = ("id", "page", "q", "ref", "utm_source", "sort", "lang", "session", "s", "t")
_DOC_NETS = ((192, 0, 2), (198, 51, 100), (203, 0, 113))


def synthetic_urls(n: int, seed: int = 0) -> Iterator[str]:
    """Yield ``n`` synthetic URLs, the same ones for the same ``seed``."""
    rng = random.Random(seed)
    for _ in range(n):
        yield _url(rng)


def _url(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.65:
        return f"{rng.choice(('http', 'https'))}://{_name(rng)}{_path(rng, 0.0)}{_query(rng, 0.3)}"
    host = _ip_host(rng) if roll < 0.70 else _name(rng)
    if roll >= 0.70 and rng.random() < 0.1:
        host = rng.choice((f"{host}.", f"www..{host}"))
    if rng.random() < 0.3:
        host = host.upper() if rng.random() < 0.5 else host.capitalize()
    scheme = rng.choice(("http://", "https://", "HTTP://", "Https://", "", "http://user@"))
    port = rng.choice(("", "", "", ":80", ":8080", ":443"))
    fragment = rng.choice(("", "", "", "#top", "#section-2", "#!/app/view"))
    return f"{scheme}{host}{port}{_path(rng, 0.4)}{_query(rng, 0.5)}{fragment}"


def _name(rng: random.Random) -> str:
    labels = [rng.choice(_SUBDOMAINS) for _ in range(rng.choice((0, 1, 1, 1, 2, 3)))]
    return ".".join([*labels, rng.choice(_ZONES)])


def _ip_host(rng: random.Random) -> str:
    net = rng.choice(_DOC_NETS)
    last = rng.randrange(1, 255)
    value = (net[0] << 24) | (net[1] << 16) | (net[2] << 8) | last
    roll = rng.random()
    if roll < 0.7:
        return f"{net[0]}.{net[1]}.{net[2]}.{last}"
    if roll < 0.94:
        return rng.choice((str(value), hex(value), f"0{net[0]:o}.{net[1]}.{net[2]}.{last}"))
    suffix = rng.randrange(1, 0xFFFF)
    return rng.choice((f"[2001:db8::{suffix:x}]", f"[2001:0DB8:0000::{suffix:04X}]"))


def _segment(rng: random.Random, odd: float) -> str:
    word = rng.choice(_WORDS)
    if rng.random() < odd:
        kind = rng.randrange(6)
        if kind == 0:
            return f"{word}%20{rng.choice(_WORDS)}"
        if kind == 1:
            return "%7E" + word
        if kind == 2:
            return f"{word}%25{rng.randrange(10, 99)}"  # an escaped percent sign
        if kind == 3:
            return rng.choice((".", "..", ""))
        if kind == 4:
            return word.upper()
        return f"{word}%C3%A9"
    return word


def _path(rng: random.Random, odd: float) -> str:
    depth = rng.choice((0, 1, 1, 2, 2, 2, 3, 3, 4, 5, 7, 9))
    if depth == 0:
        return rng.choice(("/", "/", ""))
    segments = [_segment(rng, odd) for _ in range(depth)]
    return "/" + "/".join(segments) + rng.choice(_EXTENSIONS)


def _query(rng: random.Random, share: float) -> str:
    if rng.random() >= share:
        return ""
    pairs = [
        f"{rng.choice(_KEYS)}={rng.choice(_WORDS)}{rng.randrange(1000)}"
        for _ in range(rng.randrange(1, 4))
    ]
    if rng.random() < 0.2:
        pairs.append(f"next=%2F{rng.choice(_WORDS)}%3Fx%3D1")
    return "?" + "&".join(pairs)
