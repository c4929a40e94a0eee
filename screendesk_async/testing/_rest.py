"""REST v2 handlers: recordings and users, with the documented errors and both doc dialects."""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from aiohttp import web

from screendesk_async.testing._people import UserDirectory
from screendesk_async.testing._recording_store import RecordingStore

__all__ = ["AUTH_KIND", "AuthKind", "RestApi", "RestOptions", "pagination", "rest_error"]

AuthKind = Literal["admin", "member", "scim", "invalid", "missing"]
#: Set on every request by the server's middleware before a handler runs.
AUTH_KIND = web.RequestKey("auth_kind", str)

_NOT_FOUND = "Recording not found or does not exist"
# The docs' own 404 example, trailing comma and all: not valid JSON.
_DOCS_404 = (
    b'{\n"error": {\n"message": "Recording not found or does not exist",\n"code": 404,\n}\n}'
)
_FORBIDDEN = "You are not authorized to perform this action"
_EDITABLE = ("title", "summary", "description")
_PAGE_RE = re.compile(r"[0-9]{1,12}")
_CACHED_PAGES = 256


@dataclass
class RestOptions:
    """Dialect switches for the REST API; change them at any time.

    Attributes:
        page_size: records per page.
        legacy_spellings: send users with ``has_avatar`` and the older notification keys.
        null_pagination_fields: send inapplicable pagination fields as ``null``, not omitted.
        docs_404_body: answer a missing recording with the docs' invalid-JSON example body.
        added_fields: fields the API has added since the docs, sent with every recording and
            user of a listing: ``{"language": "en"}``; a dotted name goes inside an object
            (``{"metadata.sentiment": 0.5}``).
    """

    page_size: int = 25
    legacy_spellings: bool = False
    null_pagination_fields: bool = False
    docs_404_body: bool = False
    added_fields: dict[str, Any] = field(default_factory=dict)

    def added(self, record: dict[str, Any]) -> dict[str, Any]:
        """``record`` with :attr:`added_fields` (a copy: generated objects are shared)."""
        if not self.added_fields:
            return record
        record = dict(record)
        for name, value in self.added_fields.items():
            *parents, leaf = name.split(".")
            target = record
            for parent in parents:
                inner = target.get(parent)
                target[parent] = target = dict(inner) if isinstance(inner, dict) else {}
            target[leaf] = value
        return record

    def cache_key(self) -> tuple[Any, ...]:
        """What a cached page of a listing depends on."""
        added = orjson.dumps(self.added_fields, option=orjson.OPT_SORT_KEYS)
        return (self.page_size, self.legacy_spellings, self.null_pagination_fields, added)


def _json(body: Any, status: int = 200) -> web.Response:
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    return web.Response(status=status, body=data, content_type="application/json")


def rest_error(status: int, message: str) -> web.Response:
    """Build a REST error response: ``{"error": {"message": ..., "code": status}}``."""
    return _json({"error": {"message": message, "code": status}}, status)


