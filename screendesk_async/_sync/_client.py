"""The parts of the generated ``Screendesk`` and its resources a generator cannot write."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, ParamSpec, Self

from .._client import AsyncScreendesk
from .._portal import Portal

P = ParamSpec("P")


class Facade:
    """The sync mirror of an async resource: each call is handed to the portal's loop."""

    def __init__(self, portal: Portal, resource: Any) -> None:
        self._portal = portal
        self._resource = resource


class SyncClient(Facade):
    """An async client on a loop thread of its own (see ``_portal``), called without ``await``.

    Breaking out of a listing cancels its requests in flight; a dropped client is closed when
    collected or at exit; a client made before ``os.fork()`` raises in the child. A client from
    ``with_options`` runs on the loop thread of the one it derives from.
    """

    #: Whether this client started the loop thread (``_start``), rather than sharing another's.
    _owns_portal = True

    def _start(
        self, factory: Callable[P, AsyncScreendesk], /, *args: P.args, **kwargs: P.kwargs
    ) -> AsyncScreendesk:
        """Build the async client on the loop thread, where its session will live."""
        self._portal = portal = Portal()
        try:
            self._resource = client = portal.call_sync(factory, *args, **kwargs)
        except BaseException:
            portal.close()
            raise
        portal.on_close(client.aclose)
        return client

    def _derive(self, resource: AsyncScreendesk) -> Self:
        """The facade of ``resource``, a client derived from this one's, on the same portal."""
        derived = copy.copy(self)
        derived._resource, derived._owns_portal = resource, False
        for name, child in vars(self).items():
            if isinstance(child, Facade):  # the resources, rebuilt on the derived client's
                setattr(derived, name, type(child)(self._portal, getattr(resource, name)))
        return derived

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called (on this client, or the one it derives from)."""
        return self._portal.closed or self._resource.closed

    def close(self) -> None:
        """Close the connections and stop the loop thread (safe to repeat).

        Listings being iterated stop; calls afterwards raise ``errors.ConfigurationError``.
        A client from ``with_options`` only marks itself closed: the connections, and the loop
        thread, are the original's.
        """
        if self._owns_portal:
            self._portal.close()
        elif not self._portal.closed:
            self._portal.call(self._resource.aclose)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._resource.base_url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
