"""The console script's options: at any position, tokens from files or stdin, conflicts, help,
list commands, honest summaries and a quiet broken pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import orjson
import pytest

from screendesk_async.cli._app import cli
from screendesk_async.testing import FakeScreendesk
from tests.cli.test_export_cli import COMMAND, finish, lines, screendesk, server

pytestmark = pytest.mark.integration
__all__ = ["server"]


def bare(*args: str, stdin: str | None = None, cwd: Path | None = None) -> tuple[int, str, str]:
    """The console script with no SCREENDESK_* variable: only its options say where to go."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENDESK_")}
    result = subprocess.run(
        [*COMMAND, *args],
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
    )
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize(
    "arrange",
    [
        lambda url, token: ["--token", token, "--base-url", url, "users", "list"],
        lambda url, token: ["users", "--token", token, "list", "--base-url", url],
        lambda url, token: ["users", "list", "--base-url", url, "--token", token],
    ],
    ids=["before", "between", "after"],
)
def test_global_options_at_any_position(server: FakeScreendesk, arrange: Any) -> None:
    code, out, err = bare(*arrange(server.url, server.admin_token))
    assert (code, err) == (0, "")
    assert [orjson.loads(line) for line in out.splitlines()] == server.users_raw()


def test_token_file_after_the_subcommand(server: FakeScreendesk, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(server.admin_token + "\n")
    output = tmp_path / "users.jsonl"
    code, out, err = bare(
        "export",
        "users",
        "-o",
        str(output),
        "--token-file",
        str(token_file),
        "--base-url",
        server.url,
    )
    assert (code, err) == (0, "")
    assert lines(output) == server.users_raw()
    assert server.admin_token not in out


def test_token_file_dash_reads_stdin(server: FakeScreendesk) -> None:
    code, out, err = bare(
        "recordings",
        "list",
        "--pages",
        "2",
        "--token-file",
        "-",
        "--base-url",
        server.url,
        stdin=server.admin_token + "\n",
    )
    assert (code, err) == (0, "")
    expected = server.recordings_raw(first_page=2, last_page=2)
    assert [orjson.loads(line) for line in out.splitlines()] == expected


def test_scim_token_file_and_scim_users_replace(server: FakeScreendesk, tmp_path: Path) -> None:
    scim_file = tmp_path / "scim"
    scim_file.write_text(server.scim_token)
    target = server.scim_users_raw()[1]
    code, out, err = bare(
        "scim",
        "users",
        "replace",
        target["id"],
        "--user-name",
        "grace@example.com",
        "--email",
        "grace@example.com",
        "--role",
        "admin",
        "--scim-token-file",
        str(scim_file),
        "--base-url",
        server.url,
    )
    assert (code, err) == (0, ""), err
    replaced = orjson.loads(out)
    assert (replaced["id"], replaced["userName"]) == (target["id"], "grace@example.com")
    stored = next(u for u in server.scim_users_raw() if u["id"] == target["id"])
    assert stored["userName"] == "grace@example.com"


def test_missing_token_names_the_flags() -> None:
    code, _out, err = bare("users", "list")
    assert code == 1
    assert err.count("\n") == 1
    assert "--token TOKEN, --token-file PATH" in err
    assert "SCREENDESK_API_TOKEN" in err
    assert "token=" not in err


def test_empty_token_file_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n")
    code, _out, err = bare("users", "list", "--token-file", str(empty))
    assert code == 1
    assert f"--token-file: {empty} is empty" in err


def test_library_names_become_flags(server: FakeScreendesk) -> None:
    code, _out, err = bare("users", "list", "--token", "t", "--base-url", "http://example.com")
    assert code == 1
    assert "--base-url must use https://" in err
    assert "base_url" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "users", "-o", "x.jsonl", "--resume", "--force"], "--resume and --force"),
        (["users", "list", "--token", "a", "--token-file", "b"], "--token and --token-file"),
        (["-v", "users", "list", "-q"], "--verbose and --quiet"),
        (["export", "users", "-o", "-", "--json"], "--json prints to stdout"),
        (["users", "list", "--demo", "--base-url", "https://x.io"], "--demo and --base-url"),
        (
            [
                "recordings",
                "update",
                "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                "--summary",
                "x",
                "--clear-summary",
            ],
            "--summary and --clear-summary cannot be used together",
        ),
        (
            ["recordings", "update", "7c9e6679-7425-40de-944b-e07fc1f90ae7"],
            "nothing to change: give --title",
        ),
    ],
)
def test_conflicting_options_are_errors(args: list[str], message: str) -> None:
    code, _out, err = bare(*args)
    assert code == 2
    assert message in err


