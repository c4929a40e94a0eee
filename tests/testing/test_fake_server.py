"""Tests of the fake Screendesk server itself, through a plain aiohttp client on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
import uuid as uuid_module
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from screendesk_async.testing import FAULT_KINDS, FakeScreendesk, Faults, ServerThread

SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"


@pytest.fixture
async def fake() -> AsyncIterator[FakeScreendesk]:
    async with FakeScreendesk(recordings=60, users=12, page_size=10, seed=7) as server:
        yield server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def call(
    session: aiohttp.ClientSession,
    fake: FakeScreendesk,
    method: str,
    path: str,
    token: str | None = None,
    *,
    params: dict[str, str] | None = None,
    body: Any = None,
) -> tuple[int, Any, Any]:
    """Send one request; return (status, decoded JSON or raw text, headers)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.request(
        method, fake.url + path, headers=headers, params=params, json=body
    ) as response:
        text = await response.text()
        try:
            data: Any = json.loads(text) if text else None
        except ValueError:
            data = text
        return response.status, data, response.headers


async def admin_get(
    session: aiohttp.ClientSession, fake: FakeScreendesk, path: str, **params: str
) -> tuple[int, Any, Any]:
    return await call(session, fake, "GET", path, fake.admin_token, params=params)


async def all_pages(
    session: aiohttp.ClientSession, fake: FakeScreendesk, token: str
) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    page = 1
    while True:
        status, data, _ = await call(
            session, fake, "GET", "/api/v2/recordings", token, params={"page": str(page)}
        )
        assert status == 200
        records += data["records"]
        if "next_page" not in data["pagination"]:
            return records
        page = data["pagination"]["next_page"]


# -- REST: pagination and visibility -------------------------------------------------------


async def test_pagination_omits_fields_that_do_not_apply(
    fake: FakeScreendesk, session: aiohttp.ClientSession
) -> None:
    status, first, _ = await admin_get(session, fake, "/api/v2/recordings")
    assert status == 200
    assert first["pagination"] == {
        "count": 60,
        "page": 1,
        "items": 10,
        "pages": 6,
        "next_page": 2,
        "last_page": 6,
        "from": 1,
        "to": 10,
    }
    assert len(first["records"]) == 10
    _, middle, _ = await admin_get(session, fake, "/api/v2/recordings", page="3")
    assert (middle["pagination"]["prev_page"], middle["pagination"]["next_page"]) == (2, 4)
    _, last, _ = await admin_get(session, fake, "/api/v2/recordings", page="6")
    assert "next_page" not in last["pagination"]
    assert last["pagination"]["to"] == 60
    _, past, _ = await admin_get(session, fake, "/api/v2/recordings", page="99")
    assert past["records"] == []
    assert past["pagination"]["page"] == 99
    assert past["pagination"]["count"] == 60


async def test_pagination_null_fields_option(session: aiohttp.ClientSession) -> None:
    async with FakeScreendesk(recordings=5, page_size=10, null_pagination_fields=True) as fake:
        _, data, _ = await admin_get(session, fake, "/api/v2/recordings")
    assert data["pagination"]["prev_page"] is None
    assert data["pagination"]["next_page"] is None


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", ""])
async def test_bad_page_parameter_is_400(
    fake: FakeScreendesk, session: aiohttp.ClientSession, page: str
) -> None:
    status, data, _ = await admin_get(session, fake, "/api/v2/recordings", page=page)
    assert status == 400
    assert data["error"]["code"] == 400


async def test_admin_sees_all_member_sees_own(
    fake: FakeScreendesk, session: aiohttp.ClientSession
) -> None:
    admin = await all_pages(session, fake, fake.admin_token)
    member = await all_pages(session, fake, fake.member_token)
    assert admin == fake.recordings_raw()
    assert member == fake.recordings_raw(member=True)
    assert len(admin) == 60
    assert 0 < len(member) < 60
    assert {r["user"]["email"] for r in member} == {fake.member_email}
    assert sum(r["user"]["email"] == fake.member_email for r in admin) == len(member)
    assert len({r["uuid"] for r in admin}) == 60


