"""The one cattrs converter that turns the API's JSON into models and back.

Every model's hooks are generated from its declared wire shape (``_shape``): JSON names, the
older spellings a field is also read from, the ``extra`` of SCIM models, ``None`` left out or
kept. The converter is lenient by design: an unknown field is ignored, an unknown enum value is
kept as a string, and a timestamp or number it cannot read, or a nested object sent as anything
but an object, becomes ``None`` rather than failing a whole page (a text field sent as an
object or a list reads as ``""``).

Lists of the plain models (a page of recordings) are structured a page at a time (``_batch``),
but only while every hook the batch would stand in for is still this module's own: once an
application registers a hook of its own for any class or type a recording is made of, pages are
structured record by record through the converter, exactly as ``get()`` is.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._batch import BatchStructurer, Hook
from ._shape import shape, wire_columns

__all__ = ["converter", "shape_unstructure_hook", "structure_list", "wire_columns"]

T = TypeVar("T")
_OWN: Final = "__screendesk_hook__"


class _Converter(cattrs.Converter):
    """A converter that counts hook registrations, so derived fast paths know when to re-check."""

    generation: int = 0

    def register_structure_hook(self, *args: Any, **kwargs: Any) -> Any:
        self.generation += 1
        return super().register_structure_hook(*args, **kwargs)

    def register_structure_hook_func(self, *args: Any, **kwargs: Any) -> Any:
        self.generation += 1
        return super().register_structure_hook_func(*args, **kwargs)

    def register_structure_hook_factory(self, *args: Any, **kwargs: Any) -> Any:
        self.generation += 1
        return super().register_structure_hook_factory(*args, **kwargs)


converter: Final = _Converter(detailed_validation=False, forbid_extra_keys=False)


def _own(hook: Callable[..., Any]) -> Callable[..., Any]:
    """Mark ``hook`` as this module's (the batch path may stand in for it)."""
    setattr(hook, _OWN, True)
    return hook


def _is_own(hook: Any) -> bool:
    return getattr(hook, _OWN, False) is True


# -- scalars ---------------------------------------------------------------------------------
@_own
def _structure_datetime(value: Any, _: type) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):  # out of range, or NaN
            return None
    else:
        return None
    # A timestamp without an offset is UTC (the API's own convention): never hand out a naive one.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


@_own
def _structure_int(value: Any, _: type) -> int | None:
    if type(value) is int:
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):
            return None


@_own
def _structure_float(value: Any, _: type) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@_own
def _structure_bool(value: Any, _: type) -> bool | None:
    if type(value) is bool:
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes", "enabled"):
            return True
        if lowered in ("false", "0", "no", "disabled", ""):
            return False
        return None
    return bool(value) if isinstance(value, int | float) else None


@_own
def _structure_str(value: Any, _: type) -> str:
    if type(value) is str:
        return value
    # Only non-optional fields (identifiers) reach this with None: never turn it into "None".
    # An object or a list holds no text: its repr would be made up, and one nested deep
    # enough cannot even be printed (RecursionError).
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)


_SCALARS: Final[dict[type, Hook]] = {
    str: _structure_str,
    int: _structure_int,
    float: _structure_float,
    bool: _structure_bool,
    datetime: _structure_datetime,
}


def _optional_inner(type_: Any) -> Any:
    """``X`` of ``X | None`` (None for any other type)."""
    args = typing.get_args(type_)
    if (
        typing.get_origin(type_) in (types.UnionType, typing.Union)
        and len(args) == 2
        and types.NoneType in args
    ):
        return next(arg for arg in args if arg is not types.NoneType)
    return None


def _optional(type_: Any) -> Hook:
    """``X | None``: None stays None, anything else goes through the converter's hook for X."""
    inner = _optional_inner(type_)
    handler = converter.get_structure_hook(inner)
    if inner in _SCALARS and inner is not datetime and _is_own(handler):
        # The common case (the value already has the type) costs no call at all.
        return _own(
            lambda value, _: (
                value if value is None or type(value) is inner else handler(value, inner)
            )
        )
    if _is_model(inner) and _is_own(handler):
        # A nested object the API sent as a number, a string, a list...: not understood, so
        # None, like a scalar that cannot be read (the batch path calls this hook for them).
        return _own(lambda value, _: handler(value, inner) if isinstance(value, Mapping) else None)
    return _own(lambda value, _: None if value is None else handler(value, inner))


def _lenient_list_of_models(type_: Any) -> Hook:
    item = type_.__args__[0]
    handler = converter.get_structure_hook(item)

    def structure(value: Any, _: Any) -> list[Any] | None:
        if not isinstance(value, list):
            return None
        if not _ONLY_DICTS.issuperset(map(type, value)):
            # A null or non-object entry is skipped rather than failing the whole page.
            value = [entry for entry in value if isinstance(entry, dict)]
        if len(value) >= _BATCH_FROM:
            batch = batches.batch_if_current(item)
            if batch is not None:
                return batch(value)
        return [handler(entry, item) for entry in value]

    return _own(structure)


