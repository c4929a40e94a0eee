"""``sd.users``: list, page through and search the account's users (admins only)."""

from __future__ import annotations

from .. import _validate
from ..models import User
from ._base import AsyncRestCollection


class AsyncUsers(AsyncRestCollection[User]):
    """Users of the account (the API allows this to admins only).

    Example::

        user = await sd.users.search("ada@example.com")
        print(user.name, user.role)
    """

    segment = "users"
    items_key = "users"
    item_key = "user"
    model = User

    async def search(self, email: str) -> User:
        """The user with this email address.

        Raises:
            ValueError: ``email`` is not an email address (nothing is sent).
            errors.NotFoundError: no user has this email.
        """
        query = {"email": _validate.email(email)}
        return await self._one(self._request("GET", (self.segment, "search"), query=query))
