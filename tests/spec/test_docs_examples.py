"""The docs' own example responses, verbatim, served from loopback through the public client.

Every documented value of a recording, a user and a SCIM user arrives unchanged on the models,
the self-contradictory list example is read once with one request, and the older docs'
``helpdesk_info: {}`` without ``room_insights`` reads without loss.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from screendesk_async import AsyncScreendesk, errors, models
from tests.spec._spec import FIXTURES, arrived

UUID = "123e4567-e89b-12d3-a456-426614174000"  # the docs' own example uuid
SCIM_ID = "2819c223-7f76-453a-919d-413861904646"

pytestmark = pytest.mark.integration


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


class DocsServer:
    """Answers every endpoint with the docs' example for it (``variant`` newer or older)."""

    def __init__(self, variant: str) -> None:
        self.variant = variant
        self.requests: Counter[str] = Counter()
        self.bodies: list[Any] = []
        self.override: dict[str, Any] = {}

    def _answer(self, name: str, key: str) -> web.Response:
        self.requests[key] += 1
        body = self.override.get(key, fixture(f"{self.variant}_{name}"))
        return web.json_response(body)

    async def recordings(self, request: web.Request) -> web.Response:
        return self._answer("recording_list", f"GET recordings page={request.query.get('page')}")

    async def recording(self, request: web.Request) -> web.Response:
        return self._answer("recording", "GET recording")

    async def update(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.json())
        return self._answer("recording_update_response", "PATCH recording")

    async def users(self, request: web.Request) -> web.Response:
        return self._answer("user_list", f"GET users page={request.query.get('page')}")

    async def search(self, request: web.Request) -> web.Response:
        return self._answer("user", "GET users/search")

    async def scim_user(self, request: web.Request) -> web.Response:
        self.requests["GET scim user"] += 1
        # The docs' SCIM user (the create example) as the server would answer it: with its id.
        body = self.override.get("GET scim user", {**fixture("scim_create_request"), "id": SCIM_ID})
        return web.json_response(body, content_type="application/scim+json")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/api/v2/recordings", self.recordings)
        app.router.add_get("/api/v2/recordings/{uuid}", self.recording)
        app.router.add_patch("/api/v2/recordings/{uuid}", self.update)
        app.router.add_get("/api/v2/users", self.users)
        app.router.add_get("/api/v2/users/search", self.search)
        app.router.add_get("/api/v2/scim/Users/{id}", self.scim_user)
        return app


@contextlib.asynccontextmanager
async def serving(variant: str) -> AsyncIterator[tuple[DocsServer, AsyncScreendesk]]:
    server = DocsServer(variant)
    runner = web.AppRunner(server.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with AsyncScreendesk("t0ken", scim_token="sc1m", base_url=url, max_retries=0) as sd:
            yield server, sd
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("variant", ["newer", "older"])
async def test_the_list_example_reads_its_one_record_once_with_one_request(variant: str) -> None:
    async with serving(variant) as (server, sd):
        records = [record async for record in sd.recordings.list()]
        users = [user async for user in sd.users.list()]
    (record,) = fixture(f"{variant}_recording_list")["records"]
    assert len(records) == 1
    assert arrived(record, records[0]) == []
    (user,) = fixture(f"{variant}_user_list")["users"]
    assert len(users) == 1
    assert arrived(user, users[0]) == []
    # next_page 1 / prev_page 1 (newer) or null (older): one request each, never a second.
    assert server.requests == Counter({"GET recordings page=1": 1, "GET users page=1": 1})


@pytest.mark.parametrize("variant", ["newer", "older"])
async def test_every_documented_value_of_a_recording_arrives(variant: str) -> None:
    async with serving(variant) as (server, sd):
        got = await sd.recordings.get(UUID)
        updated = await sd.recordings.update(UUID, title="Updated Title", summary=None)
    assert arrived(fixture(f"{variant}_recording"), got) == []
    assert arrived(fixture(f"{variant}_recording_update_response"), updated) == []
    assert server.bodies == [{"recording": {"title": "Updated Title", "summary": None}}]
    if variant == "newer":
        assert got.technical_details == models.TechnicalDetails(
            vendor="text", ip_address="text", timezone="text", network_type="text", isp="text"
        )
        assert got.room_insights is not None
        assert got.room_insights.total_participant_minutes == 1
        assert got.metadata is not None
        assert got.metadata.helpdesk_info is not None
        assert got.metadata.helpdesk_info.issue_id == "text"
    else:
        # helpdesk_info: {} and no room_insights at all: nothing invented, nothing lost.
        assert got.metadata is not None
        assert got.metadata.helpdesk_info == models.HelpdeskInfo()
        assert got.room_insights is None
        assert got.to_dict()["technical_details"] == fixture("older_recording")["technical_details"]


@pytest.mark.parametrize("variant", ["newer", "older"])
async def test_every_documented_value_of_a_user_arrives(variant: str) -> None:
    async with serving(variant) as (_, sd):
        user = await sd.users.search("name@gmail.com")
    sent = fixture(f"{variant}_user")
    assert arrived(sent, user) == []
    assert user.has_profile_picture is True
    assert user.notifications == models.UserNotifications(
        notify_first_view="Enabled",
        notify_all_recordings="Enabled",
        notify_own_recordings="Enabled",
    )


async def test_every_documented_value_of_a_scim_user_arrives() -> None:
    async with serving("newer") as (_, sd):
        user = await sd.scim.users.get(SCIM_ID)
    sent = {**fixture("scim_create_request"), "id": SCIM_ID}
    assert arrived(sent, user) == []
    assert user.roles == models.ScimRoles(admin=True, member=True, editor=False)
    written = user.to_dict()
    assert {key: written[key] for key in sent} == sent


@pytest.mark.parametrize(
    ("key", "call"),
    [
        ("GET recording", lambda sd: sd.recordings.get(UUID)),
        ("PATCH recording", lambda sd: sd.recordings.update(UUID, title="x")),
        ("GET users/search", lambda sd: sd.users.search("a@b.c")),
        ("GET scim user", lambda sd: sd.scim.users.get(SCIM_ID)),
    ],
)
@pytest.mark.parametrize("body", [{}, {"title": "no uuid"}, [], "text", {"recording": {}}])
async def test_a_response_without_its_identifier_is_a_decode_error(
    key: str, call: Any, body: Any
) -> None:
    async with serving("newer") as (server, sd):
        server.override[key] = body
        with pytest.raises(errors.ResponseDecodeError):
            await call(sd)
