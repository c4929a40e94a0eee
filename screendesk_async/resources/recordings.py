"""``sd.recordings``: list, page through, get and update recordings."""

from __future__ import annotations

from .. import _validate
from .._types import NOT_GIVEN, NotGiven
from ..models import Recording
from ._base import AsyncRestCollection


class AsyncRecordings(AsyncRestCollection[Recording]):
    """Recordings of the account (members see their own, admins all).

    Example::

        async for recording in sd.recordings.list(concurrency=8):
            print(recording.uuid, recording.title)
    """

    segment = "recordings"
    items_key = "records"
    item_key = "recording"
    model = Recording
    validate_id = staticmethod(_validate.recording_uuid)

    async def get(self, uuid: str) -> Recording:
        """The recording with this uuid.

        Raises:
            ValueError: ``uuid`` is not a well-formed UUID (nothing is sent).
            errors.NotFoundError: no such recording (or not visible to this token).
        """
        return await self._one(self._request("GET", self._item_segments(uuid)))

    async def update(
        self,
        uuid: str,
        *,
        title: str | NotGiven = NOT_GIVEN,
        summary: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
    ) -> Recording:
        """Change a recording's title, summary or description (admins only).

        Only the arguments given are sent; ``None`` clears a field.

        Example::

            await sd.recordings.update(uuid, title="Checkout fails on Safari", summary=None)

        Raises:
            ValueError: a malformed ``uuid``, or no field to change (nothing is sent).
            errors.PermissionDeniedError: the token's user is not an admin.
            errors.UnprocessableEntityError: the server refused a value.
        """
        segments = self._item_segments(uuid)
        fields = {
            name: value
            for name, value in (
                ("title", title),
                ("summary", summary),
                ("description", description),
            )
            if not isinstance(value, NotGiven)
        }
        if not fields:
            raise ValueError("update() needs at least one of title, summary, description")
        for name, value in fields.items():
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be a str or None, got {type(value).__name__}")
        return await self._one(self._request("PATCH", segments, json={self.item_key: fields}))
