"""docs/ARCHITECTURE.md's recipe for a new REST collection, followed on a copy of the package.

One declaration (``resources/things.py``), one model (``models/thing.py``), one fake route
(``testing/_rest.py``), one line in ``AsyncScreendesk.__init__``, then ``scripts/gen_sync.py``:
the async and the sync client list, page and read the new collection, against the fake.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MODEL = '''"""Things of the account (a throwaway collection of the recipe's test)."""

from __future__ import annotations

from typing import ClassVar

import attrs

from ._base import Model


@attrs.frozen(kw_only=True)
class Thing(Model):
    """A thing."""

    _wire_identifier: ClassVar[str] = "id"

    id: str = ""
    name: str | None = None
'''

DECLARATION = '''"""``sd.things``: a throwaway collection of the recipe's test."""

from __future__ import annotations

from .. import _validate
from ..models.thing import Thing
from ._base import AsyncRestCollection


class AsyncThings(AsyncRestCollection[Thing]):
    """Things of the account."""

    segment = "things"
    items_key = "things"
    item_key = "thing"
    model = Thing
    validate_id = staticmethod(_validate.opaque_id)
'''

ROUTE = '''
    async def list_things(self, request: web.Request) -> web.Response:
        """``GET /api/v2/things?page=N``: 7 things, 3 a page."""
        page = int(request.query.get("page", "1"))
        things = [{"id": f"t{i}", "name": f"thing {i}"} for i in range(7)][(page - 1) * 3 :]
        return _json({"pagination": pagination(7, page, 3), "things": things[:3]})
'''

USE = """
import asyncio

from screendesk_async import AsyncScreendesk, Screendesk
from screendesk_async.models.thing import Thing
from screendesk_async.testing import FakeScreendesk, ServerThread


async def main(url: str, token: str) -> None:
    async with AsyncScreendesk(token, base_url=url) as sd:
        things = [thing async for thing in sd.things.list(concurrency=2)]
        assert [t.id for t in things] == [f"t{i}" for i in range(7)], things
        assert all(isinstance(t, Thing) for t in things)
        page = await sd.things.page(3)
        assert [t.name for t in page.items] == ["thing 6"]
        assert page.pagination is not None and page.pagination.pages == 3


with ServerThread(FakeScreendesk()) as fake:
    asyncio.run(main(fake.url, fake.admin_token))
    with Screendesk(fake.admin_token, base_url=fake.url) as sd:
        assert [t.id for t in sd.things.list()] == [f"t{i}" for i in range(7)]
        assert len(sd.things.page(1).items) == 3
print("ok")
"""


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)  # the recipe's anchor is still where the docs say
    path.write_text(text.replace(old, new, 1))


def test_a_collection_added_by_the_recipe_works_async_and_sync(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "screendesk_async", tmp_path / "screendesk_async")
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)  # ruff's settings, for the generator
    package = tmp_path / "screendesk_async"
    (package / "models" / "thing.py").write_text(MODEL)
    (package / "resources" / "things.py").write_text(DECLARATION)
    _edit(
        package / "resources" / "__init__.py",
        "from .users import AsyncUsers\n",
        "from .things import AsyncThings\nfrom .users import AsyncUsers\n",
    )
    _edit(
        package / "_client.py",
        "from .resources import AsyncRecordings, AsyncScim, AsyncUsers\n",
        "from .resources import AsyncRecordings, AsyncScim, AsyncThings, AsyncUsers\n",
    )
    _edit(
        package / "_client.py",
        "        self.scim = AsyncScim(self._transport)\n",
        "        self.scim = AsyncScim(self._transport)\n"
        "        #: Things.\n"
        "        self.things = AsyncThings(self._transport)\n",
    )
    rest = package / "testing" / "_rest.py"
    _edit(
        rest,
        '            web.get(f"{base}/users", self.list_users, allow_head=False),\n',
        '            web.get(f"{base}/users", self.list_users, allow_head=False),\n'
        '            web.get(f"{base}/things", self.list_things, allow_head=False),\n',
    )
    _edit(rest, "    def _cached(self", ROUTE.lstrip("\n") + "\n    def _cached(self")

    generated = subprocess.run(
        [sys.executable, str(tmp_path / "scripts" / "gen_sync.py"), "--root", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert generated.returncode == 0, generated.stderr
    facade = (package / "_sync" / "_resources.py").read_text()
    assert "class Things(" in facade
    assert "self.things = Things(self._portal, resource.things)" in facade

    # Not measured: the copy's files are not the package's (coverage would look for them).
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV")}
    env["PYTHONPATH"] = str(tmp_path)
    used = subprocess.run(
        [sys.executable, "-c", USE],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert (used.returncode, used.stdout) == (0, "ok\n"), used.stderr
