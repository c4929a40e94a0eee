"""The one cattrs converter that turns the API's JSON into models and back.

Its hooks absorb what the API's documents disagree on (field spellings, the two shapes of SCIM
``roles``, ``null`` vs a missing field) so the models stay plain. It is lenient by design: an
unknown field is ignored, an unknown enum value is kept as a string, and a timestamp or number it
cannot read becomes ``None`` rather than failing a whole page.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from . import common, recording, scim, user
from ._batch import BatchStructurer

T = TypeVar("T")

converter: Final = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)


def _structure_datetime(value: Any, _: type) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):  # out of range, or NaN
            return None
    else:
        return None
    # A timestamp without an offset is UTC (the API's own convention): never hand out a naive one.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _structure_int(value: Any, _: type) -> int | None:
    if type(value) is int:
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):
            return None


def _structure_float(value: Any, _: type) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _structure_bool(value: Any, _: type) -> bool | None:
    if type(value) is bool:
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes", "enabled"):
            return True
        if lowered in ("false", "0", "no", "disabled", ""):
            return False
        return None
    return bool(value) if isinstance(value, int | float) else None


def _structure_str(value: Any, _: type) -> str:
    # Only non-optional fields (identifiers) reach this with None: never turn it into "None".
    return value if type(value) is str else ("" if value is None else str(value))


def _lenient_list_of_models(type_: Any) -> Callable[[Any, Any], list[Any] | None]:
    item = type_.__args__[0]
    handler = converter.get_structure_hook(item)
    if batches.supports(item):
        # A page of recordings: structured column by column (models/_batch.py). A short list
        # (the participants of one call) is cheaper record by record: same result.
        def structure_batch(value: Any, _: Any) -> list[Any] | None:
            if not isinstance(value, list):
                return None
            if not _ONLY_DICTS.issuperset(map(type, value)):
                value = [entry for entry in value if isinstance(entry, dict)]
            if len(value) < _BATCH_FROM:
                return [handler(entry, item) for entry in value]
            return batches.batch(item)(value)

        return structure_batch

    def structure(value: Any, _: Any) -> list[Any] | None:
        if not isinstance(value, list):
            return None
        # A null or non-object entry is skipped rather than failing the whole page.
        return [handler(entry, item) for entry in value if isinstance(entry, dict)]

    return structure


_ONLY_DICTS: Final = frozenset({dict})
#: From how many records a list is structured column by column (measured: below, per record).
_BATCH_FROM: Final = 8
_SCALARS: Final[dict[type, Callable[[Any, Any], Any]]] = {
    str: _structure_str,
    int: _structure_int,
    float: _structure_float,
    bool: _structure_bool,
    datetime: _structure_datetime,
}


def _optional_scalar(type_: Any) -> Callable[[Any, Any], Any]:
    """``str | None`` and the like: one closure, instead of cattrs' generic Optional dispatch."""
    (inner,) = (arg for arg in typing.get_args(type_) if arg is not types.NoneType)
    scalar = _SCALARS[inner]
    if inner is datetime:
        return lambda value, _: None if value is None else scalar(value, inner)
    # The common case (the value already has the type) costs no call at all.
    return lambda value, _: value if value is None or type(value) is inner else scalar(value, inner)


def _optional_plain_model(type_: Any) -> Callable[[Any, Any], Any]:
    """``Model | None`` for the batchable models (which have no custom hook to wait for)."""
    (inner,) = (arg for arg in typing.get_args(type_) if arg is not types.NoneType)
    handler = converter.get_structure_hook(inner)
    return lambda value, _: None if value is None else handler(value, inner)


def _is_optional_of(type_: Any, accepts: Callable[[Any], bool]) -> bool:
    args = typing.get_args(type_)
    return (
        typing.get_origin(type_) in (types.UnionType, typing.Union)
        and len(args) == 2
        and types.NoneType in args
        and any(accepts(arg) for arg in args if arg is not types.NoneType)
    )


def _is_optional_scalar(type_: Any) -> bool:
    return _is_optional_of(type_, lambda arg: arg in _SCALARS)


converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook_factory(
    lambda t: (
        getattr(t, "__origin__", None) is list
        and bool(getattr(t, "__args__", ()))
        and attrs.has(t.__args__[0])
    ),
    _lenient_list_of_models,
)
converter.register_structure_hook(datetime, _structure_datetime)
converter.register_unstructure_hook(datetime, lambda value: value.isoformat())
converter.register_structure_hook(int, _structure_int)
converter.register_structure_hook(float, _structure_float)
# After int: bool is a subclass of int, and would otherwise be read as one.
converter.register_structure_hook(bool, _structure_bool)
# Before any class hook is generated: a generated hook captures the hooks of its fields.
converter.register_structure_hook_factory(_is_optional_scalar, _optional_scalar)


#: Model field name → the API's name, where they differ (one table for every model).
WIRE_NAMES: Final = {
    "from_": "from",
    "external_id": "externalId",
    "user_name": "userName",
    "given_name": "givenName",
    "family_name": "familyName",
    "resource_type": "resourceType",
    "last_modified": "lastModified",
}


#: Lists of these are structured a page at a time (see ``_batch``); they have no custom hooks.
batches: Final = BatchStructurer(
    _SCALARS,
    converter.get_structure_hook,
    WIRE_NAMES,
    eligible=frozenset(
        {
            recording.Recording,
            recording.RecordingMetadata,
            recording.HelpdeskInfo,
            recording.TechnicalDetails,
            recording.Customer,
            recording.RecordingUser,
            recording.RoomInsights,
            recording.ParticipantInsight,
        }
    ),
)


