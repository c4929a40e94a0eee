"""The pydantic and msgspec rivals of the benchmarks are the attrs models: same fields, values."""

from __future__ import annotations

from typing import Any

import attrs
import msgspec
import orjson
import pydantic
import pytest

from benchmarks._rivals import MSGSPEC_PAGE, PYDANTIC_PAGE
from screendesk_async.models import Recording, converter
from screendesk_async.testing import FakeScreendesk


def _same(ours: Any, theirs: Any, where: str) -> None:
    """Every attrs field of ``ours`` has the same value in ``theirs``, nested models included."""
    if attrs.has(type(ours)):
        for field in attrs.fields(type(ours)):
            _same(getattr(ours, field.name), getattr(theirs, field.name), f"{where}.{field.name}")
    elif isinstance(ours, list):
        assert len(ours) == len(theirs), where
        for i, (mine, other) in enumerate(zip(ours, theirs, strict=True)):
            _same(mine, other, f"{where}[{i}]")
    else:
        assert ours == theirs, where
        assert type(ours) is type(theirs), where


@pytest.mark.parametrize(
    "structure",
    [
        pydantic.TypeAdapter(PYDANTIC_PAGE).validate_python,
        lambda page: msgspec.convert(page, MSGSPEC_PAGE),
    ],
    ids=["pydantic", "msgspec"],
)
def test_a_rival_structures_a_page_into_the_values_of_ours(structure: Any) -> None:
    fake = FakeScreendesk(recordings=60, page_size=30, seed=3)
    page = orjson.loads(orjson.dumps(fake.recordings_raw(first_page=1, last_page=2)))
    theirs = structure(page)
    assert len(theirs) == 60
    _same(converter.structure(page, list[Recording]), theirs, "page")


def test_the_rivals_have_the_models_fields_and_defaults_and_are_frozen() -> None:
    (pd_recording,), (ms_recording,) = PYDANTIC_PAGE.__args__, MSGSPEC_PAGE.__args__
    assert pd_recording.__name__ == "PdRecording"
    assert ms_recording.__name__ == "MsRecording"
    names = [field.name for field in attrs.fields(Recording)]
    assert list(pd_recording.model_fields) == names
    assert list(ms_recording.__struct_fields__) == names
    assert [f.default for f in pd_recording.model_fields.values()] == [
        f.default for f in attrs.fields(Recording)
    ]
    assert ms_recording.__struct_defaults__ == tuple(f.default for f in attrs.fields(Recording))
    assert pd_recording.model_config.get("frozen") is True
    assert ms_recording.__struct_config__.frozen
