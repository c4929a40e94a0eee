"""What every ``screendesk`` command shares: global options, the client, running async code.

The global options (``--token``, ``--token-file``, ``--base-url``, ``--demo``, ``-v``, ``-q``…)
are accepted at any position: before the first subcommand or after any of them, and every
``--help`` lists them once, under "Global options", after the command's own
(:class:`ScreendeskCommand`). Decorate a command (or group) with :func:`global_options`, take
``settings: Settings`` with ``@click.pass_obj``, and open the client with :func:`open_client`::

    @click.command()
    @global_options
    @click.pass_obj
    @run_async
    async def my_command(settings: Settings) -> None:
        async with open_client(settings) as sd:
            ...

Nothing heavy is imported here: the client (aiohttp), the fake server and rich are imported by
the commands that use them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, ParamSpec, TypeVar

import click

from .. import _constants as C

if TYPE_CHECKING:
    from .._client import AsyncScreendesk

P = ParamSpec("P")
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

#: The demo server's size: enough pages to watch the progress bar and to try --pages.
DEMO_RECORDINGS: Final = 300
DEMO_USERS: Final = 120
DEMO_PAGE_SIZE: Final = 25

Needs = Literal["rest", "scim", "none"]


class Settings:
    """The global options as given (the last occurrence of each wins)."""

    def __init__(self) -> None:
        self.given: dict[str, Any] = {}
        self.flags_used: dict[str, str] = {}

    @property
    def demo(self) -> bool:
        """``--demo``: talk to a built-in fake server."""
        return bool(self.given.get("demo"))

    @property
    def quiet(self) -> bool:
        """``-q``: no progress bar, no summary line."""
        return bool(self.given.get("quiet"))

    @property
    def verbose(self) -> bool:
        """``-v``: the library's debug log on stderr."""
        return bool(self.given.get("verbose"))

    def check(self) -> None:
        """Raise ``UsageError`` for global options that contradict each other."""
        pairs = [
            ("token", "token_file"),
            ("scim_token", "scim_token_file"),
            ("verbose", "quiet"),
            *[("demo", name) for name in ("token", "token_file", "base_url", "scim_base_url")],
            *[("demo", name) for name in ("scim_token", "scim_token_file")],
        ]
        for one, other in pairs:
            if self.given.get(one) and self.given.get(other):
                raise click.UsageError(
                    f"{self.flags_used[one]} and {self.flags_used[other]} cannot be used together"
                )
        if self.given.get("token_file") == "-" and self.given.get("scim_token_file") == "-":
            raise click.UsageError("--token-file - and --scim-token-file - both read stdin")

    def _token(self, name: str, env: str, needs: bool) -> str | None:
        value: str | None = self.given.get(name)
        path: str | None = self.given.get(f"{name}_file")
        flag = f"--{name.replace('_', '-')}"
        if path is not None:
            value = _read_token_file(path, f"{flag}-file")
        if value is None and needs and not os.environ.get(env):
            raise click.ClickException(
                f"no {'SCIM' if name == 'scim_token' else 'API'} token: use {flag} TOKEN, "
                f"{flag}-file PATH (- reads stdin) or set {env}"
            )
        return value

    def client_options(self, needs: Needs) -> dict[str, Any]:
        """Keyword arguments for ``AsyncScreendesk`` (only what was given)."""
        self.check()
        options = {
            "token": self._token("token", C.ENV_API_TOKEN, needs == "rest" and not self.demo),
            "scim_token": self._token(
                "scim_token", C.ENV_SCIM_TOKEN, needs == "scim" and not self.demo
            ),
            "base_url": self.given.get("base_url"),
            "scim_base_url": self.given.get("scim_base_url"),
            "timeout": self.given.get("timeout"),
            "max_retries": self.given.get("max_retries"),
            "rate_limit": self.given.get("rate_limit"),
        }
        return {name: value for name, value in options.items() if value is not None}


def _read_token_file(path: str, flag: str) -> str:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise click.ClickException(f"{flag}: cannot read {path}: {reason}") from None
    token = text.strip()
    if not token or "\n" in token:
        what = "is empty" if not token else "holds more than one line"
        raise click.ClickException(f"{flag}: {'stdin' if path == '-' else path} {what}")
    return token


