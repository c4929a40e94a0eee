"""The ``screendesk`` command: the root group, its subcommands, and one-line errors.

A new subcommand is a click command decorated with
:func:`~screendesk_async.cli._options.global_options`, added to :data:`COMMANDS`.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from typing import Final

import click

from ._commands import recordings, scim, users
from ._export import Interrupted, export_command
from ._load import load_command
from ._options import ScreendeskGroup, Settings, example, global_options

#: The subcommands of ``screendesk``, in the order ``--help`` lists them.
COMMANDS: Final[list[click.Command]] = [export_command, load_command, recordings, users, scim]

#: Library argument names, as the flags that set them (for messages of the library's own).
_FLAGS: Final = [
    (re.compile(r"\bscim_token=\.\.\."), "--scim-token"),
    (re.compile(r"\btoken=\.\.\."), "--token"),
    (re.compile(r"\bscim_base_url\b"), "--scim-base-url"),
    (re.compile(r"\bbase_url\b"), "--base-url"),
    (re.compile(r"\bmax_retries\b"), "--max-retries"),
    (re.compile(r"\bmax_concurrency\b"), "--concurrency"),
    (re.compile(r"\brate_limit\b"), "--rate-limit"),
    (re.compile(r"\bpage_size\b"), "--page-size"),
    (re.compile(r"^timeout\b"), "--timeout"),
]
#: The exit status of a process killed by SIGPIPE, as a shell reports it (``| head`` closed it).
BROKEN_PIPE_STATUS: Final = 141


def flag_names(message: str) -> str:
    """A library message in the command line's words.

    >>> flag_names("base_url must use https://")
    '--base-url must use https://'
    """
    for pattern, flag in _FLAGS:
        message = pattern.sub(flag, message)
    return message


class PipeClosed(Exception):
    """Stdout's reader went away (``| head``); not an ``OSError``, which click turns into 1."""


class RootGroup(ScreendeskGroup):
    """The root group: a broken pipe anywhere below it becomes :class:`PipeClosed`."""

    def invoke(self, ctx: click.Context) -> object:
        """Run the subcommand."""
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise PipeClosed from None


@click.group(
    cls=RootGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@global_options
@click.version_option(package_name="screendesk-async", help="Show the version and exit.")
@example(
    "screendesk export recordings --demo --output recordings.jsonl",
    "screendesk export users --output users.csv",
    "screendesk export recordings -o - --token-file ~/.screendesk-token | jq .title",
    "screendesk recordings list --pages 1-2",
    "screendesk scim users list --filter 'userName eq \"ada@example.com\"'",
)
@click.pass_context
def cli(ctx: click.Context, /) -> None:
    """Talk to the Screendesk API: export everything, or look at one thing.

    The global options are accepted before or after any subcommand. Without --token or
    --token-file, the token comes from SCREENDESK_API_TOKEN (SCIM: SCREENDESK_SCIM_TOKEN).

    \b
    Shell completion (bash; zsh_source and fish_source for zsh and fish):
      eval "$(_SCREENDESK_COMPLETE=bash_source screendesk)"
    """
    ctx.ensure_object(Settings)


for _command in COMMANDS:
    cli.add_command(_command)


def _quiet_broken_pipe() -> int:
    """Stdout's reader went away (``| head``): stop as other Unix tools do, with no message."""
    try:
        # Python would report the failed flush of stdout at exit: point it at /dev/null.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a descriptor
        pass
    return BROKEN_PIPE_STATUS


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (one line on stderr for any failure)."""
    from .. import errors

    try:
        try:
            cli.main(args=argv, prog_name="screendesk", standalone_mode=False)
        finally:
            sys.stdout.flush()
    except (BrokenPipeError, PipeClosed):
        return _quiet_broken_pipe()
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
        click.echo(f"screendesk: error: {flag_names(exc.format_message())}", err=True)
        return exc.exit_code
    except (KeyboardInterrupt, asyncio.CancelledError):
        click.echo("screendesk: interrupted", err=True)
        return 130
    except (errors.ScreendeskError, ValueError, OSError) as exc:
        click.echo(f"screendesk: error: {flag_names(str(exc))}", err=True)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
