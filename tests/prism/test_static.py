"""Static Prism: every value of every documented example reaches the models unchanged.

Each case calls one public method of :class:`AsyncScreendesk` against Prism serving the spec's
examples (one run per named example, chosen with Prism's ``Prefer: example=NAME`` header, sent
through the app's own session as any app can), then compares the models' ``to_dict()`` with the
body the client received: nothing documented may be lost or changed. Every request the client
sends must pass Prism's request validation (``prism_client`` fails the test otherwise). The
documented error statuses, asked for with ``Prefer: code=N``, raise their own classes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from ..status_classes import STATUS_CLASSES
from . import _spec
from ._cases import CASES, Case, example_names, lost_in
from .conftest import REST_TOKEN, SCIM_TOKEN, PrismServer, prism_client

pytestmark = pytest.mark.integration


async def raw_call(server: PrismServer, case: Case, prefer: str | None) -> tuple[int, Any]:
    """Send the case's request with plain aiohttp; Prism's status and decoded body."""
    scim = case.path.startswith("/scim")
    media = "application/scim+json" if scim else "application/json"
    headers = {"Authorization": f"Bearer {SCIM_TOKEN if scim else REST_TOKEN}", "Accept": media}
    if prefer:
        headers["Prefer"] = prefer
    data = None if case.body is None else aiohttp.JsonPayload(case.body, content_type=media)
    url = server.url + _spec.server_prefix(_spec.load_spec()) + case.url
    async with (
        aiohttp.ClientSession() as session,
        session.request(case.method, url, params=case.query, headers=headers, data=data) as answer,
    ):
        body = await answer.read()
        return answer.status, (await answer.json(content_type=None) if body else None)


def _coherent(case: Case, raw: Any) -> bool:
    """Whether a listing's first page says it is the only one (Prism repeats it for any page)."""
    if case.path == "/scim/Users":
        total = raw.get("totalResults")
        return isinstance(total, int) and total <= len(raw.get("Resources") or [])
    pagination = raw.get("pagination") or {}
    return 1 in (pagination.get("pages"), pagination.get("last_page"))


@pytest.mark.parametrize(
    ("case", "example"),
    [
        pytest.param(case, name, id=f"{case.name}[{name or 'default'}]")
        for case in CASES
        for name in example_names(case)
    ],
)
async def test_every_documented_value_arrives(
    prism_static: PrismServer, case: Case, example: str | None
) -> None:
    spec = _spec.load_spec()
    prefer = None if example is None else f"example={example}"
    async with asyncio.timeout(60):
        status, raw = await raw_call(prism_static, case, prefer)
        assert status == _spec.success_status(spec, case.method, case.path), raw
        if example is not None:
            documented = _spec.examples(spec, case.method, case.path, status)[example]
            assert raw == documented, "Prism should serve the spec's example verbatim"
        if case.listing:
            assert _coherent(case, raw), f"{case.name}: the example is not one whole listing"
        async with prism_client(prism_static, prefer=prefer) as (sd, traffic):
            result = await case.call(sd, raw)
    if example is not None:
        assert traffic.last().json() == raw, "the client should have received the example"
    problems = lost_in(case, result, traffic)
    assert not problems, f"{case.name}: values lost or changed:\n" + "\n".join(problems)
    if case.listing:
        # Also the docs' own self-contradictory page (1 of 1, next_page 1): one request, once.
        assert len(traffic.exchanges) == 1, traffic.exchanges


@pytest.mark.parametrize(
    ("case", "status"),
    [
        pytest.param(case, status, id=f"{case.name}[{status}]")
        for case in CASES
        if not case.listing and not case.touches
        for status in sorted(_spec.responses(_spec.load_spec(), case.method, case.path))
        if status >= 400
    ],
)
async def test_documented_errors_raise_their_class(
    prism_static: PrismServer, case: Case, status: int
) -> None:
    async with asyncio.timeout(60):
        _, raw = await raw_call(prism_static, case, None)
        async with prism_client(prism_static, prefer=f"code={status}", max_retries=0) as (sd, _):
            with pytest.raises(STATUS_CLASSES[status]) as caught:
                await case.call(sd, raw)
    assert caught.value.status == status
    assert isinstance(caught.value.message, str)
