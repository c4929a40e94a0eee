"""The export's progress bar (rich, on a terminal only) and its final summary."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ..export import Checkpoint


class ExportProgress:
    """A progress bar of records (ETA from the listing's count); silent when not on a TTY."""

    def __init__(self, kind: str, *, enabled: bool | None = None) -> None:
        self.console = Console(stderr=True)
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[pages]} pages"),
            TextColumn("{task.fields[rate]:>8.0f} rec/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            disable=not self.enabled,
            transient=True,
        )
        self._task: TaskID = self._progress.add_task(kind, total=None, pages=0, rate=0.0)
        #: The records a resumed export started from: the rate counts this run's only.
        self._baseline: int | None = None

    def __enter__(self) -> Self:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def update(self, state: Checkpoint, expected: int | None) -> None:
        """Move the bar to ``state`` (called once at the start, then after every page)."""
        if self._baseline is None:
            self._baseline = state.records
        task = self._progress.tasks[0]
        elapsed = task.elapsed or 0.0
        self._progress.update(
            self._task,
            completed=state.records,
            total=expected,
            pages=state.pages,
            rate=(state.records - self._baseline) / elapsed if elapsed else 0.0,
        )
