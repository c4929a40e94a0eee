"""The SCIM user model: its attributes read, the roles dialects, and the wire format back with
every extension and unknown sub-attribute kept."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from screendesk_async import models

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def scim_user_json() -> dict[str, Any]:
    return {
        "schemas": [CORE, ENTERPRISE],
        "id": "2819c223",
        "externalId": "okta-42",
        "userName": "ada@example.com",
        "name": {"givenName": "Ada", "familyName": "Lovelace", "formatted": "Ada Lovelace"},
        "emails": [{"value": "ada@example.com", "type": "work", "primary": True}],
        "active": True,
        "roles": {"admin": True, "member": True, "editor": False},
        "meta": {
            "resourceType": "User",
            "created": "2024-01-01T00:00:00Z",
            "lastModified": "2024-02-01T00:00:00Z",
            "location": "https://app.screendesk.io/api/v2/scim/Users/2819c223",
        },
        ENTERPRISE: {"department": "R&D", "manager": {"value": "1"}},
        "phoneNumbers": [{"value": "+1 555", "type": "work"}],
    }


def test_scim_user_structures() -> None:
    user = models.ScimUser.from_dict(scim_user_json())
    assert user.id == "2819c223"
    assert user.external_id == "okta-42"
    assert user.user_name == "ada@example.com"
    assert user.name == models.ScimName(
        given_name="Ada", family_name="Lovelace", formatted="Ada Lovelace"
    )
    assert user.emails == [models.ScimEmail(value="ada@example.com", type="work", primary=True)]
    assert user.active is True
    assert user.roles == models.ScimRoles(admin=True, member=True, editor=False)
    assert user.meta is not None
    assert user.meta.resource_type == "User"
    assert user.meta.last_modified == datetime(2024, 2, 1, tzinfo=UTC)
    assert user.schemas == [CORE, ENTERPRISE]
    assert user.extra == {
        ENTERPRISE: {"department": "R&D", "manager": {"value": "1"}},
        "phoneNumbers": [{"value": "+1 555", "type": "work"}],
    }


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ({"admin": True}, models.ScimRoles(admin=True)),
        ({"member": True, "editor": True}, models.ScimRoles(member=True, editor=True)),
        (["admin", "member"], models.ScimRoles(admin=True, member=True)),
        (["Editor"], models.ScimRoles(editor=True)),
        ([{"value": "admin"}, {"value": "editor"}], models.ScimRoles(admin=True, editor=True)),
        ([], models.ScimRoles()),
        (None, None),
    ],
)
def test_scim_roles_shapes(roles: Any, expected: models.ScimRoles | None) -> None:
    assert models.ScimUser.from_dict({"userName": "a", "roles": roles}).roles == expected


def test_scim_roles_missing_is_none() -> None:
    assert models.ScimUser.from_dict({"userName": "a"}).roles is None


def test_scim_user_to_dict_writes_wire_names_and_roles_object() -> None:
    user = models.ScimUser(
        user_name="ada@example.com",
        external_id="okta-42",
        name=models.ScimName(given_name="Ada", family_name="Lovelace"),
        emails=[models.ScimEmail(value="ada@example.com", primary=True)],
        active=False,
        roles=models.ScimRoles(member=True),
    )
    assert user.to_dict() == {
        "schemas": [CORE],
        "userName": "ada@example.com",
        "externalId": "okta-42",
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": "ada@example.com", "primary": True}],
        "active": False,
        "roles": {"admin": False, "member": True, "editor": False},
    }


def test_scim_user_to_dict_omits_none() -> None:
    out = models.ScimUser(user_name="ada").to_dict()
    assert out == {"schemas": [CORE], "userName": "ada"}
    assert "roles" not in out
    assert "id" not in out
    assert "extra" not in out


def test_scim_user_round_trip_keeps_extensions() -> None:
    data = scim_user_json()
    user = models.ScimUser.from_dict(data)
    out = user.to_dict()
    assert out[ENTERPRISE] == data[ENTERPRISE]
    assert out["phoneNumbers"] == data["phoneNumbers"]
    assert out["schemas"] == [CORE, ENTERPRISE]
    assert out["userName"] == data["userName"]
    assert out["roles"] == data["roles"]
    assert "extra" not in out
    assert models.ScimUser.from_dict(out) == user
    # A deactivation keeps everything else.
    deactivated = attrs.evolve(user, active=False).to_dict()
    assert deactivated == {**out, "active": False}


def test_scim_user_round_trip_keeps_unknown_sub_attributes() -> None:
    data = {
        "userName": "ada",
        "name": {"givenName": "Ada", "middleName": "King"},
        "emails": [{"value": "ada@example.com", "display": "Ada"}],
    }
    out = models.ScimUser.from_dict(data).to_dict()
    assert out["name"] == data["name"]
    assert out["emails"] == data["emails"]
