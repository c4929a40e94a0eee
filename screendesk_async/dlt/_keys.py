"""Which of a listing's rows a load writes: each key once, its newest copy, unchanged rows not.

A record created while a listing is read shifts the pages behind it, so a record can come
twice; one edited meanwhile comes again with a newer version (``metadata.updated_at``). A load
writes each key once, as its newest copy: :class:`Keys` drops an older or equal copy, and a
newer one replaces the copy read before it, in the tables still waiting to be handed to dlt
(:meth:`Keys.settle`) or, once that copy is dlt's, as a *late* row that the load merges after
the rest (``_pipeline``). What a key was seen with is kept for the last ``RECENT_KEYS`` keys
only, as an export keeps its recent ids, so the memory of a load does not grow with the
account; copies further apart than that are what a ``merge`` resolves by itself (dlt's
``dedup_sort`` on the version column), and what an ``append`` into an empty table does not.

A :class:`Tally` counts what a load did with a resource's rows, for the summary, and holds the
content hashes of the rows already at the destination, for the resources that have them: a row
whose hash is the destination's is unchanged and not written again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from typing import Any, Final

import attrs
import pyarrow as pa
import pyarrow.compute as pc

#: Keys whose version a load remembers (the most recent ones), as an export's recent ids.
RECENT_KEYS: Final = 50_000
#: The column of a row's content hash (a hash of the record's JSON as the API sent it).
HASH_COLUMN: Final = "_screendesk_hash"


@attrs.define
class Tally:
    """What a load did with one resource's rows; what the destination held before it.

    Attributes:
        read: Distinct keys the listing sent.
        new: Rows written whose key the destination did not have (hashed resources only).
        changed: Rows written whose key it had, with another hash (hashed resources only).
        unchanged: Rows not written: their hash is the destination's.
        previous: Key → content hash at the destination before the load (None: unknown).
        appending: Whether this load appends (into an empty table) rather than merges.
        late: Newer copies of rows already handed to dlt, to merge after the rest.
    """

    read: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    previous: dict[Any, Any] | None = None
    appending: bool = False
    late: list[pa.Table] = attrs.Factory(list)

    def reset(self) -> None:
        """Forget the counts of a load before (a source loaded twice)."""
        self.read = self.new = self.changed = self.unchanged = 0
        self.late = []


def _versions(table: pa.Table, column: str | None) -> list[Any]:
    if column is None:
        return [None] * table.num_rows
    values = table.column(column)
    if pa.types.is_timestamp(values.type):
        values = pc.cast(values, pa.int64())  # comparable without a datetime per value
    versions: list[Any] = values.to_pylist()
    return versions


def _newer(version: Any, than: Any) -> bool:
    """Whether a copy of ``version`` replaces one of ``than`` (None: no version known)."""
    return version is not None and (than is None or version > than)


class Keys:
    """Selects a listing's rows to load, table after table (see the module's documentation).

    ``keep`` filters each table first (the incremental cursor's rows); ``version`` names the
    column whose larger value is the newer copy (None: the first copy is kept).
    """

    def __init__(
        self,
        key: str,
        keep: Callable[[pa.Table], pa.Table] | None = None,
        *,
        version: str | None = None,
        tally: Tally | None = None,
    ) -> None:
        self._key, self._keep, self._version = key, keep, version
        self.tally = tally if tally is not None else Tally()
        #: key → (version, generation of the tables it was selected in)
        self._recent: dict[Hashable, tuple[Any, int]] = {}
        self._order: deque[list[Hashable]] = deque()
        self._count = 0
        self._generation = 0
        #: keys whose earlier copy, still waiting, a newer one replaced
        self._replaced: set[Hashable] = set()

    def select(self, table: pa.Table) -> pa.Table | None:
        """The rows of ``table`` to load (None when none are left)."""
        self.tally.read += table.num_rows  # less the copies of a key seen before, below
        if self._keep is not None:
            table = self._keep(table)
        keys = table.column(self._key).to_pylist()
        versions = _versions(table, self._version)
        recent = self._recent
        if recent.keys().isdisjoint(keys) and len(set(keys)) == len(keys):
            marks = zip(versions, [self._generation] * len(keys), strict=True)
            recent.update(zip(keys, marks, strict=True))
            self._remember(keys)
        else:
            table = self._select_slowly(table, keys, versions)
        table = self._unchanged_dropped(table)
        return table if table.num_rows else None

    def _select_slowly(self, table: pa.Table, keys: list[Any], versions: list[Any]) -> pa.Table:
        recent, generation = self._recent, self._generation
        chosen: list[bool] = []
        fresh: list[Hashable] = []
        late: list[bool] = []
        for key, version in zip(keys, versions, strict=True):
            seen = recent.get(key)
            if seen is None:
                fresh.append(key)
            else:
                self.tally.read -= 1  # another copy of a key read before
            if seen is None:
                pass
            elif not _newer(version, seen[0]):
                chosen.append(False)
                late.append(False)
                continue
            elif seen[1] == generation:
                self._replaced.add(key)  # the earlier copy still waits: settle() drops it
            else:
                chosen.append(False)
                late.append(True)  # the earlier copy is dlt's already
                recent[key] = (version, -1)
                continue
            recent[key] = (version, generation)
            chosen.append(True)
            late.append(False)
        self._remember(fresh)
        if any(late):
            self.tally.late.append(table.filter(pa.array(late, type=pa.bool_())))
        return table.filter(pa.array(chosen, type=pa.bool_()))

    def settle(self, tables: list[pa.Table]) -> list[pa.Table]:
        """``tables`` (the rows selected since the last call) as handed to dlt.

        A copy that a newer one replaced meanwhile is dropped from them.
        """
        replaced, self._replaced = self._replaced, set()
        self._generation += 1
        if not replaced:
            return tables
        recent = self._recent
        settled = []
        for table in tables:
            keys = table.column(self._key).to_pylist()
            versions = _versions(table, self._version)
            kept = [
                key not in replaced or recent.get(key, (None,))[0] == version
                for key, version in zip(keys, versions, strict=True)
            ]
            settled.append(table.filter(pa.array(kept, type=pa.bool_())))
        return settled

    def _unchanged_dropped(self, table: pa.Table) -> pa.Table:
        """``table`` without the rows whose hash is the destination's; counts new and changed."""
        previous = self.tally.previous
        if previous is None or HASH_COLUMN not in table.column_names:
            return table
        keys = table.column(self._key).to_pylist()
        hashes = table.column(HASH_COLUMN).to_pylist()
        kept = [previous.get(key) != digest for key, digest in zip(keys, hashes, strict=True)]
        known = sum(1 for key, keep in zip(keys, kept, strict=True) if keep and key in previous)
        unchanged = kept.count(False)
        self.tally.unchanged += unchanged
        self.tally.changed += known
        self.tally.new += len(keys) - unchanged - known
        return table.filter(pa.array(kept, type=pa.bool_())) if unchanged else table

    def _remember(self, keys: list[Hashable]) -> None:
        """Keep ``keys``; forget the oldest beyond ``RECENT_KEYS``."""
        if not keys:
            return
        self._order.append(keys)
        self._count += len(keys)
        recent = self._recent
        while self._count - len(self._order[0]) >= RECENT_KEYS:
            oldest = self._order.popleft()
            self._count -= len(oldest)
            for key in oldest:
                recent.pop(key, None)
