"""The examples in ``examples/`` run: the FastAPI app is served by uvicorn, in a process of its
own, against the fake server."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from screendesk_async._constants import ENV_API_TOKEN, ENV_BASE_URL
from screendesk_async.testing import FakeScreendesk, ServerThread

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def get(base: str, path: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_fastapi_example_serves_every_request_through_one_client() -> None:
    with ServerThread(FakeScreendesk(recordings=60, page_size=25)) as fake:
        # Bound here and handed to uvicorn (--fd): requests wait in the backlog until it serves.
        with socket.create_server(("127.0.0.1", 0)) as listener:
            base = f"http://127.0.0.1:{listener.getsockname()[1]}"
            command = [sys.executable, "-m", "uvicorn", "--app-dir", str(EXAMPLES)]
            command += ["--fd", str(listener.fileno()), "fastapi_app:app"]
            env = {**os.environ, ENV_BASE_URL: fake.url, ENV_API_TOKEN: fake.admin_token}
            process = subprocess.Popen(
                command,
                env=env,
                pass_fds=[listener.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        try:
            first = fake.recordings_raw(last_page=1)
            assert get(base, "/recordings") == (200, {"uuids": [r["uuid"] for r in first]})
            assert get(base, f"/recordings/{first[3]['uuid']}") == (
                200,
                {"title": first[3]["title"]},
            )
            assert get(base, "/recordings/not-a-uuid") == (400, {"detail": "not a recording uuid"})
            assert get(base, f"/recordings/{UNKNOWN}") == (404, {"detail": "no such recording"})
            fake.faults.fail_next(1, "503")
            assert get(base, "/recordings")[0] == 200  # with_options(max_retries=1): retried once
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
    # uvicorn shuts down, then ends itself with the signal it got, as recent versions do.
    assert process.returncode in (0, -signal.SIGTERM), err
    assert "Application shutdown complete" in err  # the lifespan closed the client
    assert "Traceback" not in err + out
    assert "Unclosed" not in err
    # The malformed uuid never left the app; the 503 was retried: 1 + 1 + 1 + 2 requests.
    assert [r.status for r in fake.requests] == [200, 200, 404, 503, 200]
    assert fake.admin_token not in err + out