def pagination(count: int, page: int, size: int, *, null_fields: bool = False) -> dict[str, Any]:
    """Build the ``pagination`` object for ``page`` of ``count`` items, ``size`` per page."""
    pages = max(1, -(-count // size))
    offset = (page - 1) * size
    shown = max(0, min(size, count - offset))
    result: dict[str, Any] = {"count": count, "page": page, "items": size, "pages": pages}
    optional = {
        # Past the end, "previous" is the last real page, so a client can step back.
        "prev_page": min(page - 1, pages) if page > 1 else None,
        "next_page": page + 1 if page < pages else None,
    }
    for key, value in optional.items():
        if value is not None or null_fields:
            result[key] = value
    result["last_page"] = pages
    result["from"] = offset + 1 if shown else 0
    result["to"] = offset + shown if shown else 0
    return result


def _page_number(request: web.Request) -> int | None:
    raw = request.query.get("page")
    if raw is None:
        return 1
    if not _PAGE_RE.fullmatch(raw) or int(raw) < 1:
        return None
    return int(raw)


class RestApi:
    """The ``/api/v2`` recordings and users endpoints over a recording store and user directory.

    Whole encoded pages are kept in a small LRU keyed by the store's version, so repeated page
    requests (benchmarks, retries) cost no regeneration and a change is never served stale.
    """

    def __init__(
        self, recordings: RecordingStore, users: UserDirectory, options: RestOptions
    ) -> None:
        self.recordings = recordings
        self.users = users
        self.options = options
        self._pages: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()

    def routes(self) -> list[web.RouteDef]:
        """Return the aiohttp routes of the REST API."""
        base = "/api/v2"
        return [
            web.get(f"{base}/recordings", self.list_recordings, allow_head=False),
            web.get(f"{base}/recordings/{{uuid}}", self.get_recording, allow_head=False),
            web.patch(f"{base}/recordings/{{uuid}}", self.update_recording),
            web.get(f"{base}/users", self.list_users, allow_head=False),
            web.get(f"{base}/users/search", self.search_users, allow_head=False),
        ]

    def _cached(self, key: tuple[Any, ...], build: Callable[[], bytes]) -> bytes:
        body = self._pages.get(key)
        if body is None:
            body = self._pages[key] = build()
            if len(self._pages) > _CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(key)
        return body

    def recordings_page(self, page: int, *, member: bool) -> dict[str, Any]:
        """Build the JSON of one recordings page as the admin (or the member) sees it."""
        size = self.options.page_size
        store = self.recordings
        indices = store.indices((page - 1) * size, page * size, member=member)
        return {
            "pagination": pagination(
                store.count(member=member),
                page,
                size,
                null_fields=self.options.null_pagination_fields,
            ),
            "records": [self.options.added(store.render(index)) for index in indices],
        }

    def users_page(self, page: int) -> dict[str, Any]:
        """Build the JSON of one users page."""
        size = self.options.page_size
        first = (page - 1) * size
        stop = min(first + size, self.users.count)
        legacy = self.options.legacy_spellings
        return {
            "pagination": pagination(
                self.users.count, page, size, null_fields=self.options.null_pagination_fields
            ),
            "users": [
                self.options.added(self.users.render(i, legacy=legacy)) for i in range(first, stop)
            ],
        }

    async def list_recordings(self, request: web.Request) -> web.Response:
        """``GET /recordings?page=N``: admins see every recording, members their own."""
        page = _page_number(request)
        if page is None:
            return rest_error(400, "Invalid page parameter")
        member = request[AUTH_KIND] == "member"
        opts = self.options
        version = self.recordings.version
        key = ("recordings", member, page, version, *opts.cache_key())
        return _json(
            self._cached(key, lambda: orjson.dumps(self.recordings_page(page, member=member)))
        )

    def _not_found(self) -> web.Response:
        if self.options.docs_404_body:
            return _json(_DOCS_404, 404)
        return rest_error(404, _NOT_FOUND)

    async def get_recording(self, request: web.Request) -> web.Response:
        """``GET /recordings/{uuid}``: 404 when absent or not the member's."""
        member = request[AUTH_KIND] == "member"
        index = self.recordings.find(request.match_info["uuid"], member=member)
        if index is None:
            return self._not_found()
        return _json(self.recordings.render(index))

    async def update_recording(self, request: web.Request) -> web.Response:
        """``PATCH /recordings/{uuid}``: admin only; changes only the keys sent."""
        if request[AUTH_KIND] != "admin":
            return rest_error(403, _FORBIDDEN)
        index = self.recordings.find(request.match_info["uuid"])
        if index is None:
            return self._not_found()
        try:
            body = orjson.loads(await request.read())
        except orjson.JSONDecodeError:
            return rest_error(400, "Request body is not valid JSON")
        fields = body.get("recording") if isinstance(body, dict) else None
        if not isinstance(fields, dict):
            return rest_error(422, "Param is missing or the value is empty: recording")
        problem = _validate(fields)
        if problem:
            return rest_error(422, problem)
        if fields:
            self.recordings.patch(index, fields, time.time())
        return _json(self.recordings.render(index))

    async def list_users(self, request: web.Request) -> web.Response:
        """``GET /users?page=N``: admin only."""
        if request[AUTH_KIND] != "admin":
            return rest_error(403, _FORBIDDEN)
        page = _page_number(request)
        if page is None:
            return rest_error(400, "Invalid page parameter")
        opts = self.options
        key = ("users", page, *opts.cache_key())
        return _json(self._cached(key, lambda: orjson.dumps(self.users_page(page))))

    async def search_users(self, request: web.Request) -> web.Response:
        """``GET /users/search?email=E``: admin only; the one user with that email."""
        if request[AUTH_KIND] != "admin":
            return rest_error(403, _FORBIDDEN)
        email = request.query.get("email", "").strip()
        if not email:
            # The docs give this one error as a bare string, unlike every other.
            return _json({"error": "Missing email parameter"}, 400)
        index = self.users.find(email)
        if index is None:
            return rest_error(404, "User not found")
        return _json(self.users.render(index, legacy=self.options.legacy_spellings))


def _validate(fields: dict[str, Any]) -> str | None:
    for key, value in fields.items():
        if key not in _EDITABLE:
            return f"Unknown attribute: {key}"
        if value is not None and not isinstance(value, str):
            return f"{key.capitalize()} must be a string"
    if "title" in fields:
        title = fields["title"]
        if title is None or not title.strip():
            return "Title can't be blank"
        if len(title) > 255:
            return "Title is too long (maximum is 255 characters)"
    return None
