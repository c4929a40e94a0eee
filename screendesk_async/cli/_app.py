"""The ``screendesk`` command: export, recordings, users and SCIM users."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click
import orjson

from .. import errors, models
from .._client import AsyncScreendesk
from .._types import NOT_GIVEN, NotGiven
from ..export import FORMATS, SOURCES, export, partial_path
from ._load import load_command
from ._progress import ExportProgress

P = ParamSpec("P")
T = TypeVar("T")

DEMO_RECORDINGS = 300
DEMO_USERS = 120


class Interrupted(click.ClickException):
    """Ctrl-C or SIGTERM stopped the command (after saving an export's progress)."""

    exit_code = 130


class Settings:
    """The root options, passed down to every command."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.demo = False


@contextlib.asynccontextmanager
async def open_client(settings: Settings, **overrides: Any) -> AsyncIterator[AsyncScreendesk]:
    """The client the options describe, or one pointed at a demo server with ``--demo``."""
    options = {k: v for k, v in {**settings.options, **overrides}.items() if v is not None}
    if not settings.demo:
        async with AsyncScreendesk(**options) as sd:
            yield sd
        return
    from ..testing import FakeScreendesk  # only the demo needs the server side

    async with FakeScreendesk(recordings=DEMO_RECORDINGS, users=DEMO_USERS, page_size=25) as fake:
        options.update(
            token=fake.admin_token,
            scim_token=fake.scim_token,
            base_url=fake.url,
            scim_base_url=None,
        )
        async with AsyncScreendesk(**options) as sd:
            yield sd


def run(coro_fn: Callable[P, Awaitable[T]]) -> Callable[P, T]:
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
    """Print one JSON document."""
    click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


def demo_option(function: Callable[P, T]) -> Callable[P, T]:
    """``--demo``: serve a built-in fake Screendesk on loopback and talk to it."""

    def turn_on(ctx: click.Context, _: click.Parameter, value: bool) -> bool:
        if value:
            ctx.ensure_object(Settings).demo = True
        return value

    return click.option(
        "--demo",
        is_flag=True,
        expose_value=False,
        callback=turn_on,
        help="Talk to a built-in fake Screendesk with sample data (no account needed).",
    )(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--token", help="REST API token [env: SCREENDESK_API_TOKEN].")
@click.option("--scim-token", help="SCIM token [env: SCREENDESK_SCIM_TOKEN].")
@click.option("--base-url", help="API base URL [env: SCREENDESK_BASE_URL].")
@click.option("--scim-base-url", help="SCIM base URL [default: BASE_URL/api/v2/scim].")
@click.option("--timeout", type=float, help="Seconds per attempt [default: 30].")
@click.option("--max-retries", type=click.IntRange(min=0), help="Retries per call [default: 3].")
@click.option("--rate-limit", type=click.FloatRange(min=0, min_open=True), help="Requests/s.")
@click.version_option(package_name="screendesk-async")
@click.pass_context
def cli(ctx: click.Context, /, **options: Any) -> None:
    """Talk to the Screendesk API: export everything, or look at one thing.

    \b
    Examples:
      screendesk export recordings --demo --output recordings.jsonl
      screendesk export users --output users.csv --format csv
      screendesk recordings get 7c9e6679-7425-40de-944b-e07fc1f90ae7
      screendesk scim users list --filter 'userName eq "ada@example.com"'
    """
    ctx.ensure_object(Settings).options = options


cli.add_command(load_command)


def page_range(_: click.Context, __: click.Parameter, value: str | None) -> tuple[int, int | None]:
    """Parse ``--pages A-B`` (also ``A-`` and ``A``)."""
    if value is None:
        return 1, None
    match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d*)\s*)?", value)
    if not match or int(match.group(1)) < 1:
        raise click.BadParameter("use A-B, A- or A, with pages counted from 1")
    first = int(match.group(1))
    if match.group(2) is None:
        return first, first
    last = int(match.group(2)) if match.group(2) else None
    if last is not None and last < first:
        raise click.BadParameter("the last page comes before the first")
    return first, last


@cli.command("export")
@click.argument("kind", type=click.Choice(list(SOURCES)))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option("--resume", is_flag=True, help="Continue an interrupted export of OUTPUT.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT / discard an interrupted export.")
@click.option("--concurrency", type=click.IntRange(min=1), default=8, show_default=True)
@click.option("--pages", callback=page_range, help="Only pages A to B (e.g. 1-500, 501-).")
@demo_option
@click.pass_obj
@run
async def export_command(
    settings: Settings,
    kind: str,
    output: Path,
    fmt: str,
    resume: bool,
    force: bool,
    concurrency: int,
    pages: tuple[int, int | None],
) -> None:
    """Export every recording, user or SCIM user to OUTPUT (JSONL or CSV).

    OUTPUT appears only when the export is complete; until then progress lives in
    OUTPUT.partial and OUTPUT.checkpoint. After Ctrl-C, a kill or a network failure, run the
    same command with --resume to continue: every record ends up exactly once, in order.

    \b
    Examples:
      screendesk export recordings --demo --output recordings.jsonl
      screendesk export recordings -o recordings.csv --format csv --concurrency 16
      screendesk export recordings -o part1.jsonl --pages 1-500
      screendesk export recordings -o recordings.jsonl --resume
    """
    async with open_client(settings, max_concurrency=concurrency) as sd:
        with ExportProgress(kind) as progress:
            try:
                summary = await export(
                    sd,
                    kind,
                    output,
                    fmt=fmt,
                    concurrency=concurrency,
                    pages=pages,
                    resume=resume,
                    force=force,
                    on_page=progress.update,
                )
            except asyncio.CancelledError:
                raise Interrupted(
                    f"interrupted; progress is saved in {partial_path(output)}: "
                    "run the same command with --resume to continue"
                ) from None
            except (errors.ScreendeskError, OSError) as exc:
                if partial_path(output).exists() and not isinstance(exc, errors.ExportError):
                    raise click.ClickException(
                        f"{exc} — progress is saved: run the same command with --resume to continue"
                    ) from None
                raise
    click.echo(summary.line())


@cli.group()
def recordings() -> None:
    """Get or update one recording."""


@recordings.command("get")
@click.argument("uuid")
@demo_option
@click.pass_obj
@run
async def recordings_get(settings: Settings, uuid: str) -> None:
    """Print the recording UUID as JSON."""
    async with open_client(settings) as sd:
        if settings.demo and uuid == "first":  # the demo's uuids are not known in advance
            uuid = (await sd.recordings.page(1)).items[0].uuid
        echo_json((await sd.recordings.get(uuid)).to_dict())


def _field(value: str | None, clear: bool) -> str | NotGiven | None:
    if clear:
        return None
    return NOT_GIVEN if value is None else value


@recordings.command("update")
@click.argument("uuid")
@click.option("--title")
@click.option("--summary")
@click.option("--clear-summary", is_flag=True, help="Remove the summary.")
@click.option("--description")
@click.option("--clear-description", is_flag=True, help="Remove the description.")
@demo_option
@click.pass_obj
@run
async def recordings_update(
    settings: Settings,
    uuid: str,
    title: str | None,
    summary: str | None,
    clear_summary: bool,
    description: str | None,
    clear_description: bool,
) -> None:
    """Change a recording's title, summary or description (admins only).

    \b
    Example:
      screendesk recordings update 7c9e6679-7425-40de-944b-e07fc1f90ae7 --title "Checkout bug"
    """
    async with open_client(settings) as sd:
        recording = await sd.recordings.update(
            uuid,
            title=NOT_GIVEN if title is None else title,
            summary=_field(summary, clear_summary),
            description=_field(description, clear_description),
        )
        echo_json(recording.to_dict())


@cli.group()
def users() -> None:
    """Look up users (admins only)."""


@users.command("search")
@click.argument("email")
@demo_option
@click.pass_obj
@run
async def users_search(settings: Settings, email: str) -> None:
    """Print the user with this EMAIL as JSON.

    \b
    Example:
      screendesk users search ada@example.com
    """
    async with open_client(settings) as sd:
        echo_json((await sd.users.search(email)).to_dict())


@cli.group()
def scim() -> None:
    """SCIM 2.0 provisioning (needs the SCIM token)."""


@scim.group("users")
def scim_users() -> None:
    """List, get, create, deactivate and delete SCIM users."""


@scim_users.command("list")
@click.option("--filter", "filter_", help="An RFC 7644 filter, e.g. 'userName eq \"a@b.c\"'.")
@click.option("--page-size", type=click.IntRange(min=1))
@demo_option
@click.pass_obj
@run
async def scim_users_list(settings: Settings, filter_: str | None, page_size: int | None) -> None:
    """Print every SCIM user, one JSON object per line."""
    async with open_client(settings) as sd:
        async for user in sd.scim.users.list(filter=filter_, page_size=page_size):
            click.echo(orjson.dumps(user.to_dict()).decode())


@scim_users.command("get")
@click.argument("id")
@demo_option
@click.pass_obj
@run
async def scim_users_get(settings: Settings, id: str) -> None:
    """Print the SCIM user ID (SCIM id or externalId) as JSON."""
    async with open_client(settings) as sd:
        echo_json((await sd.scim.users.get(id)).to_dict())


@scim_users.command("create")
@click.option("--user-name", required=True)
@click.option("--external-id")
@click.option("--given-name")
@click.option("--family-name")
@click.option("--email", "emails", multiple=True, help="Repeat for several; the first is primary.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(["admin", "member", "editor"]),
    help="Repeat for several; none = the server's defaults (member).",
)
@demo_option
@click.pass_obj
@run
async def scim_users_create(
    settings: Settings,
    user_name: str,
    external_id: str | None,
    given_name: str | None,
    family_name: str | None,
    emails: tuple[str, ...],
    roles: tuple[str, ...],
) -> None:
    """Create a SCIM user and print it.

    \b
    Example:
      screendesk scim users create --user-name ada@example.com --email ada@example.com \\
          --given-name Ada --family-name Lovelace --role member
    """
    user = models.ScimUser(
        user_name=user_name,
        external_id=external_id,
        name=(
            models.ScimName(given_name=given_name, family_name=family_name)
            if given_name or family_name
            else None
        ),
        emails=[
            models.ScimEmail(value=value, type="work", primary=index == 0)
            for index, value in enumerate(emails)
        ]
        or None,
        active=True,
        roles=models.ScimRoles(**{role: True for role in roles}) if roles else None,
    )
    async with open_client(settings) as sd:
        echo_json((await sd.scim.users.create(user)).to_dict())


@scim_users.command("deactivate")
@click.argument("id")
@demo_option
@click.pass_obj
@run
async def scim_users_deactivate(settings: Settings, id: str) -> None:
    """Set the SCIM user ID inactive (everything else is kept) and print it."""
    async with open_client(settings) as sd:
        echo_json((await sd.scim.users.deactivate(id)).to_dict())


@scim_users.command("delete")
@click.argument("id")
@demo_option
@click.pass_obj
@run
async def scim_users_delete(settings: Settings, id: str) -> None:
    """Delete the SCIM user ID."""
    async with open_client(settings) as sd:
        await sd.scim.users.delete(id)
    click.echo(f"deleted {id}")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (one line on stderr for any failure)."""
    try:
        cli.main(args=argv, prog_name="screendesk", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort:
        click.echo("screendesk: interrupted", err=True)
        return 130
    except Interrupted as exc:
        click.echo(f"screendesk: {exc.format_message()}", err=True)
        return exc.exit_code
    except click.UsageError as exc:
        exc.show()
        return exc.exit_code
    except click.ClickException as exc:
        click.echo(f"screendesk: error: {exc.format_message()}", err=True)
        return exc.exit_code
    except (KeyboardInterrupt, asyncio.CancelledError):
        click.echo("screendesk: interrupted", err=True)
        return 130
    except (errors.ScreendeskError, ValueError, OSError) as exc:
        click.echo(f"screendesk: error: {exc}", err=True)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
