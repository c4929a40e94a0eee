"""REST v2 resources through the real transport against the fake server on loopback.

Each test runs for both clients (``client_kind``): the async one, and the sync facade driven
through the same calls (``tests/both.py``); what only one of them does is tested on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from screendesk_async import AsyncScreendesk, errors, models
from screendesk_async._retry import RetryPolicy
from screendesk_async.testing import FakeScreendesk

from ..expect import recording_matches

pytestmark = pytest.mark.integration

MISSING_UUID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
async def sd(fake: FakeScreendesk, client: Callable[..., Any]) -> AsyncIterator[Any]:
    """An admin client of the fake, of either kind."""
    async with client(fake.admin_token, scim_token=fake.scim_token, base_url=fake.url) as sd:
        yield sd


def fast_retries(client: AsyncScreendesk, max_retries: int = 3) -> None:
    client._transport.retry_policy = RetryPolicy(max_retries=max_retries, initial_backoff=0.005)


def page_requests(fake: FakeScreendesk, path: str = "/api/v2/recordings") -> list[int]:
    return [int(r.params.get("page", "1")) for r in fake.requests if r.path == path]


async def test_list_yields_every_recording_in_order(
    fake: FakeScreendesk, sd: AsyncScreendesk
) -> None:
    got = [r async for r in sd.recordings.list(concurrency=4)]
    assert all(isinstance(r, models.Recording) for r in got)
    assert [r.uuid for r in got] == [raw["uuid"] for raw in fake.recordings_raw()]
    assert sorted(page_requests(fake)) == list(range(1, 11))  # each page fetched once


async def test_structured_fields_match_the_server(
    fake: FakeScreendesk, sd: AsyncScreendesk
) -> None:
    raw = fake.recordings_raw()[0]
    recording_matches(await sd.recordings.get(raw["uuid"]), raw)


async def test_pages_and_page(fake: FakeScreendesk, sd: AsyncScreendesk) -> None:
    pages = [p async for p in sd.recordings.pages(concurrency=3, first_page=2, last_page=4)]
    assert [p.pagination.page for p in pages if p.pagination] == [2, 3, 4]
    assert all(len(p) == 25 for p in pages)
    single = await sd.recordings.page(10)
    assert single.pagination is not None
    assert single.pagination.next_page is None
    assert single.pagination.from_ == 226
    assert [r.uuid for r in single] == [r["uuid"] for r in fake.recordings_raw()[225:]]
    beyond = await sd.recordings.page(11)
    assert beyond.items == []


async def test_last_page_beyond_the_end_is_clamped(
    fake: FakeScreendesk, sd: AsyncScreendesk
) -> None:
    got = [r async for r in sd.recordings.list(first_page=9, last_page=50)]
    assert len(got) == 50
    assert max(page_requests(fake)) == 10


@pytest.mark.parametrize("null_fields", [False, True])
async def test_pagination_fields_omitted_or_null(
    null_fields: bool, client: Callable[..., Any]
) -> None:
    async with (
        FakeScreendesk(recordings=30, page_size=10, null_pagination_fields=null_fields) as fake,
        client(fake.admin_token, base_url=fake.url) as sd,
    ):
        first = await sd.recordings.page(1)
        assert first.pagination is not None
        assert first.pagination.prev_page is None
        assert len([r async for r in sd.recordings.list()]) == 30


async def test_concurrency_overlaps_page_requests_and_stays_bounded(
    fake: FakeScreendesk, client: Callable[..., Any]
) -> None:
    # Whether overlapping makes a listing faster is measured in benchmarks/, side by side with a
    # hand-written client; here only the overlap itself, which no timing noise can change.
    fake.faults.latency = 0.2
    async with client(fake.admin_token, base_url=fake.url, max_concurrency=8) as sd:
        sequential = [r.uuid async for r in sd.recordings.list(concurrency=1)]
        assert fake.max_in_flight == 1
        fake.reset_log()
        concurrent = [r.uuid async for r in sd.recordings.list(concurrency=8)]
    assert concurrent == sequential
    assert 1 < fake.max_in_flight <= 8
    assert sorted(page_requests(fake)) == list(range(1, 11))


async def test_max_concurrency_bounds_all_calls_of_a_client(
    fake: FakeScreendesk, client: Callable[..., Any]
) -> None:
    fake.faults.latency = 0.03
    async with client(fake.admin_token, base_url=fake.url, max_concurrency=3) as sd:

        async def drain() -> int:
            return len([r async for r in sd.recordings.list(concurrency=8)])

        uuid = fake.recordings_raw()[0]["uuid"]
        counts = await asyncio.gather(
            drain(), drain(), *(sd.recordings.get(uuid) for _ in range(6))
        )
    assert counts[:2] == [250, 250]
    assert fake.max_in_flight <= 3


async def test_breaking_out_cancels_requests_in_flight(fake: FakeScreendesk) -> None:
    fake.faults.latency = 1.5
    async with AsyncScreendesk(fake.admin_token, base_url=fake.url) as sd:
        iterator = sd.recordings.list(concurrency=4)
        first = await anext(iterator)
        await asyncio.sleep(0.05)  # the window of pages 2-5 is now in flight
        assert fake.max_in_flight >= 2
        started = time.perf_counter()
        await iterator.aclose()  # type: ignore[attr-defined]
        closed_in = time.perf_counter() - started
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert first.uuid == fake.recordings_raw()[0]["uuid"]
    # Awaiting the pages would take most of the fake's 1.5 s; cancelling them takes milliseconds.
    assert closed_in < 0.75
    assert not [t for t in others if "ordered_pages" in repr(t) or "fetch_raw" in repr(t)]
    await asyncio.sleep(1.6)  # the fake logs a request when its (slow) handler returns
    assert sorted(page_requests(fake)) == [1, 2, 3, 4, 5]  # only one window was requested


async def test_window_only_runs_ahead_of_the_consumer(
    fake: FakeScreendesk, sd: AsyncScreendesk
) -> None:
    pages = sd.recordings.pages(concurrency=2)
    async with contextlib.aclosing(pages):  # type: ignore[type-var]
        await anext(pages)
        await asyncio.sleep(0.1)
        assert sorted(page_requests(fake)) == [1, 2, 3]


async def test_shrinking_listing_stops_cleanly(client: Callable[..., Any]) -> None:
    async with (
        FakeScreendesk(recordings=100, page_size=10) as fake,
        client(fake.admin_token, base_url=fake.url) as sd,
    ):
        got = []
        async for recording in sd.recordings.list(concurrency=1):
            got.append(recording)
            if len(got) == 1:
                fake.remove_recordings(60, at_head=False)
        assert 10 <= len(got) < 100
        assert len({r.uuid for r in got}) == len(got)


async def test_member_sees_only_own_recordings(client: Callable[..., Any]) -> None:
    async with (
        FakeScreendesk(recordings=80, page_size=10) as fake,
        client(fake.member_token, base_url=fake.url) as member,
    ):
        got = [r async for r in member.recordings.list()]
        assert got
        assert {r.user.email for r in got if r.user} == {fake.member_email}
        assert len(got) == fake.recording_count(member=True)
        with pytest.raises(errors.PermissionDeniedError):
            await member.recordings.update(got[0].uuid, title="nope")
        with pytest.raises(errors.PermissionDeniedError):
            await member.users.page(1)


async def test_get_missing_is_not_found(fake: FakeScreendesk, sd: AsyncScreendesk) -> None:
    with pytest.raises(errors.NotFoundError) as caught:
        await sd.recordings.get(MISSING_UUID)
    assert caught.value.status == 404
    assert "not found" in caught.value.message.lower()
    fake.options.docs_404_body = True  # the docs' own example: JSON with a trailing comma
    with pytest.raises(errors.NotFoundError) as caught:
        await sd.recordings.get(MISSING_UUID)
    assert caught.value.message == "Recording not found or does not exist"


@pytest.mark.parametrize(
    "bad", ["", "nope", "../users", f"{{{MISSING_UUID}}}", MISSING_UUID.replace("-", ""), 42]
)
async def test_malformed_uuid_sends_nothing(
    fake: FakeScreendesk, sd: AsyncScreendesk, bad: object
) -> None:
    with pytest.raises(ValueError, match="uuid"):
        await sd.recordings.get(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="uuid"):
        await sd.recordings.update(bad, title="x")  # type: ignore[arg-type]
    assert fake.requests == []


@pytest.mark.parametrize("kwargs", [{"first_page": 0}, {"last_page": 0}, {"concurrency": 0}])
async def test_bad_listing_arguments_raise_before_any_request(
    fake: FakeScreendesk, sd: AsyncScreendesk, kwargs: dict[str, int]
) -> None:
    with pytest.raises(ValueError, match=r"must be an int >= 1"):
        sd.recordings.list(**kwargs)
    with pytest.raises(ValueError, match=r"must be an int >= 1"):
        sd.users.pages(**kwargs)
    with pytest.raises(ValueError, match=r"page number"):
        await sd.recordings.page(0)
    assert fake.requests == []


async def test_update_sends_only_the_given_fields(
    fake: FakeScreendesk, sd: AsyncScreendesk
) -> None:
    uuid = fake.recordings_raw()[3]["uuid"]
    updated = await sd.recordings.update(uuid, title="Checkout fails", summary=None)
    assert updated.title == "Checkout fails"
    assert updated.summary is None
    assert fake.requests[-1].method == "PATCH"
    assert fake.requests[-1].json() == {"recording": {"title": "Checkout fails", "summary": None}}
    again = await sd.recordings.get(uuid)
    assert again.title == "Checkout fails"
    assert again.description == fake.recordings_raw()[3]["description"]
    with pytest.raises(ValueError, match="at least one"):
        await sd.recordings.update(uuid)


async def test_update_validation_error(fake: FakeScreendesk, sd: AsyncScreendesk) -> None:
    uuid = fake.recordings_raw()[0]["uuid"]
    with pytest.raises(errors.UnprocessableEntityError) as caught:
        await sd.recordings.update(uuid, title="x" * 300)
    assert caught.value.status == 422
    assert caught.value.message


async def test_users_list_and_search_with_plus(fake: FakeScreendesk, sd: AsyncScreendesk) -> None:
    users = [u async for u in sd.users.list(concurrency=2)]
    assert [u.email for u in users] == [u["email"] for u in fake.users_raw()]
    plus = next(u.email for u in users if "+" in u.email)
    found = await sd.users.search(plus)
    assert found.email == plus
    assert fake.requests[-1].params["email"] == plus  # arrived as "+", not as a space
    with pytest.raises(errors.NotFoundError):
        await sd.users.search("nobody@example.com")
    with pytest.raises(ValueError, match="email"):
        await sd.users.search("not an email")


async def test_users_legacy_spellings(client: Callable[..., Any]) -> None:
    async with (
        FakeScreendesk(users=5, legacy_spellings=True) as fake,
        client(fake.admin_token, base_url=fake.url) as sd,
    ):
        users = [u async for u in sd.users.list()]
        raw = fake.users_raw()
        assert [u.has_profile_picture for u in users] == [r["has_avatar"] for r in raw]
        assert all(u.notifications and u.notifications.notify_all_recordings for u in users)


async def test_wrong_token_is_authentication_error(
    fake: FakeScreendesk, client: Callable[..., Any]
) -> None:
    async with client("wrong-token-value", base_url=fake.url) as sd:
        with pytest.raises(errors.AuthenticationError) as caught:
            await sd.recordings.page(1)
    assert "wrong-token-value" not in str(caught.value)
    assert "wrong-token-value" not in repr(caught.value)
    assert fake.requests[-1].auth_kind == "invalid"


async def test_missing_token_raises_before_sending(
    fake: FakeScreendesk, client: Callable[..., Any]
) -> None:
    async with client(base_url=fake.url) as sd:
        with pytest.raises(errors.ConfigurationError, match="SCREENDESK_API_TOKEN"):
            await sd.recordings.page(1)
    assert fake.requests == []


async def test_token_and_base_url_from_environment(
    fake: FakeScreendesk, monkeypatch: pytest.MonkeyPatch, client: Callable[..., Any]
) -> None:
    monkeypatch.setenv("SCREENDESK_API_TOKEN", fake.admin_token)
    monkeypatch.setenv("SCREENDESK_BASE_URL", fake.url)
    async with client() as sd:
        assert len(await sd.recordings.page(1)) == 25
    assert fake.requests[-1].auth_kind == "admin"


@pytest.mark.parametrize("kind", ["500", "502", "503", "drop", "malformed", "truncated", "429"])
async def test_transient_faults_are_retried(
    fake: FakeScreendesk, sd: AsyncScreendesk, kind: str
) -> None:
    fast_retries(sd)
    fake.faults.retry_after = "0.01"
    fake.faults.fail_next(2, kind)
    page = await sd.recordings.page(1)
    assert len(page) == 25
    assert [r.fault for r in fake.requests][:2] == [kind, kind]


async def test_persistent_fault_raises_the_mapped_error(
    fake: FakeScreendesk, sd: AsyncScreendesk
) -> None:
    fast_retries(sd, max_retries=1)
    fake.faults.fail_next(5, "503")
    with pytest.raises(errors.InternalServerError) as caught:
        await sd.recordings.page(1)
    assert caught.value.status == 503
    assert "503" in caught.value.message  # from the proxy's HTML page
    fake.faults.clear()
    fake.faults.fail_next(5, "malformed")
    with pytest.raises(errors.ResponseDecodeError):
        await sd.recordings.page(1)


async def test_user_session_is_used_and_left_open(fake: FakeScreendesk) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with AsyncScreendesk(fake.admin_token, base_url=fake.url, session=session) as sd:
            assert len(await sd.recordings.page(1)) == 25
        assert not session.closed


async def test_closed_client_refuses_calls(
    fake: FakeScreendesk, client: Callable[..., Any]
) -> None:
    sd = client(fake.admin_token, base_url=fake.url)
    await sd.recordings.page(1)
    await sd.aclose()
    await sd.aclose()
    with pytest.raises(errors.ConfigurationError, match="closed"):
        await sd.recordings.page(1)
