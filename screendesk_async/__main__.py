"""``python -m screendesk_async``: the ``screendesk`` command line."""

import sys

from .cli import main

sys.exit(main())
