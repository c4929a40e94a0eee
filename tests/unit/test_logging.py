"""Token redaction in log records."""

from __future__ import annotations

import logging

import pytest

from screendesk_async import RedactingFilter
from screendesk_async._logging import LOGGER_NAME, logger, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bearer abc", "Bearer ***"),
        ("bearer abc.def-ghi_jkl", "bearer ***"),
        ("Authorization: Bearer x", "Authorization: ***"),
        ("headers={'Authorization': 'Bearer tok-1'}", "headers={'Authorization': '***'}"),
        ('{"Authorization": "Bearer tok-1"}', '{"Authorization": "***"}'),
        ("token=abc", "token=***"),
        ("api_token: 'abc'", "api_token: '***'"),
        ("scim_token=xyz", "scim_token=***"),
        ("password=hunter2", "password=***"),
        ("TOKEN = abc", "TOKEN = ***"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_token_in_a_query_string_is_redacted() -> None:
    redacted = redact("GET /x?token=abc123&page=2")
    assert "abc123" not in redacted
    assert redacted.startswith("GET /x?token=***")


@pytest.mark.parametrize(
    "text",
    [
        "GET /api/v2/recordings -> 200 in 12.3 ms (attempt 1)",
        "retrying GET /api/v2/users in 0.50 s (attempt 1 of 4 failed: 503 Service Unavailable)",
        "tokens are great",
        "",
    ],
)
def test_redact_leaves_other_text_untouched(text: str) -> None:
    assert redact(text) == text


def test_filter_is_attached_to_library_logger() -> None:
    assert logger.name == LOGGER_NAME == "screendesk_async"
    assert any(isinstance(f, RedactingFilter) for f in logger.filters)


def test_record_with_token_in_args_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    logger.debug("sending headers %s", {"Authorization": "Bearer tok-SECRET-1"})
    logger.info("token=%s for %s", "tok-SECRET-2", "GET /x")
    assert len(caplog.records) == 2
    assert "tok-SECRET" not in caplog.text
    for record in caplog.records:
        assert "tok-SECRET" not in record.getMessage()
    assert "***" in caplog.records[0].getMessage()
    assert caplog.records[1].getMessage() == "token=*** for GET /x"


def test_record_without_secrets_keeps_its_args(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    logger.debug("%s %s -> %d", "GET", "/api/v2/recordings", 200)
    (record,) = caplog.records
    assert record.getMessage() == "GET /api/v2/recordings -> 200"
    assert record.args == ("GET", "/api/v2/recordings", 200)


def test_filter_on_a_foreign_record() -> None:
    record = logging.LogRecord(
        "aiohttp.client", logging.DEBUG, __file__, 1, "req %s", ("Bearer abc123",), None
    )
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == "req Bearer ***"


def test_a_known_token_is_redacted_whatever_its_case() -> None:
    token = "sd-Token-0123456789"
    echoed = f"bad token {token.upper()} / {token.lower()} / {token}"
    assert redact(echoed, [token]) == "bad token *** / *** / ***"
