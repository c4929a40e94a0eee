"""The base of every model: conversion to and from the API's JSON."""

from __future__ import annotations

from typing import Any, ClassVar, Self

import attrs

from ._converter import converter


@attrs.frozen
class Model:
    """A frozen, slotted attrs class that knows its wire format.

    Example::

        rec = models.Recording.from_dict({"uuid": "…", "title": "Checkout bug"})
        rec.to_dict()["title"]  # 'Checkout bug'
    """

    #: Whether ``to_dict`` leaves out fields that are None (SCIM does; REST keeps nulls).
    _wire_omit_none: ClassVar[bool] = False
    #: The field a single-object response must carry (``models._identity``); None: no check.
    _wire_identifier: ClassVar[str | None] = None

    def to_dict(self) -> dict[str, Any]:
        """The model as the API's JSON object, with the API's own field names."""
        data: dict[str, Any] = converter.unstructure(self)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Build the model from the API's JSON object (unknown fields are ignored)."""
        return converter.structure(data, cls)
