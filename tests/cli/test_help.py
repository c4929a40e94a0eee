"""Help as gh gives it: each command's own options, then the global ones once; shell completion;
the demo server's options with their help and defaults. All through real processes."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from screendesk_async.cli._app import cli
from screendesk_async.testing import FakeScreendesk
from tests.cli.test_export_cli import COMMAND

#: The global options, as the README's table lists them.
GLOBAL = {
    "--token",
    "--token-file",
    "--scim-token",
    "--scim-token-file",
    "--base-url",
    "--scim-base-url",
    "--timeout",
    "--max-retries",
    "--rate-limit",
    "--demo",
    "--verbose",
    "--quiet",
}
SECTION = re.compile(r"^(\w[\w ]*):$")


def run(*args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        list(args),
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    return result.stdout


def sections(text: str) -> dict[str, list[str]]:
    """The help's sections (``Options``, ``Global options``…), each as its lines."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        match = SECTION.match(line)
        if match:
            assert match.group(1) not in found, f"{match.group(1)} twice"
            current = found.setdefault(match.group(1), [])
        elif current is not None:
            current.append(line)
    return found


def option_names(lines: list[str]) -> list[str]:
    """The flags each option row of a section declares (``-o, --output FILE`` → two)."""
    names: list[str] = []
    for line in lines:
        if line.startswith("  -"):
            spec = re.split(r"\s{2,}", line.strip())[0]
            names += re.findall(r"(?<![\w-])(-[\w-]+)", spec)
    return names


def commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name)


PATHS = list(commands(cli))


def test_every_command_is_walked() -> None:
    assert {("export",), ("load",), ("scim", "users", "create"), ()} <= set(PATHS)


@pytest.mark.parametrize("path", PATHS, ids=[" ".join(p) or "screendesk" for p in PATHS])
def test_help_lists_the_global_options_once_after_the_commands_own(path: tuple[str, ...]) -> None:
    text = run(*COMMAND, *path, "--help")
    found = sections(text)
    titles = list(found)
    assert titles[-1] == "Global options", titles
    assert titles.index("Options") < titles.index("Global options")
    shared = option_names(found["Global options"])
    assert sorted(shared) == sorted({*GLOBAL, "-v", "-q"}), shared
    own = option_names(found["Options"])
    assert "--help" in own
    assert not set(own) & GLOBAL, own
    listed = [name for lines in found.values() for name in option_names(lines)]
    for flag in GLOBAL:  # once in the whole page, whatever the command
        assert listed.count(flag) == 1, flag


def test_export_help_shows_its_own_options_first() -> None:
    own = option_names(sections(run(*COMMAND, "export", "--help"))["Options"])
    assert own[:3] == ["-o", "--output", "--format"]
    assert {"--resume", "--force", "--concurrency", "--pages", "--json"} <= set(own)


def test_the_global_options_still_work_after_the_subcommand(tmp_path: Path) -> None:
    # Help moved them, parsing did not: the README's "at any position" holds.
    out = run(*COMMAND, "recordings", "list", "--pages", "1", "--demo", "-q")
    assert len(out.splitlines()) == 25


def test_bash_completion_script_is_produced_and_completes() -> None:
    script = run(*COMMAND, env={"_SCREENDESK_COMPLETE": "bash_source"})
    assert "_SCREENDESK_COMPLETE=bash_complete" in script
    assert "complete -o nosort -F" in script
    zsh = run(*COMMAND, env={"_SCREENDESK_COMPLETE": "zsh_source"})
    assert "#compdef screendesk" in zsh
    fish = run(*COMMAND, env={"_SCREENDESK_COMPLETE": "fish_source"})
    assert "complete --no-files --command screendesk" in fish
    words = {
        "_SCREENDESK_COMPLETE": "bash_complete",
        "COMP_WORDS": "screendesk ex",
        "COMP_CWORD": "1",
    }
    assert run(*COMMAND, env=words).split() == ["plain,export"]
    words = {**words, "COMP_WORDS": "screendesk export recordings --form", "COMP_CWORD": "3"}
    assert run(*COMMAND, env=words).split() == ["plain,--format"]


def test_the_demo_servers_options_have_help_and_defaults() -> None:
    text = run(sys.executable, "-m", "screendesk_async.testing", "--help")
    rows: dict[str, str] = {}
    for block in re.split(r"\n(?=  -)", text.partition("options:\n")[2]):
        spec, _, help_text = block.strip().partition("  ")
        rows[spec.split()[0].rstrip(",")] = " ".join(help_text.split())
    assert all(rows.values()), [flag for flag, help_text in rows.items() if not help_text]
    defaults = inspect.signature(FakeScreendesk).parameters
    for flag in ("--recordings", "--users", "--page-size", "--seed", "--host", "--port"):
        default = defaults[flag.removeprefix("--").replace("-", "_")].default
        assert f"(default: {default})" in rows[flag], rows[flag]
    assert "(default: 1)" in rows["--workers"]
    assert "(default: 0.0)" in rows["--latency"]
    assert "(default: 0.0)" in rows["--fault-rate"]
