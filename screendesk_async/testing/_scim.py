"""SCIM 2.0 handlers (``/api/v2/scim/Users``) in Screendesk's dialect, over an in-memory store."""

from __future__ import annotations

import hashlib
import itertools
import re
import time
from typing import Any

import orjson
from aiohttp import web

from screendesk_async.testing._draws import iso_timestamp
from screendesk_async.testing._people import UserDirectory

__all__ = ["ERROR_SCHEMA", "LIST_SCHEMA", "USER_SCHEMA", "ScimApi", "ScimStore", "scim_error"]

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
_MEDIA_TYPE = "application/scim+json"
_ROLES = ("admin", "member", "editor")
_MAX_COUNT = 100
# RFC 7644 filters the fake understands: one attribute compared with "eq" to a quoted string.
_FILTER_RE = re.compile(r'\s*([A-Za-z][\w.]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*', re.IGNORECASE)
_FIRST_KEYS = ("externalId", "userName", "name", "displayName", "emails", "active")
_SERVER_KEYS = frozenset({"schemas", "id", "meta", "roles", "active"})


def _scim_json(body: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(body), content_type=_MEDIA_TYPE)


def scim_error(status: int, detail: str, scim_type: str | None = None) -> web.Response:
    """Build a SCIM error response; ``status`` is sent as a string, as RFC 7644 requires."""
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "detail": detail, "status": str(status)}
    if scim_type is not None:
        body["scimType"] = scim_type
    return _scim_json(body, status)


class _Invalid(Exception):
    def __init__(self, status: int, detail: str, scim_type: str | None) -> None:
        super().__init__(detail)
        self.response = scim_error(status, detail, scim_type)


def _roles(value: Any) -> dict[str, bool]:
    """Screendesk's role object; a role left out is false, no roles at all means member only."""
    if value is None:
        return {"admin": False, "member": True, "editor": False}
    if isinstance(value, dict):
        if any(not isinstance(value.get(role, False), bool) for role in _ROLES):
            raise _Invalid(422, "roles values must be booleans", "invalidValue")
        return {role: bool(value.get(role, False)) for role in _ROLES}
    if isinstance(value, list):
        # Tolerate the RFC's list form too: names, or {"value": name} objects.
        names = {v.get("value") if isinstance(v, dict) else v for v in value}
        return {role: role in names for role in _ROLES}
    raise _Invalid(422, "roles must be an object of booleans", "invalidValue")


def _stable_id(seed: int, salt: str, index: int) -> str:
    digest = hashlib.blake2b(f"{salt}:{seed}:{index}".encode(), digest_size=16).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-a{digest[17:20]}-{digest[20:32]}"


