"""CSV cells follow the models' declaration: SCIM roles in both documented shapes, ``_extra``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web

from screendesk_async import models
from screendesk_async.export import EXTRA_COLUMN
from screendesk_async.export._writers import CsvWriter
from screendesk_async.testing import FakeScreendesk, ServerThread
from tests.cli.test_cli_options import bare
from tests.cli.test_export_cli import finish, screendesk
from tests.integration.hostile import serve_in_thread

pytestmark = pytest.mark.integration

ROLES = ("admin", "member", "editor")
SCIM_TOKEN = "scim-token-for-the-csv-tests"


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def role_cells(row: dict[str, str]) -> dict[str, str]:
    return {name: row[f"roles.{name}"] for name in ROLES}


def as_cells(roles: dict[str, bool]) -> dict[str, str]:
    return {name: "true" if roles.get(name) else "false" for name in ROLES}


@pytest.fixture
def demo() -> Iterator[FakeScreendesk]:
    with ServerThread(FakeScreendesk(users=120, page_size=25)) as fake:
        yield fake


def test_scim_csv_export_fills_the_role_columns(demo: FakeScreendesk, tmp_path: Path) -> None:
    # The fake lists users as Screendesk does: roles as a list of names.
    output = tmp_path / "s.csv"
    code, _, err = finish(screendesk(demo, "export", "scim-users", "-o", str(output), "-q"))
    assert (code, err) == (0, "")
    got = rows(output.read_bytes())
    stored = {user["id"]: user for user in demo.scim_users_raw()}
    assert len(got) == len(stored) == 120
    for row in got:
        assert role_cells(row) == as_cells(stored[row["id"]]["roles"]), row["id"]
        assert row[EXTRA_COLUMN] == "", row[EXTRA_COLUMN]
    assert {row["roles.admin"] for row in got} == {"true", "false"}


def scim_user(n: int) -> dict[str, Any]:
    roles = {"admin": n % 3 == 0, "member": True, "editor": n % 5 == 0}
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": f"user-{n:04d}",
        "userName": f"user{n}@example.com",
        "active": True,
        # Both documented shapes in one listing: the object of single-user responses, and
        # the list of names of list responses.
        "roles": roles if n % 2 else [name for name in ROLES if roles[name]],
    }


def scim_listing(total: int, *, fail_at: int | None = None) -> Any:
    failed: set[int] = set()

    async def handler(request: web.Request) -> web.StreamResponse:
        start = int(request.query.get("startIndex", "1"))
        count = int(request.query.get("count", "100"))
        if start == fail_at and start not in failed:
            failed.add(start)
            return web.json_response({"detail": "boom", "status": "500"}, status=500)
        users = [scim_user(n) for n in range(start, min(start + count, total + 1))]
        return web.json_response(
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": total,
                "startIndex": start,
                "itemsPerPage": len(users),
                "Resources": users,
            }
        )

    return handler


def export_scim(url: str, output: Path, *more: str) -> tuple[int, str, str]:
    return bare(
        *("export", "scim-users", "-o", str(output), "-q", "--max-retries", "0"),
        *("--scim-token", SCIM_TOKEN, "--scim-base-url", url, *more),
    )


def expected_cells(n: int) -> dict[str, str]:
    return as_cells({"admin": n % 3 == 0, "member": True, "editor": n % 5 == 0})


def test_both_role_shapes_fill_the_columns_also_after_a_resume(tmp_path: Path) -> None:
    output = tmp_path / "s.csv"
    with serve_in_thread(scim_listing(150, fail_at=101)) as server:
        code, _, err = export_scim(server.url, output)
        assert code == 1, err  # the second page failed: page 1 is kept for --resume
        assert not output.exists()
        # The resumed run's writer has only the checkpoint's columns to go by.
        code, _, err = export_scim(server.url, output, "--resume")
        assert (code, err) == (0, "")
    got = rows(output.read_bytes())
    assert [row["id"] for row in got] == [f"user-{n:04d}" for n in range(1, 151)]
    for n, row in enumerate(got, start=1):
        assert role_cells(row) == expected_cells(n), row["id"]
        assert row[EXTRA_COLUMN] == ""


def test_extra_holds_the_servers_values_encoded_once() -> None:
    columns = CsvWriter.columns_for(models.ScimUser, [scim_user(1)])
    writer = CsvWriter(models.ScimUser, columns)
    later = {**scim_user(2), "tags": ["a", "b"], "name": {"givenName": "Ada", "nickName": "A"}}
    (row,) = rows(writer.header() + b"".join(writer.encode([later])))
    assert orjson.loads(row[EXTRA_COLUMN]) == {"tags": ["a", "b"], "name.nickName": "A"}
    assert row["name.givenName"] == "Ada"
    assert role_cells(row) == expected_cells(2)


def test_a_nested_object_the_converter_cannot_read_is_kept_in_extra() -> None:
    writer = CsvWriter(models.ScimUser, CsvWriter.columns_for(models.ScimUser, []))
    (row,) = rows(writer.header() + b"".join(writer.encode([{"id": "x", "roles": 7}])))
    assert role_cells(row) == {"admin": "", "member": "", "editor": ""}
    assert orjson.loads(row[EXTRA_COLUMN]) == {"roles": 7}
