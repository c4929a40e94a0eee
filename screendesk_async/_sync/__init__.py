"""The sync facade: :class:`Screendesk`, the same API as ``AsyncScreendesk`` without ``await``.

``_resources.py`` is generated from the async client and resources by ``scripts/gen_sync.py``
(``nox -s gen``); ``_client.py`` holds the hand-written part: the portal, ``close()``, ``with``.
"""

from __future__ import annotations

from ._resources import Screendesk

__all__ = ["Screendesk"]
