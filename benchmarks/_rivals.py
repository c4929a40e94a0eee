"""``models.Recording`` and its nested classes again, as pydantic v2 models and msgspec Structs.

Each rival class is made from the attrs class of the same name, field by field, by
``pydantic.create_model`` and ``msgspec.defstruct`` (which build what a ``class`` statement of
the same fields builds), so the three cannot drift apart: same fields, same types, same
defaults (every field optional, ``None`` by default, timestamps as ``datetime``), frozen like
the attrs models; unknown fields are ignored by all three. Only the leniency differs: our
converter turns a bad timestamp or number into ``None``, where pydantic and msgspec reject the
whole list (the fake's data has none).
"""

from __future__ import annotations

import functools
import operator
import types
import typing
from collections.abc import Callable
from typing import Any

import attrs
import msgspec
import pydantic

from screendesk_async.models import Recording

#: A field of a rival class: its name, type and default.
Field = tuple[str, Any, Any]


def _deriver(prefix: str, build: Callable[[str, list[Field]], Any]) -> Callable[[Any], Any]:
    """A function giving a type's rival: each attrs class in it made once by ``build``.

    A class's rival is named ``prefix`` + its name, its fields the attrs fields' own.
    """

    @functools.cache
    def made(cls: type) -> Any:
        hints = typing.get_type_hints(cls)
        fields = [(f.name, rival(hints[f.name]), f.default) for f in attrs.fields(cls)]
        return build(prefix + cls.__name__, fields)

    def rival(hint: Any) -> Any:
        if attrs.has(hint):
            return made(hint)
        arguments = tuple(map(rival, typing.get_args(hint)))
        origin = typing.get_origin(hint)
        if origin in (types.UnionType, typing.Union):
            return functools.reduce(operator.or_, arguments)
        return hint if origin is None else origin[arguments]

    return rival


def _pydantic_model(name: str, fields: list[Field]) -> Any:
    spec: dict[str, Any] = {field: (hint, default) for field, hint, default in fields}
    return pydantic.create_model(name, __config__=pydantic.ConfigDict(frozen=True), **spec)


def _msgspec_struct(name: str, fields: list[Field]) -> Any:
    return msgspec.defstruct(name, fields, kw_only=True, frozen=True)


#: What a page of recordings structures into: ``list[PdRecording]`` (pydantic v2 models).
PYDANTIC_PAGE: Any = _deriver("Pd", _pydantic_model)(list[Recording])
#: The same with msgspec Structs: ``list[MsRecording]``.
MSGSPEC_PAGE: Any = _deriver("Ms", _msgspec_struct)(list[Recording])
