"""The safety rules' pure parts: redaction by value, the size-cap setting, page checks, fork."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from screendesk_async import AsyncScreendesk, errors
from screendesk_async import _transport as transport_module
from screendesk_async._logging import LOGGER_NAME, redact, remember_secret, scrub
from screendesk_async._page_checks import check_items, check_rest_page
from screendesk_async._strategies import OffsetPages

from ..expect import config_of

SECRET = "sd-live-UNIT-SECRET-42"


def test_redact_replaces_every_occurrence_of_a_known_value() -> None:
    text = f"no such token {SECRET}; did you mean {SECRET}?"
    assert redact(text, [SECRET]) == "no such token ***; did you mean ***?"
    assert redact(text, ["short"]) == text  # nothing to replace
    assert redact("a t in a text", ["t"]) == "a t in a text"  # too short to redact by value


def test_scrub_walks_a_decoded_body_keys_included() -> None:
    body = {"error": {"message": f"bad {SECRET}"}, SECRET: [SECRET, 1, None], "n": 2}
    assert scrub(body, [SECRET]) == {
        "error": {"message": "bad ***"},
        "***": ["***", 1, None],
        "n": 2,
    }


def test_the_logging_filter_redacts_remembered_values(caplog: pytest.LogCaptureFixture) -> None:
    remember_secret(SECRET)
    with caplog.at_level(logging.INFO, LOGGER_NAME):
        logging.getLogger(LOGGER_NAME).info("server said %s", f"who is {SECRET}")
    assert SECRET not in caplog.text
    assert "server said who is ***" in caplog.text


def test_max_response_size_setting() -> None:
    assert config_of("t").max_response_size == 64 * 2**20
    assert config_of("t", max_response_size=None).max_response_size is None
    assert config_of("t", max_response_size=1).max_response_size == 1
    assert "max_response_size=1" in repr(config_of("t", max_response_size=1))
    for bad in (0, -5, 2.0, False, "1"):
        with pytest.raises(ValueError, match="max_response_size"):
            config_of("t", max_response_size=bad)


def test_the_client_has_every_token_as_a_secret() -> None:
    config = config_of("rest-token-1234", scim_token="scim-token-5678")
    assert [s.reveal() for s in config.secrets()] == ["rest-token-1234", "scim-token-5678"]
    assert config_of().secrets() == ()


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ({}, "'users' is missing"),
        ({"users": None}, "'users' is null, not a list"),
        ({"users": [{}, "x"]}, "'users' holds a str, not only objects"),
    ],
)
def test_check_items(page: dict[str, Any], message: str) -> None:
    with pytest.raises(errors.ResponseDecodeError) as caught:
        check_items(page, "users", "page 3")
    assert str(caught.value) == f"page 3: {message}"
    assert caught.value.method == "GET"


@pytest.mark.parametrize(
    ("number", "pagination", "message"),
    [
        (2, {"page": 1}, "the server answered with page 1 instead"),
        (2, {"page": 2, "next_page": 3}, "records follow (next_page=3)"),
        (2, {"page": 2, "count": 30, "items": 25}, "records follow (count=30)"),
        (2, {"last_page": 4}, "records follow (pages=4)"),
        (3, None, "its pagination does not say the listing ends"),
    ],
)
def test_an_empty_rest_page_that_says_more_follow(
    number: int, pagination: dict[str, Any] | None, message: str
) -> None:
    page: dict[str, Any] = {"records": []}
    if pagination is not None:
        page["pagination"] = pagination
    with pytest.raises(errors.ResponseDecodeError, match=f"page {number}: .*"):
        check_rest_page("records", number, page)
    with pytest.raises(errors.ResponseDecodeError) as caught:
        check_rest_page("records", number, page)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("number", "pagination"),
    [
        (1, None),  # an empty listing
        (1, {"page": 1, "pages": 1, "count": 0}),  # the docs' own empty first page
        (3, {"page": 3, "pages": 2, "count": 50, "items": 25}),  # past the end (it shrank)
        (2, {"page": 2, "count": 25, "items": 25}),
    ],
)
def test_an_empty_rest_page_at_the_end_is_fine(
    number: int, pagination: dict[str, Any] | None
) -> None:
    page: dict[str, Any] = {"records": []}
    if pagination is not None:
        page["pagination"] = pagination
    check_rest_page("records", number, page)


def test_scim_pages() -> None:
    plan = OffsetPages(count=2)
    plan.check(1, {"totalResults": 0})  # Resources may be left out of an empty result
    plan.check(1, {"totalResults": 4, "Resources": [{"id": "a"}, {"id": "b"}]})
    plan.check(3, {"totalResults": 4, "startIndex": 3, "Resources": [{"id": "c"}, {"id": "b"}]})
    with pytest.raises(errors.ResponseDecodeError, match="startIndex=5: every user"):
        plan.check(5, {"totalResults": 6, "Resources": [{"id": "a"}, {"id": "c"}]})
    with pytest.raises(errors.ResponseDecodeError, match="'Resources' is missing"):
        OffsetPages().check(1, {"totalResults": 3})
    OffsetPages().check(7, {"totalResults": 6, "Resources": []})  # past the end


async def test_a_client_from_before_a_fork_refuses_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sd = AsyncScreendesk("sd-live-fork-1234", base_url="http://127.0.0.1:9")
    transport = sd._transport
    transport._get_session()  # its session exists: made "in the parent"
    session = transport._session
    assert session is not None
    # What os.register_at_fork(after_in_child=...) does in a child process.
    monkeypatch.setattr(transport_module, "_generation", transport_module._generation + 1)
    with pytest.raises(errors.ConfigurationError, match=r"before os\.fork\(\)"):
        await sd.recordings.page(1)
    await sd.aclose()
    assert not session.closed  # the parent's sockets are not the child's to close
    monkeypatch.undo()
    await session.close()
