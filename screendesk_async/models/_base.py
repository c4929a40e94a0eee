"""The base of every model: conversion to and from the API's JSON."""

from __future__ import annotations

from typing import Any, Self

import attrs


@attrs.frozen
class Model:
    """A frozen, slotted attrs class that knows its wire format.

    Example::

        rec = models.Recording.from_dict({"uuid": "…", "title": "Checkout bug"})
        rec.to_dict()["title"]  # 'Checkout bug'
    """

    def to_dict(self) -> dict[str, Any]:
        """The model as the API's JSON object, with the API's own field names."""
        from ._converter import converter

        data: dict[str, Any] = converter.unstructure(self)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Build the model from the API's JSON object (unknown fields are ignored)."""
        from ._converter import converter

        return converter.structure(data, cls)