def test_pages_past_the_end_are_clipped_with_a_note(server: FakeScreendesk, tmp_path: Path) -> None:
    output = tmp_path / "some.jsonl"
    code, out, err = finish(
        screendesk(server, "export", "recordings", "-o", str(output), "--pages", "15-99")
    )
    # Before: every record of pages 15-16 written, and exit 1.
    assert code == 0
    assert err == (
        "screendesk: warning: pages 17-99 are beyond the last page (16): exported pages 15-16\n"
    )
    assert "exported 50 recordings (2 pages)" in out
    assert lines(output) == server.recordings_raw()[14 * 25 :]
    code, out, err = finish(screendesk(server, "users", "list", "--pages", "1-9"))
    assert code == 0
    assert len(out.splitlines()) == len(server.users_raw())  # the pages that exist
    assert "pages 3-9 are beyond the last page (2)" in err


@pytest.mark.parametrize("name", ["late.jsonl", "late.csv.gz"])
def test_pages_wholly_past_the_end_leave_nothing_behind(
    server: FakeScreendesk, tmp_path: Path, name: str
) -> None:
    output = tmp_path / name
    code, out, err = finish(
        screendesk(server, "export", "recordings", "-o", str(output), "--pages", "900-")
    )
    # Before: exit 1, and a 0-byte (or header-only) FILE.
    assert code == 0
    assert "warning: pages 900- are beyond the last page (16): nothing to export" in err
    assert f"nothing exported: {output} was not created" in out
    assert list(tmp_path.iterdir()) == []


def test_json_summary_is_one_object_on_stdout(server: FakeScreendesk, tmp_path: Path) -> None:
    output = tmp_path / "r.jsonl"
    code, out, err = finish(screendesk(server, "export", "recordings", "-o", str(output), "--json"))
    assert (code, err) == (0, "")
    summary = orjson.loads(out)
    assert summary["records"] == summary["total_records"] == 400
    assert summary["pages"] == 16
    assert summary["resumed"] is False
    assert summary["output"] == str(output)
    assert summary["warnings"] == []


def test_quiet_prints_nothing_and_verbose_logs_requests(
    server: FakeScreendesk, tmp_path: Path
) -> None:
    output = tmp_path / "users.jsonl"
    code, out, err = finish(screendesk(server, "-q", "export", "users", "-o", str(output)))
    assert (code, out, err) == (0, "", "")
    code, out, err = finish(screendesk(server, "users", "search", "ada@nowhere.example", "-v"))
    assert code == 1
    assert (
        "DEBUG screendesk_async: GET /api/v2/users/search?email=ada%40nowhere.example -> 404" in err
    )
    assert server.admin_token not in err


def test_broken_pipe_exits_quietly(tmp_path: Path) -> None:
    from screendesk_async.testing import ServerThread

    with ServerThread(FakeScreendesk(recordings=3000, page_size=25)) as fake:
        fake.faults.latency = 0.01
        process = screendesk(fake, "recordings", "list", "--concurrency", "2")
        assert process.stdout is not None
        assert orjson.loads(process.stdout.readline())["uuid"]
        process.stdout.close()  # as `| head -1` does
        _, err = process.communicate(timeout=60)
    assert process.returncode == 141  # what a shell shows for a process stopped by SIGPIPE
    assert err == ""


def test_demo_server_prints_url_and_tokens_that_work() -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "screendesk_async.testing", "--recordings", "30"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        env: dict[str, str] = {}
        while "SCREENDESK_SCIM_TOKEN" not in env:
            line = server.stdout.readline()
            assert line, "the demo server stopped"
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").strip().partition("=")
                env[name] = value
        clean = {k: v for k, v in os.environ.items() if not k.startswith("SCREENDESK_")}
        result = subprocess.run(
            [*COMMAND, "scim", "users", "list"],
            env={**clean, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert (result.returncode, result.stderr) == (0, "")
        assert len(result.stdout.splitlines()) > 0
    finally:
        server.terminate()
        server.wait(10)
        if server.stdout is not None:
            server.stdout.close()


def walk(command: click.Command, path: str = "screendesk") -> list[tuple[str, click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            found += walk(sub, f"{path} {name}")
    return found


def test_every_option_has_help_and_every_command_an_example() -> None:
    for path, command in walk(cli):
        assert "Example" in (command.help or ""), f"{path} has no example"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{path} {param.opts[0]} has no help text"


def test_help_shows_the_client_defaults() -> None:
    from screendesk_async import _constants as C

    code, out, _ = bare("export", "--help")
    assert code == 0
    assert f"[default: {C.DEFAULT_MAX_CONCURRENCY};" in out
    assert "--token-file PATH" in out
    retries = next(p for p in cli.params if p.name == "max_retries")
    assert f"[default: {C.DEFAULT_MAX_RETRIES}]" in str(retries.help)