async def test_recording_shape(fake: FakeScreendesk) -> None:
    async with FakeScreendesk(recordings=400, seed=3) as big:
        records = big.recordings_raw()
    sizes = [len(json.dumps(r)) for r in records]
    assert 1800 < sum(sizes) / len(sizes) < 3500
    kinds = {r["metadata"]["recording_type"] for r in records}
    assert kinds == {"Received", "Sent", "Live"}
    assert any(r["metadata"]["helpdesk_info"] == {} for r in records)
    assert all("tags" in r for r in records)
    assert any("room_insights" not in r for r in records)
    assert any("room_insights" in r and r["room_insights"] is None for r in records)
    suffixes = {r["metadata"]["created_at"][-1] for r in records}
    assert "Z" in suffixes
    assert len(suffixes) > 1
    for record in records:
        assert uuid_module.UUID(record["uuid"]).version == 4
        assert datetime.fromisoformat(record["metadata"]["created_at"]).tzinfo is not None
        live = record["metadata"]["recording_type"] == "Live"
        # Live calls have room insights; others null, or no key at all (the older docs).
        assert (record.get("room_insights") is not None) == live
        assert record["metadata"]["url"].endswith(record["uuid"])
    assert FakeScreendesk(recordings=400, seed=3).recordings_raw(last_page=1) == records[:25]
    assert FakeScreendesk(recordings=400, seed=4).recordings_raw(last_page=1) != records[:25]


async def test_million_recordings_page_9000(session: aiohttp.ClientSession) -> None:
    started = time.monotonic()
    async with FakeScreendesk(recordings=1_000_000) as fake:
        status, data, _ = await admin_get(session, fake, "/api/v2/recordings", page="9000")
        assert status == 200
        assert data["pagination"]["from"] == 224_976
        assert data["pagination"]["pages"] == 40_000
        assert len(data["records"]) == 25
        target = data["records"][7]["uuid"]
        status, one, _ = await admin_get(session, fake, f"/api/v2/recordings/{target}")
        assert status == 200
        assert one == data["records"][7]
        status, member, _ = await call(
            session, fake, "GET", "/api/v2/recordings", fake.member_token, params={"page": "9000"}
        )
        assert member["pagination"]["count"] == 250_000
    assert time.monotonic() - started < 5


async def test_drift_add_and_remove(fake: FakeScreendesk, session: aiohttp.ClientSession) -> None:
    before = fake.recordings_raw()
    _, page1, _ = await admin_get(session, fake, "/api/v2/recordings")
    fake.add_recordings(3)
    _, shifted, _ = await admin_get(session, fake, "/api/v2/recordings")
    assert shifted["pagination"]["count"] == 63
    assert shifted["records"][3] == page1["records"][0]
    assert fake.recordings_raw()[3:] == before
    fake.remove_recordings(5)
    assert fake.recordings_raw() == before[2:]
    fake.add_recordings(2, at_head=False)
    fake.remove_recordings(1, at_head=False)
    after = fake.recordings_raw()
    assert after[:-1] == before[2:]
    assert len(after) == 59
    status, _, _ = await admin_get(session, fake, f"/api/v2/recordings/{before[0]['uuid']}")
    assert status == 404


# -- REST: single recordings, errors, auth --------------------------------------------------


async def test_get_recording_and_404s(fake: FakeScreendesk, session: aiohttp.ClientSession) -> None:
    record = fake.recordings_raw()[1]
    status, data, _ = await admin_get(session, fake, f"/api/v2/recordings/{record['uuid']}")
    assert (status, data) == (200, record)
    absent = "00000000-0000-4000-8000-000000000000"
    for path in (f"/api/v2/recordings/{absent}", "/api/v2/recordings/not-a-uuid"):
        status, data, _ = await admin_get(session, fake, path)
        assert status == 404
        assert data == {"error": {"message": "Recording not found or does not exist", "code": 404}}
    others = [r for r in fake.recordings_raw() if r["user"]["email"] != fake.member_email]
    status, _, _ = await call(
        session, fake, "GET", f"/api/v2/recordings/{others[0]['uuid']}", fake.member_token
    )
    assert status == 404
    status, data, _ = await admin_get(session, fake, "/api/v2/nothing-here")
    assert status == 404
    assert data["error"]["code"] == 404


async def test_docs_404_body_is_invalid_json(
    fake: FakeScreendesk, session: aiohttp.ClientSession
) -> None:
    fake.options.docs_404_body = True
    status, data, headers = await admin_get(
        session, fake, "/api/v2/recordings/00000000-0000-4000-8000-000000000000"
    )
    assert status == 404
    assert headers["Content-Type"].startswith("application/json")
    assert isinstance(data, str)
    assert '"code": 404,\n}' in data
    with pytest.raises(ValueError, match="Expecting property name"):
        json.loads(data)