# Generated hooks of these models look their nested models up once, not on every value.
converter.register_structure_hook_factory(
    lambda type_: _is_optional_of(type_, batches.supports), _optional_plain_model
)


def wire_columns(cls: type, prefix: str = "") -> tuple[str, ...]:
    """The dotted wire names of every leaf field of a model (nested models flattened).

    >>> wire_columns(common.Pagination)[-2:]
    ('from', 'to')
    """
    columns: list[str] = []
    for field in attrs.fields(attrs.resolve_types(cls)):
        if field.name == "extra":
            continue
        name = prefix + WIRE_NAMES.get(field.name, field.name)
        nested = [arg for arg in getattr(field.type, "__args__", (field.type,)) if attrs.has(arg)]
        if nested and getattr(field.type, "__origin__", None) is not list:
            columns.extend(wire_columns(nested[0], name + "."))
        else:
            columns.append(name)
    return tuple(columns)


def _renamed(cls: type[T], *, omit_none: bool = False, **renames: str) -> None:
    """Register structure/unstructure hooks for ``cls`` with wire names ``renames``."""
    overrides: dict[str, Any] = {name: override(rename=wire) for name, wire in renames.items()}
    converter.register_structure_hook(cls, make_dict_structure_fn(cls, converter, **overrides))
    converter.register_unstructure_hook(
        cls,
        make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=omit_none, **overrides),
    )


_renamed(common.Pagination, from_=WIRE_NAMES["from_"])

# -- users: two spellings of the same fields across the docs' versions -----------------------
_LEGACY_NOTIFICATIONS: Final = {
    "notify_new_account_recording": "notify_all_recordings",
    "notify_new_recording": "notify_own_recordings",
}
_structure_notifications_fn = make_dict_structure_fn(user.UserNotifications, converter)
_structure_user_fn = make_dict_structure_fn(user.User, converter)


def _structure_notifications(data: Mapping[str, Any], cls: type) -> user.UserNotifications:
    if any(key in data for key in _LEGACY_NOTIFICATIONS):
        data = dict(data)
        for old, new in _LEGACY_NOTIFICATIONS.items():
            if old in data and data.get(new) is None:
                data[new] = data[old]
    return _structure_notifications_fn(data, cls)


def _structure_user(data: Mapping[str, Any], cls: type) -> user.User:
    if data.get("has_profile_picture") is None and "has_avatar" in data:
        data = {**data, "has_profile_picture": data["has_avatar"]}
    return _structure_user_fn(data, cls)


converter.register_structure_hook(user.UserNotifications, _structure_notifications)
converter.register_structure_hook(user.User, _structure_user)


# -- SCIM: camelCase on the wire, roles as an object or a list of names, extra attributes kept --
def _structure_roles(data: Any, _: type) -> scim.ScimRoles | None:
    if isinstance(data, Mapping):
        return scim.ScimRoles(
            admin=bool(data.get("admin")),
            member=bool(data.get("member")),
            editor=bool(data.get("editor")),
        )
    if isinstance(data, list | tuple):
        # RFC-style lists hold strings or {"value": name} objects; accept both.
        names = {
            str(item.get("value") if isinstance(item, Mapping) else item).lower() for item in data
        }
        return scim.ScimRoles(
            admin="admin" in names, member="member" in names, editor="editor" in names
        )
    return None


converter.register_structure_hook(scim.ScimRoles, _structure_roles)


def _keep_extra(cls: type[Any], *, with_schemas: bool = False) -> None:
    """Register hooks for a SCIM class with an ``extra`` dict.

    Wire names are camelCase, ``None`` is omitted, and every attribute the class does not name
    is kept on read and written back.
    """
    wire = {f.name: WIRE_NAMES[f.name] for f in attrs.fields(cls) if f.name in WIRE_NAMES}
    known = frozenset(wire.get(f.name, f.name) for f in attrs.fields(cls) if f.name != "extra")
    overrides: dict[str, Any] = {name: override(rename=w) for name, w in wire.items()}
    overrides["extra"] = override(omit=True)
    structure_fn = make_dict_structure_fn(cls, converter, **overrides)
    unstructure_fn = make_dict_unstructure_fn(
        cls, converter, _cattrs_omit_if_default=True, **overrides
    )

    def structure(data: Mapping[str, Any], _: type) -> Any:
        parsed = structure_fn(data, cls)
        extra = {key: value for key, value in data.items() if key not in known}
        return attrs.evolve(parsed, extra=extra) if extra else parsed

    def unstructure(value: Any) -> dict[str, Any]:
        data: dict[str, Any] = {**value.extra, **unstructure_fn(value)}
        if with_schemas:
            data.setdefault("schemas", ["urn:ietf:params:scim:schemas:core:2.0:User"])
        return data

    converter.register_structure_hook(cls, structure)
    converter.register_unstructure_hook(cls, unstructure)


# Nested classes first: a generated hook captures the hooks of its fields when it is made.
_renamed(
    scim.ScimMeta,
    omit_none=True,
    resource_type=WIRE_NAMES["resource_type"],
    last_modified=WIRE_NAMES["last_modified"],
)
_keep_extra(scim.ScimName)
_keep_extra(scim.ScimEmail)
_keep_extra(scim.ScimUser, with_schemas=True)


def structure_list(data: Any, cls: type[T]) -> list[T]:
    """Structure a JSON list of objects (``None`` or a non-list gives ``[]``)."""
    if not isinstance(data, list):
        return []
    return converter.structure(data, list[cls])  # type: ignore[valid-type]
