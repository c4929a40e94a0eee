"""Commands run as processes for the load benchmarks: ``screendesk export|load`` and rivals.

Each run is a fresh process, as a user or a cron job starts it, imports included. dlt keeps
its data (the pipelines' working directories) under ``DLT_DATA_DIR``, here a scratch
directory of the run's, and sends no telemetry, for every variant alike.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

#: ``screendesk`` as a process (``python -m screendesk_async``: no console script needed).
SCREENDESK = [sys.executable, "-m", "screendesk_async"]
#: The rival as a process (``benchmarks/rest_api_rival.py``).
REST_API = [sys.executable, "-m", "benchmarks.rest_api_rival"]
ROOT = Path(__file__).resolve().parent.parent


def environment(data: Path) -> dict[str, str]:
    """The variables of a benchmark's process: dlt's data under ``data``, no telemetry."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCREENDESK_", "DESTINATION"))}
    return {**env, "DLT_DATA_DIR": str(data), "RUNTIME__DLTHUB_TELEMETRY": "false"}


def run(command: list[str], env: dict[str, str] | None = None, secrets: Sequence[str] = ()) -> str:
    """Run ``command`` in the project's root to its end: its stdout (fails loudly).

    The error names the command and quotes its stderr, but never a token it was given: the
    value of its ``--token`` or any of ``secrets`` (a token passed otherwise).
    """
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        given = [command[i + 1] for i, word in enumerate(command[:-1]) if word == "--token"]
        secrets = [*given, *secrets]
        shown, stderr = " ".join(command[2:]), done.stderr
        for secret in filter(None, secrets):  # before the cut: no half token left at its start
            shown, stderr = shown.replace(secret, "***"), stderr.replace(secret, "***")
        raise RuntimeError(f"{shown} exited with {done.returncode}: {stderr[-2000:]}")
    return done.stdout


def timed(command: list[str], data: Path) -> tuple[float, str]:
    """Run ``command`` with dlt's data under ``data``: its wall time in seconds and its stdout."""
    started = time.perf_counter()
    out = run(command, environment(data))
    return time.perf_counter() - started, out


def screendesk(url: str, token: str, *arguments: str) -> list[str]:
    """``screendesk`` against the fake at ``url`` with ``token``, then ``arguments``."""
    return [*SCREENDESK, "--token", token, "--base-url", url, *arguments]


def export_command(url: str, token: str, output: Path, concurrency: int) -> list[str]:
    """``screendesk export recordings`` to a JSONL file."""
    options = ["--output", str(output), "--concurrency", str(concurrency), "--force"]
    return screendesk(url, token, "-q", "export", "recordings", *options)


def load_command(url: str, token: str, duckdb: Path, concurrency: int) -> list[str]:
    """``screendesk load recordings`` into a DuckDB file."""
    options = ["--duckdb", str(duckdb), "--concurrency", str(concurrency), "--json"]
    return screendesk(url, token, "load", "recordings", *options)


def loaded(summary: str, records: int) -> None:
    """Check that the ``--json`` summary of a load says it added ``records`` recordings."""
    added = json.loads(summary)["tables"]["recordings"]["new"]
    if added != records:
        raise AssertionError(f"the load added {added} recordings, not {records}")


def rest_api_command(url: str, token: str, duckdb: Path, pipelines: Path) -> list[str]:
    """The ``rest_api`` rival into a DuckDB file."""
    options = ["--duckdb", str(duckdb), "--pipelines", str(pipelines)]
    return [*REST_API, "--url", url, "--token", token, *options]
