"""The other ``screendesk`` commands, run in-process through ``main()`` against the fake."""

from __future__ import annotations

import time
from collections.abc import Iterator

import orjson
import pytest

from screendesk_async.cli import main
from screendesk_async.testing import FakeScreendesk, RequestRecord, ServerThread

pytestmark = pytest.mark.integration


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeScreendesk]:
    with ServerThread(FakeScreendesk(recordings=30, users=10, page_size=10)) as fake:
        monkeypatch.setenv("SCREENDESK_API_TOKEN", fake.admin_token)
        monkeypatch.setenv("SCREENDESK_SCIM_TOKEN", fake.scim_token)
        monkeypatch.setenv("SCREENDESK_BASE_URL", fake.url)
        yield fake


def logged(fake: FakeScreendesk, method: str) -> RequestRecord:
    """The last request of ``method``: the fake's thread logs it just after answering."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = [r for r in fake.requests if r.method == method]
        if found:
            return found[-1]
        time.sleep(0.01)
    raise AssertionError(f"no {method} request reached the fake")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_recordings_get_and_update(
    server: FakeScreendesk, capsys: pytest.CaptureFixture[str]
) -> None:
    uuid = server.recordings_raw()[0]["uuid"]
    code, out, _ = run(capsys, "recordings", "get", uuid)
    assert code == 0
    assert orjson.loads(out)["uuid"] == uuid
    code, out, _ = run(
        capsys, "recordings", "update", uuid, "--title", "Renamed", "--clear-summary"
    )
    assert code == 0
    assert orjson.loads(out)["title"] == "Renamed"
    assert orjson.loads(out)["summary"] is None
    assert logged(server, "PATCH").json() == {"recording": {"title": "Renamed", "summary": None}}
    code, _, err = run(capsys, "recordings", "get", "not-a-uuid")
    assert code == 1
    assert err.startswith("screendesk: error: not a well-formed recording uuid")


def test_users_search(server: FakeScreendesk, capsys: pytest.CaptureFixture[str]) -> None:
    email = server.users_raw()[2]["email"]
    code, out, _ = run(capsys, "users", "search", email)
    assert (code, orjson.loads(out)["email"]) == (0, email)
    code, _, err = run(capsys, "users", "search", "nobody@example.com")
    assert code == 1
    assert "404" in err
    assert err.count("\n") == 1


def test_scim_users_commands(server: FakeScreendesk, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "scim", "users", "create", "--user-name", "cli@example.com",
        "--email", "cli@example.com", "--given-name", "Cli", "--role", "editor",
    )  # fmt: skip
    assert code == 0
    created = orjson.loads(out)
    assert created["roles"] == {"admin": False, "member": False, "editor": True}
    code, out, _ = run(capsys, "scim", "users", "get", created["id"])
    assert orjson.loads(out)["userName"] == "cli@example.com"
    code, out, _ = run(capsys, "scim", "users", "list", "--filter", 'userName eq "cli@example.com"')
    assert [orjson.loads(line)["id"] for line in out.splitlines()] == [created["id"]]
    code, out, _ = run(capsys, "scim", "users", "deactivate", created["id"])
    assert orjson.loads(out)["active"] is False
    code, out, _ = run(capsys, "scim", "users", "delete", created["id"])
    assert (code, out) == (0, f"deleted {created['id']}\n")


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["export"],
        ["recordings"],
        ["recordings", "get"],
        ["recordings", "update"],
        ["users", "search"],
        ["scim", "users"],
        ["scim", "users", "list"],
        ["scim", "users", "create"],
    ],
)
def test_help_everywhere(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *command, "--help")
    assert code == 0
    assert "Usage: screendesk" in out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "export", "tickets", "--output", "x")
    assert code == 2
    assert "Invalid value" in err
    code, _, err = run(capsys, "export", "recordings", "--output", "x", "--pages", "5-2")
    assert code == 2


def test_missing_token_names_the_variable(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "users", "search", "a@example.com")
    assert code == 1
    assert "SCREENDESK_API_TOKEN" in err


def test_demo_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "recordings", "get", "first", "--demo")
    assert code == 0
    assert orjson.loads(out)["uuid"]
