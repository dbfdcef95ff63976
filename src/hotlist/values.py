"""Immutable values whose constructor checks them, without :mod:`dataclasses`.

The Squid helper imports every module on its path in each of the processes Squid starts, and
``dataclasses`` imports :mod:`inspect` (and with it ``ast``, ``dis`` and ``tokenize``): about
1.2 MB of each helper's private memory. The classes on that path are ``typing.NamedTuple``
where a value needs no check, and :class:`Value` where its constructor verifies an invariant
(a record read from the wire, a list snapshot, the edge's configuration): fields named once in
``_fields``, set by the subclass's ``__init__`` (through :meth:`Value._set`), equal by
type and fields, hashable when the fields are, immutable, and copied or pickled through the
constructor (which checks the copy again), as a frozen dataclass is.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

__all__ = ["Value"]


class Value:
    """An immutable value: ``_fields`` names its fields, in the constructor's order."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]]

    def _set(self, *values: object) -> None:
        """Set the fields to ``values``, in ``_fields``' order (the subclass's ``__init__``)."""
        for name, value in zip(self._fields, values, strict=True):
            object.__setattr__(self, name, value)

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def _asdict(self) -> dict[str, Any]:
        """The fields by name, in order."""
        return dict(zip(self._fields, self._values(), strict=True))

    def _replace(self, **changes: Any) -> Self:
        """A copy with ``changes``, made (and so checked) by the constructor."""
        return type(self)(**{**self._asdict(), **changes})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Value) or type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({fields})"

    def __reduce__(self) -> tuple[type[Self], tuple[object, ...]]:
        # copy and pickle would otherwise set the fields one by one, which __setattr__ refuses.
        return type(self), self._values()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot delete {name}")