class ScimStore:
    """SCIM users in creation order, found by id, externalId or (case-insensitive) userName.

    Seeded from the first ``count`` people of the directory; person 0, the account owner,
    cannot be deleted.
    """

    def __init__(self, people: UserDirectory, count: int, seed: int) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        self._by_name: dict[str, str] = {}
        self._by_external: dict[str, str] = {}
        self._seed = seed
        self._created = 0
        base = 1_640_995_200  # 2022-01-01
        for index in range(count):
            person = people.person(index)
            role = people.role(index)
            resource = {
                "externalId": "00u" + _stable_id(seed, "ext", index).replace("-", "")[:17],
                "userName": person.email,
                "name": {
                    "givenName": person.given,
                    "familyName": person.family,
                    "formatted": f"{person.given} {person.family}",
                },
                "emails": [{"value": person.email, "type": "work", "primary": True}],
                "active": True,
                "roles": {name: name == role for name in _ROLES},
            }
            stamp = iso_timestamp(base + index * 3_600)
            self._store(_stable_id(seed, "scim", index), resource, stamp, stamp)
        self.owner_id = _stable_id(seed, "scim", 0) if count else None

    def _store(self, user_id: str, resource: dict[str, Any], created: str, modified: str) -> None:
        old = self.users.get(user_id)
        if old is not None:
            self._by_name.pop(old["userName"].lower(), None)
            if self._by_external.get(old.get("externalId", "")) == user_id:
                del self._by_external[old["externalId"]]
        extensions = [s for s in resource.pop("schemas", []) if s != USER_SCHEMA]
        user: dict[str, Any] = {"schemas": [USER_SCHEMA, *extensions], "id": user_id}
        user.update((k, resource[k]) for k in _FIRST_KEYS if k in resource)
        user.update((k, v) for k, v in resource.items() if k not in user)
        user["meta"] = {"resourceType": "User", "created": created, "lastModified": modified}
        self.users[user_id] = user
        self._by_name[user["userName"].lower()] = user_id
        if isinstance(user.get("externalId"), str):
            self._by_external[user["externalId"]] = user_id

    def resolve(self, key: str) -> str | None:
        """Return the SCIM id for a SCIM id or an externalId."""
        return key if key in self.users else self._by_external.get(key)

    def by_external_id(self, external_id: str) -> str | None:
        """Return the SCIM id of the user with exactly this externalId."""
        return self._by_external.get(external_id)

    def by_user_name(self, user_name: str) -> str | None:
        """Return the SCIM id of the user with this userName (case-insensitive, per RFC 7643)."""
        return self._by_name.get(user_name.lower())

    def validate(self, body: Any, user_id: str | None) -> dict[str, Any]:
        """Build a stored resource from a POST/PUT body; raises ``_Invalid`` with the SCIM error."""
        if not isinstance(body, dict):
            raise _Invalid(400, "Request body must be a JSON object", "invalidSyntax")
        user_name = body.get("userName")
        if not isinstance(user_name, str) or not user_name.strip():
            raise _Invalid(422, "userName is required", "invalidValue")
        if not isinstance(body.get("externalId", ""), str):
            raise _Invalid(422, "externalId must be a string", "invalidValue")
        active = body.get("active", True)
        if not isinstance(active, bool):
            raise _Invalid(422, "active must be a boolean", "invalidValue")
        owner = self.by_user_name(user_name)
        if owner is not None and owner != user_id:
            raise _Invalid(409, f"User {user_name} already exists", "uniqueness")
        schemas = body.get("schemas")
        resource = {k: v for k, v in body.items() if k not in _SERVER_KEYS}
        resource["schemas"] = [s for s in schemas if isinstance(s, str)] if schemas else []
        resource["active"] = active
        resource["roles"] = _roles(body.get("roles"))
        return resource

    def create(self, body: Any) -> dict[str, Any]:
        """Add a user; the server assigns the id."""
        resource = self.validate(body, None)
        self._created += 1
        user_id = _stable_id(self._seed, "created", self._created)
        now = iso_timestamp(time.time())
        self._store(user_id, resource, now, now)
        return self.users[user_id]

    def replace(self, user_id: str, body: Any) -> dict[str, Any]:
        """Replace every attribute of a user, keeping its id and creation time."""
        resource = self.validate(body, user_id)
        created = self.users[user_id]["meta"]["created"]
        self._store(user_id, resource, created, iso_timestamp(time.time()))
        return self.users[user_id]

    def delete(self, user_id: str) -> None:
        """Remove a user."""
        user = self.users.pop(user_id)
        self._by_name.pop(user["userName"].lower(), None)
        if self._by_external.get(user.get("externalId", "")) == user_id:
            del self._by_external[user["externalId"]]


def _render(user: dict[str, Any], base: str, *, listed: bool = False) -> dict[str, Any]:
    out = dict(user)
    out["meta"] = {**user["meta"], "location": f"{base}/api/v2/scim/Users/{user['id']}"}
    if listed:
        # Screendesk's list dialect: the names of the roles that are true.
        out["roles"] = [name for name in _ROLES if user["roles"].get(name)]
    return out


