"""Single-object responses: the object must carry its identifier, or the call fails loudly."""

from __future__ import annotations

import typing
from typing import Any, TypeVar

from .. import errors
from ._converter import converter
from ._shape import shape

M = TypeVar("M")


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
    if identifier is not None and not getattr(model, identifier):
        wire = next(f.wire for f in shape(typing.cast(type, cls)).fields if f.name == identifier)
        raise errors.ResponseDecodeError(f"the response has no {wire!r}: it is not a {name}")
    return model
