"""Static types of the sync facade, checked by ``mypy --strict`` (the typecheck session).

Nothing here runs: a wrong type (a coroutine or an async iterator leaking into the facade, a
lost parameter) fails the type check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, assert_type

from screendesk_async import NOT_GIVEN, AsyncScreendesk, Screendesk
from screendesk_async._sync._resources import Recordings, Scim, ScimUsers, Users
from screendesk_async.models import Page, Recording, ScimUser, User


def check_sync_types() -> None:
    assert_type(Screendesk().recordings.get("..."), Recording)
    assert_type(Screendesk().recordings.list(), Iterator[Recording])

    with Screendesk("token", base_url="http://127.0.0.1:8080", max_concurrency=4) as sd:
        assert_type(sd, Screendesk)
        assert_type(sd.recordings, Recordings)
        assert_type(
            sd.recordings.list(concurrency=4, first_page=2, last_page=None), Iterator[Recording]
        )
        assert_type(sd.recordings.pages(), Iterator[Page[Recording]])
        assert_type(sd.recordings.raw_pages(), Iterator[dict[str, Any]])
        assert_type(sd.recordings.page(1), Page[Recording])
        assert_type(sd.recordings.update("...", title="t", summary=None), Recording)
        assert_type(sd.recordings.update("...", description=NOT_GIVEN), Recording)
        assert_type(sd.users, Users)
        assert_type(sd.users.list(), Iterator[User])
        assert_type(sd.users.pages(), Iterator[Page[User]])
        assert_type(sd.users.page(1), Page[User])
        assert_type(sd.users.search("ada@example.com"), User)
        assert_type(sd.scim, Scim)
        assert_type(sd.scim.users, ScimUsers)
        assert_type(sd.scim.users.list(filter='userName eq "a"', page_size=10), Iterator[ScimUser])
        assert_type(sd.scim.users.get("id"), ScimUser)
        assert_type(sd.scim.users.create(ScimUser(user_name="a")), ScimUser)
        assert_type(sd.scim.users.replace("id", ScimUser(user_name="a")), ScimUser)
        assert_type(sd.scim.users.find_by_user_name("a"), ScimUser | None)
        assert_type(sd.scim.users.deactivate("id"), ScimUser)
        assert_type(sd.base_url, str)
        assert_type(sd.with_options(timeout=5, max_retries=0), Screendesk)
        assert_type(sd.with_options(timeout=5).recordings, Recordings)
        assert_type(sd.closed, bool)
        assert_type(AsyncScreendesk().with_options(max_retries=1), AsyncScreendesk)
        assert_type(sd.retries, int)
        for recording in sd.recordings.list():
            assert_type(recording, Recording)
    sd.close()
