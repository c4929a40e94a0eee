"""``sd.recordings``: list, page through, get and update recordings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from .. import _validate
from .._types import NOT_GIVEN, NotGiven
from ..models import Page, Recording
from ..models._identity import structure_one
from ._base import Resource, RestListing, unwrap


class AsyncRecordings(Resource):
    """Recordings of the account (members see their own, admins all).

    Example::

        async for recording in sd.recordings.list(concurrency=8):
            print(recording.uuid, recording.title)
    """

    def __init__(self, transport: Any) -> None:
        super().__init__(transport)
        self._listing = RestListing(self, "recordings", "records", Recording)

    def list(
        self, *, concurrency: int | None = None, first_page: int = 1, last_page: int | None = None
    ) -> AsyncIterator[Recording]:
        """Every recording, in page order, fetching up to ``concurrency`` pages ahead.

        Args:
            concurrency: Pages requested ahead of the consumer (default: the client's
                ``max_concurrency``; requests in flight never exceed it).
            first_page: The first page to read (1-based, inclusive).
            last_page: The last page to read (inclusive), or ``None`` for all.

        Closing the iterator (``aclose()``, ``contextlib.aclosing``, leaving an ``async with``)
        cancels the page requests still in flight.
        """
        return self._listing.items(
            concurrency=concurrency, first_page=first_page, last_page=last_page
        )

    def pages(
        self, *, concurrency: int | None = None, first_page: int = 1, last_page: int | None = None
    ) -> AsyncIterator[Page[Recording]]:
        """Every page of recordings, in order (same arguments as :meth:`list`)."""
        return self._listing.pages(
            concurrency=concurrency, first_page=first_page, last_page=last_page
        )

    def raw_pages(
        self, *, concurrency: int | None = None, first_page: int = 1, last_page: int | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Every page as the server sent it (decoded JSON, every field kept), in order.

        For exports that must keep fields the models do not know; same arguments as
        :meth:`list`.
        """
        return self._listing.raw_pages(
            concurrency=concurrency, first_page=first_page, last_page=last_page
        )

    async def page(self, n: int) -> Page[Recording]:
        """Page ``n`` (1-based) of recordings, in one request."""
        return await self._listing.page(n)

    async def get(self, uuid: str) -> Recording:
        """The recording with this uuid.

        Raises:
            ValueError: ``uuid`` is not a well-formed UUID (nothing is sent).
            errors.NotFoundError: no such recording (or not visible to this token).
        """
        request = self._request("GET", ("recordings", _validate.recording_uuid(uuid)))
        return structure_one(unwrap(await self._send(request), "recording"), Recording)

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
        _validate.recording_uuid(uuid)
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
        request = self._request("PATCH", ("recordings", uuid), json={"recording": fields})
        return structure_one(unwrap(await self._send(request), "recording"), Recording)
