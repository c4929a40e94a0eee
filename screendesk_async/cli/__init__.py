"""The ``screendesk`` command line (install the ``cli`` extra: click and rich)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``screendesk`` and ``python -m screendesk_async``."""
    try:
        from ._app import main as app_main
    except ImportError as exc:  # pragma: no cover - depends on the environment
        print(
            f"screendesk: the command line needs its extra ({exc.name} is missing): "
            "pip install 'screendesk-async[cli]'",
            file=sys.stderr,
        )
        return 2
    return app_main(argv)


def run() -> None:
    """Console-script entry point: exit with :func:`main`'s status."""
    sys.exit(main())
