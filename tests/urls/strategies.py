"""Hypothesis strategies shared by the URL tests: URL-shaped text with the awkward parts."""

from __future__ import annotations

from hypothesis import strategies as st

_LABEL_CHARS = "abcXYZ019-_" + "%.\u00e9\u0080 #@:[]\\"
_PATH_CHARS = "abcXYZ019-_~!$&'()*+,;=:@/.%?# \t\u00e9\u0080\\\x01"

labels = st.text(_LABEL_CHARS, min_size=0, max_size=8)
escapes = st.sampled_from(["%2e", "%2F", "%25", "%3f", "%23", "%20", "%00", "%41", "%zz", "%"])
ipv4_hosts = st.one_of(
    st.integers(0, 2**32 - 1).map(str),
    st.integers(0, 2**32 - 1).map(hex),
    st.tuples(*[st.integers(0, 255)] * 4).map(lambda parts: ".".join(map(str, parts))),
    st.tuples(st.integers(0, 255), st.integers(0, 2**24 - 1)).map(lambda p: f"0{p[0]:o}.{p[1]}"),
)
ipv6_hosts = st.sampled_from(
    ["[2001:db8::1]", "[2001:0DB8:0000::0001]", "[::ffff:192.0.2.7]", "[64:ff9b::c000:207]", "[::]"]
)
hosts = st.one_of(
    st.lists(st.one_of(labels, escapes), min_size=1, max_size=6).map(".".join),
    st.builds(lambda a, b: f"{a}.example", labels, labels).map(str.lower),
    ipv4_hosts,
    ipv6_hosts,
)
paths = st.lists(st.one_of(st.text(_PATH_CHARS, max_size=10), escapes), max_size=6).map(
    lambda segments: "/" + "/".join(segments)
)
queries = st.one_of(st.none(), st.text(_PATH_CHARS, max_size=12))
url_like = st.builds(
    lambda scheme, user, host, port, path, query, fragment: (
        f"{scheme}{user}{host}{port}{path}"
        + ("" if query is None else f"?{query}")
        + ("" if fragment is None else f"#{fragment}")
    ),
    st.sampled_from(["http://", "https://", "HTTP://", "ftp:/", "", "//", " http://", "mailto:"]),
    st.sampled_from(["", "user@", "u:p@"]),
    hosts,
    st.sampled_from(["", ":80", ":8080", ":", ":x"]),
    paths,
    queries,
    st.one_of(st.none(), st.text(max_size=5)),
)
