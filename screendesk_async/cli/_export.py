"""``screendesk export``, and the list commands that stream a listing as JSONL to stdout."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from .. import _constants as C
from .. import errors
from ..export import SOURCES, STDOUT, ExportSummary, export, output_format, partial_path
from ._options import Settings, example, global_options, open_client, run_async


class Interrupted(click.ClickException):
    """Ctrl-C or SIGTERM stopped the command (after saving an export's progress)."""

    exit_code = 130


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


def pages_option(function: Any) -> Any:
    """``--pages A-B``."""
    return click.option(
        "--pages",
        callback=page_range,
        metavar="A-B",
        help="Only pages A to B, counted from 1 (also A- and A) [default: all].",
    )(function)


def concurrency_option(function: Any) -> Any:
    """``--concurrency N`` (the client's default)."""
    return click.option(
        "--concurrency",
        type=click.IntRange(min=1),
        default=C.DEFAULT_MAX_CONCURRENCY,
        show_default=True,
        help="Pages requested at once.",
    )(function)


def _same_as_stdout(output: str) -> bool:
    """Whether OUTPUT is where stdout goes (``-``, ``/dev/stdout``, the same pipe or file)."""
    if output == STDOUT:
        return True
    if output == os.devnull:
        return False
    try:
        mine, theirs = os.stat(output), os.fstat(sys.stdout.fileno())
    except (OSError, ValueError):
        return False
    return (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino)


def _check_export_options(
    output: str, fmt: str | None, resume: bool, force: bool, as_json: bool
) -> None:
    if resume and force:
        raise click.UsageError("--resume and --force cannot be used together")
    if output == STDOUT and resume:
        raise click.UsageError("--output - streams to stdout, which cannot be resumed")
    if as_json and _same_as_stdout(output):
        raise click.UsageError("--json prints to stdout, where --output already writes")
    try:
        output_format(output, fmt)
    except ValueError:
        raise click.UsageError(
            f"--format {fmt} contradicts the extension of --output {output}"
        ) from None


def _report(settings: Settings, summary: ExportSummary, as_json: bool, to_stdout: bool) -> None:
    if as_json:
        import orjson

        sys.stdout.buffer.write(orjson.dumps(summary.to_dict(), option=orjson.OPT_APPEND_NEWLINE))
        sys.stdout.flush()
    elif not settings.quiet:
        click.echo(summary.line(), err=to_stdout)
    _warn(summary)


def _warn(summary: ExportSummary) -> None:
    """The summary's notes (``--pages`` clipped at the last page…) on stderr; not failures."""
    for warning in summary.warnings:
        click.echo(f"screendesk: warning: {warning}", err=True)


def _progress(kind: str, settings: Settings) -> Any:
    """A progress bar on a terminal's stderr (rich is imported only then), else nothing."""
    if settings.quiet or not sys.stderr.isatty():
        return None
    from ._progress import ExportProgress

    return ExportProgress(kind, enabled=True)


async def _run_export(
    settings: Settings, kind: str, output: str, *, show_progress: bool, **options: Any
) -> ExportSummary:
    """:func:`~screendesk_async.export.export` of ``kind`` with ``options`` (its keywords).

    A failure says in one line what happened to the files (progress saved, or nothing).
    """
    direct = output == STDOUT
    needs = SOURCES[kind].api
    async with open_client(settings, needs, max_concurrency=options["concurrency"]) as sd:
        progress = _progress(kind, settings) if show_progress else None
        try:
            if progress is not None:
                progress.__enter__()
            on_page = None if progress is None else progress.update
            return await export(sd, kind, output, on_page=on_page, **options)
        except asyncio.CancelledError:
            saved = not direct and partial_path(Path(output)).exists()
            raise Interrupted(
                f"interrupted; progress is saved in {partial_path(Path(output))}: "
                "run the same command with --resume to continue"
                if saved
                else "interrupted"
            ) from None
        except (errors.ScreendeskError, OSError) as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            if (
                not direct
                and partial_path(Path(output)).exists()
                and not isinstance(exc, errors.ExportError)
            ):
                raise click.ClickException(
                    f"{exc} — progress is saved: run the same command with --resume to continue"
                ) from None
            raise
        finally:
            if progress is not None:
                progress.__exit__(None, None, None)


@click.command("export")
@click.argument("kind", type=click.Choice(list(SOURCES)))
@click.option(
    "--output",
    "-o",
    required=True,
    metavar="FILE",
    help="Where to write: a file (FILE.gz is gzip), - for stdout, or a FIFO or device.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    help="jsonl or csv [default: from FILE's extension (.jsonl, .ndjson, .csv), else jsonl].",
)
@click.option("--resume", is_flag=True, help="Continue an interrupted export of FILE.")
@click.option("--force", is_flag=True, help="Overwrite FILE and discard an interrupted export.")
@concurrency_option
@pages_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@global_options
@click.pass_obj
@run_async
@example(
    "screendesk export recordings --demo --output recordings.jsonl",
    "screendesk export recordings -o recordings.csv.gz --concurrency 16",
    "screendesk export users -o - | jq .email",
    "screendesk export recordings -o part1.jsonl --pages 1-500",
    "screendesk export recordings -o recordings.jsonl --resume",
)
async def export_command(
    settings: Settings, /, kind: str, output: str, as_json: bool, **options: Any
) -> None:
    """Export every recording, user or SCIM user to FILE (JSONL or CSV).

    FILE appears only when the export is complete; until then progress lives in FILE.partial
    and FILE.checkpoint. After Ctrl-C, a kill or a network failure, run the same command with
    --resume to continue: every record ends up exactly once, in order. JSONL lines are the
    server's objects byte for byte; CSV columns are the API's field names, dotted when nested.
    An existing FILE that is not a regular file (/dev/null, a FIFO) is written to directly.
    """
    # ``options``: --format, --resume, --force, --concurrency and --pages, as export() names them.
    _check_export_options(output, options["fmt"], options["resume"], options["force"], as_json)
    to_stdout = _same_as_stdout(output)
    summary = await _run_export(settings, kind, output, show_progress=True, **options)
    _report(settings, summary, as_json, to_stdout)


def list_command(kind: str, group: click.Group) -> None:
    """Register ``screendesk KIND list`` on ``group``: the listing as JSONL on stdout."""

    @group.command("list")
    @concurrency_option
    @pages_option
    @global_options
    @click.pass_obj
    @run_async
    @example(
        f"screendesk {kind} list --demo | head -3",
        f"screendesk {kind} list --pages 1-2 > first-pages.jsonl",
    )
    async def command(settings: Settings, concurrency: int, pages: tuple[int, int | None]) -> None:
        summary = await _run_export(
            settings, kind, STDOUT, show_progress=False, concurrency=concurrency, pages=pages
        )
        _warn(summary)

    command.help = (
        f"Print every {kind[:-1]} as one JSON object per line (the server's own), in page "
        f"order.\n\n{command.help or ''}"
    )
