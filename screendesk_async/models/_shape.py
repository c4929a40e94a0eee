"""The one declaration of each model's wire shape, and the functions that read it.

A model field's JSON name (where it differs from the attribute) and the older spellings it is
also read from are declared on the field itself::

    from_: int | None = field(wire="from")
    has_profile_picture: bool | None = field(aliases=("has_avatar",))

and a class that keeps the attributes it does not name (SCIM) declares an ``extra`` field with
``extra_field()``. Everything that reads or writes the wire format follows :func:`shape`: the
converter's per-record hooks, the page-at-once structurer (``_batch``), ``to_dict`` and the CSV
columns (``wire_columns``). Nothing here imports a model module.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Any, Final, NamedTuple

import attrs

_WIRE: Final = "screendesk.wire"
_ALIASES: Final = "screendesk.aliases"
_EXTRA: Final = "screendesk.extra"


def field(*, wire: str | None = None, aliases: tuple[str, ...] = (), default: Any = None) -> Any:
    """An optional model field (``default`` None) with its JSON name and older spellings."""
    metadata: dict[str, Any] = {}
    if wire is not None:
        metadata[_WIRE] = wire
    if aliases:
        metadata[_ALIASES] = aliases
    return attrs.field(default=default, metadata=metadata)


def extra_field() -> Any:
    """The ``extra`` dict of a class that keeps (and writes back) attributes it does not name."""
    return attrs.field(factory=dict, metadata={_EXTRA: True})


class FieldShape(NamedTuple):
    """How one attribute of a model appears on the wire."""

    name: str
    wire: str
    aliases: tuple[str, ...]
    type: Any


class Shape(NamedTuple):
    """The wire shape of one model class."""

    fields: tuple[FieldShape, ...]
    #: The attribute that keeps unknown keys (None: unknown keys are ignored).
    extra: str | None

    @property
    def known_keys(self) -> frozenset[str]:
        """Every JSON key some field is read from."""
        return frozenset(key for f in self.fields for key in (f.wire, *f.aliases))


@functools.cache
def shape(cls: type) -> Shape:
    """The wire shape of the attrs class ``cls``, read from its field declarations."""
    hints = typing.get_type_hints(cls)
    fields: list[FieldShape] = []
    extra = None
    for attribute in attrs.fields(cls):
        if attribute.metadata.get(_EXTRA):
            extra = attribute.name
            continue
        fields.append(
            FieldShape(
                attribute.name,
                attribute.metadata.get(_WIRE, attribute.name),
                attribute.metadata.get(_ALIASES, ()),
                hints[attribute.name],
            )
        )
    return Shape(tuple(fields), extra)


def nested_model(type_: Any) -> type | None:
    """The attrs class of a ``Model`` or ``Model | None`` field (None for anything else)."""
    if attrs.has(type_):
        return typing.cast(type, type_)
    if typing.get_origin(type_) in (types.UnionType, typing.Union):
        inner = [arg for arg in typing.get_args(type_) if arg is not type(None)]
        if len(inner) == 1 and attrs.has(inner[0]):
            return typing.cast(type, inner[0])
    return None


def wire_columns(cls: type, prefix: str = "") -> tuple[str, ...]:
    """The dotted wire names of every leaf field of a model (nested models flattened).

    Lists (of models or values) are one column each; the ``extra`` of SCIM models is not a
    column.
    """
    columns: list[str] = []
    for f in shape(cls).fields:
        name = prefix + f.wire
        nested = nested_model(f.type)
        if nested is not None:
            columns.extend(wire_columns(nested, name + "."))
        else:
            columns.append(name)
    return tuple(columns)


#: A nested-model field: its path of wire names, and its declared type (``ScimRoles | None``).
NestedField = tuple[tuple[str, ...], Any]


def nested_fields(cls: type, prefix: tuple[str, ...] = ()) -> tuple[NestedField, ...]:
    """The wire path and declared type of every nested-model field of ``cls``, outer ones first.

    What the CSV writer reads through the converter when the server sends one of them in
    another shape than an object (SCIM ``roles`` as a list of names).
    """
    found: list[NestedField] = []
    for f in shape(cls).fields:
        nested = nested_model(f.type)
        if nested is not None:
            path = (*prefix, f.wire)
            found.append((path, f.type))
            found.extend(nested_fields(nested, path))
    return tuple(found)
