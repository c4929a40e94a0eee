"""A FastAPI app sharing one ``AsyncScreendesk``: the lifespan opens it, a dependency hands it out.

Run it with ``SCREENDESK_API_TOKEN=... uvicorn --app-dir examples fastapi_app:app``. One client
for the whole app holds the connection pool, the ``max_concurrency`` slots and the rate limiter
that every request of every handler goes through; ``with_options`` changes the timeout or the
retries of one call without leaving them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request

from screendesk_async import AsyncScreendesk, errors


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the one client when the app starts; close it when the app stops."""
    async with AsyncScreendesk(max_concurrency=16) as sd:  # token from $SCREENDESK_API_TOKEN
        app.state.screendesk = sd
        yield


app = FastAPI(lifespan=lifespan)


def screendesk(request: Request) -> AsyncScreendesk:
    """The app's client, for handlers that declare a ``Screendesk`` parameter."""
    sd: AsyncScreendesk = request.app.state.screendesk
    return sd


Screendesk = Annotated[AsyncScreendesk, Depends(screendesk)]


@app.get("/recordings/{uuid}")
async def recording_title(uuid: str, sd: Screendesk) -> dict[str, str | None]:
    """One recording's title: 400 for a malformed uuid, 404 for an unknown one."""
    try:
        recording = await sd.recordings.get(uuid)
    except ValueError:
        raise HTTPException(400, "not a recording uuid") from None
    except errors.NotFoundError:
        raise HTTPException(404, "no such recording") from None
    return {"title": recording.title}


@app.get("/recordings")
async def first_page(sd: Screendesk) -> dict[str, list[str]]:
    """The newest recordings: a page someone waits for, so a short timeout and one retry."""
    try:
        page = await sd.with_options(timeout=5, max_retries=1).recordings.page(1)
    except errors.APIConnectionError:
        raise HTTPException(504, "Screendesk did not answer in time") from None
    return {"uuids": [recording.uuid for recording in page.items]}
