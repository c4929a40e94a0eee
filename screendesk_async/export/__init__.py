"""Bulk export of recordings, users and SCIM users: streaming, resumable, lossless.

The engine behind ``screendesk export``, usable from your own code::

    from screendesk_async import AsyncScreendesk
    from screendesk_async.export import export

    async with AsyncScreendesk() as sd:
        summary = await export(sd, "recordings", "recordings.jsonl", concurrency=16)
        print(summary.line())

Until it is complete, the output does not exist: records go to ``FILE.partial`` and progress to
``FILE.checkpoint``; ``resume=True`` continues from there after a crash, a kill or Ctrl-C.
"""

from __future__ import annotations

from ._checkpoint import Checkpoint
from ._files import checkpoint_path, partial_path
from ._runner import ProgressCallback, export
from ._sinks import STDOUT
from ._sources import SOURCES
from ._start import EXTENSIONS, FORMATS, output_format
from ._summary import ExportSummary
from ._writers import EXTRA_COLUMN, flatten

__all__ = [
    "EXTENSIONS",
    "EXTRA_COLUMN",
    "FORMATS",
    "SOURCES",
    "STDOUT",
    "Checkpoint",
    "ExportSummary",
    "ProgressCallback",
    "checkpoint_path",
    "export",
    "flatten",
    "output_format",
    "partial_path",
]
