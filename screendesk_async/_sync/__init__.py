"""The sync facade: :class:`Screendesk`, the same API as ``AsyncScreendesk`` without ``await``.

``_resources.py`` is generated from the async resources by ``scripts/gen_sync.py`` (``nox -s
gen``); ``_client.py`` holds the hand-written client: constructor, ``close()`` and ``with``.
"""

from __future__ import annotations

from ._client import Screendesk

__all__ = ["Screendesk"]
