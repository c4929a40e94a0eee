"""Bodies whose values are not what the models declare: a nested object given as a number, a
boolean, a string or a list. A field the models do not understand never makes a call fail: it
reads as ``None``, record by record (``get``) and a page at once (``list``) alike.

Every server here is hand-written; every test is bounded by ``asyncio.timeout``.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from screendesk_async.errors import ResponseDecodeError

from .hostile import RECORDING_UUID, client_against, json_response

pytestmark = pytest.mark.integration

TOKEN = "sd-live-TYPES-0123456789"
BOUND = 10
UUID = RECORDING_UUID.format(1)
NESTED = ("metadata", "technical_details", "customer", "user", "room_insights")
JUNK: list[Any] = [5, False, True, "Bob", [1, 2], 1.5]


@pytest.mark.parametrize("junk", JUNK, ids=repr)
async def test_a_nested_recording_field_of_the_wrong_type_reads_as_none(junk: Any) -> None:
    def record(n: int) -> dict[str, Any]:
        body: dict[str, Any] = {"uuid": RECORDING_UUID.format(n), "title": f"r{n}"}
        body.update(dict.fromkeys(NESTED, junk))
        if n % 2:
            body["customer"] = {"email": "ada@example.com"}  # the page mixes good and bad values
        return body

    async def handler(request: web.Request) -> web.Response:
        if request.path.endswith("/recordings"):
            # 10 records: a page at once (the batch path); get(): record by record.
            records = [record(n) for n in range(10)]
            page = {"pagination": {"page": 1, "pages": 1}, "records": records}
            return json_response(page)
        return json_response(record(2))

    async with client_against(handler, TOKEN, bound=BOUND) as (_, sd):
        one = await sd.recordings.get(UUID)
        listed = [r async for r in sd.recordings.list()]
    for recording in [one, *listed]:
        for name in ("metadata", "technical_details", "user", "room_insights"):
            assert getattr(recording, name) is None
    assert one.customer is None
    assert [r.customer and r.customer.email for r in listed] == [None, "ada@example.com"] * 5
    assert [r.title for r in listed] == [f"r{n}" for n in range(10)]


@pytest.mark.parametrize("junk", JUNK, ids=repr)
async def test_a_scim_user_with_a_name_or_meta_of_the_wrong_type_reads_as_none(junk: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        user = {"id": "u1", "userName": "bob@example.com", "name": junk, "meta": junk}
        return json_response(user, content_type="application/scim+json")

    async with client_against(handler, TOKEN, bound=BOUND, scim=True) as (_, sd):
        user = await sd.scim.users.get("u1")
    assert (user.id, user.user_name, user.name, user.meta) == ("u1", "bob@example.com", None, None)


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ({"admin": "false", "member": "true"}, (False, True, False)),
        ({"admin": "0", "member": 1, "editor": "yes"}, (False, True, True)),
        ({"admin": "maybe", "member": None, "editor": True}, (False, False, True)),
    ],
)
async def test_scim_roles_given_as_strings_read_as_their_meaning(
    roles: dict[str, Any], expected: tuple[bool, bool, bool]
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return json_response({"id": "u1", "roles": roles}, content_type="application/scim+json")

    async with client_against(handler, TOKEN, bound=BOUND, scim=True) as (_, sd):
        user = await sd.scim.users.get("u1")
    assert user.roles is not None
    assert (user.roles.admin, user.roles.member, user.roles.editor) == expected


@pytest.mark.parametrize("status", [200, 204])
async def test_a_delete_answered_with_an_empty_body_succeeds(status: int) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=status)

    against = client_against(handler, TOKEN, bound=BOUND, scim=True, max_retries=0)
    async with against as (server, sd):
        await sd.scim.users.delete("u1")  # before: ResponseDecodeError for the empty 200
        with pytest.raises(ResponseDecodeError):
            await sd.scim.users.get("u1")  # a GET still needs its body
    assert [s.method for s in server.seen] == ["DELETE", "GET"]
