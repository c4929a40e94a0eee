"""One run of a pipeline at a time: its lock in the pipelines directory, never through a link."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from screendesk_async import errors
from screendesk_async.dlt._exclusive import PipelineBusy, exclusive_pipeline, lock_path

HOLD = """
import sys, time
from pathlib import Path
from screendesk_async.dlt._exclusive import exclusive_pipeline
with exclusive_pipeline("p", destination="duckdb", dataset="d", pipelines_dir=sys.argv[1]):
    print("holding", flush=True)
    sys.stdin.readline()
"""


def test_a_second_run_of_a_pipeline_fails_at_once(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "holding\n"
        with (
            pytest.raises(PipelineBusy, match="another load of this pipeline is running"),
            exclusive_pipeline("p", destination="duckdb", dataset="d", pipelines_dir=tmp_path),
        ):
            pass
    finally:
        holder.communicate("\n", timeout=60)
    assert holder.returncode == 0
    # Released and removed: the next run takes it.
    assert not lock_path("p", tmp_path).exists()
    with exclusive_pipeline("p", destination="duckdb", dataset="d", pipelines_dir=tmp_path):
        assert lock_path("p", tmp_path).exists()


def test_a_lock_planted_as_a_link_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("mine")
    lock_path("p", tmp_path).symlink_to(victim)
    with (
        pytest.raises(errors.ScreendeskError, match="symbolic link"),
        exclusive_pipeline("p", destination="duckdb", dataset="d", pipelines_dir=tmp_path),
    ):
        pass
    assert victim.read_text() == "mine"
