"""The benchmarks' processes: a failing one is reported loudly, without the token it was given."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks import _processes

TOKEN = "sd-test-token-never-shown-4711"


def test_a_failed_command_is_reported_without_its_token(tmp_path: Path) -> None:
    # A real `screendesk` process given a token and a command it does not know: it exits 2.
    command = [*_processes.SCREENDESK, "--token", TOKEN, "--base-url", "http://127.0.0.1:9"]
    with pytest.raises(RuntimeError, match="exited with 2") as raised:
        _processes.timed([*command, "no-such-command"], tmp_path)
    assert TOKEN not in str(raised.value)
    assert "no-such-command" in str(raised.value)  # what failed is still said


def test_a_token_passed_otherwise_is_hidden_too() -> None:
    # A real process that echoes its positional token to stderr, as a script given one might.
    echo = "import sys; sys.stderr.write('bad token ' + sys.argv[1]); sys.exit(3)"
    with pytest.raises(RuntimeError, match="exited with 3") as raised:
        _processes.run([sys.executable, "-c", echo, TOKEN], secrets=[TOKEN])
    assert TOKEN not in str(raised.value)
    assert "bad token ***" in str(raised.value)