def _int_param(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise _Invalid(400, f"{name} must be an integer", "invalidValue") from None


class ScimApi:
    """The ``/api/v2/scim/Users`` endpoints over a :class:`ScimStore`."""

    def __init__(self, store: ScimStore, page_size: int) -> None:
        self.store = store
        self.page_size = page_size

    def routes(self) -> list[web.RouteDef]:
        """Return the aiohttp routes of the SCIM API."""
        base = "/api/v2/scim/Users"
        return [
            web.get(base, self.list_users, allow_head=False),
            web.post(base, self.create_user),
            web.get(f"{base}/{{id}}", self.get_user, allow_head=False),
            web.put(f"{base}/{{id}}", self.replace_user),
            web.delete(f"{base}/{{id}}", self.delete_user),
        ]

    def _filtered(self, text: str) -> list[dict[str, Any]] | None:
        match = _FILTER_RE.fullmatch(text)
        if match is None:
            return None
        try:
            value = orjson.loads(f'"{match[2]}"')
        except orjson.JSONDecodeError:
            return None
        attribute = match[1].lower()
        if attribute == "username":
            found = self.store.by_user_name(value)
        elif attribute == "externalid":
            # externalId is caseExact in RFC 7643, unlike userName.
            found = self.store.by_external_id(value)
        else:
            return None
        return [self.store.users[found]] if found else []

    async def list_users(self, request: web.Request) -> web.Response:
        """``GET /Users``: a ListResponse page (1-based ``startIndex``, ``count`` up to 100)."""
        try:
            start = max(1, _int_param(request, "startIndex", 1))
            count = min(max(0, _int_param(request, "count", self.page_size)), _MAX_COUNT)
        except _Invalid as exc:
            return exc.response
        text = request.query.get("filter", "").strip()
        if text:
            matches = self._filtered(text)
            if matches is None:
                return scim_error(400, f"Unsupported filter: {text}", "invalidFilter")
            total = len(matches)
            chosen = matches[start - 1 : start - 1 + count]
        else:
            total = len(self.store.users)
            chosen = list(itertools.islice(self.store.users.values(), start - 1, start - 1 + count))
        base = f"{request.scheme}://{request.host}"
        return _scim_json(
            {
                "schemas": [LIST_SCHEMA],
                "totalResults": total,
                "startIndex": start,
                "itemsPerPage": len(chosen),
                "Resources": [_render(user, base, listed=True) for user in chosen],
            }
        )

    def _find(self, request: web.Request) -> str | web.Response:
        key = request.match_info["id"]
        user_id = self.store.resolve(key)
        if user_id is None:
            return scim_error(404, f"Resource {key} not found")
        return user_id

    async def _body(self, request: web.Request) -> Any:
        try:
            return orjson.loads(await request.read())
        except orjson.JSONDecodeError:
            raise _Invalid(400, "Request body is not valid JSON", "invalidSyntax") from None

    async def get_user(self, request: web.Request) -> web.Response:
        """``GET /Users/{id}``: one user, roles as an object."""
        found = self._find(request)
        if isinstance(found, web.Response):
            return found
        base = f"{request.scheme}://{request.host}"
        return _scim_json(_render(self.store.users[found], base))

    async def create_user(self, request: web.Request) -> web.Response:
        """``POST /Users``: 201 with the created user."""
        try:
            user = self.store.create(await self._body(request))
        except _Invalid as exc:
            return exc.response
        base = f"{request.scheme}://{request.host}"
        response = _scim_json(_render(user, base), 201)
        response.headers["Location"] = f"{base}/api/v2/scim/Users/{user['id']}"
        return response

    async def replace_user(self, request: web.Request) -> web.Response:
        """``PUT /Users/{id}``: full replace."""
        found = self._find(request)
        if isinstance(found, web.Response):
            return found
        try:
            user = self.store.replace(found, await self._body(request))
        except _Invalid as exc:
            return exc.response
        return _scim_json(_render(user, f"{request.scheme}://{request.host}"))

    async def delete_user(self, request: web.Request) -> web.Response:
        """``DELETE /Users/{id}``: 204; the account owner cannot be deleted (403)."""
        found = self._find(request)
        if isinstance(found, web.Response):
            return found
        if found == self.store.owner_id:
            return scim_error(403, "The account owner cannot be deleted")
        self.store.delete(found)
        return web.Response(status=204)
