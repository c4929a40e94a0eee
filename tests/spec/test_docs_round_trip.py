"""The docs' own examples, read into models and written back with ``to_dict()``: every
documented value comes back as the API writes it, timestamps included (``...14.493Z``, not
``...14.493000+00:00``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from screendesk_async import models
from tests.spec._spec import FIXTURES

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
EXAMPLES = [
    (f"{variant}_{name}", cls)
    for variant in ("newer", "older")
    for name, cls in (
        ("recording", models.Recording),
        ("recording_update_response", models.Recording),
        ("user", models.User),
    )
]


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


def at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


@pytest.mark.parametrize(("name", "cls"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_a_docs_example_round_trips_to_identical_timestamps(name: str, cls: type[Any]) -> None:
    example = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    written = cls.from_dict(example).to_dict()
    stamps = [
        (path, value)
        for path, value in leaves(example)
        if isinstance(value, str) and TIMESTAMP.match(value)
    ]
    assert stamps  # every one of these examples has timestamps
    for path, value in stamps:
        assert at(written, path) == value, path


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 6, 6, 16, 13, 14, 493000, tzinfo=UTC), "2026-06-06T16:13:14.493Z"),
        (datetime(2026, 6, 6, 16, 13, 14, tzinfo=UTC), "2026-06-06T16:13:14.000Z"),
        (datetime(2026, 6, 6, 16, 13, 14, 493001, tzinfo=UTC), "2026-06-06T16:13:14.493001Z"),
        (
            datetime(2026, 6, 6, 16, 13, 14, 5000, tzinfo=timezone(timedelta(0))),
            "2026-06-06T16:13:14.005Z",
        ),
        (
            datetime(2026, 6, 6, 18, 13, 14, 493000, tzinfo=timezone(timedelta(hours=2))),
            "2026-06-06T18:13:14.493000+02:00",
        ),
    ],
)
def test_timestamps_are_written_as_the_api_writes_them(moment: datetime, text: str) -> None:
    written = models.User(email="a@example.com", created_at=moment).to_dict()
    assert written["created_at"] == text
    assert models.User.from_dict(written).created_at == moment
