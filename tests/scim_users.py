"""The SCIM users the lifecycle tests create, async and sync alike."""

from __future__ import annotations

from screendesk_async import models


def new_user(i: int, run: str, *, with_roles: bool = True) -> models.ScimUser:
    """User ``i`` of test run ``run``; ``with_roles=False`` leaves roles to the server.

    scim2-server follows RFC 7643, where roles is a list, so it is sent none.
    """
    email = f"user{i}.{run}@example.com"
    return models.ScimUser(
        user_name=email,
        external_id=f"ext-{run}-{i}",
        name=models.ScimName(given_name=f"User{i}", family_name="Lifecycle"),
        emails=[models.ScimEmail(value=email, type="work", primary=True)],
        active=True,
        roles=models.ScimRoles(member=True, editor=i % 2 == 0) if with_roles else None,
    )
