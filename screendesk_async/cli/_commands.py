"""``screendesk recordings|users|scim users ...``: look at, change and provision one thing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import click

from ._export import list_command
from ._options import (
    Settings,
    echo_json,
    echo_line,
    example,
    global_options,
    open_client,
    run_async,
)

if TYPE_CHECKING:
    from ..models import ScimUser

EXAMPLE_UUID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
EXAMPLE_SCIM_ID = "2819c223-7f76-453a-919d-413861904646"


@click.group()
@global_options
@example(
    "screendesk recordings list --pages 1-3",
    f"screendesk recordings get {EXAMPLE_UUID}",
    f'screendesk recordings update {EXAMPLE_UUID} --title "Checkout bug"',
)
def recordings() -> None:
    """List, get or update recordings."""


list_command("recordings", recordings)


async def _demo_uuid(sd: Any, uuid: str, settings: Settings) -> str:
    """With ``--demo``, ``first`` names the demo's first recording (its uuids are random)."""
    if settings.demo and uuid == "first":
        page = await sd.recordings.page(1)
        return str(page.items[0].uuid)
    return uuid


@recordings.command("get")
@click.argument("uuid")
@global_options
@click.pass_obj
@run_async
@example(f"screendesk recordings get {EXAMPLE_UUID}", "screendesk recordings get first --demo")
async def recordings_get(settings: Settings, uuid: str) -> None:
    """Print the recording UUID as JSON (with --demo, UUID may be "first")."""
    async with open_client(settings) as sd:
        uuid = await _demo_uuid(sd, uuid, settings)
        echo_json((await sd.recordings.get(uuid)).to_dict())


@recordings.command("update")
@click.argument("uuid")
@click.option("--title", help="The new title.")
@click.option("--summary", help="The new summary.")
@click.option("--clear-summary", is_flag=True, help="Remove the summary.")
@click.option("--description", help="The new description.")
@click.option("--clear-description", is_flag=True, help="Remove the description.")
@global_options
@click.pass_obj
@run_async
@example(
    f'screendesk recordings update {EXAMPLE_UUID} --title "Checkout bug"',
    f"screendesk recordings update {EXAMPLE_UUID} --clear-summary",
)
async def recordings_update(
    settings: Settings,
    uuid: str,
    title: str | None,
    summary: str | None,
    clear_summary: bool,
    description: str | None,
    clear_description: bool,
) -> None:
    """Change a recording's title, summary or description (admins only); print it."""
    from .._types import NOT_GIVEN

    for value, clear, name in (
        (summary, clear_summary, "summary"),
        (description, clear_description, "description"),
    ):
        if value is not None and clear:
            raise click.UsageError(f"--{name} and --clear-{name} cannot be used together")
    fields: dict[str, Any] = {}
    if title is not None:
        fields["title"] = title
    if summary is not None or clear_summary:
        fields["summary"] = summary
    if description is not None or clear_description:
        fields["description"] = description
    if not fields:
        raise click.UsageError(
            "nothing to change: give --title, --summary, --description, --clear-summary "
            "or --clear-description"
        )
    async with open_client(settings) as sd:
        uuid = await _demo_uuid(sd, uuid, settings)
        recording = await sd.recordings.update(
            uuid,
            title=fields.get("title", NOT_GIVEN),
            summary=fields.get("summary", NOT_GIVEN),
            description=fields.get("description", NOT_GIVEN),
        )
        echo_json(recording.to_dict())


@click.group()
@global_options
@example("screendesk users list > users.jsonl", "screendesk users search ada@example.com")
def users() -> None:
    """List or look up users (admins only)."""


list_command("users", users)


@users.command("search")
@click.argument("email")
@global_options
@click.pass_obj
@run_async
@example("screendesk users search ada@example.com")
async def users_search(settings: Settings, email: str) -> None:
    """Print the user with this EMAIL as JSON."""
    async with open_client(settings) as sd:
        echo_json((await sd.users.search(email)).to_dict())


@click.group()
@global_options
@example("screendesk scim users list --scim-token-file ~/.screendesk-scim")
def scim() -> None:
    """SCIM 2.0 provisioning (needs the SCIM token, from Screendesk support)."""


@scim.group("users")
@global_options
@example(
    "screendesk scim users list",
    "screendesk scim users create --user-name ada@example.com --email ada@example.com",
    "screendesk scim users deactivate 2819c223-7f76-453a-919d-413861904646",
)
def scim_users() -> None:
    """List, get, create, replace, deactivate and delete SCIM users."""