@pytest.mark.parametrize(
    ("token_kind", "path"),
    [
        (None, "/api/v2/recordings"),
        ("bogus", "/api/v2/recordings"),
        ("scim", "/api/v2/users"),
        ("admin", "/api/v2/scim/Users"),
        (None, "/api/v2/scim/Users"),
    ],
)
async def test_wrong_or_missing_token_is_401(
    fake: FakeScreendesk, session: aiohttp.ClientSession, token_kind: str | None, path: str
) -> None:
    tokens = {"scim": fake.scim_token, "admin": fake.admin_token, "bogus": "nope", None: None}
    status, data, headers = await call(session, fake, "GET", path, tokens[token_kind])
    assert status == 401
    if "/scim" in path:
        assert data["schemas"] == [SCIM_ERROR]
        assert data["status"] == "401"
        assert headers["Content-Type"] == "application/scim+json"
    else:
        assert data == {"error": {"message": "Invalid or deactivated access token", "code": 401}}
    assert fake.requests[-1].auth_kind == {None: "missing", "bogus": "invalid"}.get(
        token_kind, token_kind
    )


async def test_member_is_forbidden_admin_endpoints(
    fake: FakeScreendesk, session: aiohttp.ClientSession
) -> None:
    uuid = fake.recordings_raw(member=True)[0]["uuid"]
    for method, path, params, body in [
        ("GET", "/api/v2/users", None, None),
        ("GET", "/api/v2/users/search", {"email": fake.admin_email}, None),
        ("PATCH", f"/api/v2/recordings/{uuid}", None, {"recording": {"title": "x"}}),
    ]:
        status, data, _ = await call(
            session, fake, method, path, fake.member_token, params=params, body=body
        )
        assert status == 403, path
        assert data["error"]["code"] == 403


# -- REST: PATCH ----------------------------------------------------------------------------


async def test_patch_changes_only_given_keys(
    fake: FakeScreendesk, session: aiohttp.ClientSession
) -> None:
    before = fake.recordings_raw()[0]
    path = f"/api/v2/recordings/{before['uuid']}"
    body = {"recording": {"title": "Renamed", "summary": None}}
    status, after, _ = await call(session, fake, "PATCH", path, fake.admin_token, body=body)
    assert status == 200
    assert after["title"] == "Renamed"
    assert after["summary"] is None
    assert after["description"] == before["description"]
    assert after["metadata"]["updated_at"] != before["metadata"]["updated_at"]
    assert fake.recordings_raw()[0] == after
    _, page, _ = await admin_get(session, fake, "/api/v2/recordings")
    assert page["records"][0] == after
    assert fake.requests[-2].json() == body


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "x" * 256},
        {"title": ""},
        {"title": None},
        {"summary": 5},
        {"colour": "red"},
    ],
)
async def test_patch_validation_is_422(
    fake: FakeScreendesk, session: aiohttp.ClientSession, fields: dict[str, Any]
) -> None:
    before = fake.recordings_raw()[0]
    path = f"/api/v2/recordings/{before['uuid']}"
    status, data, _ = await call(
        session, fake, "PATCH", path, fake.admin_token, body={"recording": fields}
    )
    assert status == 422
    assert data["error"]["code"] == 422
    assert data["error"]["message"]
    assert fake.recordings_raw()[0] == before


async def test_patch_long_title_message_and_absent_recording(
    fake: FakeScreendesk, session: aiohttp.ClientSession
) -> None:
    uuid = fake.recordings_raw()[0]["uuid"]
    body = {"recording": {"title": "x" * 256}}
    _, data, _ = await call(
        session, fake, "PATCH", f"/api/v2/recordings/{uuid}", fake.admin_token, body=body
    )
    assert data["error"]["message"].startswith("Title is too long")
    absent = "/api/v2/recordings/00000000-0000-4000-8000-000000000000"
    status, _, _ = await call(session, fake, "PATCH", absent, fake.admin_token, body=body)
    assert status == 404


# -- REST: users ----------------------------------------------------------------------------


