"""SCIM 2.0 users (``/api/v2/scim/Users``), in Screendesk's dialect."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import Model


@attrs.frozen(kw_only=True)
class ScimName(Model):
    """A user's name (``givenName``, ``familyName``, ``formatted`` on the wire)."""

    given_name: str | None = None
    family_name: str | None = None
    formatted: str | None = None
    #: Sub-attributes the model does not name (``middleName``…), kept and written back.
    extra: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class ScimEmail(Model):
    """One email address of a user."""

    value: str | None = None
    type: str | None = None
    primary: bool | None = None
    #: Sub-attributes the model does not name (``display``…), kept and written back.
    extra: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class ScimRoles(Model):
    """Screendesk's roles: an object of booleans (read from a list of names too).

    Sending roles with one left out sets that role to false; omit ``roles`` altogether
    (``ScimUser(roles=None)``) to let the server apply its defaults (member only).
    """

    admin: bool = False
    member: bool = False
    editor: bool = False


@attrs.frozen(kw_only=True)
class ScimMeta(Model):
    """Server-maintained metadata of a resource."""

    resource_type: str | None = None
    created: datetime | None = None
    last_modified: datetime | None = None
    location: str | None = None
    version: str | None = None


@attrs.frozen(kw_only=True)
class ScimUser(Model):
    """A SCIM user. ``id`` is ``None`` until the server assigns one.

    Attributes the model does not name (extension schemas included) are kept in ``extra`` and
    sent back on ``replace``, so nothing a directory set is lost.

    Example::

        user = models.ScimUser(
            user_name="ada@example.com",
            name=models.ScimName(given_name="Ada", family_name="Lovelace"),
            emails=[models.ScimEmail(value="ada@example.com", type="work", primary=True)],
            roles=models.ScimRoles(member=True),
        )
    """

    id: str | None = None
    external_id: str | None = None
    user_name: str | None = None
    name: ScimName | None = None
    emails: list[ScimEmail] | None = None
    active: bool | None = None
    roles: ScimRoles | None = None
    meta: ScimMeta | None = None
    schemas: list[str] | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)
