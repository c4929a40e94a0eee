"""SCIM 2.0 users (``/api/v2/scim/Users``), in Screendesk's dialect.

The attributes are the ones Screendesk documents, plus RFC 7643's core ``meta``; everything else
a service provider sends (extension schemas, sub-attributes) is kept in ``extra`` and written
back. On the wire the names are camelCase, and ``None`` is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import attrs

from .._constants import SCIM_USER_SCHEMA
from ._base import Model
from ._converter import converter, shape_unstructure_hook
from ._shape import extra_field, field


@attrs.frozen(kw_only=True)
class ScimName(Model):
    """A user's name (``givenName``, ``familyName``, ``formatted`` on the wire)."""

    _wire_omit_none: ClassVar[bool] = True

    given_name: str | None = field(wire="givenName")
    family_name: str | None = field(wire="familyName")
    formatted: str | None = None
    #: Sub-attributes the model does not name (``middleName``…), kept and written back.
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class ScimEmail(Model):
    """One email address of a user."""

    _wire_omit_none: ClassVar[bool] = True

    value: str | None = None
    type: str | None = None
    primary: bool | None = None
    #: Sub-attributes the model does not name (``display``…), kept and written back.
    extra: dict[str, Any] = extra_field()


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
    """Server-maintained metadata of a resource (RFC 7643 §3.1)."""

    _wire_omit_none: ClassVar[bool] = True

    resource_type: str | None = field(wire="resourceType")
    created: datetime | None = None
    last_modified: datetime | None = field(wire="lastModified")
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

    _wire_omit_none: ClassVar[bool] = True
    _wire_identifier: ClassVar[str] = "id"

    id: str | None = None
    external_id: str | None = field(wire="externalId")
    user_name: str | None = field(wire="userName")
    name: ScimName | None = None
    emails: list[ScimEmail] | None = None
    active: bool | None = None
    roles: ScimRoles | None = None
    meta: ScimMeta | None = None
    schemas: list[str] | None = None
    extra: dict[str, Any] = extra_field()


# -- the two documented shapes of roles, and the schemas a user is sent with ------------------
def _structure_roles(data: Any, _: type) -> ScimRoles | None:
    if isinstance(data, Mapping):
        # The converter's lenient bool: "false" is False (bool("false") would be True).
        read = converter.get_structure_hook(bool)
        return ScimRoles(
            admin=read(data.get("admin"), bool) is True,
            member=read(data.get("member"), bool) is True,
            editor=read(data.get("editor"), bool) is True,
        )
    if isinstance(data, list | tuple):
        # RFC-style lists hold strings or {"value": name} objects; accept both.
        names = {
            str(item.get("value") if isinstance(item, Mapping) else item).lower() for item in data
        }
        return ScimRoles(admin="admin" in names, member="member" in names, editor="editor" in names)
    return None


_unstructure_user = shape_unstructure_hook(ScimUser)


def _unstructure_user_with_schemas(user: ScimUser) -> dict[str, Any]:
    data = _unstructure_user(user)
    data.setdefault("schemas", [SCIM_USER_SCHEMA])
    return data


converter.register_structure_hook(ScimRoles, _structure_roles)
converter.register_unstructure_hook(ScimUser, _unstructure_user_with_schemas)