async def test_users_pages_and_spellings(
    fake: FakeScreendesk, session: aiohttp.ClientSession
) -> None:
    status, data, _ = await admin_get(session, fake, "/api/v2/users", page="2")
    assert status == 200
    assert data["pagination"]["count"] == 12
    assert data["pagination"]["prev_page"] == 1
    assert data["users"] == fake.users_raw()[10:]
    users = fake.users_raw()
    assert len({u["email"] for u in users}) == 12
    assert {"admin", "member", "editor"} <= {u["role"] for u in users}
    assert "has_profile_picture" in users[0]
    assert "notify_first_view" in users[0]["notifications"]
    fake.options.legacy_spellings = True
    _, data, _ = await admin_get(session, fake, "/api/v2/users")
    legacy = data["users"][0]
    assert "has_avatar" in legacy
    assert "has_profile_picture" not in legacy
    # The older docs' example: notify_first_view and the two older keys.
    assert set(legacy["notifications"]) == {
        "notify_first_view",
        "notify_new_account_recording",
        "notify_new_recording",
    }


async def test_users_search(fake: FakeScreendesk, session: aiohttp.ClientSession) -> None:
    status, user, _ = await admin_get(
        session, fake, "/api/v2/users/search", email="OPS+alerts@example.com"
    )
    assert status == 200
    assert user["email"] == "ops+alerts@example.com"
    # Unencoded, '+' means a space: clients must URL-encode the address.
    async with session.get(
        fake.url + "/api/v2/users/search?email=ops+alerts@example.com",
        headers={"Authorization": f"Bearer {fake.admin_token}"},
    ) as response:
        assert response.status == 404
    for params in ({}, {"email": ""}):
        status, data, _ = await admin_get(session, fake, "/api/v2/users/search", **params)
        assert (status, data) == (400, {"error": "Missing email parameter"})
    status, data, _ = await admin_get(session, fake, "/api/v2/users/search", email="no@x.com")
    assert status == 404
    assert data["error"]["code"] == 404


# -- SCIM ----------------------------------------------------------------------------------


async def scim(
    session: aiohttp.ClientSession,
    fake: FakeScreendesk,
    method: str,
    path: str = "",
    *,
    params: dict[str, str] | None = None,
    body: Any = None,
) -> tuple[int, Any, Any]:
    return await call(
        session, fake, method, "/api/v2/scim/Users" + path, fake.scim_token, params=params,
        body=body,
    )  # fmt: skip


