"""Fixtures of the sync facade's tests: a fake Screendesk in a background thread, a client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from screendesk_async import Screendesk
from screendesk_async.testing import FakeScreendesk, ServerThread


@pytest.fixture
def fake() -> Iterator[FakeScreendesk]:
    """A fake with 250 recordings in pages of 25, and 60 users, on its own loop thread."""
    with ServerThread(FakeScreendesk(recordings=250, users=60, page_size=25)) as server:
        yield server


@pytest.fixture
def sd(fake: FakeScreendesk) -> Iterator[Screendesk]:
    """An admin client of the fake."""
    with Screendesk(fake.admin_token, scim_token=fake.scim_token, base_url=fake.url) as client:
        yield client
