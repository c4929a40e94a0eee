"""The project's OpenAPI document, loaded once for the tests, and helpers to walk its schemas."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

import screendesk_async

#: The one copy of the spec (spec/screendesk.openapi.yaml links to it).
SPEC_PATH = Path(screendesk_async.__file__).parent / "_spec" / "screendesk.openapi.yaml"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "docs"

Schema = dict[str, Any]


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
