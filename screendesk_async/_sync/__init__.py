"""The sync facade ``Screendesk``: ``_resources.py`` is generated (``scripts/gen_sync.py``)."""

from ._resources import Screendesk

__all__ = ["Screendesk"]
