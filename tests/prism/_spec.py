"""The project's OpenAPI document, read for Prism, openapi-core and the tests that compare with it.

``spec/screendesk.openapi.yaml`` is the one source of truth; nothing here restates it. YAML is
read as JSON would be (timestamps stay strings), so an example compares equal to the JSON a
server sends for it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import yaml

from ..spec._spec import SPEC_PATH

METHODS: Final = ("get", "put", "post", "delete", "patch")
_TIMESTAMP: Final = "tag:yaml.org,2002:timestamp"


class _JsonLikeLoader(yaml.SafeLoader):
    """A safe loader that keeps ``2026-06-06T16:13:14Z`` a string, as JSON does."""


_JsonLikeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@functools.cache
def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as stream:
        document = yaml.load(stream, Loader=_JsonLikeLoader)
    if not isinstance(document, dict) or "paths" not in document:
        raise ValueError(f"{path} is not an OpenAPI document")
    return document


def load_spec() -> dict[str, Any]:
    """The OpenAPI document as JSON-like data (shared: do not mutate it)."""
    return _load(SPEC_PATH)


def server_prefix(spec: dict[str, Any]) -> str:
    """The path of the spec's first server URL (``/api/v2``), under which its paths live."""
    servers = spec.get("servers") or [{"url": "/"}]
    url: str = servers[0]["url"]
    return urlsplit(url).path.rstrip("/")


def scim_prefix(spec: dict[str, Any]) -> str:
    """The full path of the SCIM base (``/api/v2/scim``): where ``/Users`` is served."""
    (users,) = [str(path) for path in spec["paths"] if path.endswith("/Users")]
    return server_prefix(spec) + users.removesuffix("/Users")


def served_document(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with each path under its server's path, as the real service serves it.

    Prism matches a request against ``paths`` alone (it ignores the path of ``servers``), while
    the client, like the real API, puts ``/api/v2`` before every path. Nothing else changes.
    """
    prefix = server_prefix(spec)
    return {**spec, "paths": {prefix + path: item for path, item in spec["paths"].items()}}


def resolve(spec: dict[str, Any], node: Any) -> Any:
    """``node`` with any local ``$ref`` (``#/components/...``) followed."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operation(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    """The operation object for ``method`` on ``path`` (a path of the spec, e.g. ``/users``)."""
    item = resolve(spec, spec["paths"][path])
    found: dict[str, Any] = resolve(spec, item[method.lower()])
    return found


def responses(spec: dict[str, Any], method: str, path: str) -> dict[int, dict[str, Any]]:
    """The documented responses of an operation, by status (``default`` and ranges left out)."""
    documented = operation(spec, method, path).get("responses", {})
    return {int(code): resolve(spec, r) for code, r in documented.items() if str(code).isdigit()}


def success_status(spec: dict[str, Any], method: str, path: str) -> int:
    """The lowest 2xx status the operation documents (what Prism answers by default)."""
    return min(code for code in responses(spec, method, path) if 200 <= code < 300)


def examples(spec: dict[str, Any], method: str, path: str, status: int) -> dict[str, Any]:
    """The named examples of one response (every media type), ``{name: value}``.

    A lone ``example`` is returned under the name ``""``.
    """
    found: dict[str, Any] = {}
    for media in (responses(spec, method, path)[status].get("content") or {}).values():
        for name, example in (media.get("examples") or {}).items():
            value = resolve(spec, example)
            if "value" in value:
                found.setdefault(name, value["value"])
        if "example" in media:
            found.setdefault("", media["example"])
    return found


def response_schema(spec: dict[str, Any], method: str, path: str, status: int) -> Any:
    """The schema of one documented response body (its first media type), or ``{}``."""
    content = responses(spec, method, path)[status].get("content") or {}
    for media in content.values():
        return resolve(spec, media.get("schema", {}))
    return {}
