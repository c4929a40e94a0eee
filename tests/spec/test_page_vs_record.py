"""Property tests from the spec's own schemas (hypothesis-jsonschema): a page structured at once
equals its records structured one by one, and ``to_dict()`` gives back the API's names and
values for every documented field."""

from __future__ import annotations

import typing
from typing import Any, TypeVar

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema

from screendesk_async import models
from screendesk_async.models import converter
from screendesk_async.models._converter import batches, structure_list
from screendesk_async.models._shape import shape
from tests.spec._spec import Schema, arrived, component, inlined, instant, resolve

M = TypeVar("M", bound=models.Model)

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)


def strategy(name: str) -> st.SearchStrategy[Any]:
    return from_schema(inlined(component(name)))


RECORDINGS = strategy("Recording")


def same_value(sent: Any, written: Any, schema: Schema) -> bool:
    """Whether ``written`` (from ``to_dict``) is ``sent`` (the API's JSON) for ``schema``."""
    schema = resolve(schema)
    if sent is None:
        return written is None
    if schema.get("format") == "date-time" and isinstance(sent, str):
        return isinstance(written, str) and instant(written) == instant(sent)
    if isinstance(sent, dict):
        options = [resolve(o) for o in schema.get("anyOf", []) + schema.get("oneOf", [])]
        obj = next((o for o in options if "properties" in o), schema)
        props = obj.get("properties", {})
        return isinstance(written, dict) and all(
            same_value(value, written.get(key), props[key])
            for key, value in sent.items()
            if key in props
        )
    if isinstance(sent, list):
        item = schema.get("items", {})
        return isinstance(written, list) and all(
            same_value(a, b, item) for a, b in zip(sent, written, strict=True)
        )
    return bool(written == sent and type(written) in (type(sent), float))


@settings(SETTINGS, max_examples=15)
@given(st.lists(RECORDINGS, min_size=8, max_size=10))
def test_a_page_at_once_equals_its_records_one_by_one(records: list[dict[str, Any]]) -> None:
    assert batches.batch_if_current(models.Recording) is not None  # the fast path is taken
    one_by_one = [converter.structure(record, models.Recording) for record in records]
    assert structure_list(records, models.Recording) == one_by_one


#: Values of the wrong JSON type for a nested object: they read as None, on both paths.
NOT_OBJECTS = st.one_of(
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
)
NESTED = ("metadata", "technical_details", "customer", "user", "room_insights")


@settings(SETTINGS, max_examples=15)
@given(
    st.lists(
        st.tuples(RECORDINGS, st.dictionaries(st.sampled_from(NESTED), NOT_OBJECTS)),
        min_size=8,
        max_size=10,
    )
)
def test_a_page_with_nested_values_of_the_wrong_type_equals_its_records_one_by_one(
    spoilt: list[tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    records = [{**record, **junk} for record, junk in spoilt]
    assert batches.batch_if_current(models.Recording) is not None
    one_by_one = [converter.structure(record, models.Recording) for record in records]
    assert structure_list(records, models.Recording) == one_by_one
    for model, (_, junk) in zip(one_by_one, spoilt, strict=True):
        assert all(getattr(model, name) is None for name in junk)


def read_and_written(sent: dict[str, Any], model_type: type[M]) -> tuple[M, dict[str, Any]]:
    """``sent`` read as ``model_type`` (every documented value arriving) and its ``to_dict()``."""
    model = model_type.from_dict(sent)
    assert arrived(sent, model) == []
    return model, model.to_dict()


@SETTINGS
@given(RECORDINGS)
def test_recording_to_dict_gives_back_the_documented_values(record: dict[str, Any]) -> None:
    _, written = read_and_written(record, models.Recording)
    assert same_value(record, written, component("Recording"))
    assert set(written) == {f.wire for f in shape(models.Recording).fields}


@SETTINGS
@given(strategy("User"))
def test_user_to_dict_gives_back_the_documented_values(user: dict[str, Any]) -> None:
    model, written = read_and_written(user, models.User)
    documented = typing.cast(dict[str, Schema], component("User")["properties"])
    for key, value in user.items():
        if key in written and key != "notifications":
            assert same_value(value, written[key], documented[key])
    if "has_profile_picture" not in user and "has_avatar" in user:
        assert model.has_profile_picture is user["has_avatar"]
    notifications = user.get("notifications")
    if isinstance(notifications, dict) and model.notifications is not None:
        for new, old in (
            ("notify_all_recordings", "notify_new_account_recording"),
            ("notify_own_recordings", "notify_new_recording"),
        ):
            expected = notifications.get(new, notifications.get(old))
            assert getattr(model.notifications, new) == expected


@SETTINGS
@given(strategy("ScimUser"))
def test_scim_user_to_dict_gives_back_every_attribute(user: dict[str, Any]) -> None:
    _, written = read_and_written(user, models.ScimUser)
    for key, value in user.items():
        if key == "roles" and isinstance(value, list):
            # A list of names is read as the roles object; names other than the three go.
            assert set(written["roles"]) == {"admin", "member", "editor"}
        elif key == "roles":
            assert written["roles"] == {
                r: bool(value.get(r)) for r in ("admin", "member", "editor")
            }
        else:
            assert same_value(
                value, written.get(key), component("ScimUser")["properties"].get(key, {})
            )


@SETTINGS
@given(st.lists(strategy("Pagination"), min_size=1, max_size=3))
def test_pagination_to_dict_gives_back_every_value(pages: list[dict[str, Any]]) -> None:
    for page in pages:
        written = models.Pagination.from_dict(page).to_dict()
        assert {key: written[key] for key in page if key in written} == {
            key: value for key, value in page.items() if key in written
        }
