"""``sd.users``: list, page through and search the account's users (admins only)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from .. import _validate
from ..models import Page, User
from ..models._identity import structure_one
from ._base import Resource, RestListing, unwrap


class AsyncUsers(Resource):
    """Users of the account (the API allows this to admins only).

    Example::

        user = await sd.users.search("ada@example.com")
        print(user.name, user.role)
    """

    def __init__(self, transport: Any) -> None:
        super().__init__(transport)
        self._listing = RestListing(self, "users", "users", User)

    def list(
        self, *, concurrency: int | None = None, first_page: int = 1, last_page: int | None = None
    ) -> AsyncIterator[User]:
        """Every user, in page order, fetching up to ``concurrency`` pages ahead.

        Same arguments and cancellation as ``recordings.list``.
        """
        return self._listing.items(
            concurrency=concurrency, first_page=first_page, last_page=last_page
        )

    def pages(
        self, *, concurrency: int | None = None, first_page: int = 1, last_page: int | None = None
    ) -> AsyncIterator[Page[User]]:
        """Every page of users, in order (same arguments as :meth:`list`)."""
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

    async def page(self, n: int) -> Page[User]:
        """Page ``n`` (1-based) of users, in one request."""
        return await self._listing.page(n)

    async def search(self, email: str) -> User:
        """The user with this email address.

        Raises:
            ValueError: ``email`` is not an email address (nothing is sent).
            errors.NotFoundError: no user has this email.
        """
        request = self._request("GET", ("users", "search"), query={"email": _validate.email(email)})
        return structure_one(unwrap(await self._send(request), "user"), User)
