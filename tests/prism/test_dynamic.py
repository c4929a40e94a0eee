"""Dynamic Prism: random bodies the spec allows (random extra properties included) never make a
call fail, and every documented value in them reaches the models unchanged.

Only calls of one response each run here: Prism's random pagination and ``totalResults`` are not
one coherent listing (listings are tested with ``page(n)``; ``list()`` in ``test_static``).
A random page is rarely page 1 as the docs describe it (its ``pagination.page`` is any integer),
and then ``page(1)`` must refuse it with ``ResponseDecodeError`` (API.md: "a page number that is
not the one asked for"); its records must still read whole into their models.
"""

from __future__ import annotations

import asyncio
from typing import Final

import pytest

from screendesk_async import AsyncScreendesk, errors

from ._cases import CASES, Case, is_first_page, items_lost, lost_in
from .conftest import PrismServer, Traffic, prism_client

pytestmark = pytest.mark.integration

SINGLE: Final = tuple(case for case in CASES if not case.listing)
#: How many random responses the client must read without a failure.
RANDOM_RESPONSES: Final = 200


async def call_and_check(case: Case, sd: AsyncScreendesk, traffic: Traffic) -> list[str]:
    """Make the case's call; what of the documented body it received did not arrive."""
    try:
        result = await case.call(sd, None)
    except errors.ResponseDecodeError:
        if case.page_of is None or is_first_page(traffic.last().json(), case.page_of[0]):
            raise
        return items_lost(case, traffic)
    if case.page_of is not None:
        assert is_first_page(traffic.last().json(), case.page_of[0]), "accepted a wrong page"
    return lost_in(case, result, traffic)


@pytest.mark.parametrize("case", [pytest.param(case, id=case.name) for case in SINGLE])
async def test_seeded_random_body_arrives_whole(prism_dynamic: PrismServer, case: Case) -> None:
    async with asyncio.timeout(60), prism_client(prism_dynamic) as (sd, traffic):
        problems = await call_and_check(case, sd, traffic)
    assert not problems, f"{case.name}: values lost or changed:\n" + "\n".join(problems)


async def test_200_random_responses_never_fail(prism_random: PrismServer) -> None:
    calls = 0
    async with asyncio.timeout(240), prism_client(prism_random) as (sd, traffic):
        while len(traffic.exchanges) < RANDOM_RESPONSES:
            case = SINGLE[calls % len(SINGLE)]
            calls += 1
            try:
                problems = await call_and_check(case, sd, traffic)
            except Exception as exc:
                exc.add_note(f"{case.name} failed on this body: {traffic.last().body.decode()}")
                raise
            assert not problems, (
                f"{case.name}: values lost or changed:\n"
                + "\n".join(problems)
                + f"\nin this body: {traffic.last().body.decode()}"
            )
    assert all(200 <= exchange.status < 300 for exchange in traffic.exchanges)
