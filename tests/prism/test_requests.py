"""Prism's request validation never rejects what the client sends.

Every test here goes through ``prism_client``, which fails on any violation Prism reports about a
request; these calls are the awkward ones: query values that need encoding (a ``+`` sent raw
would arrive as a space and fail the spec's ``format: email``), PATCH bodies with ``null``,
SCIM writes with and without ``roles`` and with extension attributes, ids that need escaping,
and SCIM filters with quotes.
"""

from __future__ import annotations

import asyncio

import pytest

from screendesk_async import models

from ._cases import NEW_USER, UUID
from .conftest import PrismServer, prism_client

pytestmark = pytest.mark.integration

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.mark.parametrize(
    "email",
    ["ada+support@example.com", "o'neil@example.co.uk", "first.last@mail.example.com", "a%b@x.io"],
)
async def test_search_query_is_encoded(prism_static: PrismServer, email: str) -> None:
    async with asyncio.timeout(30), prism_client(prism_static) as (sd, traffic):
        await sd.users.search(email)
    assert traffic.last().status == 200


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "Checkout fails on Safari"},
        {"summary": None},
        {"description": None, "summary": "Steps: 1) pay 2) nothing — « rien »"},
        {"title": "t", "summary": "s", "description": "d"},
    ],
)
async def test_patch_bodies_match_the_spec(
    prism_static: PrismServer, fields: dict[str, str | None]
) -> None:
    async with asyncio.timeout(30), prism_client(prism_static) as (sd, traffic):
        await sd.recordings.update(UUID, **fields)  # type: ignore[arg-type]
    assert traffic.last().status == 200


async def test_pages_and_scim_paging_parameters(prism_static: PrismServer) -> None:
    async with asyncio.timeout(30), prism_client(prism_static) as (sd, traffic):
        # Prism's examples are page 1 (another page number in the answer is an error).
        await sd.recordings.page(1)
        await sd.users.page(1)
        [_ async for _ in sd.scim.users.list(page_size=5)]
        [_ async for _ in sd.scim.users.list(filter='userName eq "ada@example.com"')]
    assert {exchange.status for exchange in traffic.exchanges} == {200}


@pytest.mark.parametrize(
    "user",
    [
        NEW_USER,
        models.ScimUser(user_name="grace@example.com"),  # no roles: the server's defaults
        models.ScimUser(
            user_name="linus@example.com",
            roles=models.ScimRoles(editor=True),
            extra={ENTERPRISE: {"employeeNumber": "42"}},
            schemas=["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        ),
    ],
    ids=["full", "minimal", "extension"],
)
async def test_scim_writes_match_the_spec(prism_static: PrismServer, user: models.ScimUser) -> None:
    async with asyncio.timeout(30), prism_client(prism_static) as (sd, traffic):
        await sd.scim.users.create(user)
        await sd.scim.users.replace("2819c223-7f76-453a-919d-413861904646", user)
    assert [exchange.status for exchange in traffic.exchanges] == [201, 200]


@pytest.mark.parametrize(
    "key", ["00u1abcdEFGH", "ada@example.com", "okta|00u1 ada é", "id;with,reserved=chars"]
)
async def test_scim_ids_and_filters_are_escaped(prism_static: PrismServer, key: str) -> None:
    async with asyncio.timeout(30), prism_client(prism_static) as (sd, traffic):
        await sd.scim.users.get(key)
        await sd.scim.users.deactivate(key)
        await sd.scim.users.delete(key)
        await sd.scim.users.find_by_user_name(f'{key}"quoted"')
    assert all(200 <= exchange.status < 300 for exchange in traffic.exchanges)
