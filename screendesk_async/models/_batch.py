"""Structuring a whole page of records at once, column by column: the listings' hot path.

``converter.structure(record, Recording)`` (cattrs' generated hook) costs one Python call per
field of every record. A listing structures pages of identical dicts, so here each field is
handled for the whole page in one go, with loops that run in C (``map``, ``zip``,
``itemgetter``): the values of a field are gathered into a column, checked with one
``set(map(type, column))`` test (the common case: they already have the model's type), converted
only where needed, and stored into instances made with ``object.__new__`` through the slots'
own descriptors. Nested objects of the same field are structured as one batch too. On this
project's benchmark that is several times faster than the per-record hook (see
``benchmarks/RESULTS.md``).

The result is exactly what the per-record hook gives, leniency included (a test compares them
over generated and malformed data): a value of the wrong type goes through the same scalar
hook, anything else through the converter's own hook for the field's type. Only plain classes
qualify (all fields in ``__init__``, no validators, converters or ``__attrs_post_init__``, every
default ``None``, or ``""`` for a ``str`` field, so a missing key reads as the default, and a
declared shape without older spellings or ``extra``); nothing else changes for the others.

The JSON keys come from the same declaration as the converter's hooks (``_shape.shape``), and a
batch is only used while every hook it stands in for (the class's, its nested classes', every
field type's) is still the converter's own: :meth:`BatchStructurer.batch_if_current` answers
``None`` as soon as an application registered a hook of its own, and the caller then structures
record by record through the converter.
"""

from __future__ import annotations

import functools
import types
import typing
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import chain, repeat
from operator import attrgetter, itemgetter
from typing import Any

import attrs

from ._shape import nested_model, shape

Hook = Callable[[Any, Any], Any]
Column = Sequence[Any]
Batch = Callable[[Sequence[dict[str, Any]]], list[Any]]

_NONE = type(None)
_new = object.__new__
_dict_get = dict.get
_fromisoformat = datetime.fromisoformat
_tzinfo = attrgetter("tzinfo")
_chain = chain.from_iterable
_ONLY_DICTS = frozenset({dict})


def _exhaust(iterator: typing.Iterable[Any]) -> None:
    deque(iterator, maxlen=0)


