"""``screendesk load``: recordings, users and SCIM users into a warehouse, through dlt."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import Any, Final

import click

from .. import errors
from ._options import DEMO_PAGE_SIZE, DEMO_RECORDINGS, DEMO_USERS, Needs, Settings, global_options

#: Command-line kind → the source's resources.
KINDS: Final = {
    "recordings": ("recordings",),
    "users": ("users",),
    "scim-users": ("scim_users",),
    "all": None,
}
#: The pipeline (its state, and the DuckDB file's name) unless --pipeline says otherwise. The
#: demo has its own, so its sample data's cursor never holds back a real account's load.
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


@click.command("load")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.option(
    "--destination",
    default="duckdb",
    show_default=True,
    help="Any dlt destination by name, configured the dlt way (.dlt/secrets.toml, env vars).",
)
@click.option(
    "--dataset", default="screendesk_dataset", show_default=True, help="Dataset (schema)."
)
@click.option(
    "--pipeline",
    "pipeline_name",
    help="dlt pipeline name: its state (the incremental cursor) and the DuckDB file's name "
    f"[default: {PIPELINE}; with --demo: {DEMO_PIPELINE}].",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Pages requested at once.",
)
@global_options
@click.pass_obj
def load_command(
    settings: Settings,
    kind: str,
    destination: str,
    dataset: str,
    pipeline_name: str | None,
    concurrency: int,
) -> None:
    """Load KIND (recordings, users, scim-users or all) into a warehouse with dlt.

    Rows are merged on their primary key (uuid, email, id): a re-run updates changed rows and
    adds new ones, without duplicates; recordings are incremental on metadata.updated_at. The
    default destination is a DuckDB file, PIPELINE.duckdb (screendesk.duckdb;
    screendesk_demo.duckdb with --demo), in the working directory of the pipeline's first run:
    dlt keeps the pipeline, its state and that location in its data directory (~/.dlt).

    \b
    Examples:
      screendesk load recordings --demo
      screendesk load all --destination postgres --dataset screendesk
    """
    try:
        from dlt.common.exceptions import DltException

        from ..dlt import screendesk_source
        from ..dlt._pipeline import load, make_pipeline
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise click.ClickException(
            f"loading needs the dlt extra ({exc.name} is missing): "
            "pip install 'screendesk-async[dlt]'"
        ) from None
    demo = settings.demo
    progress = LoadProgress(enabled=False if settings.quiet else None)
    needs: Needs = "scim" if kind == "scim-users" else "none" if kind == "all" else "rest"
    with _account(settings, needs) as options:
        source = screendesk_source(
            **options, max_concurrency=concurrency, on_progress=progress.update
        )
        wanted = KINDS[kind]
        missing = [name for name in wanted or () if name not in source.resources]
        if missing:
            raise click.ClickException(f"{kind} needs {_NEEDS[missing[0]]}")
        try:
            pipeline = make_pipeline(
                destination=destination,
                dataset=dataset,
                pipeline_name=pipeline_name or (DEMO_PIPELINE if demo else PIPELINE),
            )
            with progress.shown():
                summary = load(pipeline, source, wanted)
        except DltException as exc:  # dlt's wrappers: say what went wrong, in one line
            raise click.ClickException(_reason(exc)) from None
    if not settings.quiet:
        for line in summary.lines():
            click.echo(line)


def _reason(exc: BaseException) -> str:
    """The library's own error inside dlt's wrappers, else the innermost cause (one line)."""
    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and cause not in chain:
        chain.append(cause)
        inner = getattr(cause, "exception", None)  # PipelineStepFailed keeps it here
        cause = inner if isinstance(inner, BaseException) else cause.__cause__ or cause.__context__
    for item in chain:
        if isinstance(item, errors.ScreendeskError):
            return str(item)
    lines = [line.strip() for line in str(chain[-1]).splitlines() if line.strip()]
    return lines[0] if lines else type(chain[-1]).__name__
