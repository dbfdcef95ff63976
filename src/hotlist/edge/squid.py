"""Squid's ``url_rewrite_program`` protocol: one request line in, one answer line out.

Squid writes ``[channel-ID <SP>] request-URL [<SP> extras] <NL>`` and reads
``[channel-ID <SP>] result [<SP> kv-pairs] <NL>``. The channel ID is there only when
``url_rewrite_children`` sets ``concurrency`` above zero; a request URL never consists of digits
alone, so a first token of ASCII digits is a channel ID and every answer carries the one of its
line. One configuration thus works with either Squid setting.

Answers: a URL the list blocks gets ``OK status=302 url=<block page>``, any other ``ERR`` (keep
the request). ``BH message=...`` reports a problem to the Squid admin (cache.log): a line with no
URL, or a list that may not be enforced (none yet, or stale under fail mode ``closed``). A
``CONNECT`` request comes as ``host:port`` and is checked at host scope only, since the proxy
sees no path.

Pure: no I/O here; :mod:`hotlist.edge.squid_helper` reads and writes the pipes.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

from hotlist.edge.cache import BoundedCache
from hotlist.edge.matcher import Matcher
from hotlist.edge.verdict import Verdict
from hotlist.errors import ConfigError, InvalidURL
from hotlist.urls import CanonicalURL, authority_host, canonical_parts
from hotlist.urls.authority import AUTHORITY_CHARS

__all__ = [
    "BlockPage",
    "SquidResponder",
    "answer_bytes",
    "kv_pair",
    "request_host",
    "request_lines",
    "split_request",
]

TEMPLATE_FIELDS = frozenset({"entry_id", "category"})
DEFAULT_CACHE_SIZE = 1 << 14
"""How many URLs' answers a responder remembers (0: none); emptied when full or on a new list."""

