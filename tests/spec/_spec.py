"""The project's OpenAPI document, loaded once for the tests, and helpers to walk its schemas."""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

import screendesk_async
from screendesk_async.models._shape import shape

#: The one copy of the spec (spec/screendesk.openapi.yaml links to it).
SPEC_PATH = Path(screendesk_async.__file__).parent / "_spec" / "screendesk.openapi.yaml"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "docs"

Schema = dict[str, Any]
#: Screendesk's roles (SCIM ``roles`` keys or names).
ROLES = frozenset({"admin", "member", "editor"})


@functools.cache
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def component(name: str) -> Schema:
    found: Schema = spec()["components"]["schemas"][name]
    return found


def resolve(schema: Schema) -> Schema:
    """Follow a local ``$ref`` (one level is all the spec uses)."""
    ref = schema.get("$ref")
    if ref is None:
        return schema
    return component(ref.rsplit("/", 1)[-1])


def inlined(schema: Schema) -> Schema:
    """``schema`` with every ``$ref`` replaced by its target (for hypothesis-jsonschema)."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(resolve(node))
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    result: Schema = walk(schema)
    return result


def example(operation_path: str, method: str, status: str, name: str) -> Any:
    """The named example of one operation's response (the docs' JSON, verbatim)."""
    response = spec()["paths"][operation_path][method]["responses"][status]
    media = next(iter(response["content"].values()))
    return media["examples"][name]["value"]


def instant(text: str) -> datetime:
    """An RFC 3339 timestamp as an aware datetime (lowercase ``t``/``z`` allowed)."""
    return datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))


def arrived(sent: Any, model: Any, where: str = "") -> list[str]:
    """Every documented value of ``sent`` (the API's JSON) that is not on ``model`` unchanged.

    Keys are matched to fields through the models' own wire declaration (older spellings
    included); an empty list means nothing was lost.
    """
    lost: list[str] = []
    if not isinstance(sent, dict):
        return [where or "<root>"]
    cls: type = type(model)
    fields = {key: f for f in shape(cls).fields for key in (f.wire, *f.aliases)}
    for key, value in sent.items():
        field = fields.get(key)
        if field is None:
            continue  # an undocumented field: the models need not carry it
        if key != field.wire and sent.get(field.wire) is not None:
            continue  # an older spelling next to the newer one: the newer one wins
        got = getattr(model, field.name)
        path = f"{where}.{key}" if where else key
        lost.extend(_compare(value, got, path))
    return lost


def _compare(value: Any, got: Any, path: str) -> list[str]:
    if value is None:
        return [] if got is None else [path]
    if isinstance(value, dict):
        if got is None:
            return [path]
        if type(got).__name__ == "ScimRoles":  # the three documented roles, nothing else
            same = all(getattr(got, r) == value[r] for r in ROLES if r in value)
            return [] if same else [path]
        return arrived(value, got, path)
    if isinstance(value, list):
        if not isinstance(got, list) or len(got) != len(value):
            if type(got).__name__ == "ScimRoles":
                names = {r for r in ROLES if getattr(got, r)}
                return [] if names == {str(v).lower() for v in value} & ROLES else [path]
            return [path]
        lost: list[str] = []
        for i, (item, got_item) in enumerate(zip(value, got, strict=True)):
            lost.extend(_compare(item, got_item, f"{path}[{i}]"))
        return lost
    if isinstance(got, datetime):
        return [] if isinstance(value, str) and instant(value) == got else [path]
    same_kind = isinstance(got, bool) == isinstance(value, bool)
    return [] if got == value and same_kind else [path]