async def test_scim_list_paging(fake: FakeScreendesk, session: aiohttp.ClientSession) -> None:
    status, data, headers = await scim(session, fake, "GET")
    assert status == 200
    assert headers["Content-Type"] == "application/scim+json"
    assert data["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert (data["totalResults"], data["startIndex"], data["itemsPerPage"]) == (12, 1, 10)
    assert all(isinstance(u["roles"], list) for u in data["Resources"])
    assert data["Resources"][0]["roles"] == ["admin"]
    assert data["Resources"][1]["roles"] == ["member"]
    seen: list[str] = []
    start = 1
    while start <= 12:
        _, page, _ = await scim(
            session, fake, "GET", params={"startIndex": str(start), "count": "5"}
        )
        seen += [u["id"] for u in page["Resources"]]
        start += page["itemsPerPage"]
    assert seen == [u["id"] for u in fake.scim_users_raw()]
    _, data, _ = await scim(session, fake, "GET", params={"startIndex": "0", "count": "500"})
    assert data["startIndex"] == 1
    assert data["itemsPerPage"] == 12
    _, data, _ = await scim(session, fake, "GET", params={"startIndex": "50"})
    assert data["Resources"] == []
    assert data["totalResults"] == 12


async def test_scim_count_is_capped_at_100(session: aiohttp.ClientSession) -> None:
    async with FakeScreendesk(users=150) as fake:
        _, data, _ = await scim(session, fake, "GET", params={"count": "1000"})
    assert data["itemsPerPage"] == 100
    assert data["totalResults"] == 150


async def test_scim_filters(fake: FakeScreendesk, session: aiohttp.ClientSession) -> None:
    target = fake.scim_users_raw()[3]
    for text in (
        f'userName eq "{target["userName"].upper()}"',
        f'USERNAME Eq "{target["userName"]}"',
        f'externalId eq "{target["externalId"]}"',
    ):
        _, data, _ = await scim(session, fake, "GET", params={"filter": text})
        assert data["totalResults"] == 1, text
        assert data["Resources"][0]["id"] == target["id"]
    _, data, _ = await scim(
        session, fake, "GET", params={"filter": f'externalId eq "{target["externalId"].upper()}"'}
    )
    assert data["totalResults"] == 0
    for text in ('name.givenName eq "x"', 'userName co "a"', "garbage"):
        status, data, _ = await scim(session, fake, "GET", params={"filter": text})
        assert status == 400
        assert data["scimType"] == "invalidFilter"
        assert data["status"] == "400"


async def test_scim_get_by_id_or_external_id(
    fake: FakeScreendesk, session: aiohttp.ClientSession
) -> None:
    target = fake.scim_users_raw()[1]
    for key in (target["id"], target["externalId"]):
        status, user, _ = await scim(session, fake, "GET", f"/{key}")
        assert status == 200
        assert user["schemas"] == [USER_SCHEMA]
        assert user["id"] == target["id"]
        assert user["roles"] == {"admin": False, "member": True, "editor": False}
        assert user["meta"]["location"] == f"{fake.url}/api/v2/scim/Users/{target['id']}"
        assert user["name"]["formatted"]
        assert user["emails"][0]["primary"] is True
    status, data, _ = await scim(session, fake, "GET", "/nope")
    assert status == 404
    assert data == {"schemas": [SCIM_ERROR], "detail": "Resource nope not found", "status": "404"}


async def test_scim_create(fake: FakeScreendesk, session: aiohttp.ClientSession) -> None:
    body = {
        "schemas": [USER_SCHEMA, "urn:example:ext"],
        "userName": "new.person@example.com",
        "externalId": "okta-1",
        "name": {"givenName": "New", "familyName": "Person"},
        "urn:example:ext": {"costCenter": "42"},
        "nickName": "Newbie",
    }
    status, user, headers = await scim(session, fake, "POST", body=body)
    assert status == 201
    assert user["id"]
    assert headers["Location"].endswith(user["id"])
    assert user["roles"] == {"admin": False, "member": True, "editor": False}
    assert user["active"] is True
    assert user["urn:example:ext"] == {"costCenter": "42"}
    assert user["nickName"] == "Newbie"
    assert user["schemas"] == [USER_SCHEMA, "urn:example:ext"]
    _, fetched, _ = await scim(session, fake, "GET", "/okta-1")
    assert fetched == user
    body2 = {"userName": "other@example.com", "roles": {"admin": True}}
    _, other, _ = await scim(session, fake, "POST", body=body2)
    assert other["roles"] == {"admin": True, "member": False, "editor": False}
    status, data, _ = await scim(session, fake, "POST", body={"userName": "NEW.person@example.com"})
    assert status == 409
    assert data["scimType"] == "uniqueness"
    assert data["status"] == "409"
    status, data, _ = await scim(session, fake, "POST", body={"name": {"givenName": "X"}})
    assert status == 422
    assert data["schemas"] == [SCIM_ERROR]


async def test_scim_replace_and_delete(
    fake: FakeScreendesk, session: aiohttp.ClientSession
) -> None:
    target = fake.scim_users_raw()[4]
    body = {"userName": target["userName"], "active": False, "roles": {"editor": True}}
    status, user, _ = await scim(session, fake, "PUT", f"/{target['externalId']}", body=body)
    assert status == 200
    assert user["id"] == target["id"]
    assert user["active"] is False
    assert user["roles"] == {"admin": False, "member": False, "editor": True}
    assert "externalId" not in user
    assert user["meta"]["created"] == target["meta"]["created"]
    status, _, _ = await scim(session, fake, "PUT", "/absent", body=body)
    assert status == 404
    taken = {"userName": fake.scim_users_raw()[5]["userName"]}
    status, _, _ = await scim(session, fake, "PUT", f"/{target['id']}", body=taken)
    assert status == 409
    status, data, _ = await scim(session, fake, "DELETE", f"/{target['id']}")
    assert (status, data) == (204, None)
    status, _, _ = await scim(session, fake, "GET", f"/{target['id']}")
    assert status == 404
    status, _, _ = await scim(session, fake, "DELETE", f"/{target['id']}")
    assert status == 404
    owner = fake.scim_users_raw()[0]
    status, data, _ = await scim(session, fake, "DELETE", f"/{owner['id']}")
    assert status == 403
    assert data["status"] == "403"


async def test_malformed_inputs(fake: FakeScreendesk, session: aiohttp.ClientSession) -> None:
    headers = {"Authorization": f"Bearer {fake.scim_token}", "Content-Type": "application/json"}
    async with session.post(
        fake.url + "/api/v2/scim/Users", data=b"{nope", headers=headers
    ) as response:
        assert response.status == 400
        assert (await response.json(content_type=None))["scimType"] == "invalidSyntax"
    for body in (
        {"userName": "a@example.com", "roles": {"admin": "yes"}},
        {"userName": "a@example.com", "active": "true"},
        {"userName": "a@example.com", "externalId": 5},
    ):
        status, data, _ = await scim(session, fake, "POST", body=body)
        assert status == 422, body
        assert data["scimType"] == "invalidValue"
    listed = {"userName": "b@example.com", "roles": [{"value": "editor"}, "admin"]}
    _, user, _ = await scim(session, fake, "POST", body=listed)
    assert user["roles"] == {"admin": True, "member": False, "editor": True}
    status, data, _ = await scim(session, fake, "GET", params={"count": "ten"})
    assert status == 400
    uuid = fake.recordings_raw()[0]["uuid"]
    path = f"/api/v2/recordings/{uuid}"
    status, _, _ = await call(session, fake, "PATCH", path, fake.admin_token, body={"title": "x"})
    assert status == 422
    async with session.patch(
        fake.url + path, data=b"{", headers={"Authorization": f"Bearer {fake.admin_token}"}
    ) as response:
        assert response.status == 400


# -- faults --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["500", "502", "503"])
async def test_proxy_errors_are_html(
    fake: FakeScreendesk, session: aiohttp.ClientSession, kind: str
) -> None:
    fake.faults.fail_next(1, kind)
    status, text, headers = await admin_get(session, fake, "/api/v2/recordings")
    assert status == int(kind)
    assert headers["Content-Type"].startswith("text/html")
    assert text.startswith(f"<html><body><h1>{kind} ")
    assert fake.requests[-1].fault == kind
    assert fake.requests[-1].status == int(kind)


async def test_429_with_retry_after(fake: FakeScreendesk, session: aiohttp.ClientSession) -> None:
    fake.faults.retry_after = "Wed, 21 Oct 2015 07:28:00 GMT"
    fake.faults.fail_next(1, "429")
    status, data, headers = await admin_get(session, fake, "/api/v2/recordings")
    assert status == 429
    assert headers["Retry-After"] == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert data == {"error": {"message": "Rate limit exceeded", "code": 429}}


async def test_malformed_and_truncated(
    fake: FakeScreendesk, session: aiohttp.ClientSession
) -> None:
    _, whole, _ = await admin_get(session, fake, "/api/v2/recordings")
    for kind in ("malformed", "truncated"):
        fake.faults.fail_next(1, kind)
        async with session.get(
            fake.url + "/api/v2/recordings",
            headers={"Authorization": f"Bearer {fake.admin_token}"},
        ) as response:
            body = await response.read()
            assert response.status == 200
            assert response.content_type == "application/json"
            assert int(response.headers["Content-Length"]) == len(body)
        with pytest.raises(ValueError, match=r"."):
            json.loads(body)
        if kind == "truncated":
            assert json.dumps(whole, separators=(",", ":")).startswith(body.decode())


async def test_drop_closes_the_connection(
    fake: FakeScreendesk, session: aiohttp.ClientSession
) -> None:
    # POST is not idempotent, so aiohttp does not silently retry it on a fresh connection.
    fake.faults.fail_next(1, "drop")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await scim(session, fake, "POST", body={"userName": "dropped@example.com"})
    assert fake.requests[-1].status is None
    assert fake.requests[-1].fault == "drop"
    # aiohttp retries an idempotent request once on a new connection: drop both tries.
    fake.faults.fail_next(2, "drop", method="GET")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await admin_get(session, fake, "/api/v2/recordings")
    status, _, _ = await scim(session, fake, "GET", "", params={"filter": 'userName eq "x"'})
    assert status == 200


async def test_fault_filters_and_random_rate(
    fake: FakeScreendesk, session: aiohttp.ClientSession
) -> None:
    fake.faults.fail_next(1, "503", path_prefix="/api/v2/scim")
    assert (await admin_get(session, fake, "/api/v2/recordings"))[0] == 200
    assert (await scim(session, fake, "GET"))[0] == 503
    assert fake.faults.pending == 0
    fake.faults.rate = 1.0
    fake.faults.kinds = ("502",)
    assert (await admin_get(session, fake, "/api/v2/users"))[0] == 502
    fake.faults.clear()
    assert (await admin_get(session, fake, "/api/v2/users"))[0] == 200
    with pytest.raises(ValueError, match="unknown fault"):
        fake.faults.fail_next(1, "418")
    with pytest.raises(ValueError, match="rate"):
        fake.faults.rate = 2


def test_random_faults_are_reproducible() -> None:
    def draws(seed: int) -> list[str | None]:
        faults = Faults(seed)
        faults.rate = 0.5
        return [faults.choose("GET", "/") for _ in range(50)]

    assert draws(1) == draws(1)
    assert draws(1) != draws(2)
    assert set(draws(1)) - {None} <= set(FAULT_KINDS)


async def test_latency_makes_requests_overlap(
    fake: FakeScreendesk, session: aiohttp.ClientSession
) -> None:
    fake.faults.latency = 0.2
    results = await asyncio.gather(
        *(admin_get(session, fake, "/api/v2/recordings", page=str(p)) for p in range(1, 6))
    )
    assert [r[0] for r in results] == [200] * 5
    assert fake.max_in_flight == 5
    assert all(r.finished - r.started >= 0.2 for r in fake.requests)
    fake.reset_log()
    assert fake.requests == []
    assert fake.max_in_flight == 0


async def test_request_log(fake: FakeScreendesk, session: aiohttp.ClientSession) -> None:
    await admin_get(session, fake, "/api/v2/recordings", page="2")
    record = fake.requests[-1]
    assert (record.method, record.path, record.query) == (
        "GET",
        "/api/v2/recordings",
        (("page", "2"),),
    )
    assert record.params == {"page": "2"}
    assert record.headers["Authorization"] == "Bearer ***"
    assert fake.admin_token not in repr(record)
    assert record.auth_kind == "admin"
    assert record.status == 200
    assert record.body is None
    assert record.fault is None
    assert record.started <= record.finished


# -- lifecycle -----------------------------------------------------------------------------


async def test_lifecycle_errors() -> None:
    fake = FakeScreendesk()
    with pytest.raises(RuntimeError, match="not running"):
        _ = fake.url
    await fake.start()
    with pytest.raises(RuntimeError, match="already running"):
        await fake.start()
    await fake.close()
    await fake.close()
    with pytest.raises(ValueError, match="at least 2 users"):
        FakeScreendesk(users=1)


async def test_https(session: aiohttp.ClientSession) -> None:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    async with FakeScreendesk(ssl_context=server_context) as fake:
        assert fake.url.startswith("https://127.0.0.1:")
        async with session.get(
            fake.url + "/api/v2/users",
            headers={"Authorization": f"Bearer {fake.admin_token}"},
            ssl=client_context,
        ) as response:
            assert response.status == 200


def test_server_thread_serves_sync_code() -> None:
    thread = ServerThread(FakeScreendesk(recordings=3))
    with thread as fake:
        request = urllib.request.Request(
            fake.url + "/api/v2/recordings",
            headers={"Authorization": f"Bearer {fake.admin_token}"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.load(response)["pagination"]["count"] == 3
        thread.call(fake.add_recordings, 2)
        assert fake.recording_count() == 5
        assert fake.requests[-1].status == 200
    with pytest.raises(RuntimeError, match="not running"):
        _ = fake.url


def test_server_thread_reports_start_failure() -> None:
    with pytest.raises(OSError):  # noqa: PT011 - the errno differs between platforms
        ServerThread(FakeScreendesk(host="203.0.113.1")).start()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_main_prints_ready_and_serves(workers: str) -> None:
    import screendesk_async.testing as package

    root = Path(package.__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    command = [sys.executable, "-m", "screendesk_async.testing", "--port", "0"]
    command += ["--recordings", "30", "--users", "5", "--page-size", "7", "--seed", "11"]
    command += ["--workers", workers]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline().strip()
            assert line.startswith("READY http://127.0.0.1:")
            token = FakeScreendesk(seed=11).admin_token
            request = urllib.request.Request(
                line.split()[1] + "/api/v2/recordings?page=5",
                headers={"Authorization": f"Bearer {token}"},
            )
            with urllib.request.urlopen(request, timeout=5) as response:
                data = json.load(response)
            assert data["pagination"]["count"] == 30
            assert len(data["records"]) == 2
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
