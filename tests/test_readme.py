"""Every ``python`` code block of the README runs, against the fake server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from screendesk_async.testing import FakeScreendesk, ServerThread

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_block_runs(
    code: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    # Files a block writes (the dlt example's DuckDB file and pipeline state) stay in tmp_path.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt-data"))
    with ServerThread(FakeScreendesk(recordings=60, users=12, page_size=25)) as fake:
        monkeypatch.setenv("SCREENDESK_API_TOKEN", fake.admin_token)
        monkeypatch.setenv("SCREENDESK_SCIM_TOKEN", fake.scim_token)
        monkeypatch.setenv("SCREENDESK_BASE_URL", fake.url)
        exec(compile(code, str(README), "exec"), {"__name__": "readme"})
    assert "Traceback" not in capsys.readouterr().err


ROOT = README.parent
FIRST = re.search(r"```console\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def _command(comment: str) -> str:
    assert FIRST is not None
    lines = FIRST.group(1).splitlines()
    return lines[lines.index(comment) + 1]


def test_the_test_command_installs_nothing_globally_and_ci_runs_it() -> None:
    # Debian's own Python refuses `pip install` outside a virtual environment (PEP 668).
    command = _command(
        "# the tests (lint, mypy --strict, unit and loopback integration tests, SCIM conformance, "
        "Prism)"
    )
    venv = re.fullmatch(r"python3 -m venv (\S+) && \1/bin/pip install nox && \1/bin/nox", command)
    assert venv is not None, command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command in ci  # exactly the README's command
    assert not [line for line in ci if "pip install" in line and line != command]
    # The virtual environment is ignored, so no tool of the suite lints or packs it.
    assert f"{venv.group(1)}/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_the_main_job_command_uses_a_virtual_environment_too() -> None:
    command = _command(
        "# the main job: export every recording, here from the built-in demo server (no account "
        "needed)"
    )
    assert command.startswith('python3 -m venv .venv && .venv/bin/pip install ".[cli]" && ')
    assert ".venv/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
