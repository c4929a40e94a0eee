"""The SCIM client's whole lifecycle against two peers: scim2-server (an independent SCIM 2.0
service provider) and the fake Screendesk with its roles dialect."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from screendesk_async import AsyncScreendesk, errors, models
from screendesk_async._retry import RetryPolicy
from screendesk_async.testing import FakeScreendesk

from ..loopback import free_port, wait_until_listening
from ..scim_users import new_user

pytestmark = pytest.mark.integration

SCIM2_TOKEN = "scim2-server-test-token"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.fixture(scope="module")
def scim2_server() -> Iterator[str]:
    """scim2-server (a test dependency) on loopback; its base URL."""
    executable = shutil.which("scim2-server") or str(Path(sys.executable).parent / "scim2-server")
    port = free_port()
    process = subprocess.Popen(
        [executable, "--hostname", "127.0.0.1", "--port", str(port), "--bearer-token", SCIM2_TOKEN],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_listening(process, port, seconds=20, what="scim2-server")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@attrs.frozen
class Peer:
    name: str
    scim_base_url: str
    token: str
    screendesk: bool  # speaks Screendesk's roles dialect and externalId look-ups


@pytest.fixture(params=["scim2-server", "fake"])
async def peer(request: pytest.FixtureRequest, scim2_server: str) -> AsyncIterator[Peer]:
    if request.param == "scim2-server":
        yield Peer("scim2-server", scim2_server, SCIM2_TOKEN, screendesk=False)
        return
    async with FakeScreendesk(users=5, page_size=25) as fake:
        yield Peer("fake", fake.scim_url, fake.scim_token, screendesk=True)


async def test_lifecycle(peer: Peer, client: Callable[..., Any]) -> None:
    run = f"{time.monotonic_ns()}"
    async with client(
        scim_token=peer.token, scim_base_url=peer.scim_base_url, base_url="https://rest.invalid"
    ) as sd:
        created = await asyncio.gather(
            *(sd.scim.users.create(new_user(i, run, with_roles=peer.screendesk)) for i in range(25))
        )
        assert all(u.id for u in created)
        assert len({u.id for u in created}) == 25

        ours = [
            u async for u in sd.scim.users.list(page_size=10) if u.user_name and run in u.user_name
        ]
        assert sorted(u.user_name or "" for u in ours) == sorted(u.user_name or "" for u in created)

        target = created[7]
        assert target.user_name is not None
        found = await sd.scim.users.find_by_user_name(target.user_name.upper())
        assert found is not None
        assert found.id == target.id
        assert await sd.scim.users.find_by_user_name(f"nobody.{run}@example.com") is None
        filtered = [u async for u in sd.scim.users.list(filter=f'userName eq "{target.user_name}"')]
        assert [u.id for u in filtered] == [target.id]

        assert target.id is not None
        got = await sd.scim.users.get(target.id)
        assert got.user_name == target.user_name
        assert got.name == models.ScimName(given_name="User7", family_name="Lifecycle")
        if peer.screendesk:
            assert (await sd.scim.users.get(target.external_id or "")).id == target.id

        renamed = attrs.evolve(got, name=models.ScimName(given_name="Ada", family_name="Lovelace"))
        replaced = await sd.scim.users.replace(target.id, renamed)
        assert replaced.name is not None
        assert replaced.name.given_name == "Ada"

        deactivated = await sd.scim.users.deactivate(target.id)
        assert deactivated.active is False
        assert deactivated.user_name == target.user_name
        assert deactivated.external_id == target.external_id
        assert deactivated.emails == target.emails
        assert deactivated.name == replaced.name
        assert deactivated.roles == replaced.roles

        await sd.scim.users.delete(target.id)
        with pytest.raises(errors.NotFoundError) as missing:
            await sd.scim.users.get(target.id)
        assert missing.value.message
        for user in created:
            if user.id != target.id:
                await sd.scim.users.delete(user.id or "")

    async with client(scim_token="wrong", scim_base_url=peer.scim_base_url) as sd:
        with pytest.raises(errors.AuthenticationError):
            await sd.scim.users.get(target.id)


async def test_pages_of_ten_are_fetched_concurrently_in_order(scim2_server: str) -> None:
    async with AsyncScreendesk(scim_token=SCIM2_TOKEN, scim_base_url=scim2_server) as sd:
        run = f"{time.monotonic_ns()}"
        peer = Peer("scim2-server", scim2_server, SCIM2_TOKEN, screendesk=False)
        created = [
            await sd.scim.users.create(new_user(i, run, with_roles=peer.screendesk))
            for i in range(25)
        ]
        query = f'userName co "{run}"'
        one_page = [u.id async for u in sd.scim.users.list(page_size=100, filter=query)]
        assert sorted(map(str, one_page)) == sorted(str(u.id) for u in created)
        paged = [u.id async for u in sd.scim.users.list(page_size=10, filter=query, concurrency=3)]
        assert paged == one_page  # three requests of ten, in flight together, yielded in order
        for user in created:
            await sd.scim.users.delete(user.id or "")


async def test_screendesk_roles_dialect() -> None:
    async with (
        FakeScreendesk(users=5) as fake,
        AsyncScreendesk(fake.admin_token, scim_token=fake.scim_token, base_url=fake.url) as sd,
    ):
        default = await sd.scim.users.create(models.ScimUser(user_name="d@example.com"))
        assert default.roles == models.ScimRoles(member=True)
        body = fake.requests[-1].json()
        assert "roles" not in body  # roles=None leaves the defaults to the server
        assert fake.requests[-1].headers["Content-Type"] == "application/scim+json"
        admin = await sd.scim.users.create(
            models.ScimUser(user_name="a@example.com", roles=models.ScimRoles(admin=True))
        )
        assert fake.requests[-1].json()["roles"] == {
            "admin": True,
            "member": False,
            "editor": False,
        }
        assert admin.roles == models.ScimRoles(admin=True)  # member left out: set to false
        listed = {u.user_name: u.roles async for u in sd.scim.users.list()}  # roles as lists
        assert listed["a@example.com"] == models.ScimRoles(admin=True)
        assert listed["d@example.com"] == models.ScimRoles(member=True)

        with pytest.raises(errors.ConflictError) as conflict:
            await sd.scim.users.create(models.ScimUser(user_name="d@example.com"))
        assert conflict.value.scim_type == "uniqueness"
        assert conflict.value.status == 409

        owner = next(u for u in fake.scim_users_raw() if u["userName"] == fake.admin_email)
        with pytest.raises(errors.PermissionDeniedError):
            await sd.scim.users.delete(owner["id"])

        await sd.recordings.page(1)
        scim = [r for r in fake.requests if r.path.startswith("/api/v2/scim")]
        rest = [r for r in fake.requests if not r.path.startswith("/api/v2/scim")]
        assert {r.auth_kind for r in scim} == {"scim"}  # the REST token never goes to SCIM
        assert {r.auth_kind for r in rest} == {"admin"}  # and the SCIM token never to REST


async def test_extension_attributes_survive_deactivate() -> None:
    async with (
        FakeScreendesk(users=3) as fake,
        AsyncScreendesk(scim_token=fake.scim_token, base_url=fake.url) as sd,
    ):
        user = models.ScimUser(
            user_name="ext@example.com",
            schemas=["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            extra={ENTERPRISE: {"employeeNumber": "42"}},
        )
        created = await sd.scim.users.create(user)
        assert created.extra[ENTERPRISE] == {"employeeNumber": "42"}
        deactivated = await sd.scim.users.deactivate(created.id or "")
        assert deactivated.active is False
        assert deactivated.extra[ENTERPRISE] == {"employeeNumber": "42"}


async def test_scim_errors_and_validation(client: Callable[..., Any]) -> None:
    async with FakeScreendesk(users=3) as fake:
        async with client(fake.admin_token, base_url=fake.url) as sd:
            with pytest.raises(errors.ConfigurationError, match="SCREENDESK_SCIM_TOKEN"):
                await sd.scim.users.get("abc")
        async with client(scim_token=fake.scim_token, base_url=fake.url) as sd:
            for bad in ("", "..", "a\nb", 5):
                with pytest.raises(ValueError, match="id"):
                    await sd.scim.users.get(bad)
            with pytest.raises(ValueError, match="user_name"):
                await sd.scim.users.create(models.ScimUser())
            with pytest.raises(ValueError, match="page_size"):
                sd.scim.users.list(page_size=0)
            assert fake.requests == []
            with pytest.raises(errors.NotFoundError) as caught:
                await sd.scim.users.delete("does-not-exist")
            assert caught.value.message  # SCIM's "detail"
            with pytest.raises(errors.BadRequestError) as bad_filter:
                [u async for u in sd.scim.users.list(filter="title pr")]
            assert bad_filter.value.scim_type == "invalidFilter"


async def test_create_is_not_replayed_after_a_5xx(client: Callable[..., Any]) -> None:
    async with (
        FakeScreendesk(users=3) as fake,
        client(scim_token=fake.scim_token, base_url=fake.url) as sd,
    ):
        sd._transport.retry_policy = RetryPolicy(max_retries=3, initial_backoff=0.001)
        fake.faults.fail_next(1, "502", method="POST")
        with pytest.raises(errors.InternalServerError):
            await sd.scim.users.create(models.ScimUser(user_name="once@example.com"))
        assert [r.method for r in fake.requests] == ["POST"]
        fake.faults.fail_next(1, "503", method="GET")
        assert (await sd.scim.users.find_by_user_name("nobody@example.com")) is None  # GET retried
