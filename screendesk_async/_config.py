"""Resolving and validating the client's configuration, before any request is sent."""

from __future__ import annotations

import ipaddress
import math
import os
from typing import Any, Final

import attrs
from yarl import URL

from . import _constants as C
from .errors import ConfigurationError

_LOOPBACK_NAMES: Final = frozenset({"localhost"})


@attrs.frozen(repr=False)
class Secret:
    """A token that never shows itself in ``repr``, ``str``, logs or tracebacks.

    Call :meth:`reveal` at the single place the value is needed: building the header.
    """

    _value: str

    def reveal(self) -> str:
        """Return the token itself."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _shown(value: str) -> str:
    """``value`` for a message: everything up to its last ``@`` after the scheme is ``***``.

    Cruder than parsing on purpose: it must also hide the credentials of a value no parser
    reads (a password with a ``/`` in it), and hiding a path's ``@`` too costs nothing.

    >>> _shown("https://ada:pw@example.com/x"), _shown("https://example.com")
    ('https://***@example.com/x', 'https://example.com')
    """
    scheme, separator, rest = value.partition("://") if "://" in value else ("", "", value)
    if "@" not in rest:
        return value
    return f"{scheme}{separator}***@{rest.rpartition('@')[2]}"


def _credentials_refused(name: str, shown: str) -> ConfigurationError:
    return ConfigurationError(
        f"{name} must not carry a user or password: credentials belong in the token, not in "
        f"{name}, got {shown!r}"
    )


def check_base_url(value: str, *, name: str) -> str:
    """Return ``value`` without a trailing slash, or raise ``ConfigurationError``.

    Only ``https://`` is allowed, except for loopback hosts, which tests and the demo server use:
    a bearer token must never cross a network in clear text. A ``user:password@`` is refused
    (aiohttp would send it as Basic auth beside the token); no message shows it.
    """
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{name} must be a non-empty URL string")
    shown = _shown(value)
    try:
        url = URL(value)
        credentials = url.user is not None or url.password is not None
        scheme, host, extra = url.scheme, url.host, bool(url.query_string or url.fragment)
    except ValueError as exc:
        # yarl cannot read it; with an "@" in it, credentials are what most likely broke it.
        if "@" in value:
            raise _credentials_refused(name, shown) from None
        raise ConfigurationError(f"{name} is not a valid URL ({exc}), got {shown!r}") from None
    if credentials:
        raise _credentials_refused(name, shown)
    if scheme not in ("http", "https") or not host:
        raise ConfigurationError(f"{name} must be an absolute http(s) URL, got {shown!r}")
    if scheme != "https" and not _is_loopback(host):
        raise ConfigurationError(
            f"{name} must use https:// (plain http is only allowed for loopback hosts), "
            f"got {shown!r}"
        )
    if extra:
        raise ConfigurationError(f"{name} must not have a query or fragment, got {shown!r}")
    return value.rstrip("/")


def _positive(value: float, name: str, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")


@attrs.frozen(repr=False)
class ClientConfig:
    """The validated settings of one client. Built by :func:`resolve_config`."""

    token: Secret | None
    scim_token: Secret | None
    base_url: str
    scim_base_url: str
    timeout: float
    max_retries: int
    max_concurrency: int
    rate_limit: float | None
    max_response_size: int | None = C.DEFAULT_MAX_RESPONSE_SIZE

    def __repr__(self) -> str:
        return (
            f"ClientConfig(base_url={self.base_url!r}, scim_base_url={self.scim_base_url!r}, "
            f"token={'set' if self.token else 'unset'}, "
            f"scim_token={'set' if self.scim_token else 'unset'}, timeout={self.timeout}, "
            f"max_retries={self.max_retries}, max_concurrency={self.max_concurrency}, "
            f"rate_limit={self.rate_limit}, max_response_size={self.max_response_size})"
        )

    def secrets(self) -> tuple[Secret, ...]:
        """Every token of this client, to redact wherever a server might echo one back."""
        return tuple(secret for secret in (self.token, self.scim_token) if secret is not None)

    def rest_token(self) -> Secret:
        """The REST token, or ``ConfigurationError`` naming the variable to set."""
        return _required(
            self.token,
            f"No Screendesk API token: pass token=... or set {C.ENV_API_TOKEN} "
            "(create one under Personal Settings → API Tokens).",
        )

    def scim_token_or_raise(self) -> Secret:
        """The SCIM token, or ``ConfigurationError`` naming the variable to set."""
        return _required(
            self.scim_token,
            f"No Screendesk SCIM token: pass scim_token=... or set {C.ENV_SCIM_TOKEN} "
            "(SCIM tokens are issued by Screendesk support, not the REST token).",
        )

    def arguments(self) -> dict[str, Any]:
        """The client's constructor arguments that give these settings (tokens revealed).

        For code that makes clients of one configuration (the dlt source makes one per
        resource): ``AsyncScreendesk(**config.arguments())``.
        """
        settings = {name: getattr(self, name) for name in SETTINGS}
        settings["scim_token"] = None if self.scim_token is None else self.scim_token.reveal()
        return {"token": None if self.token is None else self.token.reveal(), **settings}


def _required(secret: Secret | None, missing: str) -> Secret:
    if secret is None:
        raise ConfigurationError(missing)
    return secret


def _secret(value: str | None, env: str) -> Secret | None:
    if value is None:
        value = os.environ.get(env) or None
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"The token must be a non-empty string (or set {env}).")
    return Secret(value.strip())


#: The settings besides the token, as ``AsyncScreendesk``'s signature declares them.
SETTINGS: Final = frozenset(
    {"scim_token", "base_url", "scim_base_url", "timeout", "max_retries", "max_concurrency"}
    | {"rate_limit", "max_response_size"}
)


def resolve_config(token: str | None, **settings: Any) -> ClientConfig:
    """Apply the environment fallbacks and validate every setting.

    ``settings`` are the keyword arguments of :class:`~screendesk_async.AsyncScreendesk`, whose
    signature is their one declaration (names, types, defaults and docs); every one is given.
    """
    if settings.keys() != SETTINGS:
        raise TypeError(f"resolve_config() takes exactly {sorted(SETTINGS)}")
    base_url, scim_base_url = settings["base_url"], settings["scim_base_url"]
    timeout, rate_limit = settings["timeout"], settings["rate_limit"]
    max_retries, max_concurrency = settings["max_retries"], settings["max_concurrency"]
    max_response_size = settings["max_response_size"]
    from_env = not base_url and os.environ.get(C.ENV_BASE_URL)
    base = check_base_url(
        base_url or from_env or C.DEFAULT_BASE_URL,
        name=C.ENV_BASE_URL if from_env else "base_url",
    )
    scim_base = check_base_url(scim_base_url or base + C.SCIM_PATH, name="scim_base_url")
    _positive(timeout, "timeout")
    _positive(rate_limit, "rate_limit", allow_none=True)
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be an int >= 0, got {max_retries!r}")
    if (
        isinstance(max_concurrency, bool)
        or not isinstance(max_concurrency, int)
        or max_concurrency < 1
    ):
        raise ValueError(f"max_concurrency must be an int >= 1, got {max_concurrency!r}")
    if max_response_size is not None and (
        isinstance(max_response_size, bool)
        or not isinstance(max_response_size, int)
        or max_response_size < 1
    ):
        raise ValueError(
            f"max_response_size must be an int >= 1 (bytes) or None, got {max_response_size!r}"
        )
    return ClientConfig(
        token=_secret(token, C.ENV_API_TOKEN),
        scim_token=_secret(settings["scim_token"], C.ENV_SCIM_TOKEN),
        base_url=base,
        scim_base_url=scim_base,
        timeout=float(timeout),
        max_retries=max_retries,
        max_concurrency=max_concurrency,
        rate_limit=None if rate_limit is None else float(rate_limit),
        max_response_size=max_response_size,
    )
