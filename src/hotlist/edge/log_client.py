"""A small client of the hotline server's log API (``/v1/log/...``), with a member's API key.

Used by sync (consistency proofs) and by ``hotlist log``; it returns what the server says and
verifies nothing: callers check every proof against signed heads.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import urllib3

from hotlist import __version__
from hotlist.errors import NotFound, PermissionDenied, SyncError, VerificationError

TIMEOUT_S = 15.0


class LogClient:
    """GETs on ``<api_base>/v1/log/``; network trouble is a SyncError, bad answers a
    VerificationError."""

    def __init__(self, api_base: str, api_key: str, timeout: float = TIMEOUT_S) -> None:
        self.api_base = api_base.rstrip("/")
        self._headers = {
            "Authorization": f"Bearer {api_key}",
            "User-Agent": f"hotlist/{__version__}",
        }
        self._timeout = urllib3.Timeout(connect=timeout, read=timeout)
        self._pool = urllib3.PoolManager()

    def close(self) -> None:
        """Close pooled connections."""
        self._pool.clear()

    def _get(self, path: str, **query: int) -> Any:
        url = f"{self.api_base}/v1/log/{path}"
        if query:
            url += "?" + urlencode(query)
        try:
            response = self._pool.request(
                "GET", url, headers=self._headers, timeout=self._timeout, retries=False
            )
        except urllib3.exceptions.HTTPError as exc:
            raise SyncError(f"cannot reach the log at {url}: {exc}") from exc
        if response.status in (401, 403):
            raise PermissionDenied(f"{url} refused the key (HTTP {response.status})")
        if response.status == 404:
            raise NotFound(f"{url}: {_detail(response.data)}")
        if response.status != 200:
            raise SyncError(f"{url} answered HTTP {response.status}: {_detail(response.data)}")
        try:
            return json.loads(response.data)
        except json.JSONDecodeError as exc:
            raise VerificationError(f"{url} did not answer JSON") from exc

    def head(self) -> bytes:
        """The server's current signed head, as head-file bytes."""
        document = self._get("head")
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode() + b"\n"

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """The server's proof that the tree of ``first`` leaves is a prefix of ``second``'s."""
        document = self._get("proof/consistency", first=first, second=second)
        return _hashes(document.get("proof") if isinstance(document, dict) else None)

    def leaves(self, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes]]:
        """``(index, leaf bytes)`` from ``start`` to ``end`` (exclusive; the log's end when None),
        page after page."""
        position = start
        while end is None or position < end:
            query = {"start": position} if end is None else {"start": position, "end": end}
            document = self._get("entries", **query)
            page = document.get("entries") if isinstance(document, dict) else None
            if not isinstance(page, list):
                raise VerificationError("the log's entries answer is malformed")
            for item in page:
                try:
                    index, data = int(item["index"]), base64.b64decode(item["data"], validate=True)
                except (KeyError, TypeError, ValueError, binascii.Error) as exc:
                    raise VerificationError(
                        f"a leaf in the log's answer is malformed: {exc}"
                    ) from exc
                if index != position:
                    raise VerificationError(f"the log sent leaf {index} where {position} was due")
                yield index, data
                position += 1
            if not page or document.get("next_start") is None:
                break
        if end is not None and position < end:
            raise VerificationError(f"the log ended at leaf {position}, before {end}")


def _hashes(nodes: object) -> list[bytes]:
    if not isinstance(nodes, list) or not all(isinstance(node, str) for node in nodes):
        raise VerificationError("the server's proof is not a list of hex hashes")
    try:
        return [bytes.fromhex(node) for node in nodes]
    except ValueError as exc:
        raise VerificationError(f"the server's proof is malformed: {exc}") from exc


def _detail(data: bytes) -> str:
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return data[:200].decode("utf-8", "replace")
    if isinstance(document, dict):
        return str(document.get("detail") or document.get("title") or document)
    return str(document)