@scim_users.command("list")
@click.option("--filter", "filter_", help="An RFC 7644 filter, e.g. 'userName eq \"a@b.c\"'.")
@click.option("--page-size", type=click.IntRange(min=1), help="Users per request.")
@global_options
@click.pass_obj
@run_async
@example(
    "screendesk scim users list",
    "screendesk scim users list --filter 'userName eq \"ada@example.com\"'",
)
async def scim_users_list(settings: Settings, filter_: str | None, page_size: int | None) -> None:
    """Print every SCIM user, one JSON object per line."""
    async with open_client(settings, "scim") as sd:
        async for user in sd.scim.users.list(filter=filter_, page_size=page_size):
            echo_line(user.to_dict())


def _on_one_user(name: str) -> Callable[[Callable[..., Awaitable[None]]], click.Command]:
    """``screendesk scim users NAME ID``: a command on one SCIM user, with its example."""

    def decorate(function: Callable[..., Awaitable[None]]) -> click.Command:
        command: Any = example(f"screendesk scim users {name} {EXAMPLE_SCIM_ID}")(function)
        for decorator in (run_async, click.pass_obj, global_options, click.argument("id")):
            command = decorator(command)
        return scim_users.command(name)(command)

    return decorate


@_on_one_user("get")
async def scim_users_get(settings: Settings, id: str) -> None:
    """Print the SCIM user ID (SCIM id or externalId) as JSON."""
    async with open_client(settings, "scim") as sd:
        echo_json((await sd.scim.users.get(id)).to_dict())


def user_options(function: Any) -> Any:
    """The attributes of a SCIM user, as options."""
    options = [
        click.option("--user-name", required=True, help="The userName (usually the email)."),
        click.option("--external-id", help="The identity provider's id for the user."),
        click.option("--given-name", help="First name."),
        click.option("--family-name", help="Last name."),
        click.option(
            "--email", "emails", multiple=True, help="Repeat for several; the first is primary."
        ),
        click.option(
            "--role",
            "roles",
            multiple=True,
            type=click.Choice(["admin", "member", "editor"]),
            help="Repeat for several; none = the server's defaults (member).",
        ),
        click.option(
            "--active/--inactive", default=True, show_default=True, help="Whether it may log in."
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _scim_user(attributes: dict[str, Any]) -> ScimUser:
    from .. import models

    given, family = attributes["given_name"], attributes["family_name"]
    return models.ScimUser(
        user_name=attributes["user_name"],
        external_id=attributes["external_id"],
        name=models.ScimName(given_name=given, family_name=family) if given or family else None,
        emails=[
            models.ScimEmail(value=value, type="work", primary=index == 0)
            for index, value in enumerate(attributes["emails"])
        ]
        or None,
        active=attributes["active"],
        roles=(
            models.ScimRoles(**{role: True for role in attributes["roles"]})
            if attributes["roles"]
            else None
        ),
    )


@scim_users.command("create")
@user_options
@global_options
@click.pass_obj
@run_async
@example(
    "screendesk scim users create --user-name ada@example.com --email ada@example.com \\",
    "    --given-name Ada --family-name Lovelace --role member",
)
async def scim_users_create(settings: Settings, /, **attributes: Any) -> None:
    """Create a SCIM user and print it."""
    user = _scim_user(attributes)
    async with open_client(settings, "scim") as sd:
        echo_json((await sd.scim.users.create(user)).to_dict())


@scim_users.command("replace")
@click.argument("id")
@user_options
@global_options
@click.pass_obj
@run_async
@example(
    f"screendesk scim users replace {EXAMPLE_SCIM_ID} \\",
    "    --user-name ada@example.com --email ada@example.com --role admin",
)
async def scim_users_replace(settings: Settings, /, id: str, **attributes: Any) -> None:
    """Replace the SCIM user ID whole (PUT: attributes left out are cleared); print it."""
    user = _scim_user(attributes)
    async with open_client(settings, "scim") as sd:
        echo_json((await sd.scim.users.replace(id, user)).to_dict())


@_on_one_user("deactivate")
async def scim_users_deactivate(settings: Settings, id: str) -> None:
    """Set the SCIM user ID inactive (everything else is kept) and print it."""
    async with open_client(settings, "scim") as sd:
        echo_json((await sd.scim.users.deactivate(id)).to_dict())


@_on_one_user("delete")
async def scim_users_delete(settings: Settings, id: str) -> None:
    """Delete the SCIM user ID."""
    async with open_client(settings, "scim") as sd:
        await sd.scim.users.delete(id)
    click.echo(f"deleted {id}")
