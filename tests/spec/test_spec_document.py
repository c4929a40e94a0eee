"""The OpenAPI document itself: valid OpenAPI 3.1, its examples the docs' own, its schemas sound."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate

from tests.spec._spec import FIXTURES, SPEC_PATH, example, inlined, spec

#: operation, method, status, example name -> the fixture copied verbatim from the docs.
DOC_EXAMPLES = [
    ("/recordings", "get", "200", "newer", "newer_recording_list"),
    ("/recordings", "get", "200", "older", "older_recording_list"),
    ("/recordings/{uuid}", "get", "200", "newer", "newer_recording"),
    ("/recordings/{uuid}", "get", "200", "older", "older_recording"),
    ("/recordings/{uuid}", "patch", "200", "newer", "newer_recording_update_response"),
    ("/recordings/{uuid}", "patch", "200", "older", "older_recording_update_response"),
    ("/users", "get", "200", "newer", "newer_user_list"),
    ("/users", "get", "200", "older", "older_user_list"),
    ("/users/search", "get", "200", "newer", "newer_user"),
    ("/users/search", "get", "200", "older", "older_user"),
]


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def test_the_spec_is_valid_openapi_3_1() -> None:
    document = spec()
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises OpenAPIValidationError on any defect


def test_spec_dir_points_at_the_one_copy() -> None:
    link = SPEC_PATH.parent.parent.parent / "spec" / "screendesk.openapi.yaml"
    if not link.exists():  # an installed wheel has no spec/ folder
        pytest.skip("no spec/ folder beside the package (installed from a wheel)")
    assert link.resolve() == SPEC_PATH.resolve()


def test_every_documented_path_and_method_is_declared() -> None:
    declared = {
        (path, method)
        for path, item in spec()["paths"].items()
        for method in item
        if method in {"get", "put", "post", "patch", "delete"}
    }
    assert declared == {
        ("/recordings", "get"),
        ("/recordings/{uuid}", "get"),
        ("/recordings/{uuid}", "patch"),
        ("/users", "get"),
        ("/users/search", "get"),
        ("/scim/Users", "get"),
        ("/scim/Users", "post"),
        ("/scim/Users/{id}", "get"),
        ("/scim/Users/{id}", "put"),
        ("/scim/Users/{id}", "delete"),
    }
    scim = spec()["paths"]["/scim/Users"]
    assert "201" in scim["post"]["responses"]
    assert "204" in spec()["paths"]["/scim/Users/{id}"]["delete"]["responses"]


@pytest.mark.parametrize(("path", "method", "status", "name", "fixture_name"), DOC_EXAMPLES)
def test_examples_are_the_docs_own_and_match_their_schema(
    path: str, method: str, status: str, name: str, fixture_name: str
) -> None:
    value = example(path, method, status, name)
    assert value == fixture(fixture_name)
    schema = spec()["paths"][path][method]["responses"][status]["content"]["application/json"]
    jsonschema.Draft202012Validator(inlined(schema["schema"])).validate(value)


def test_the_self_contradictory_list_example_is_kept_as_published() -> None:
    pagination = example("/recordings", "get", "200", "newer")["pagination"]
    assert (pagination["pages"], pagination["next_page"], pagination["prev_page"]) == (1, 1, 1)


def test_the_404_example_that_is_not_json_is_kept_as_text() -> None:
    text = (FIXTURES / "rest_error_404.txt").read_text(encoding="utf-8")
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    assert text.strip() in spec()["components"]["responses"]["NotFound"]["description"]


def test_scim_roles_accept_an_object_and_a_list() -> None:
    user = jsonschema.Draft202012Validator(inlined(spec()["components"]["schemas"]["ScimUser"]))
    user.validate({"id": "1", "roles": {"admin": True, "member": True, "editor": False}})
    user.validate({"id": "1", "roles": ["admin", "member"]})
    assert not user.is_valid({"id": "1", "roles": "admin"})
    error = inlined(spec()["components"]["schemas"]["ScimError"])
    jsonschema.Draft202012Validator(error).validate(fixture("scim_error"))
    assert not jsonschema.Draft202012Validator(error).is_valid({"status": 400})


def test_objects_stay_open_to_new_fields() -> None:
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            assert node.get("additionalProperties", True) is not False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec())
