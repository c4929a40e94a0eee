"""Running a load: a dlt pipeline over the source, and what it changed (new, changed, unchanged)."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import dlt
import pyarrow as pa
from dlt.common.destination.exceptions import DestinationUndefinedEntity
from dlt.destinations.exceptions import DatabaseUndefinedRelation
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials
from dlt.extract.source import DltSource

from ._hints import with_json_hints
from ._keys import HASH_COLUMN, Tally
from ._reading import joined
from ._source import HASHED, SOURCE_NAME, TABLES, merged, reading_ahead, tallies
from ._summary import LoadSummary, TableSummary

#: DuckDB's ``checkpoint_threshold`` on the connection a load opens (dlt sets 1 GB): a commit
#: whose log would be larger writes its rows straight into the file (a checkpoint) instead of
#: into the write-ahead log first and into the file again at the close; about 0.1 s less per
#: 20,000 recordings.
DUCKDB_CHECKPOINT_THRESHOLD: Final = "1MB"

#: DuckDB's ``memory_limit`` on the connection a load opens (DuckDB's default: 80 % of the
#: machine's RAM). DuckDB keeps what an insert wrote in its buffers up to that limit, so a load's
#: memory grew with the account (543 MB of peak RSS for an insert of 100,000 recordings, 1.5 GB
#: for 500,000); with this limit it stays at about 0.6 GB whatever the size, for about a fifth
#: more time in the insert itself.
DUCKDB_MEMORY_LIMIT: Final = "512MB"

#: The dataset (schema) the tables go to unless told otherwise: dlt's own default name, which
#: also keeps it apart from the DuckDB file's (catalog's) name, ``screendesk``.
DEFAULT_DATASET: Final = f"{SOURCE_NAME}_dataset"


def _count(pipeline: dlt.Pipeline, table: str) -> int | None:
    """Rows in ``table`` at the destination: 0 when it does not exist, None when unknown.

    Asked of the destination itself, so it holds without the pipeline's local state (a new
    machine): no state sync is needed before it, and ``pipeline.run`` does the only one.
    """
    try:
        with pipeline.sql_client() as client:
            rows = client.execute_sql(
                f"SELECT COUNT(*) FROM {client.make_qualified_table_name(table)}"
            )
    except (DatabaseUndefinedRelation, DestinationUndefinedEntity):
        return 0
    except Exception:  # a destination without SQL (files, a vector store): no counts
        return None
    return int(rows[0][0]) if rows else None


def _location(info: Any) -> str | None:
    location = getattr(info, "destination_displayable_credentials", None)
    return str(location) if location else None


def _local_file(pipeline: dlt.Pipeline) -> DuckDbCredentials | None:
    """The credentials of the pipeline's DuckDB destination, when they name a local file.

    As dlt resolves them: given in code, configured (``DESTINATION__DUCKDB__CREDENTIALS``,
    ``.dlt/secrets.toml``) or dlt's default, ``PIPELINE.duckdb`` in the working directory. None
    for any other destination, a connection of the caller's, ``:memory:``, MotherDuck or a
    read-only database: those are dlt's to open.
    """
    if not isinstance(pipeline.destination, dlt.destinations.duckdb):
        return None
    credentials = pipeline.destination_client().config.credentials
    if (
        not isinstance(credentials, DuckDbCredentials)
        or credentials.external_conn() is not None
        or credentials.read_only
    ):
        return None
    database = credentials.database
    if not isinstance(database, str) or database.startswith((":", "md:", "motherduck:")):
        return None
    return credentials


@contextlib.contextmanager
def _one_connection(pipeline: dlt.Pipeline) -> Iterator[None]:
    """While the block runs, the pipeline's DuckDB file is one connection, opened once.

    dlt opens a DuckDB file for every step (the counts, the state sync, the load and its
    bookkeeping), about 30 ms each; a connection handed to dlt in the credentials serves them
    all, with every other setting of the credentials as resolved (extensions, pragmas,
    settings, statements). A large commit is checkpointed at once
    (``DUCKDB_CHECKPOINT_THRESHOLD``), DuckDB's buffers are bounded (``DUCKDB_MEMORY_LIMIT``;
    the caller's own statements come after, and win), the rest is checkpointed when the
    connection closes at the end: the data is in the file then. Afterwards the pipeline has
    its own destination back.
    """
    destination = pipeline.destination
    resolved = _local_file(pipeline)
    if resolved is None:
        yield
        return
    import duckdb

    connection = duckdb.connect(resolved.database)
    try:
        # Before the caller's statements, so that theirs win; after dlt's own settings.
        threshold = f"SET checkpoint_threshold = '{DUCKDB_CHECKPOINT_THRESHOLD}'"
        limit = f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'"
        credentials = DuckDbCredentials(
            connection,
            extensions=resolved.extensions,
            global_config=resolved.global_config,
            pragmas=resolved.pragmas,
            statements=[threshold, limit, *(resolved.statements or ())],
            local_config=resolved.local_config,
            session_timezone=resolved.session_timezone,
        )
        params = {**destination.config_params, "credentials": credentials}
        shared: Any = dlt.destinations.duckdb(**params, **destination.caps_params)
        pipeline.destination = shared
        yield
    finally:
        pipeline.destination = destination
        connection.close()


def make_pipeline(
    *,
    destination: Any = "duckdb",
    dataset: str = DEFAULT_DATASET,
    pipeline_name: str = SOURCE_NAME,
    pipelines_dir: str | Path | None = None,
) -> dlt.Pipeline:
    """A dlt pipeline: ``destination`` by name (configured the dlt way), as an object, or a path.

    A path (:class:`os.PathLike`) names a DuckDB file.
    """
    if isinstance(destination, os.PathLike):
        destination = dlt.destinations.duckdb(os.path.abspath(destination))
    if pipelines_dir is None:  # dlt's own default: under DLT_DATA_DIR (~/.dlt)
        return dlt.pipeline(pipeline_name, destination=destination, dataset_name=dataset)
    return dlt.pipeline(
        pipeline_name,
        pipelines_dir=str(pipelines_dir),
        destination=destination,
        dataset_name=dataset,
    )


def load(
    pipeline: dlt.Pipeline,
    source: DltSource,
    resources: Sequence[str] | None = None,
    *,
    skipped: dict[str, str] | None = None,
) -> LoadSummary:
    """Run ``source`` (or only its ``resources``) through ``pipeline``; say what changed.

    The REST listings start at once (``_source.reading_ahead``), while dlt sets itself up.
    ``skipped`` (resource → why) is told in the summary.

    Raises:
        KeyError: a resource the source does not have (e.g. ``scim_users`` without a SCIM
            token).
        dlt.pipeline.exceptions.PipelineStepFailed: extracting or loading failed; its
            ``__cause__`` chain holds the library's own error.
    """
    made = source  # reading_ahead knows the source screendesk_source made, not its clones
    if resources is not None:
        missing = [name for name in resources if name not in source.resources]
        if missing:
            raise KeyError(", ".join(missing))
        source = source.with_resources(*resources)
    else:
        # A clone's resources are copies: the hints _run applies (an append into an empty
        # table) stay this load's, and a later load of the same source merges.
        source = source.clone()
    tables = list(source.selected_resources)
    started = time.perf_counter()
    with reading_ahead(made, tables), _one_connection(pipeline):
        info, summaries = _run(pipeline, source, tables, tallies(made))
    return LoadSummary(
        pipeline=pipeline.pipeline_name,
        destination=str(pipeline.destination.destination_name) if pipeline.destination else "",
        location=_location(info),
        dataset=pipeline.dataset_name,
        load_ids=tuple(info.loads_ids),
        tables=summaries,
        elapsed=time.perf_counter() - started,
        skipped=dict(skipped or {}),
    )


def _hashes(pipeline: dlt.Pipeline, table: str, key: str) -> dict[Any, Any] | None:
    """Key → content hash of every row of ``table`` at the destination (None: unknown).

    A table loaded before the hashes existed answers its keys with None: each row is then
    changed once, and has its hash from then on.
    """
    try:
        with pipeline.sql_client() as client:
            name = client.make_qualified_table_name(table)
            quoted, hashed = client.escape_column_name(key), client.escape_column_name(HASH_COLUMN)
            try:
                rows = client.execute_sql(f"SELECT {quoted}, {hashed} FROM {name}")
            except DatabaseUndefinedRelation:
                raise
            except Exception:  # no hash column yet
                rows = client.execute_sql(f"SELECT {quoted}, NULL FROM {name}")
    except Exception:  # a destination without SQL (files, a vector store): no hashes
        return None
    return {row[0]: row[1] for row in rows or ()}


def _run(
    pipeline: dlt.Pipeline, source: DltSource, tables: list[str], tally: dict[str, Tally]
) -> tuple[Any, tuple[TableSummary, ...]]:
    """``pipeline.run(source)``: its info, and what it did to each table."""
    before = {table: _count(pipeline, table) for table in tables}
    for table in tables:
        counted = tally.get(table)
        if counted is None:
            continue
        counted.appending = before[table] == 0
        counted.previous = None
        if counted.appending:
            # Into an empty table a merge is an append (each key comes once per run, see
            # _keys.Keys), without the staging table and the merge's SQL: about half
            # the load step's time on a first load. Later runs merge.
            source.resources[table].apply_hints(write_disposition="append")
        elif table in HASHED and before[table]:
            counted.previous = _hashes(pipeline, table, TABLES[table][1])
    info = pipeline.run(source)
    row_counts = _row_counts(pipeline)
    late = _merge_late(pipeline, source, tables, tally)
    for table, rows in late.items():
        row_counts[table] = row_counts.get(table, 0) + rows
    changed_rows = bool(info.loads_ids) or bool(late)
    summaries = tuple(
        _summary(pipeline, table, before[table], row_counts.get(table, 0), tally, changed_rows)
        for table in tables
    )
    return info, summaries


def _summary(
    pipeline: dlt.Pipeline,
    table: str,
    was: int | None,
    loaded: int,
    tally: dict[str, Tally],
    wrote: bool,
) -> TableSummary:
    """What the load did to ``table``, which held ``was`` rows before it."""
    counted = tally.get(table, Tally())
    new: int | None
    changed: int | None
    if counted.previous is not None:  # told apart by the content hashes
        new, changed = counted.new, counted.changed
    else:  # by the row counts: every row written that is not new changed
        if not wrote:
            now = was
        elif was == 0:
            now = loaded  # into an empty table every row loaded is new: each key comes once
        else:
            now = _count(pipeline, table)
        new = None if now is None or was is None else now - was
        changed = None if new is None else loaded - new
    unchanged = None if new is None or changed is None else max(counted.read - new - changed, 0)
    return TableSummary(
        table=table,
        read=counted.read,
        loaded=loaded,
        new=new,
        changed=changed,
        unchanged=unchanged,
    )


def _hinted(tables: list[pa.Table]) -> list[Any]:
    hinted: set[str] = set()
    return [with_json_hints(table, hinted) for table in tables]


def _row_counts(pipeline: dlt.Pipeline) -> dict[str, int]:
    trace = pipeline.last_trace
    normalized = trace.last_normalize_info if trace is not None else None
    return dict(normalized.row_counts) if normalized is not None else {}


def _merge_late(
    pipeline: dlt.Pipeline, source: DltSource, tables: list[str], tally: dict[str, Tally]
) -> dict[str, int]:
    """Merge the late rows of the tables an append loaded: newer copies of rows it wrote.

    Rare (a record edited while its listing was read), and small: one more ``merge`` of just
    those rows, whose ``dedup_sort`` keeps each key's newest copy.
    """
    late = {
        table: joined(tally[table].late)
        for table in tables
        if table in tally and tally[table].appending and tally[table].late
    }
    if not late:
        return {}
    pipeline.run([merged(_hinted(rows), table) for table, rows in late.items()])
    for table in late:
        tally[table].late = []
    return _row_counts(pipeline)