_ERR = "ERR"
# The authority of an http(s) URL as Squid sends it, or CONNECT's host:port, when plain (see
# hotlist.urls.authority): the canonical host depends on the authority alone then.
_AUTHORITY_CHARS = AUTHORITY_CHARS
_AUTHORITY = re.compile(rf"https?://({_AUTHORITY_CHARS})(?=[/?#]|\Z)")
_CONNECT = re.compile(rf"({_AUTHORITY_CHARS})\Z")
# The same read off a whole request line, with its channel ID: most lines need nothing more.
_LINE = re.compile(
    rf"(?:([0-9]+) )?(?![0-9]+(?:\s|\Z))"  # a first token of digits is the channel, never the URL
    rf"(?:https?://({_AUTHORITY_CHARS})(?=[/?#\s]|\Z)|({_AUTHORITY_CHARS})(?=\s|\Z))"
)
AUTHORITY_CACHE_SIZE = 1 << 16
"""How many authorities' first-stage answers a responder remembers (per list version)."""
_NO_URL = 'BH message="no URL on the request line"'
_EMPTY = 'BH message="empty request line"'
# Characters a block page URL may hold: no space (it ends a kv-pair), no quote or backslash.
_URL_CHARS = frozenset(string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%")


class BlockPage:
    """Where a blocked request is sent: a URL template with ``{entry_id}`` and ``{category}``.

    ``{entry_id}`` (required) becomes the entry's id as 16 hex digits, the id a person appeals
    by; ``{category}`` (optional) the category's wire id. The template must be an http(s) URL of
    plain ASCII with no space, quote or backslash, so that it travels in Squid's answer as it is.
    """

    __slots__ = ("template",)

    def __init__(self, template: str) -> None:
        problem = _template_problem(template)
        if problem is not None:
            raise ConfigError(
                f"block page URL {template!r} {problem}; e.g. "
                "http://block.example/blocked?entry={entry_id}"
            )
        self.template = template

    def url(self, verdict: Verdict) -> str:
        """The block page URL for a blocking verdict."""
        return self.template.format(entry_id=verdict.entry_ref, category=verdict.category)

    def __repr__(self) -> str:
        return f"BlockPage({self.template!r})"


def _template_problem(template: str) -> str | None:
    if not template.startswith(("http://", "https://")):
        return "must start with http:// or https://"
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"is not a valid template ({exc})"
    names = set()
    for literal, name, spec, conversion in fields:
        if not set(literal) <= _URL_CHARS:
            bad = sorted(set(literal) - _URL_CHARS)[0]
            return f"holds {bad!r}: only unreserved, reserved and %-escaped URL characters"
        if name is None:
            continue
        if name not in TEMPLATE_FIELDS or spec or conversion:
            return f"has the field {{{name}}}: only {{entry_id}} and {{category}} are known"
        names.add(name)
    if "entry_id" not in names:
        return "lacks {entry_id}, which the block page needs to name the entry (and appeal it)"
    return None


def kv_pair(key: str, value: str) -> str:
    """``key=value`` for an answer; a value with spaces or quotes is quoted and escaped.

    Control characters and non-ASCII are written as escapes, so one answer stays one line.
    """
    text = value.encode("ascii", "backslashreplace").decode("ascii")
    text = "".join(char if char.isprintable() else f"\\x{ord(char):02x}" for char in text)
    if text and not any(char in text for char in ' "\\'):
        return f"{key}={text}"
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'{key}="{escaped}"'


def request_host(url: str) -> str | None:
    """The canonical host of a request's ``url`` read from its authority alone, or None when
    it cannot be.

    For an ``http``/``https`` URL as Squid sends it, or CONNECT's ``host:port``, with a plain
    authority (see ``_AUTHORITY``), this is the host :func:`hotlist.urls.canonical_parts` gives
    for the whole URL, at the cost of canonicalizing the authority only; a responder remembers
    it per authority. None for anything else, or an authority that is not valid.
    """
    match = _AUTHORITY.match(url) or _CONNECT.match(url)
    if match is None:
        return None
    try:
        return authority_host(match.group(1))
    except InvalidURL:
        return None


def answer_bytes(answers: Sequence[str]) -> bytes:
    """Answer lines as the bytes a helper writes: each with its newline, in ASCII (any other
    character as an escape, so one answer stays one line)."""
    return "".join([answer + "\n" for answer in answers]).encode("ascii", "backslashreplace")


def request_lines(data: bytes | memoryview) -> list[str]:
    """The request lines of ``data`` (separated by newlines) as text: UTF-8, an undecodable
    byte kept as a lone surrogate."""
    return str(data, "utf-8", "surrogateescape").split("\n")


def split_request(line: str) -> tuple[str, str | None]:
    """A request line's answer prefix (``"ID "`` or ``""``) and its URL (None when it has none).

    Extras after the URL are ignored. Trailing ``\\r`` and surrounding blanks are dropped.
    """
    fields = line.split(None, 2)
    if not fields:
        return "", None
    first = fields[0]
    if first.isdigit() and first.isascii():
        return first + " ", fields[1] if len(fields) > 1 else None
    return "", first


class SquidResponder:
    """Answers request lines from the list in force: one answer line per request line.

    ``matcher`` is None until a list may be enforced; then, and while ``refusal`` is set (a
    reason such as "the list is stale"), every request is answered ``BH message=<reason>``:
    Squid logs it and lets the request through unchanged. Answers for repeated URLs are
    remembered (``cache_size`` URLs; 0 turns it off) and forgotten when the list changes.
    """

    def __init__(
        self,
        matcher: Matcher | None,
        block_page: BlockPage,
        *,
        refusal: str | None = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self.matcher = matcher
        self.block_page = block_page
        self.refusal = refusal
        # URL -> its answer (without a channel ID).
        self._cache: BoundedCache[str, str] = BoundedCache(cache_size)
        # Authority -> True when no host of it has an entry (the answer is ERR), else False.
        self._clear: BoundedCache[str, bool] = BoundedCache(AUTHORITY_CACHE_SIZE)
        self._cache_version: tuple[str, int] | None = None

    def answer(self, line: str) -> str:
        """The answer line (without its newline) to one request line."""
        return self.answer_lines([line])[0]

    def answer_lines(self, lines: Sequence[str]) -> list[str]:
        """One answer (without newline) per request line, in order, all from one list version."""
        matcher = self.matcher
        refusal = self.refusal
        if matcher is None or refusal is not None:
            message = kv_pair("message", refusal or "no list to enforce")
            return [self._refuse(line, message) for line in lines]
        answers = matcher.answer_squid_lines(lines, self._redirect, _EMPTY, _NO_URL)
        if answers is not None:
            # The compiled core answered the block in one call; a line whose answer needs a
            # message (an invalid URL) is left to the path below.
            return [
                self._answer_lines(matcher, [line])[0] if answer is None else answer
                for answer, line in zip(answers, lines, strict=True)
            ]
        return self._answer_lines(matcher, lines)

    def answer_block(self, lines: Sequence[str]) -> bytes:
        """The answers to request lines as the bytes to write: each answer and a newline.

        The same answers as :meth:`answer_lines` (a character that is not ASCII written as an
        escape); with the compiled core, a block whose lines need no message is answered in
        one buffer, without a string per line.
        """
        matcher = self.matcher
        if matcher is not None and self.refusal is None:
            block = matcher.answer_squid_block(lines, self._redirect, _EMPTY, _NO_URL)
            if block is not None:
                return block
        return answer_bytes(self.answer_lines(lines))

    def answer_data(self, data: bytes | memoryview) -> bytes:
        """The answers to the request lines in ``data`` (lines as Squid wrote them, separated by
        newlines, the last without its own) as the bytes to write: those of :meth:`answer_block`
        for ``bytes(data).decode("utf-8", "surrogateescape").split("\\n")``. With the compiled
        core, lines that need no message are answered from the buffer in place: no object per
        line (``data`` must then be read-only: ``bytes``, or a read-only ``memoryview``).
        """
        matcher = self.matcher
        if matcher is not None and self.refusal is None:
            block = matcher.answer_squid_data(data, self._redirect, _EMPTY, _NO_URL)
            if block is not None:
                return block
        return self.answer_block(request_lines(data))

    def _answer_lines(self, matcher: Matcher, lines: Sequence[str]) -> list[str]:
        """The answers, line by line in Python (the Python engine, and invalid URLs)."""
        version = (matcher.list_name, matcher.version)
        if version != self._cache_version:
            self._cache.clear()
            self._clear.clear()
            self._cache_version = version
        cached = self._cache.get
        cleared = self._clear.get
        authority = _AUTHORITY.match
        connect = _CONNECT.match
        read_line = _LINE.match
        answers: list[str] = []
        append = answers.append
        pending: list[tuple[int, str, str]] = []  # (answer position, channel prefix, URL)
        for line in lines:
            # The fast way: channel and authority from one match, whose hosts have no entry.
            found = read_line(line)
            if found is not None:
                channel, raw, raw_connect = found.groups()
                nothing_listed = cleared(raw or raw_connect)
                if nothing_listed:
                    append(_ERR if channel is None else f"{channel} {_ERR}")
                    continue
            fields = line.split(None, 2)
            if fields:
                first = fields[0]
                if first.isdigit() and first.isascii():
                    if len(fields) == 1:
                        append(f"{first} {_NO_URL}")
                        continue
                    prefix = first + " "
                    url = fields[1]
                else:
                    prefix = ""
                    url = first
            else:
                append(_EMPTY)
                continue
            match = authority(url) or connect(url)
            if match is not None:
                raw = match.group(1)
                nothing_listed = cleared(raw)
                if nothing_listed is None:
                    nothing_listed = self._nothing_listed(matcher, raw)
                if nothing_listed:
                    append(prefix + _ERR)
                    continue
            known = cached(url)
            if known is None:
                # Answered below, with every other URL of the block, in one call to the matcher.
                pending.append((len(answers), prefix, url))
                append(prefix)
                continue
            append(prefix + known)
        if pending:
            self._answer_pending(matcher, answers, pending)
        return answers

    def _nothing_listed(self, matcher: Matcher, raw: str) -> bool:
        """True when no host suffix of authority ``raw`` has an entry (remembered per list)."""
        nothing_listed = matcher.authority_is_clear(raw)
        self._clear.put(raw, nothing_listed)
        return nothing_listed

    def _answer_pending(
        self, matcher: Matcher, answers: list[str], pending: list[tuple[int, str, str]]
    ) -> None:
        """Fill in the answers of the block's URLs that needed a full check: one batch call.

        CONNECT requests (host scope only) and URLs that are not valid (whose host may still be
        known) take :meth:`_answer_url`; they are rare.
        """
        urls = list(dict.fromkeys(url for _, _, url in pending))
        known: dict[str, str] = {}
        for url, verdict in zip(urls, matcher.check_many(urls), strict=True):
            if verdict.error is not None or "://" not in url:
                known[url] = self._answer_url(matcher, url)
            else:
                known[url] = self._redirect(verdict) if verdict.blocked else _ERR
        for position, prefix, url in pending:
            answers[position] = prefix + known[url]
        remember = self._cache.put
        for url, answer in known.items():
            remember(url, answer)

    def _answer_url(self, matcher: Matcher, url: str) -> str:
        """The answer to one URL, without a channel ID."""
        try:
            parts = canonical_parts(url)
        except InvalidURL as exc:
            host = request_host(url)
            if host is None:
                return f"{_ERR} {kv_pair('message', f'not checked: {exc.message}')}"
            # Too long to canonicalize (say), but its host is known: host entries still apply.
            parts = CanonicalURL("http", host, "/", None)
            verdict = matcher.check_parts(parts)
            if verdict.blocked:
                return self._redirect(verdict)
            return f"{_ERR} {kv_pair('message', f'only its host was checked: {exc.message}')}"
        if "://" not in url:
            # CONNECT host:port: the proxy sees no path, so only host-scoped entries apply.
            parts = parts._replace(path="/", query=None)
        verdict = matcher.check_parts(parts)
        return self._redirect(verdict) if verdict.blocked else _ERR

    def _redirect(self, verdict: Verdict) -> str:
        return f"OK status=302 url={self.block_page.url(verdict)}"

    @staticmethod
    def _refuse(line: str, message: str) -> str:
        prefix, _url = split_request(line)
        return f"{prefix}BH {message}"
