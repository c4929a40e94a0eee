"""The rival of a ``screendesk load``: dlt's own ``rest_api`` source, configured for Screendesk.

What a data engineer writes instead of using the library: the recordings endpoint with a
``page_number`` paginator (``page`` from 1, the page count at ``pagination.pages``), bearer
auth, records at ``records``, merged on ``uuid``, through dlt's normalizer (dicts, nested
lists as child tables), into a DuckDB file.

    python -m benchmarks.rest_api_rival --url URL --token TOKEN --duckdb PATH --pipelines DIR
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dlt.sources.rest_api.typing import RESTAPIConfig


def config(url: str, token: str) -> RESTAPIConfig:
    """The ``rest_api`` configuration of the recordings listing."""
    return {
        "client": {
            "base_url": f"{url}/api/v2/",
            "auth": {"type": "bearer", "token": token},
            "paginator": {
                "type": "page_number",
                "base_page": 1,
                "page_param": "page",
                "total_path": "pagination.pages",
            },
        },
        "resource_defaults": {"primary_key": "uuid", "write_disposition": "merge"},
        "resources": [
            {"name": "recordings", "endpoint": {"path": "recordings", "data_selector": "records"}}
        ],
    }


def load(url: str, token: str, duckdb: str, pipelines: str) -> int:
    """Load the recordings with ``rest_api``; the number of rows dlt wrote."""
    import dlt
    from dlt.sources.rest_api import rest_api_source

    pipeline = dlt.pipeline(
        "rest_api_rival",
        destination=dlt.destinations.duckdb(duckdb),
        dataset_name="screendesk_dataset",
        pipelines_dir=pipelines,
    )
    pipeline.run(rest_api_source(config(url, token)))
    trace = pipeline.last_trace
    normalized = trace.last_normalize_info if trace is not None else None
    return int(normalized.row_counts.get("recordings", 0)) if normalized is not None else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("--url", "--token", "--duckdb", "--pipelines"):
        parser.add_argument(name, required=True)
    args = parser.parse_args(argv)
    print(load(args.url, args.token, args.duckdb, args.pipelines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
