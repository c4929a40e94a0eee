"""Load Screendesk into a warehouse with dlt (install the ``dlt`` extra).

``screendesk_source()`` is a dlt source with the resources ``recordings`` (primary key
``uuid``, incremental on ``metadata.updated_at``), ``users`` (``email``) and ``scim_users``
(``id``, with a SCIM token), all written with ``merge``::

    import dlt
    from screendesk_async.dlt import screendesk_source

    dlt.pipeline("screendesk", destination="duckdb").run(screendesk_source())

Rows reach dlt as Arrow tables whose schema is derived from the models (``arrow_schema``):
nested objects flattened into ``parent__child`` columns, lists of objects as JSON columns.
"""

from __future__ import annotations

from ._arrow import arrow_schema, to_table
from ._source import CURSOR, DEFAULT_BATCH_SIZE, SOURCE_NAME, ProgressCallback, screendesk_source

__all__ = [
    "CURSOR",
    "DEFAULT_BATCH_SIZE",
    "SOURCE_NAME",
    "ProgressCallback",
    "arrow_schema",
    "screendesk_source",
    "to_table",
]
