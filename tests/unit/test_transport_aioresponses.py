"""Transport edge cases through the public client, with aiohttp mocked by aioresponses."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from yarl import URL

from screendesk_async import AsyncScreendesk, __version__, errors, models
from screendesk_async._retry import RetryPolicy

TOKEN = "tok-SECRET-abc123"
BASE = "https://api.test"
UUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
REC_URL = f"{BASE}/api/v2/recordings/{UUID}"
RECORDING = {"uuid": UUID, "title": "Checkout fails", "metadata": {"duration": 12}}
#: The three kinds of error a request can end in (each names its request).
RequestError = errors.APIStatusError | errors.APIConnectionError | errors.ResponseDecodeError


class _CompatResponse(aiohttp.ClientResponse):
    """aiohttp 3.14 made ``stream_writer`` a required argument that aioresponses 0.7.9 does not
    pass (pnuckowski/aioresponses#289); supply a stand-in for the already-sent request."""

    def __init__(self, method: str, url: URL, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(method, url, **kwargs)


@pytest.fixture
def mocked(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if "stream_writer" in inspect.signature(aiohttp.ClientResponse.__init__).parameters:
        monkeypatch.setattr("aioresponses.core.ClientResponse", _CompatResponse)
    with aioresponses() as m:
        yield m


def fast_client(max_retries: int = 2, **kwargs: Any) -> AsyncScreendesk:
    client = AsyncScreendesk(token=TOKEN, base_url=BASE, max_retries=max_retries, **kwargs)
    client._transport.retry_policy = RetryPolicy(
        max_retries=max_retries, initial_backoff=0.001, max_backoff=0.002
    )
    return client


def calls(mocked: Any, method: str = "GET", url: str = REC_URL) -> list[Any]:
    result: list[Any] = mocked.requests.get((method, URL(url)), [])
    return result


def all_calls(mocked: Any) -> int:
    return sum(len(v) for v in mocked.requests.values())


def assert_no_token(exc: BaseException) -> None:
    text = " ".join([str(exc), repr(exc), repr(exc.args), repr(vars(exc))])
    assert TOKEN not in text
    assert "Bearer" not in text


def assert_not_chained(exc: BaseException) -> None:
    assert exc.__cause__ is None
    assert exc.__context__ is None


async def test_request_headers(mocked: Any) -> None:
    mocked.get(REC_URL, payload=RECORDING)
    async with fast_client() as sd:
        rec = await sd.recordings.get(UUID)
    assert rec == models.Recording.from_dict(RECORDING)
    (call,) = calls(mocked)
    headers = call.kwargs["headers"]
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["User-Agent"] == f"screendesk-async/{__version__}"
    assert headers["Accept"] == "application/json"
    assert call.kwargs.get("data") is None


async def test_patch_sends_json_body(mocked: Any) -> None:
    mocked.patch(REC_URL, payload={"recording": {**RECORDING, "title": "New"}})
    async with fast_client() as sd:
        rec = await sd.recordings.update(UUID, title="New", summary=None)
    assert rec.title == "New"
    (call,) = calls(mocked, "PATCH")
    assert call.kwargs["headers"]["Content-Type"] == "application/json"
    assert call.kwargs["data"] == b'{"recording":{"title":"New","summary":null}}'


async def test_503_then_200_is_retried(mocked: Any) -> None:
    mocked.get(REC_URL, status=503, body="<html><title>503 Service Unavailable</title></html>")
    mocked.get(REC_URL, payload=RECORDING)
    async with fast_client(max_retries=2) as sd:
        rec = await sd.recordings.get(UUID)
        assert sd.retries == 1
    assert rec.uuid == UUID
    assert len(calls(mocked)) == 2


async def test_429_with_retry_after_is_retried(mocked: Any) -> None:
    mocked.get(REC_URL, status=429, headers={"Retry-After": "0.01"})
    mocked.get(REC_URL, payload=RECORDING)
    async with fast_client(max_retries=1) as sd:
        assert (await sd.recordings.get(UUID)).uuid == UUID
    assert len(calls(mocked)) == 2


@pytest.mark.parametrize(
    ("answer", "max_retries", "caught_as", "error", "tries", "attributes"),
    [
        pytest.param(
            {"status": 503},
            2,
            errors.APIStatusError,
            errors.InternalServerError,
            3,
            {"status": 503},
            id="503-until-retries-run-out",
        ),
        pytest.param(
            {"status": 404, "payload": {"error": {"message": "Recording not found", "code": 404}}},
            3,
            errors.APIStatusError,
            errors.NotFoundError,
            1,
            {"status": 404, "message": "Recording not found"},
            id="404-is-not-retried",
        ),
        pytest.param(
            {"status": 502},
            0,
            errors.APIStatusError,
            errors.InternalServerError,
            1,
            {"status": 502},
            id="max-retries-zero-is-one-try",
        ),
        pytest.param(
            {"exception": aiohttp.ClientConnectionError("reset by peer")},
            2,
            errors.APIConnectionError,
            errors.APIConnectionError,
            3,
            {},
            id="connection-error-after-retries",
        ),
        pytest.param(
            {"exception": TimeoutError()},
            1,
            errors.APIConnectionError,
            errors.APITimeoutError,
            2,
            {},
            id="timeout-becomes-api-timeout-error",
        ),
        pytest.param(
            {"body": "<html>login</html>", "content_type": "text/html"},
            1,
            errors.ResponseDecodeError,
            errors.ResponseDecodeError,
            2,  # retried once for a GET
            {},
            id="html-200-is-a-decode-error",
        ),
    ],
)
async def test_a_failing_get_raises_its_error_after_its_tries(
    mocked: Any,
    answer: dict[str, Any],
    max_retries: int,
    caught_as: type[RequestError],
    error: type[RequestError],
    tries: int,
    attributes: dict[str, Any],
) -> None:
    """Every try gets ``answer``: the error an app catches as ``caught_as``, after ``tries``."""
    mocked.get(REC_URL, repeat=True, **answer)
    async with fast_client(max_retries=max_retries) as sd:
        with pytest.raises(caught_as) as info:
            await sd.recordings.get(UUID)
    assert type(info.value) is error
    assert len(calls(mocked)) == tries
    assert info.value.method == "GET"
    assert info.value.path == f"/api/v2/recordings/{UUID}"
    assert {name: getattr(info.value, name) for name in attributes} == attributes
    assert_no_token(info.value)
    assert_not_chained(info.value)


async def test_missing_token_raises_before_any_request(
    mocked: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SCREENDESK_API_TOKEN", raising=False)
    mocked.get(REC_URL, payload=RECORDING, repeat=True)
    async with AsyncScreendesk(base_url=BASE) as sd:
        with pytest.raises(errors.ConfigurationError, match="SCREENDESK_API_TOKEN"):
            await sd.recordings.get(UUID)
    assert all_calls(mocked) == 0


async def test_malformed_uuid_raises_before_any_request(mocked: Any) -> None:
    async with fast_client() as sd:
        with pytest.raises(ValueError, match="uuid"):
            await sd.recordings.get("../users")
    assert all_calls(mocked) == 0


async def test_call_after_aclose_raises(mocked: Any) -> None:
    mocked.get(REC_URL, payload=RECORDING, repeat=True)
    sd = fast_client()
    assert (await sd.recordings.get(UUID)).uuid == UUID
    await sd.aclose()
    with pytest.raises(errors.ConfigurationError, match="closed"):
        await sd.recordings.get(UUID)
    assert len(calls(mocked)) == 1


async def test_call_after_aclose_without_any_request(mocked: Any) -> None:
    sd = fast_client()
    await sd.aclose()
    with pytest.raises(errors.ConfigurationError, match="closed"):
        await sd.recordings.get(UUID)
    assert all_calls(mocked) == 0


async def test_aclose_twice_is_fine(mocked: Any) -> None:
    mocked.get(REC_URL, payload=RECORDING)
    sd = fast_client()
    await sd.recordings.get(UUID)
    session = sd._transport._session
    assert session is not None
    await sd.aclose()
    await sd.aclose()
    assert session.closed


async def test_context_manager_closes_own_session(mocked: Any) -> None:
    mocked.get(REC_URL, payload=RECORDING)
    async with fast_client() as sd:
        await sd.recordings.get(UUID)
        session = sd._transport._session
        assert session is not None
        assert not session.closed
    assert session.closed


async def test_user_session_is_used_and_not_closed(mocked: Any) -> None:
    mocked.get(REC_URL, payload=RECORDING)
    session = aiohttp.ClientSession(headers={"X-App": "mine"})
    try:
        sd = fast_client(session=session)
        rec = await sd.recordings.get(UUID)
        await sd.aclose()
        await sd.aclose()
        assert rec.uuid == UUID
        assert not session.closed
        (call,) = calls(mocked)
        # Headers of the user's session prove the request went through it.
        assert call.kwargs["headers"]["X-App"] == "mine"
        assert call.kwargs["headers"]["Authorization"] == f"Bearer {TOKEN}"
    finally:
        await session.close()


async def test_search_encodes_plus_in_email(mocked: Any) -> None:
    url = f"{BASE}/api/v2/users/search?email=ops%2Balerts%40example.com"
    mocked.get(url, payload={"email": "ops+alerts@example.com", "role": "admin"})
    async with fast_client() as sd:
        user = await sd.users.search("ops+alerts@example.com")
    assert user.email == "ops+alerts@example.com"
    ((key, recorded),) = mocked.requests.items()
    assert key[1].query["email"] == "ops+alerts@example.com"
    assert len(recorded) == 1


async def test_logs_carry_no_token(mocked: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG", logger="screendesk_async")
    mocked.get(REC_URL, status=503)
    mocked.get(REC_URL, exception=aiohttp.ClientConnectionError(f"Bearer {TOKEN}"))
    mocked.get(REC_URL, payload=RECORDING)
    async with fast_client(max_retries=2) as sd:
        await sd.recordings.get(UUID)
    assert len(calls(mocked)) == 3
    assert caplog.records
    assert TOKEN not in caplog.text
    assert any("retrying GET" in r.getMessage() for r in caplog.records)
