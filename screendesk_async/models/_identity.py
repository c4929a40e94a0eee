"""A record's identifier: every response object and every listed record must carry one.

The rule, one for ``get()`` of a single object and for every record of every page: an
identifier is missing when it is absent, null, ``""``, or a list or an object (those read as
``""`` too). ``0`` is an identifier like any other.
"""

from __future__ import annotations

from typing import Any, TypeVar

from .. import errors
from ._converter import converter
from ._shape import shape

M = TypeVar("M")


def is_identifier(value: Any) -> bool:
    """Whether the JSON ``value`` of an identifier field names a record.

    >>> [is_identifier(v) for v in ("r-1", 0, "", None, [])]
    [True, True, False, False, False]
    """
    return value is not None and value != "" and not isinstance(value, dict | list)


def wire_identifier(cls: type) -> str | None:
    """The JSON name of the field that identifies a ``cls`` (``uuid``, ``email``, ``id``)."""
    identifier: str | None = getattr(cls, "_wire_identifier", None)
    if identifier is None:
        return None
    return next(f.wire for f in shape(cls).fields if f.name == identifier)


def structure_one(data: Any, cls: type[M]) -> M:
    """Structure the body of a ``get``/``update``/``search``/``create``/``replace`` response.

    Raises:
        errors.ResponseDecodeError: the body is not a JSON object, or it lacks the model's
            identifier (``uuid`` of a recording, ``email`` of a user, ``id`` of a SCIM user):
            a ``{}`` is never handed out as a recording.
    """
    name = cls.__name__
    if not isinstance(data, dict):
        raise errors.ResponseDecodeError(f"expected a JSON object for a {name}")
    model = converter.structure(data, cls)
    identifier: str | None = getattr(cls, "_wire_identifier", None)
    if identifier is not None and not is_identifier(getattr(model, identifier)):
        raise errors.ResponseDecodeError(
            f"the response has no {wire_identifier(cls)!r}: it is not a {name}"
        )
    return model
