"""``sd.scim.users``: SCIM 2.0 provisioning (RFC 7644), in Screendesk's dialect.

SCIM calls use the SCIM token and base URL, never the REST ones, and speak
``application/scim+json`` (``application/json`` answers are accepted too).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from .. import _constants as C
from .. import _validate
from .._pagination import RawPage, ordered_pages
from .._strategies import OffsetPages
from .._transport import Transport
from ..models import Page, ScimUser
from ..models._converter import structure_list
from ..models._identity import structure_one
from ._base import Resource, flattened, structured

_CREATED = frozenset({200, 201})
_DELETED = frozenset({200, 204})


def _filter_string(value: str) -> str:
    """``value`` as a quoted SCIM filter string (JSON string escaping, RFC 7644 §3.4.2.2)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _to_page(raw: RawPage) -> Page[ScimUser]:
    return Page(items=structure_list(raw.get("Resources"), ScimUser))


def _user_payload(user: object) -> dict[str, Any]:
    if not isinstance(user, ScimUser):
        raise ValueError(f"expected a models.ScimUser, got {type(user).__name__}")
    if not user.user_name:
        raise ValueError("a SCIM user needs a user_name")
    payload = user.to_dict()
    payload.setdefault("schemas", [C.SCIM_USER_SCHEMA])
    return payload


class AsyncScimUsers(Resource):
    """Users of the SCIM service provider.

    Example::

        user = await sd.scim.users.create(
            models.ScimUser(user_name="ada@example.com", external_id="okta-00u1",
                            roles=models.ScimRoles(member=True))
        )
        await sd.scim.users.deactivate(user.id)
    """

    def list(
        self,
        *,
        filter: str | None = None,
        page_size: int | None = None,
        concurrency: int | None = None,
    ) -> AsyncIterator[ScimUser]:
        """Every user (matching ``filter``), in order, paging with ``startIndex``/``count``.

        Once ``totalResults`` is known the remaining pages are fetched concurrently, up to
        ``concurrency`` ahead (default: the client's ``max_concurrency``), and yielded in order.

        Args:
            filter: An RFC 7644 filter, e.g. ``'userName eq "ada@example.com"'``.
            page_size: Users per request (``count``); default: the server's.
            concurrency: Pages requested ahead of the consumer.
        """
        return flattened(self.pages(filter=filter, page_size=page_size, concurrency=concurrency))

    def pages(
        self,
        *,
        filter: str | None = None,
        page_size: int | None = None,
        concurrency: int | None = None,
    ) -> AsyncIterator[Page[ScimUser]]:
        """Every ListResponse page of users, in order (same arguments as :meth:`list`).

        A SCIM page has no REST ``pagination`` object: its ``pagination`` is ``None``.
        """
        raw = self.raw_pages(filter=filter, page_size=page_size, concurrency=concurrency)
        return structured(raw, _to_page)

    def raw_pages(
        self,
        *,
        filter: str | None = None,
        page_size: int | None = None,
        concurrency: int | None = None,
        first_index: int = 1,
        last_index: int | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every ListResponse page as the server sent it (for exports that keep every field).

        Same arguments as :meth:`list`; ``first_index``/``last_index`` (1-based, inclusive)
        read a slice.
        """
        if filter is not None and (not isinstance(filter, str) or not filter.strip()):
            raise ValueError(f"filter must be a non-empty string, got {filter!r}")
        first, last = _validate.page_range(first_index, last_index)
        plan = OffsetPages(_validate.optional_positive_int(page_size, "page_size"), first, last)
        window = self._concurrency(concurrency)

        async def fetch(start: int) -> RawPage:
            count = plan.count
            if count is not None and plan.last_index is not None:
                count = min(count, plan.last_index - start + 1)
            query = {"startIndex": start, "count": count, "filter": filter}
            request = self._request("GET", ("Users",), query=query, api="scim")
            page: RawPage = await self._send(request)
            return page

        return ordered_pages(fetch, plan, window)

    async def _get_raw(self, id: str) -> dict[str, Any]:
        request = self._request("GET", ("Users", _validate.opaque_id(id)), api="scim")
        raw: dict[str, Any] = await self._send(request)
        return raw

    async def _put_raw(self, id: str, payload: dict[str, Any]) -> ScimUser:
        request = self._request("PUT", ("Users", id), json=payload, api="scim")
        return structure_one(await self._send(request), ScimUser)

    async def get(self, id: str) -> ScimUser:
        """The user with this SCIM id (Screendesk also accepts the externalId).

        Raises:
            ValueError: a malformed id (nothing is sent).
            errors.NotFoundError: no such user.
        """
        return structure_one(await self._get_raw(id), ScimUser)

    async def create(self, user: ScimUser) -> ScimUser:
        """Create ``user``; returns it as the server stored it (with its ``id``).

        ``roles=None`` lets the server apply its defaults (member only). A create is never
        replayed after a 5xx or a dropped connection: the server may have acted.

        Raises:
            errors.ConflictError: the userName is taken (``scim_type == "uniqueness"``).
            errors.UnprocessableEntityError: the server refused the input.
        """
        payload = _user_payload(user)
        request = self._request("POST", ("Users",), json=payload, api="scim", expect=_CREATED)
        return structure_one(await self._send(request), ScimUser)

    async def replace(self, id: str, user: ScimUser) -> ScimUser:
        """Replace the user ``id`` with ``user`` (PUT: attributes left out are cleared)."""
        _validate.opaque_id(id)
        return await self._put_raw(id, _user_payload(user))

    async def delete(self, id: str) -> None:
        """Delete the user ``id``.

        Raises:
            errors.PermissionDeniedError: the account owner cannot be deleted.
            errors.NotFoundError: no such user.
        """
        request = self._request(
            "DELETE",
            ("Users", _validate.opaque_id(id)),
            api="scim",
            expect=_DELETED,
            expects_body=False,  # 204, or a 200 some servers send with nothing in it
        )
        await self._send(request)

    async def find_by_user_name(self, name: str) -> ScimUser | None:
        """The user whose userName is ``name`` (case-insensitive, as in RFC 7643), or ``None``.

        This is the look-up identity providers do before creating a user.
        """
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"not a well-formed userName: {name!r}")
        users = self.list(filter=f"userName eq {_filter_string(name)}", page_size=10)
        async with contextlib.aclosing(users):  # type: ignore[type-var]
            async for user in users:
                if (user.user_name or "").casefold() == name.casefold():
                    return user
        return None

    async def deactivate(self, id: str) -> ScimUser:
        """Set ``active`` to false, keeping every other attribute as the server has it.

        The user is read and written back whole (extension attributes included), as identity
        providers deactivate before they delete.
        """
        current = await self._get_raw(id)
        payload = {key: value for key, value in current.items() if key != "meta"}
        payload["active"] = False
        return await self._put_raw(id, payload)


class AsyncScim:
    """The SCIM 2.0 API: ``sd.scim.users``."""

    def __init__(self, transport: Transport) -> None:
        #: Users: ``list``, ``get``, ``create``, ``replace``, ``delete``,
        #: ``find_by_user_name``, ``deactivate``.
        self.users = AsyncScimUsers(transport)
