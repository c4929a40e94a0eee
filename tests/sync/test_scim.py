"""SCIM through the sync facade: tests/integration/test_scim.py without await (fake peer)."""

from __future__ import annotations

import attrs
import pytest

from screendesk_async import Screendesk, errors, models
from screendesk_async.testing import FakeScreendesk, ServerThread

from ..scim_users import new_user
from .helpers import fast_retries, logged

pytestmark = pytest.mark.integration


def test_lifecycle() -> None:
    with (
        ServerThread(FakeScreendesk(users=5, page_size=4)) as fake,
        Screendesk(scim_token=fake.scim_token, base_url=fake.url) as sd,
    ):
        created = [sd.scim.users.create(new_user(i, "sync")) for i in range(12)]
        assert len({u.id for u in created}) == 12

        ours = [u for u in sd.scim.users.list(page_size=5) if u.user_name and "sync" in u.user_name]
        assert [u.user_name for u in ours] == [u.user_name for u in created]

        target = created[7]
        assert target.id is not None
        assert target.user_name is not None
        found = sd.scim.users.find_by_user_name(target.user_name.upper())
        assert found is not None
        assert found.id == target.id
        assert sd.scim.users.find_by_user_name("nobody.sync@example.com") is None
        filtered = list(sd.scim.users.list(filter=f'userName eq "{target.user_name}"'))
        assert [u.id for u in filtered] == [target.id]

        got = sd.scim.users.get(target.id)
        assert got.name == models.ScimName(given_name="User7", family_name="Lifecycle")
        assert sd.scim.users.get(target.external_id or "").id == target.id

        renamed = attrs.evolve(got, name=models.ScimName(given_name="Ada", family_name="Lovelace"))
        replaced = sd.scim.users.replace(target.id, renamed)
        assert replaced.name is not None
        assert replaced.name.given_name == "Ada"

        deactivated = sd.scim.users.deactivate(target.id)
        assert deactivated.active is False
        assert deactivated.user_name == target.user_name
        assert deactivated.roles == replaced.roles

        assert sd.scim.users.delete(target.id) is None  # type: ignore[func-returns-value]
        with pytest.raises(errors.NotFoundError):
            sd.scim.users.get(target.id)
        raw = list(sd.scim.users.raw_pages(page_size=5))
        assert sum(len(page["Resources"]) for page in raw) == 5 + 11


def test_scim_errors_and_validation() -> None:
    with ServerThread(FakeScreendesk(users=3)) as fake:
        with (
            Screendesk(fake.admin_token, base_url=fake.url) as sd,
            pytest.raises(errors.ConfigurationError, match="SCREENDESK_SCIM_TOKEN"),
        ):
            sd.scim.users.get("abc")
        with Screendesk(scim_token=fake.scim_token, base_url=fake.url) as sd:
            for bad in ("", "..", "a\nb", 5):
                with pytest.raises(ValueError, match="id"):
                    sd.scim.users.get(bad)  # type: ignore[arg-type]
            with pytest.raises(ValueError, match="user_name"):
                sd.scim.users.create(models.ScimUser())
            with pytest.raises(ValueError, match="page_size"):
                sd.scim.users.list(page_size=0)
            assert fake.requests == []
            with pytest.raises(errors.NotFoundError):
                sd.scim.users.delete("does-not-exist")
            with pytest.raises(errors.BadRequestError) as bad_filter:
                list(sd.scim.users.list(filter="title pr"))
            assert bad_filter.value.scim_type == "invalidFilter"
            owner = next(u for u in fake.scim_users_raw() if u["userName"] == fake.admin_email)
            with pytest.raises(errors.PermissionDeniedError):
                sd.scim.users.delete(owner["id"])


def test_create_is_not_replayed_after_a_5xx() -> None:
    with (
        ServerThread(FakeScreendesk(users=3)) as fake,
        Screendesk(scim_token=fake.scim_token, base_url=fake.url) as sd,
    ):
        fast_retries(sd)
        fake.faults.fail_next(1, "502", method="POST")
        with pytest.raises(errors.InternalServerError):
            sd.scim.users.create(models.ScimUser(user_name="once@example.com"))
        assert [r.method for r in logged(fake, 1)] == ["POST"]
        fake.faults.fail_next(1, "503", method="GET")
        assert sd.scim.users.find_by_user_name("nobody@example.com") is None  # GET retried
