"""The models and the spec can never drift: every documented property is a model field (under
its wire name), and every model field is a documented property."""

from __future__ import annotations

import types
import typing
from datetime import datetime
from typing import Any

import pytest

from screendesk_async import models
from screendesk_async.models._shape import nested_model, shape
from tests.spec._spec import Schema, component, resolve

#: The component schemas that are models, and their models (nested ones are found by walking).
ROOTS = [
    ("Recording", models.Recording),
    ("User", models.User),
    ("Pagination", models.Pagination),
    ("ScimUser", models.ScimUser),
]
#: RFC 7643 core attributes a SCIM model may carry although Screendesk does not document them.
RFC_7643_CORE = {"meta"}
SCIM_MODELS = {models.ScimUser, models.ScimName, models.ScimEmail, models.ScimRoles}

_JSON_TYPES = {"string": str, "integer": int, "number": float, "boolean": bool}


def _object_schema(schema: Schema) -> Schema | None:
    """The object schema a property refers to (through $ref, anyOf/oneOf with null)."""
    schema = resolve(schema)
    if schema.get("type") == "object" or "properties" in schema:
        return schema
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        found = _object_schema(option)
        if found is not None:
            return found
    return None


def _python_type(schema: Schema) -> type | None:
    """The scalar Python type a property's schema means (None: an object or array)."""
    schema = resolve(schema)
    declared = schema.get("type")
    names = [declared] if isinstance(declared, str) else list(declared or [])
    names = [name for name in names if name != "null"]
    if len(names) != 1 or names[0] not in _JSON_TYPES:
        return None
    if names[0] == "string" and schema.get("format") == "date-time":
        return datetime
    return _JSON_TYPES[names[0]]


def _strip_optional(type_: Any) -> Any:
    if typing.get_origin(type_) in (types.UnionType, typing.Union):
        inner = [arg for arg in typing.get_args(type_) if arg is not type(None)]
        if len(inner) == 1:
            return inner[0]
    return type_


def _pairs() -> list[tuple[str, type, Schema]]:
    """Every (path, model, schema) pair reachable from the roots."""
    found: list[tuple[str, type, Schema]] = []
    pending = [(name, cls, component(name)) for name, cls in ROOTS]
    while pending:
        path, cls, schema = pending.pop()
        found.append((path, cls, schema))
        by_wire = {f.wire: f for f in shape(cls).fields}
        for prop, prop_schema in schema.get("properties", {}).items():
            field = by_wire.get(prop)
            if field is None:
                continue
            nested = nested_model(field.type)
            item = typing.get_args(_strip_optional(field.type))
            if nested is None and item and nested_model(item[0]) is not None:
                nested = nested_model(item[0])
                prop_schema = resolve(prop_schema).get("items", prop_schema)
            target = _object_schema(prop_schema)
            if nested is not None and target is not None:
                pending.append((f"{path}.{prop}", nested, target))
    return found


PAIRS = _pairs()


def test_every_model_class_is_reached() -> None:
    reached = {cls for _, cls, _ in PAIRS}
    expected = {
        models.Recording, models.RecordingMetadata, models.HelpdeskInfo, models.TechnicalDetails,
        models.Customer, models.RecordingUser, models.RoomInsights, models.ParticipantInsight,
        models.User, models.UserNotifications, models.Pagination, models.ScimUser,
        models.ScimName, models.ScimEmail, models.ScimRoles,
    }  # fmt: skip
    assert reached == expected


@pytest.mark.parametrize(("path", "cls", "schema"), PAIRS, ids=[p for p, _, _ in PAIRS])
def test_every_documented_property_is_a_model_field(path: str, cls: type, schema: Schema) -> None:
    read_from = {key for f in shape(cls).fields for key in (f.wire, *f.aliases)}
    missing = set(schema.get("properties", {})) - read_from
    assert not missing, f"{path}: documented but not on {cls.__name__}: {sorted(missing)}"


@pytest.mark.parametrize(("path", "cls", "schema"), PAIRS, ids=[p for p, _, _ in PAIRS])
def test_every_model_field_is_documented(path: str, cls: type, schema: Schema) -> None:
    documented = set(schema.get("properties", {}))
    allowed = RFC_7643_CORE if cls in SCIM_MODELS else set()
    invented = {f.wire for f in shape(cls).fields} - documented - allowed
    assert not invented, f"{path}: {cls.__name__} has undocumented fields {sorted(invented)}"
    aliases = {alias for f in shape(cls).fields for alias in f.aliases}
    assert aliases <= documented, f"{path}: undocumented spellings {sorted(aliases - documented)}"


@pytest.mark.parametrize(("path", "cls", "schema"), PAIRS, ids=[p for p, _, _ in PAIRS])
def test_field_types_follow_the_spec(path: str, cls: type, schema: Schema) -> None:
    for field in shape(cls).fields:
        prop = schema.get("properties", {}).get(field.wire)
        if prop is None:
            continue
        expected = _python_type(prop)
        if expected is not None:
            assert _strip_optional(field.type) is expected, f"{path}.{field.wire}"


def test_the_api_md_field_table_holds() -> None:
    """The attribute names the public contract fixes (API.md), as the spec's properties."""
    assert [f.name for f in shape(models.TechnicalDetails).fields] == [
        "vendor", "ip_address", "timezone", "network_type", "isp",
    ]  # fmt: skip
    assert [f.name for f in shape(models.RoomInsights).fields] == [
        "started_at", "ended_at", "duration", "total_participant_minutes",
        "total_unique_participants", "participants_insights",
    ]  # fmt: skip
    assert [f.name for f in shape(models.ParticipantInsight).fields] == [
        "participant_id", "display_name", "role", "browser", "os", "device", "device_type",
        "user_agent", "joined_at", "left_at",
    ]  # fmt: skip
    assert [f.name for f in shape(models.HelpdeskInfo).fields] == [
        "platform", "conversation_id", "ticket_id", "user_id", "operator_id", "customer_id",
        "issue_id",
    ]  # fmt: skip
    assert [f.name for f in shape(models.Pagination).fields][-2:] == ["from_", "to"]