class BatchStructurer:
    """Builds and caches a page-at-once structuring function per eligible attrs class.

    Args:
        scalars: The converter's hooks for ``str``, ``int``, ``float``, ``bool`` and
            ``datetime``: values not already of the exact type go through them.
        hook_for: The converter's hook for any other type (``converter.get_structure_hook``).
        is_own: Whether a hook is the converter module's own (one a batch may stand in for).
        generation: A counter the converter bumps on every hook registration.
    """

    def __init__(
        self,
        scalars: Mapping[type, Hook],
        hook_for: Callable[[Any], Hook],
        *,
        is_own: Callable[[Any], bool],
        generation: Callable[[], int],
    ) -> None:
        self._scalars = scalars
        self._hook_for = hook_for
        self._is_own = is_own
        self._generation = generation
        self._seen = -1
        self._current: dict[type, bool] = {}
        self._batches: dict[type, Batch] = {}

    def supports(self, cls: Any) -> bool:
        """Whether lists of ``cls`` can be structured here (see the module doc)."""
        return _plain(cls)

    def batch_if_current(self, cls: type) -> Batch | None:
        """The batch for ``cls``, or None where the converter's hooks are no longer its own."""
        generation = self._generation()
        if generation != self._seen:
            # Hooks changed: every verdict (and every batch, which captured hooks) is stale.
            self._current.clear()
            self._batches.clear()
            self._seen = generation
        current = self._current.get(cls)
        if current is None:
            current = self._current[cls] = self.supports(cls) and all(
                self._is_own(self._hook_for(type_)) for type_ in _types_within(cls)
            )
        return self.batch(cls) if current else None

    def batch(self, cls: type) -> Batch:
        """The function that structures a sequence of dicts into a list of ``cls``."""
        batch = self._batches.get(cls)
        if batch is None:
            batch = self._batches[cls] = self._build(cls)
        return batch

    # -- columns ---------------------------------------------------------------------------
    def _exact(self, exact: type, optional: bool) -> Callable[[Column], Column]:
        """``str``/``int``/``float``/``bool``: the column as it is if every value has the type."""
        slow = self._scalars[exact]
        allowed = frozenset({exact, _NONE}) if optional else frozenset({exact})

        def column(values: Column) -> Column:
            if allowed.issuperset(map(type, values)):
                return values
            return [
                value
                if type(value) is exact or (optional and value is None)
                else slow(value, exact)
                for value in values
            ]

        return column

    def _datetimes(self) -> Callable[[Column], Column]:
        slow = self._scalars[datetime]

        def column(values: Column) -> Column:
            try:
                parsed = list(map(_fromisoformat, values))
            except (TypeError, ValueError):  # a None, a number, a bad string: value by value
                return [slow(value, datetime) for value in values]
            if None in map(_tzinfo, parsed):  # naive means UTC, as in the scalar hook
                return [d if d.tzinfo is not None else d.replace(tzinfo=UTC) for d in parsed]
            return parsed

        return column

    def _nested(self, cls: type, field_type: Any) -> Callable[[Column], Column]:
        """A nested model: the dicts of the column are structured as one batch."""
        batch = self.batch(cls)
        hook = self._hook_for(field_type)

        def column(values: Column) -> Column:
            if _ONLY_DICTS.issuperset(map(type, values)):
                return batch(values)
            # None stays None; anything else but a dict goes through the converter's hook.
            out = [
                value if value is None or type(value) is dict else hook(value, field_type)
                for value in values
            ]
            positions = [i for i, value in enumerate(values) if type(value) is dict]
            items = batch([values[i] for i in positions])
            for position, item in zip(positions, items, strict=True):
                out[position] = item
            return out

        return column

    def _nested_lists(self, cls: type) -> Callable[[Column], Column]:
        """``list[Model] | None``: every list of the column flattened into one batch."""
        batch = self.batch(cls)

        def column(values: Column) -> Column:
            # As the converter's list hook: not a list → None; entries that are not objects
            # are skipped.
            lists = [
                [entry for entry in value if isinstance(entry, dict)]
                if isinstance(value, list)
                else None
                for value in values
            ]
            items = iter(batch([entry for entries in lists if entries for entry in entries]))
            return [
                None if entries is None else [next(items) for _ in entries] for entries in lists
            ]

        return column

    def _fallback(self, field_type: Any) -> Callable[[Column], Column]:
        hook = self._hook_for(field_type)
        return lambda values: [hook(value, field_type) for value in values]

    def _column(self, field_type: Any) -> Callable[[Column], Column]:
        args = typing.get_args(field_type)
        optional = type(field_type) is types.UnionType and len(args) == 2 and _NONE in args
        base = next(arg for arg in args if arg is not _NONE) if optional else field_type
        if base in (str, int, float, bool):
            return self._exact(base, optional)
        if base is datetime and optional:
            return self._datetimes()
        if optional and self.supports(base):
            return self._nested(base, field_type)
        if typing.get_origin(base) is list and optional:
            (item,) = typing.get_args(base)
            if self.supports(item):
                return self._nested_lists(item)
        return self._fallback(field_type)

    def _build(self, cls: type) -> Batch:
        if not self.supports(cls):
            raise TypeError(f"{cls.__name__} cannot be structured in batches")
        fields = shape(cls).fields
        keys = [field.wire for field in fields]
        setters = [getattr(cls, field.name).__set__ for field in fields]
        columns = [self._column(field.type) for field in fields]
        # One C call per record gathers every field; a record missing a key (rare: the API
        # sends nulls) takes the dict.get path, where a missing key reads as None.
        row = itemgetter(*keys) if len(keys) > 1 else (lambda record: (record[keys[0]],))

        def batch(records: Sequence[dict[str, Any]]) -> list[Any]:
            if not records:
                return []
            # No zip(strict=True) under the try: on Python 3.11 an exception raised inside
            # a strict zip keeps the page alive (a leak); the rows are gathered first.
            try:
                rows: list[tuple[Any, ...]] | None = list(map(row, records))
            except KeyError:
                rows = None
            values: list[Column]
            if rows is None:
                values = [list(map(_dict_get, records, repeat(key))) for key in keys]
            else:
                values = list(zip(*rows, strict=False))
            for i, column in enumerate(columns):
                values[i] = column(values[i])
            instances: list[Any] = list(map(_new, repeat(cls, len(records))))
            # Frozen classes refuse setattr; the slot descriptors are what attrs' own
            # __init__ ends up writing through.
            _exhaust(_chain(map(map, setters, repeat(instances), values)))
            return instances

        return batch


@functools.cache
def _plain(cls: Any) -> bool:
    """Whether instances of ``cls`` can be made without ``__init__`` (see the module doc)."""
    if not isinstance(cls, type) or not attrs.has(cls) or "__slots__" not in cls.__dict__:
        return False
    if getattr(cls, "__parameters__", ()):
        return False  # a generic class: its field types are not known here
    if hasattr(cls, "__attrs_post_init__") or hasattr(cls, "__attrs_pre_init__"):
        return False
    declared = shape(cls)
    if declared.extra is not None or any(field.aliases for field in declared.fields):
        return False
    by_name = {field.name: field for field in declared.fields}
    for field in attrs.fields(cls):
        if not field.init or field.validator is not None or field.converter is not None:
            return False
        if field.default is not None and not (
            by_name[field.name].type is str and field.default == ""
        ):
            return False
    return True


def _types_within(cls: type) -> list[Any]:
    """``cls`` and every type its fields are made of (nested models' fields included)."""
    found: list[Any] = []
    pending: list[Any] = [cls]
    while pending:
        type_ = pending.pop()
        if type_ in found or type_ is _NONE:
            continue
        found.append(type_)
        pending.extend(typing.get_args(type_))
        model = nested_model(type_)
        if model is not None and model is type_:
            pending.extend(field.type for field in shape(model).fields)
    return found
