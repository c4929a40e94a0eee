"""Dynamic Prism: random bodies the spec allows (random extra properties included) never make a
call fail, and every documented value in them reaches the models unchanged.

Only calls of one response each run here: Prism's random pagination and ``totalResults`` are not
one coherent listing (listings are tested with ``page(n)``; ``list()`` in ``test_static``).
"""

from __future__ import annotations

import asyncio
from typing import Final

import pytest

from ._cases import CASES, Case, lost_in
from .conftest import PrismServer, prism_client

pytestmark = pytest.mark.integration

SINGLE: Final = tuple(case for case in CASES if not case.listing)
#: How many random responses the client must read without a failure.
RANDOM_RESPONSES: Final = 200


@pytest.mark.parametrize("case", [pytest.param(case, id=case.name) for case in SINGLE])
async def test_seeded_random_body_arrives_whole(prism_dynamic: PrismServer, case: Case) -> None:
    async with asyncio.timeout(60), prism_client(prism_dynamic) as (sd, traffic):
        result = await case.call(sd, None)
    problems = lost_in(case, result, traffic)
    assert not problems, f"{case.name}: values lost or changed:\n" + "\n".join(problems)


async def test_200_random_responses_never_fail(prism_random: PrismServer) -> None:
    calls = 0
    async with asyncio.timeout(240), prism_client(prism_random) as (sd, traffic):
        while len(traffic.exchanges) < RANDOM_RESPONSES:
            case = SINGLE[calls % len(SINGLE)]
            calls += 1
            try:
                result = await case.call(sd, None)
            except Exception as exc:
                exc.add_note(f"{case.name} failed on this body: {traffic.last().body.decode()}")
                raise
            problems = lost_in(case, result, traffic)
            assert not problems, (
                f"{case.name}: values lost or changed:\n"
                + "\n".join(problems)
                + f"\nin this body: {traffic.last().body.decode()}"
            )
    assert all(200 <= exchange.status < 300 for exchange in traffic.exchanges)