_ONLY_DICTS: Final = frozenset({dict})
#: From how many records a list is structured column by column (measured: below, per record).
_BATCH_FROM: Final = 8


def _unstructure_datetime(value: datetime) -> str:
    """A UTC instant as the API writes it (``2026-06-06T16:13:14.493Z``), others as ISO 8601.

    Milliseconds when that loses nothing, else microseconds; so the docs' examples round-trip
    to identical strings.
    """
    if value.utcoffset() != timedelta(0):
        return value.isoformat()
    fraction = value.microsecond
    digits = f"{fraction // 1000:03d}" if fraction % 1000 == 0 else f"{fraction:06d}"
    return f"{value.replace(tzinfo=None).isoformat(timespec='seconds')}.{digits}Z"


# -- models: hooks generated from the declared shape ------------------------------------------
def _is_model(type_: Any) -> bool:
    return isinstance(type_, type) and attrs.has(type_) and not getattr(type_, "__parameters__", ())


def _apply_aliases(data: Any, aliased: tuple[tuple[str, tuple[str, ...]], ...]) -> Any:
    """The older spellings a field is read from, where its own key is missing or null."""
    if not isinstance(data, Mapping):
        return data
    copied = None
    for wire, aliases in aliased:
        if data.get(wire) is None:
            for alias in aliases:
                if alias in data:
                    copied = copied if copied is not None else dict(data)
                    copied[wire] = data[alias]
                    break
    return data if copied is None else copied


def _structure_model(cls: type) -> Hook:
    declared = shape(cls)
    overrides: dict[str, Any] = {f.name: override(rename=f.wire) for f in declared.fields}
    if declared.extra is not None:
        overrides[declared.extra] = override(omit=True)
    generated: Hook = make_dict_structure_fn(cls, converter, **overrides)
    aliased = tuple((f.wire, f.aliases) for f in declared.fields if f.aliases)
    extra = declared.extra
    if not aliased and extra is None:
        return _own(generated)
    known = declared.known_keys

    def structure(data: Any, _: type) -> Any:
        data = _apply_aliases(data, aliased)
        parsed = generated(data, cls)
        if extra is not None:
            unknown = {key: value for key, value in data.items() if key not in known}
            if unknown:
                return attrs.evolve(parsed, **{extra: unknown})
        return parsed

    return _own(structure)


def shape_unstructure_hook(cls: type) -> Callable[[Any], dict[str, Any]]:
    """The hook that writes ``cls`` as JSON, from its declared shape (for hooks that wrap it)."""
    declared = shape(cls)
    overrides: dict[str, Any] = {f.name: override(rename=f.wire) for f in declared.fields}
    omit_none = bool(getattr(cls, "_wire_omit_none", False))
    if declared.extra is None:
        plain: Callable[[Any], dict[str, Any]] = make_dict_unstructure_fn(
            cls, converter, _cattrs_omit_if_default=omit_none, **overrides
        )
        return plain
    overrides[declared.extra] = override(omit=True)
    generated: Callable[[Any], dict[str, Any]] = make_dict_unstructure_fn(
        cls, converter, _cattrs_omit_if_default=omit_none, **overrides
    )
    extra = declared.extra

    def unstructure(value: Any) -> dict[str, Any]:
        return {**getattr(value, extra), **generated(value)}

    return unstructure


converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook(datetime, _structure_datetime)
converter.register_unstructure_hook(datetime, _unstructure_datetime)
converter.register_structure_hook(int, _structure_int)
converter.register_structure_hook(float, _structure_float)
# After int: bool is a subclass of int, and would otherwise be read as one.
converter.register_structure_hook(bool, _structure_bool)
converter.register_structure_hook_factory(_is_model, _structure_model)
converter.register_unstructure_hook_factory(_is_model, shape_unstructure_hook)
converter.register_structure_hook_factory(lambda t: _optional_inner(t) is not None, _optional)


def _is_list_of_models(type_: Any) -> bool:
    args = typing.get_args(type_)
    return typing.get_origin(type_) is list and len(args) == 1 and _is_model(args[0])


converter.register_structure_hook_factory(_is_list_of_models, _lenient_list_of_models)

#: Lists of the plain models are structured a page at a time while the hooks are this module's.
batches: Final = BatchStructurer(
    _SCALARS,
    converter.get_structure_hook,
    is_own=_is_own,
    generation=lambda: converter.generation,
)


def structure_list(data: Any, cls: type[T]) -> list[T]:
    """Structure a JSON list of objects (``None`` or a non-list gives ``[]``)."""
    if not isinstance(data, list):
        return []
    return converter.structure(data, list[cls])  # type: ignore[valid-type]
