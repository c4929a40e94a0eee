"""Before an export's first request: its format, where it writes, and where it starts.

Everything here is checked before anything is sent: an unknown format, a page slice, the
files beside FILE (``_files``), and a checkpoint that is another account's export.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Final

import attrs

from .._client import AsyncScreendesk
from ..errors import ExportError
from ._checkpoint import Checkpoint
from ._files import (
    FileLock,
    check_directory,
    checkpoint_path,
    is_file,
    partial_path,
    resolve_output,
    size_of,
)
from ._sinks import STDOUT, is_special
from ._sources import Source

FORMATS: Final = ("jsonl", "csv")
#: The format each extension means (before an optional ``.gz``).
EXTENSIONS: Final = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


def output_format(output: str | os.PathLike[str], fmt: str | None) -> tuple[str, bool]:
    """``(format, gzip)`` for ``output``: ``fmt`` if given, else the extension's, else JSONL.

    >>> output_format("r.csv.gz", None)
    ('csv', True)

    Raises:
        ValueError: an unknown ``fmt``, or one the extension contradicts (``r.jsonl`` as CSV).
    """
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    name = "" if os.fspath(output) == STDOUT else Path(output).name.lower()
    compressed = name.endswith(".gz")
    stem = name.removesuffix(".gz")
    implied = next((f for ext, f in EXTENSIONS.items() if stem.endswith(ext)), None)
    if fmt is not None and implied is not None and implied != fmt:
        raise ValueError(f"the format {fmt} contradicts the extension of {output} ({implied})")
    return fmt or implied or "jsonl", compressed


def check_slice(pages: tuple[int, int | None]) -> None:
    """Raise ``ValueError`` unless ``pages`` is an inclusive slice ``(first >= 1, last | None)``."""
    first, last = pages
    if isinstance(first, bool) or not isinstance(first, int) or first < 1:
        raise ValueError(f"the first page must be an int >= 1, got {first!r}")
    if last is not None and (isinstance(last, bool) or not isinstance(last, int) or last < first):
        raise ValueError(f"the last page must be an int >= the first page, got {last!r}")


@attrs.frozen
class Target:
    """Where an export writes.

    Attributes:
        name: The output as the caller named it (for the summary).
        path: The file written: ``name``, or the target of the link ``name`` is.
        compressed: gzip.
        direct: Standard output or a special file, written as it is (no partial, no resume).
        overwrite: Whether the finished export may replace a file that is at ``path``.
    """

    name: str
    path: Path
    compressed: bool
    direct: bool
    overwrite: bool = False


def locate(output: str | os.PathLike[str]) -> tuple[Path, bool]:
    """``(the file to write, direct)`` for ``output``, checked before anything is created.

    Direct: standard output or an existing special file, written as it is. Otherwise the file
    is ``output`` or its link's target (``_files.resolve_output``), in a directory that can
    take it. Blocking (it looks at the file system).

    Raises:
        ExportError: a link, FIFO or file another user left as ``output`` in a shared
            directory, or a directory that cannot take it.
    """
    if os.fspath(output) == STDOUT:
        return Path(output), True
    path = resolve_output(Path(output))  # first: a FIFO another user planted is refused too
    if is_special(Path(output)):
        return Path(output), True
    check_directory(path)
    return path, False


def origin(sd: AsyncScreendesk, source: Source) -> tuple[str, str]:
    """The API and the token ``source`` reads with (``ConfigurationError`` without a token)."""
    config = sd._transport.config
    if source.api == "scim":
        return config.scim_base_url, config.scim_token_or_raise().reveal()
    return config.base_url, config.rest_token().reveal()


def prepare(
    lock: FileLock,
    output: Path,
    source: Source,
    fmt: str,
    pages: tuple[int, int | None],
    origin: tuple[str, str],
    resume: bool,
    force: bool,
) -> Checkpoint:
    """Take ``lock``, check the files against the options (before any request), say where to start.

    ``origin`` is the ``(base URL, token)`` the export reads with: a checkpoint of another
    account's export is refused, so that one file never holds two accounts' records.
    Blocking; the caller releases ``lock``, also when this raises.
    """
    lock.acquire()  # first: nothing here may be looked at while another export writes
    partial, checkpoint = partial_path(output), checkpoint_path(output)
    if resume:
        if is_file(output):
            raise ExportError(f"{output} is already complete; nothing to resume")
        state = Checkpoint.load(checkpoint)
        if (state.kind, state.fmt) != (source.kind, fmt):
            raise ExportError(
                f"{checkpoint} is an export of {state.kind} as {state.fmt}, "
                f"not {source.kind} as {fmt}"
            )
        if pages != (1, None) and pages != (state.first_page, state.last_page):
            raise ExportError(f"the pages differ from the interrupted export's in {checkpoint}")
        difference = state.mismatch(*origin)
        if difference is not None:
            raise ExportError(
                f"{checkpoint} is another export: {difference}; resume it with the same "
                "token and base URL, or --force to start over"
            )
        size = size_of(partial)
        if size is None or size < state.size:
            raise ExportError(f"{partial} is missing or shorter than its checkpoint says")
        return state
    if is_file(output) and not force:
        raise ExportError(f"{output} exists; use --force to overwrite it")
    if (is_file(partial) or is_file(checkpoint)) and not force:
        raise ExportError(
            f"an interrupted export of {output} exists: --resume to continue it, "
            "or --force to start over"
        )
    Checkpoint.remove(checkpoint)
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    state = fresh_state(source, fmt, pages)
    state.sign(*origin)
    return state


def fresh_state(source: Source, fmt: str, pages: tuple[int, int | None]) -> Checkpoint:
    return Checkpoint(
        kind=source.kind, fmt=fmt, first_page=pages[0], last_page=pages[1], next_page=pages[0]
    )
