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
