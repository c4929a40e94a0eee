"""A pipeline for one run of ``screendesk load``: locked, with the destination's own state.

dlt keeps a pipeline's state (the incremental cursor) and, for a DuckDB file named by default,
the directory of its first run in its data directory (``~/.dlt/pipelines/NAME``). A run from
another directory then loaded into another project's file, and one whose file was deleted
failed. Here every run names its destination explicitly, and starts from no local state: dlt
restores the state from the destination's ``_dlt_pipeline_state`` table, so a new file is a
first load, and a file loaded before keeps its own cursor, wherever the run starts.

Dropping the local state is what two runs of one pipeline must not do to each other, so a run
holds an exclusive lock on ``.NAME.lock`` in the pipelines directory (the export's
``FileLock``: a second run fails at once, saying so).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dlt
from dlt.common.pipeline import get_dlt_pipelines_dir

from ..errors import ScreendeskError
from ..export._files import FileLock
from ._pipeline import make_pipeline


class PipelineBusy(ScreendeskError):
    """Another run of the same pipeline holds its lock."""


def lock_path(name: str, pipelines_dir: str | Path | None = None) -> Path:
    """Where the lock of pipeline ``name`` is (in dlt's pipelines directory by default)."""
    return Path(pipelines_dir or get_dlt_pipelines_dir()) / f".{name}.lock"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(
        path, PipelineBusy(f"another load of this pipeline is running (it holds {path})")
    )
    try:
        lock.acquire()
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def exclusive_pipeline(
    name: str,
    *,
    destination: Any,
    dataset: str,
    pipelines_dir: str | Path | None = None,
) -> Iterator[dlt.Pipeline]:
    """Pipeline ``name`` for one run: locked, its local state dropped (see the module)."""
    with _locked(lock_path(name, pipelines_dir)):
        pipeline = make_pipeline(
            destination=destination,
            dataset=dataset,
            pipeline_name=name,
            pipelines_dir=pipelines_dir,
        )
        yield pipeline.drop()
