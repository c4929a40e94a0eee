"""The export's progress bar, in-process."""

from __future__ import annotations

from screendesk_async.cli._progress import ExportProgress
from screendesk_async.export import Checkpoint


def test_the_rate_counts_this_run_only() -> None:
    state = Checkpoint(kind="recordings", fmt="jsonl", first_page=1, last_page=None, next_page=9)
    state.records = 1000  # a resumed export starts here
    with ExportProgress("recordings", enabled=False) as progress:
        progress.update(state, None)  # the call before the first page
        state.records, state.pages = 1100, 11
        progress.update(state, 2000)
        task = progress._progress.tasks[0]
        assert (task.completed, task.total, task.fields["pages"]) == (1100, 2000, 11)
        assert progress._baseline == 1000  # the rate is (records - 1000) / elapsed
