"""Fixtures shared by the whole suite: a fake Screendesk on loopback and a client pointed at it."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from screendesk_async import AsyncScreendesk
from screendesk_async._constants import ENV_API_TOKEN, ENV_BASE_URL, ENV_SCIM_TOKEN
from screendesk_async.testing import FakeScreendesk

from .both import make


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees a token or base URL from the developer's own environment."""
    for name in (ENV_API_TOKEN, ENV_SCIM_TOKEN, ENV_BASE_URL):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def fake() -> AsyncIterator[FakeScreendesk]:
    """A fake with 250 recordings in pages of 25, and 60 users."""
    async with FakeScreendesk(recordings=250, users=60, page_size=25) as server:
        yield server


@pytest.fixture
async def sd(fake: FakeScreendesk) -> AsyncIterator[AsyncScreendesk]:
    """An admin client of the fake, with fast retries."""
    async with AsyncScreendesk(
        fake.admin_token, scim_token=fake.scim_token, base_url=fake.url
    ) as client:
        yield client


@pytest.fixture(params=["async", "sync"])
def client_kind(request: pytest.FixtureRequest) -> str:
    """Which client a test of both drives: ``AsyncScreendesk`` or the sync ``Screendesk``."""
    kind: str = request.param
    return kind


@pytest.fixture
def client(client_kind: str) -> Callable[..., Any]:
    """Builds a client of that kind from ``AsyncScreendesk``'s arguments (see ``tests/both.py``)."""
    return functools.partial(make, client_kind)
