"""The sync facade against the fake on loopback: tests/integration/test_rest.py without await."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest

from screendesk_async import Screendesk, errors, models
from screendesk_async.testing import FakeScreendesk, ServerThread

from ..expect import recording_matches
from .helpers import (
    MISSING_UUID,
    ConnectionCounter,
    fast_retries,
    logged,
    loop_tasks,
    page_requests,
)

pytestmark = pytest.mark.integration


def test_list_yields_every_recording_in_order(fake: FakeScreendesk, sd: Screendesk) -> None:
    got = list(sd.recordings.list(concurrency=4))
    assert all(isinstance(r, models.Recording) for r in got)
    assert [r.uuid for r in got] == [raw["uuid"] for raw in fake.recordings_raw()]
    logged(fake, 10)
    assert sorted(page_requests(fake)) == list(range(1, 11))  # each page fetched once
    assert loop_tasks(sd) == set()


def test_structured_fields_match_the_server(fake: FakeScreendesk, sd: Screendesk) -> None:
    raw = fake.recordings_raw()[0]
    recording_matches(sd.recordings.get(raw["uuid"]), raw)


def test_pages_and_page(fake: FakeScreendesk, sd: Screendesk) -> None:
    pages = list(sd.recordings.pages(concurrency=3, first_page=2, last_page=4))
    assert [p.pagination.page for p in pages if p.pagination] == [2, 3, 4]
    assert all(len(p) == 25 for p in pages)
    single = sd.recordings.page(10)
    assert single.pagination is not None
    assert single.pagination.next_page is None
    assert single.pagination.from_ == 226
    assert [r.uuid for r in single] == [r["uuid"] for r in fake.recordings_raw()[225:]]
    assert sd.recordings.page(11).items == []
    raw = list(sd.recordings.raw_pages(first_page=10))
    assert [r["uuid"] for r in raw[0]["records"]] == [r.uuid for r in single]


def test_last_page_beyond_the_end_is_clamped(fake: FakeScreendesk, sd: Screendesk) -> None:
    assert len(list(sd.recordings.list(first_page=9, last_page=50))) == 50
    logged(fake, 2)
    assert max(page_requests(fake)) == 10


@pytest.mark.parametrize("null_fields", [False, True])
def test_pagination_fields_omitted_or_null(null_fields: bool) -> None:
    fake_server = FakeScreendesk(recordings=30, page_size=10, null_pagination_fields=null_fields)
    with ServerThread(fake_server) as fake, Screendesk(fake.admin_token, base_url=fake.url) as sd:
        first = sd.recordings.page(1)
        assert first.pagination is not None
        assert first.pagination.prev_page is None
        assert len(list(sd.recordings.list())) == 30


def test_concurrency_makes_listing_faster_and_stays_bounded(fake: FakeScreendesk) -> None:
    fake.faults.latency = 0.03
    with Screendesk(fake.admin_token, base_url=fake.url, max_concurrency=8) as sd:
        started = time.perf_counter()
        sequential = [r.uuid for r in sd.recordings.list(concurrency=1)]
        one = time.perf_counter() - started
        assert fake.max_in_flight == 1
        fake.reset_log()
        started = time.perf_counter()
        concurrent = [r.uuid for r in sd.recordings.list(concurrency=8)]
        eight = time.perf_counter() - started
    assert concurrent == sequential
    assert 1 < fake.max_in_flight <= 8
    logged(fake, 10)
    assert sorted(page_requests(fake)) == list(range(1, 11))
    # Ten pages at 30 ms: about 0.3 s one by one, about 0.06 s eight at a time.
    assert eight < one * 0.6


def test_max_concurrency_bounds_all_calls_of_a_client(fake: FakeScreendesk) -> None:
    fake.faults.latency = 0.02
    uuid = fake.recordings_raw()[0]["uuid"]
    with (
        Screendesk(fake.admin_token, base_url=fake.url, max_concurrency=3) as sd,
        ThreadPoolExecutor(8) as pool,
    ):
        drains = [pool.submit(lambda: len(list(sd.recordings.list(concurrency=8))))] * 2
        gets = [pool.submit(sd.recordings.get, uuid) for _ in range(6)]
        assert [d.result() for d in drains] == [250, 250]
        assert all(g.result().uuid == uuid for g in gets)
    assert fake.max_in_flight <= 3


@pytest.mark.parametrize("how", ["break", "close", "drop"])
def test_breaking_out_cancels_requests_in_flight(fake: FakeScreendesk, how: str) -> None:
    fake.faults.latency = 0.3
    with Screendesk(fake.admin_token, base_url=fake.url) as sd:
        if how == "break":
            for recording in sd.recordings.list(concurrency=4):
                first = recording
                time.sleep(0.05)  # the window of pages 2-5 is now in flight
                assert fake.max_in_flight >= 2
                started = time.perf_counter()
                break  # the loop held the only reference: the generator is closed here
        else:
            iterator = sd.recordings.list(concurrency=4)
            first = next(iterator)
            time.sleep(0.05)
            assert fake.max_in_flight >= 2
            started = time.perf_counter()
            if how == "close":
                iterator.close()  # type: ignore[attr-defined]
            else:
                del iterator  # collected: the generator closes itself
        closed_in = time.perf_counter() - started
        assert loop_tasks(sd) == set()  # nothing left running on the client's loop
    assert first.uuid == fake.recordings_raw()[0]["uuid"]
    assert closed_in < 0.2  # cancelled, not awaited to completion
    time.sleep(0.4)  # the fake logs a request when its (slow) handler returns
    assert sorted(page_requests(fake)) == [1, 2, 3, 4, 5]  # only one window was requested


def test_window_only_runs_ahead_of_the_consumer(fake: FakeScreendesk, sd: Screendesk) -> None:
    pages = sd.recordings.pages(concurrency=2)
    next(pages)
    time.sleep(0.1)
    assert sorted(page_requests(fake)) == [1, 2, 3]
    pages.close()  # type: ignore[attr-defined]


def test_shrinking_listing_stops_cleanly() -> None:
    thread = ServerThread(FakeScreendesk(recordings=100, page_size=10))
    with thread as fake, Screendesk(fake.admin_token, base_url=fake.url) as sd:
        got = []
        for recording in sd.recordings.list(concurrency=1):
            got.append(recording)
            if len(got) == 1:
                thread.call(fake.remove_recordings, 60, at_head=False)
        assert 10 <= len(got) < 100
        assert len({r.uuid for r in got}) == len(got)


def test_member_sees_only_own_recordings() -> None:
    with (
        ServerThread(FakeScreendesk(recordings=80, page_size=10)) as fake,
        Screendesk(fake.member_token, base_url=fake.url) as member,
    ):
        got = list(member.recordings.list())
        assert got
        assert {r.user.email for r in got if r.user} == {fake.member_email}
        assert len(got) == fake.recording_count(member=True)
        with pytest.raises(errors.PermissionDeniedError):
            member.recordings.update(got[0].uuid, title="nope")
        with pytest.raises(errors.PermissionDeniedError):
            member.users.page(1)


def test_get_missing_is_not_found(fake: FakeScreendesk, sd: Screendesk) -> None:
    with pytest.raises(errors.NotFoundError) as caught:
        sd.recordings.get(MISSING_UUID)
    assert caught.value.status == 404
    assert "not found" in caught.value.message.lower()
    fake.options.docs_404_body = True  # the docs' own example: JSON with a trailing comma
    with pytest.raises(errors.NotFoundError) as caught:
        sd.recordings.get(MISSING_UUID)
    assert caught.value.message == "Recording not found or does not exist"


@pytest.mark.parametrize(
    "bad", ["", "nope", "../users", f"{{{MISSING_UUID}}}", MISSING_UUID.replace("-", ""), 42]
)
def test_malformed_uuid_sends_nothing(fake: FakeScreendesk, sd: Screendesk, bad: object) -> None:
    with pytest.raises(ValueError, match="uuid"):
        sd.recordings.get(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="uuid"):
        sd.recordings.update(bad, title="x")  # type: ignore[arg-type]
    assert fake.requests == []


@pytest.mark.parametrize("kwargs", [{"first_page": 0}, {"last_page": 0}, {"concurrency": 0}])
def test_bad_listing_arguments_raise_before_any_request(
    fake: FakeScreendesk, sd: Screendesk, kwargs: dict[str, int]
) -> None:
    # Raised by the call itself, not on the first next(): the async resources check eagerly.
    for listing in (sd.recordings.list, sd.users.pages, sd.recordings.raw_pages):
        with pytest.raises(ValueError, match=r"must be an int >= 1"):
            listing(**kwargs)
    with pytest.raises(ValueError, match=r"page number"):
        sd.users.page(0)
    assert fake.requests == []
    assert loop_tasks(sd) == set()


def test_update_sends_only_the_given_fields(fake: FakeScreendesk, sd: Screendesk) -> None:
    uuid = fake.recordings_raw()[3]["uuid"]
    updated = sd.recordings.update(uuid, title="Checkout fails", summary=None)
    assert updated.title == "Checkout fails"
    assert updated.summary is None
    patch = logged(fake, 1)[-1]
    assert patch.method == "PATCH"
    assert patch.json() == {"recording": {"title": "Checkout fails", "summary": None}}
    again = sd.recordings.get(uuid)
    assert again.title == "Checkout fails"
    assert again.description == fake.recordings_raw()[3]["description"]
    with pytest.raises(ValueError, match="at least one"):
        sd.recordings.update(uuid)


def test_update_validation_error(fake: FakeScreendesk, sd: Screendesk) -> None:
    uuid = fake.recordings_raw()[0]["uuid"]
    with pytest.raises(errors.UnprocessableEntityError) as caught:
        sd.recordings.update(uuid, title="x" * 300)
    assert caught.value.status == 422
    assert caught.value.message


def test_users_list_and_search_with_plus(fake: FakeScreendesk, sd: Screendesk) -> None:
    users = list(sd.users.list(concurrency=2))
    assert [u.email for u in users] == [u["email"] for u in fake.users_raw()]
    plus = next(u.email for u in users if "+" in u.email)
    found = sd.users.search(plus)
    assert found.email == plus
    search = next(r for r in logged(fake, 4) if r.path == "/api/v2/users/search")
    assert search.params["email"] == plus  # arrived as "+", not as a space
    with pytest.raises(errors.NotFoundError):
        sd.users.search("nobody@example.com")
    with pytest.raises(ValueError, match="email"):
        sd.users.search("not an email")


def test_users_legacy_spellings() -> None:
    with (
        ServerThread(FakeScreendesk(users=5, legacy_spellings=True)) as fake,
        Screendesk(fake.admin_token, base_url=fake.url) as sd,
    ):
        users = list(sd.users.list())
        raw = fake.users_raw()
        assert [u.has_profile_picture for u in users] == [r["has_avatar"] for r in raw]
        assert all(u.notifications and u.notifications.notify_all_recordings for u in users)


def test_wrong_token_is_authentication_error(fake: FakeScreendesk) -> None:
    with Screendesk("wrong-token-value", base_url=fake.url) as sd:
        with pytest.raises(errors.AuthenticationError) as caught:
            sd.recordings.page(1)
        assert "wrong-token-value" not in repr(sd)
    assert "wrong-token-value" not in str(caught.value)
    assert "wrong-token-value" not in repr(caught.value)
    assert logged(fake, 1)[-1].auth_kind == "invalid"


def test_missing_token_raises_before_sending(fake: FakeScreendesk) -> None:
    with Screendesk(base_url=fake.url) as sd:
        with pytest.raises(errors.ConfigurationError, match="SCREENDESK_API_TOKEN"):
            sd.recordings.page(1)
        with pytest.raises(errors.ConfigurationError, match="SCREENDESK_SCIM_TOKEN"):
            sd.scim.users.get("abc")
    assert fake.requests == []


def test_token_and_base_url_from_environment(
    fake: FakeScreendesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCREENDESK_API_TOKEN", fake.admin_token)
    monkeypatch.setenv("SCREENDESK_BASE_URL", fake.url)
    with Screendesk() as sd:
        assert sd.base_url == fake.url
        assert sd.scim_base_url == fake.url + "/api/v2/scim"
        assert len(sd.recordings.page(1)) == 25
    assert logged(fake, 1)[-1].auth_kind == "admin"


def test_bad_configuration_raises_from_the_constructor() -> None:
    threads = threading.active_count()
    with pytest.raises(errors.ConfigurationError, match="https"):
        Screendesk("token", base_url="http://example.com")
    with pytest.raises(ValueError, match="max_concurrency"):
        Screendesk("token", max_concurrency=0)
    assert threading.active_count() == threads  # the loop thread was stopped again


@pytest.mark.parametrize("kind", ["500", "502", "503", "drop", "malformed", "truncated", "429"])
def test_transient_faults_are_retried(fake: FakeScreendesk, sd: Screendesk, kind: str) -> None:
    fast_retries(sd)
    fake.faults.retry_after = "0.01"
    fake.faults.fail_next(2, kind)
    assert len(sd.recordings.page(1)) == 25
    assert [r.fault for r in logged(fake, 3)][:2] == [kind, kind]
    assert sd.retries >= 1  # (aiohttp itself re-sends once on a dropped keep-alive)


def test_persistent_fault_raises_the_mapped_error(fake: FakeScreendesk, sd: Screendesk) -> None:
    fast_retries(sd, max_retries=1)
    fake.faults.fail_next(5, "503")
    with pytest.raises(errors.InternalServerError) as caught:
        sd.recordings.page(1)
    assert caught.value.status == 503
    assert "503" in caught.value.message  # from the proxy's HTML page
    fake.faults.clear()
    fake.faults.fail_next(5, "malformed")
    with pytest.raises(errors.ResponseDecodeError):
        sd.recordings.page(1)


def test_one_session_and_connection_serve_every_call(fake: FakeScreendesk, sd: Screendesk) -> None:
    uuid = fake.recordings_raw()[0]["uuid"]
    connections = ConnectionCounter(sd)
    sd.recordings.get(uuid)
    session = sd._resource._transport._session
    assert isinstance(session, aiohttp.ClientSession)
    for _ in range(20):
        sd.recordings.get(uuid)
    sd.users.page(1)
    assert sd._resource._transport._session is session
    assert connections.count == 1  # keep-alive: every sequential call reused the first connection


def test_closed_client_refuses_calls(fake: FakeScreendesk) -> None:
    sd = Screendesk(fake.admin_token, base_url=fake.url)
    sd.recordings.page(1)
    assert not sd.closed
    sd.close()
    sd.close()
    assert sd.closed
    with pytest.raises(errors.ConfigurationError, match="closed"):
        sd.recordings.page(1)
    with pytest.raises(errors.ConfigurationError, match="closed"):
        sd.recordings.list()
    with pytest.raises(errors.ConfigurationError, match="closed"):
        sd.scim.users.get("abc")
    assert repr(sd) == f"Screendesk(base_url={fake.url!r})"
