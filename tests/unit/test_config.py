"""Configuration: environment fallbacks, URL safety, numeric settings, secrets never shown."""

from __future__ import annotations

from typing import Any

import pytest

from screendesk_async import AsyncScreendesk, errors
from screendesk_async._config import Secret, check_base_url, resolve_config

from ..expect import config_of

TOKEN = "tok-SECRET-123"
SCIM_TOKEN = "scim-SECRET-456"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SCREENDESK_API_TOKEN", "SCREENDESK_SCIM_TOKEN", "SCREENDESK_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_defaults() -> None:
    config = config_of()
    assert config.token is None
    assert config.scim_token is None
    assert config.base_url == "https://app.screendesk.io"
    assert config.scim_base_url == "https://app.screendesk.io/api/v2/scim"
    assert config.timeout == 30.0
    assert config.max_retries == 3
    assert config.max_concurrency == 8
    assert config.rate_limit is None


def test_env_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENDESK_API_TOKEN", TOKEN)
    monkeypatch.setenv("SCREENDESK_SCIM_TOKEN", SCIM_TOKEN)
    monkeypatch.setenv("SCREENDESK_BASE_URL", "https://eu.screendesk.test/")
    config = config_of()
    assert config.rest_token().reveal() == TOKEN
    assert config.scim_token_or_raise().reveal() == SCIM_TOKEN
    assert config.base_url == "https://eu.screendesk.test"
    assert config.scim_base_url == "https://eu.screendesk.test/api/v2/scim"


def test_arguments_win_over_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENDESK_API_TOKEN", "from-env")
    monkeypatch.setenv("SCREENDESK_SCIM_TOKEN", "scim-from-env")
    monkeypatch.setenv("SCREENDESK_BASE_URL", "https://env.test")
    config = config_of("from-arg", scim_token="scim-from-arg", base_url="https://arg.test")
    assert config.rest_token().reveal() == "from-arg"
    assert config.scim_token_or_raise().reveal() == "scim-from-arg"
    assert config.base_url == "https://arg.test"


def test_empty_env_token_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENDESK_API_TOKEN", "")
    assert config_of().token is None


def test_blank_token_argument_refused() -> None:
    with pytest.raises(errors.ConfigurationError):
        config_of("   ")


def test_trailing_slashes_stripped() -> None:
    config = config_of(base_url="https://x.test/", scim_base_url="https://idp.test/scim/v2/")
    assert config.base_url == "https://x.test"
    assert config.scim_base_url == "https://idp.test/scim/v2"


def test_scim_base_url_default_follows_base() -> None:
    config = config_of(base_url="https://x.test/prefix")
    assert config.scim_base_url == "https://x.test/prefix/api/v2/scim"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.0.0.2:8080",
        "http://localhost:1234",
        "http://LOCALHOST",
        "http://[::1]:9000",
        "https://example.com",
    ],
)
def test_allowed_base_urls(url: str) -> None:
    assert config_of(base_url=url).base_url == url
    assert config_of(scim_base_url=url).scim_base_url == url


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "http://10.0.0.1",
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",
        "ftp://example.com",
        "file:///etc/passwd",
        "example.com",
        "/api/v2",
        "//example.com",
        "https://",
        "https://example.com/?a=1",
        "https://example.com/#frag",
        "https://user:password@example.com",
        "http://user@127.0.0.1:8080",
        "https://example.com:99999",
    ],
)
def test_refused_base_urls(url: str) -> None:
    with pytest.raises(errors.ConfigurationError):
        config_of(base_url=url)
    with pytest.raises(errors.ConfigurationError):
        config_of(scim_base_url=url)


def test_refused_env_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENDESK_BASE_URL", "http://example.com")
    with pytest.raises(errors.ConfigurationError, match="https"):
        config_of()


def test_check_base_url_names_the_setting() -> None:
    with pytest.raises(errors.ConfigurationError, match="scim_base_url"):
        check_base_url("http://example.com", name="scim_base_url")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": 0},
        {"timeout": -1.0},
        {"timeout": float("inf")},
        {"timeout": float("nan")},
        {"timeout": True},
        {"timeout": "30"},
        {"max_retries": -1},
        {"max_retries": 1.5},
        {"max_retries": True},
        {"max_concurrency": 0},
        {"max_concurrency": 2.0},
        {"max_concurrency": False},
        {"rate_limit": 0},
        {"rate_limit": -3},
        {"rate_limit": float("inf")},
        {"rate_limit": "10"},
    ],
)
def test_bad_numeric_settings(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        config_of(**kwargs)


def test_good_numeric_settings() -> None:
    config = config_of(timeout=5, max_retries=0, max_concurrency=1, rate_limit=2)
    assert config.timeout == 5.0
    assert isinstance(config.timeout, float)
    assert config.max_retries == 0
    assert config.max_concurrency == 1
    assert config.rate_limit == 2.0


def test_repr_of_config_and_secret_hide_tokens() -> None:
    config = config_of(TOKEN, scim_token=SCIM_TOKEN)
    for text in (repr(config), str(config)):
        assert TOKEN not in text
        assert SCIM_TOKEN not in text
        assert "token=set" in text
    assert "token=unset" in repr(config_of())
    secret = Secret(TOKEN)
    assert TOKEN not in repr(secret)
    assert TOKEN not in str(secret)
    assert TOKEN not in f"{secret}"
    assert secret.reveal() == TOKEN


def test_missing_rest_token_names_env_variable() -> None:
    config = config_of(scim_token=SCIM_TOKEN)
    with pytest.raises(errors.ConfigurationError, match="SCREENDESK_API_TOKEN"):
        config.rest_token()


def test_missing_scim_token_names_env_variable() -> None:
    config = config_of(TOKEN)
    with pytest.raises(errors.ConfigurationError, match="SCREENDESK_SCIM_TOKEN") as info:
        config.scim_token_or_raise()
    assert TOKEN not in str(info.value)


def test_public_client_refuses_http() -> None:
    with pytest.raises(errors.ConfigurationError) as info:
        AsyncScreendesk(token="tok-SECRET", base_url="http://example.com")
    assert "tok-SECRET" not in str(info.value)


def test_public_client_refuses_bad_numbers() -> None:
    with pytest.raises(ValueError, match="max_concurrency"):
        AsyncScreendesk(token="tok", max_concurrency=0)


async def test_public_client_repr_hides_token() -> None:
    client = AsyncScreendesk(token="tok-SECRET", scim_token="scim-SECRET")
    try:
        text = repr(client) + str(client)
        assert "SECRET" not in text
        assert "https://app.screendesk.io" in text
        assert client.base_url == "https://app.screendesk.io"
        assert client.scim_base_url == "https://app.screendesk.io/api/v2/scim"
    finally:
        await client.aclose()


def test_resolve_config_takes_exactly_the_constructors_settings() -> None:
    with pytest.raises(TypeError, match="exactly"):
        resolve_config(None, base_url=None)
