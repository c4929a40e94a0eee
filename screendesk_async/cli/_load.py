"""``screendesk load``: recordings, users and SCIM users into a warehouse, through dlt."""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import click

from ..errors import ScreendeskError
from ._export import Interrupted
from ._options import DEMO_PAGE_SIZE, DEMO_RECORDINGS, DEMO_USERS, Needs, Settings, global_options

#: Command-line kind → the source's resources.
KINDS: Final = {
    "recordings": ("recordings",),
    "users": ("users",),
    "scim-users": ("scim_users",),
    "all": None,
}
#: The pipeline (its state's name at the destination, and the DuckDB file's name) unless
#: --pipeline says otherwise. The demo has its own, so that its file is another one.
PIPELINE: Final = "screendesk"
DEMO_PIPELINE: Final = "screendesk_demo"
_NEEDS: Final = {
    "recordings": "the REST token (--token or SCREENDESK_API_TOKEN)",
    "users": "the REST token (--token or SCREENDESK_API_TOKEN)",
    "scim_users": "the SCIM token (--scim-token or SCREENDESK_SCIM_TOKEN)",
}


class LoadProgress:
    """Rows read per resource (rich, on a terminal only); fed from a worker thread."""

    def __init__(self, *, enabled: bool | None = None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=not self.enabled,
            transient=True,
        )
        self._tasks: dict[str, Any] = {}
        self._lock = threading.Lock()

    def update(self, resource: str, read: int, expected: int | None) -> None:
        """Move ``resource``'s bar to ``read`` rows of ``expected``."""
        with self._lock:
            task = self._tasks.get(resource)
            if task is None:
                task = self._tasks[resource] = self._progress.add_task(resource, total=None)
            self._progress.update(task, completed=read, total=expected)

    @contextlib.contextmanager
    def shown(self) -> Iterator[LoadProgress]:
        """Show the bars while the block runs."""
        self._progress.start()
        try:
            yield self
        finally:
            self._progress.stop()


@contextlib.contextmanager
def _account(settings: Settings, needs: Needs) -> Iterator[dict[str, Any]]:
    """The client options: the command line's, or a demo server's on loopback."""
    options = settings.client_options(needs)
    if not settings.demo:
        yield options
        return
    from ..testing import FakeScreendesk, ServerThread

    # In a thread of its own: dlt's pipeline blocks this one while it loads.
    fake = FakeScreendesk(
        recordings=DEMO_RECORDINGS, users=DEMO_USERS, page_size=DEMO_PAGE_SIZE, log_requests=False
    )
    with ServerThread(fake):
        options.update(token=fake.admin_token, scim_token=fake.scim_token, base_url=fake.url)
        options.pop("scim_base_url", None)
        yield options


@contextlib.contextmanager
def _dlt_quiet(verbose: bool) -> Iterator[None]:
    """While the block runs, dlt logs only its errors, and asyncio's reports wait for its end.

    Unless ``-v``. dlt's warnings are not the command's output. A load that failed or was
    interrupted leaves dlt's event loop with its generators and tasks stopped mid-way, which
    asyncio reports one by one (also at exit): not news after the line that says what failed,
    so they are dropped then; after a load that succeeded they are logged as they came.
    """
    if verbose:
        yield
        return
    dlt_logger, asyncio_logger = logging.getLogger("dlt"), logging.getLogger("asyncio")
    errors_only, held = _BelowError(), _Held()
    dlt_logger.addFilter(errors_only)
    asyncio_logger.addFilter(held)
    failed = True
    try:
        yield
        failed = False
    finally:
        dlt_logger.removeFilter(errors_only)
        asyncio_logger.removeFilter(held)
        if failed:
            asyncio_logger.setLevel(logging.CRITICAL)  # what it reports at exit, too
        else:
            for record in held.records:
                asyncio_logger.handle(record)