def _store(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Remember a global option given at this position (a later position wins)."""
    if value is None or value is False:
        return
    settings = ctx.find_root().ensure_object(Settings)
    assert param.name is not None
    settings.given[param.name] = value
    settings.flags_used[param.name] = max(param.opts, key=len)
    if param.name == "verbose":
        _debug_log()


def _debug_log() -> None:
    from .._logging import LOGGER_NAME, RedactingFilter

    logger = logging.getLogger(LOGGER_NAME)
    if not any(getattr(h, "_screendesk_cli", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactingFilter())
        handler._screendesk_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


_GLOBAL_OPTIONS: Final[list[tuple[tuple[str, ...], dict[str, Any]]]] = [
    (("--token",), {"metavar": "TOKEN", "help": f"REST API token [env: {C.ENV_API_TOKEN}]."}),
    (
        ("--token-file",),
        {"metavar": "PATH", "help": "Read the REST API token from PATH (- reads stdin)."},
    ),
    (("--scim-token",), {"metavar": "TOKEN", "help": f"SCIM token [env: {C.ENV_SCIM_TOKEN}]."}),
    (
        ("--scim-token-file",),
        {"metavar": "PATH", "help": "Read the SCIM token from PATH (- reads stdin)."},
    ),
    (
        ("--base-url",),
        {"metavar": "URL", "help": f"API base URL [env: {C.ENV_BASE_URL}; {C.DEFAULT_BASE_URL}]."},
    ),
    (
        ("--scim-base-url",),
        {"metavar": "URL", "help": f"SCIM base URL [default: BASE_URL{C.SCIM_PATH}]."},
    ),
    (
        ("--timeout",),
        {
            "type": click.FloatRange(min=0, min_open=True),
            "metavar": "SECONDS",
            "help": f"Seconds per attempt [default: {C.DEFAULT_TIMEOUT:g}].",
        },
    ),
    (
        ("--max-retries",),
        {
            "type": click.IntRange(min=0),
            "metavar": "N",
            "help": f"Retries per call after the first try [default: {C.DEFAULT_MAX_RETRIES}].",
        },
    ),
    (
        ("--rate-limit",),
        {
            "type": click.FloatRange(min=0, min_open=True),
            "metavar": "PER_SECOND",
            "help": "At most this many requests per second [default: no limit].",
        },
    ),
    (
        ("--demo",),
        {
            "is_flag": True,
            "help": "Talk to a built-in fake Screendesk with sample data (no account needed).",
        },
    ),
    (("-v", "--verbose"), {"is_flag": True, "help": "Log every request to stderr (debug)."}),
    (("-q", "--quiet"), {"is_flag": True, "help": "No progress bar and no summary line."}),
]


class GlobalOption(click.Option):
    """One of the global options: accepted by every command, listed under "Global options"."""


def global_options(function: F) -> F:
    """Add the global options to a command or group (each is also accepted on the others)."""
    for decls, attributes in reversed(_GLOBAL_OPTIONS):
        option = click.option(
            *decls, cls=GlobalOption, expose_value=False, callback=_store, **attributes
        )
        function = option(function)
    return function


class ScreendeskCommand(click.Command):
    """A command whose ``--help`` lists its own options, then the global ones once (as gh does).

    Groups of :class:`ScreendeskGroup` give this layout to every command below them, also to
    the ones made elsewhere with click's own ``click.command`` and ``click.group``.
    """

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Own options, then (for a group) the subcommands, then the global options."""
        own: list[tuple[str, str]] = []
        shared: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is not None and not isinstance(param, click.Argument):
                (shared if isinstance(param, GlobalOption) else own).append(record)
        if own:
            with formatter.section("Options"):
                formatter.write_dl(own)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)
        if shared:
            with formatter.section("Global options"):
                formatter.write_dl(shared)


class ScreendeskGroup(ScreendeskCommand, click.Group):
    """A group whose commands, and theirs, all have :class:`ScreendeskCommand`'s help."""

    command_class = ScreendeskCommand
    group_class = type  # subgroups made by ``@group.group()`` are of this class too

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Add ``cmd``, giving it (and whatever is below it) this help layout."""
        _adopt(cmd)
        super().add_command(cmd, name)


def _adopt(cmd: click.Command) -> None:
    """Give a command of click's own classes, and its subcommands, this module's help layout.

    Only the class changes, to this module's subclass of it, which changes nothing but the
    help; a command of another class of its own is left as it is.
    """
    if type(cmd) is click.Command:
        cmd.__class__ = ScreendeskCommand
    elif type(cmd) is click.Group:
        cmd.__class__ = ScreendeskGroup
    if isinstance(cmd, click.Group):
        for child in cmd.commands.values():
            _adopt(child)


@contextlib.asynccontextmanager
async def open_client(
    settings: Settings, needs: Needs = "rest", **overrides: Any
) -> AsyncIterator[AsyncScreendesk]:
    """The client the options describe, or one pointed at a demo server with ``--demo``.

    ``needs`` names the token the command cannot do without, so its absence is a one-line
    usage error naming the flags, before any request.
    """
    from .._client import AsyncScreendesk

    options = {**settings.client_options(needs), **overrides}
    if not settings.demo:
        async with AsyncScreendesk(**options) as sd:
            yield sd
        return
    from ..testing import FakeScreendesk  # only the demo needs the server side

    fake = FakeScreendesk(
        recordings=DEMO_RECORDINGS, users=DEMO_USERS, page_size=DEMO_PAGE_SIZE, log_requests=False
    )
    async with fake:
        options.update(token=fake.admin_token, scim_token=fake.scim_token, base_url=fake.url)
        if not settings.quiet:
            click.echo(
                f"screendesk: demo: a fake Screendesk with sample data at {fake.url} "
                f"(API token {fake.admin_token}, SCIM token {fake.scim_token})",
                err=True,
            )
        options.pop("scim_base_url", None)
        async with AsyncScreendesk(**options) as sd:
            yield sd


def run_async(coro_fn: Callable[P, Awaitable[T]]) -> Callable[P, T]:
    """Run an async command on a fresh loop; SIGTERM stops it like Ctrl-C (cleanly)."""

    @functools.wraps(coro_fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        async def main() -> T:
            task = asyncio.current_task()
            loop = asyncio.get_running_loop()
            if task is not None:
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(signal.SIGTERM, task.cancel)
            return await coro_fn(*args, **kwargs)

        return asyncio.run(main())

    return wrapper


def echo_json(data: Any) -> None:
    """Print one JSON document, indented."""
    import orjson

    click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


def echo_line(data: Any) -> None:
    """Print one JSON object on one line (JSONL)."""
    import orjson

    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE))


def example(*lines: str) -> Callable[[F], F]:
    """Append an ``Example(s):`` paragraph to a command's help (kept as written)."""

    def add(function: F) -> F:
        title = "Example:" if len(lines) == 1 else "Examples:"
        block = "\n".join(f"  {line}" for line in lines)
        text = inspect.cleandoc(function.__doc__ or "")
        function.__doc__ = f"{text}\n\n\b\n{title}\n{block}\n"
        return function

    return add
