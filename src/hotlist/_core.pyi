"""Type stub for the compiled core (rust/python/src/lib.rs); see hotlist.urls.core."""

from collections.abc import Callable, Iterable
from typing import TypeVar

_T = TypeVar("_T")

MAX_URL_BYTES: int

class CoreURLError(ValueError):
    """A URL the core cannot canonicalize; ``args`` is ``(code, detail)``."""

_Failure = tuple[int, object]
_Parts = tuple[str, str, str, str | None]
_Url = str | bytes | bytearray | memoryview

def canonical_parts(url: object) -> _Parts: ...
def canonical_parts_many(urls: Iterable[object]) -> list[_Parts | _Failure]: ...
def canonicalize(url: object) -> str: ...
def expressions(url: object) -> list[str]: ...
def expression_hashes(url: object) -> list[bytes]: ...
def expression_hashes_from_parts(host: str, path: str, query: str | None) -> list[bytes]: ...
def expression_hashes_many(urls: Iterable[object]) -> list[list[bytes] | _Failure]: ...
def sha256(data: bytes) -> bytes: ...

class Index:
    """The matcher's two stages over a snapshot's columns, held without a copy."""

    def __init__(
        self,
        hashes: bytes,
        flags: bytes,
        filter_bits: bytes | None,
        filter_mask: int,
        suspend_disputed: bool,
    ) -> None: ...
    @property
    def count(self) -> int: ...
    def lookup_parts(self, host: str, path: str, query: str | None) -> int | None: ...
    def check_many(
        self,
        urls: Iterable[object],
        miss: _T,
        hit: Callable[[int], _T],
        invalid: Callable[[int, object], _T],
    ) -> list[_T]: ...