class _BelowError(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR


class _Held(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def filter(self, record: logging.LogRecord) -> bool:
        self.records.append(record)
        return False


def _destination(destination: str, duckdb: str | None, pipeline: str) -> Any:
    """The destination of a run: a DuckDB file in this directory by default, else by name."""
    if destination != "duckdb":
        if duckdb is not None:
            raise click.UsageError(f"--duckdb names a DuckDB file, not a {destination} database")
        return destination
    return Path(duckdb or f"{pipeline}.duckdb")  # resolved here, now: make_pipeline


@click.command("load")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.option(
    "--destination",
    default="duckdb",
    show_default=True,
    help="Any dlt destination by name, configured the dlt way (.dlt/secrets.toml, env vars).",
)
@click.option(
    "--duckdb",
    "duckdb_file",
    metavar="PATH",
    help="The DuckDB file to load into [default: ./PIPELINE.duckdb, in the directory the "
    "command runs in].",
)
@click.option(
    "--dataset", default="screendesk_dataset", show_default=True, help="Dataset (schema)."
)
@click.option(
    "--pipeline",
    "pipeline_name",
    help="dlt pipeline name: the default DuckDB file's name, and the name its state has at "
    f"the destination [default: {PIPELINE}; with --demo: {DEMO_PIPELINE}].",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Pages requested at once.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@global_options
@click.pass_obj
def load_command(
    settings: Settings,
    kind: str,
    destination: str,
    duckdb_file: str | None,
    dataset: str,
    pipeline_name: str | None,
    concurrency: int,
    as_json: bool,
) -> None:
    """Load KIND (recordings, users, scim-users or all) into a warehouse with dlt.

    Rows are merged on their primary key (uuid, email, id): a re-run updates changed rows and
    adds new ones, without duplicates; recordings are incremental on metadata.updated_at. The
    default destination is a DuckDB file in the directory the command runs in, PIPELINE.duckdb
    (screendesk.duckdb; screendesk_demo.duckdb with --demo), or --duckdb PATH. The pipeline's
    state (the incremental cursor) is the destination's own: a new file is a first load.

    \b
    Examples:
      screendesk load recordings --demo
      screendesk load all --duckdb warehouse/screendesk.duckdb
      screendesk load all --destination postgres --dataset screendesk
    """
    try:
        from dlt.common.exceptions import DltException

        from ..dlt import screendesk_source
        from ..dlt._exclusive import exclusive_pipeline
        from ..dlt._failure import interrupted, reason
        from ..dlt._pipeline import load
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise click.ClickException(
            f"loading needs the dlt extra ({exc.name} is missing): "
            "pip install 'screendesk-async[dlt]'"
        ) from None
    name = pipeline_name or (DEMO_PIPELINE if settings.demo else PIPELINE)
    target = _destination(destination, duckdb_file, name)
    progress = LoadProgress(enabled=False if settings.quiet or as_json else None)
    needs: Needs = "scim" if kind == "scim-users" else "none" if kind == "all" else "rest"
    try:
        with _account(settings, needs) as options, _dlt_quiet(settings.verbose):
            source = screendesk_source(
                **options, max_concurrency=concurrency, on_progress=progress.update
            )
            wanted = KINDS[kind]
            missing = [name for name in wanted or () if name not in source.resources]
            if missing:
                raise click.ClickException(f"{kind} needs {_NEEDS[missing[0]]}")
            skipped = {
                resource: f"it needs {_NEEDS[resource]}"
                for resource in _NEEDS
                if wanted is None and resource not in source.resources
            }
            with (
                exclusive_pipeline(name, destination=target, dataset=dataset) as pipeline,
                progress.shown(),
            ):
                summary = load(pipeline, source, wanted, skipped=skipped)
    except DltException as exc:  # dlt's wrappers: say what went wrong, and only that
        if interrupted(exc):
            raise Interrupted("interrupted") from None
        raise click.ClickException(reason(exc)) from None
    except KeyboardInterrupt:
        raise Interrupted("interrupted") from None
    except (click.ClickException, ScreendeskError):
        raise
    except Exception as exc:  # a destination's driver (DuckDB, psycopg…): one line
        if settings.verbose:
            raise
        raise click.ClickException(reason(exc)) from None
    if as_json:
        import orjson

        sys.stdout.buffer.write(orjson.dumps(summary.to_dict(), option=orjson.OPT_APPEND_NEWLINE))
        sys.stdout.flush()
    elif not settings.quiet:
        for line in summary.lines():
            click.echo(line)
