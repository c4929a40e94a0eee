"""How a model's ``to_dict()`` is compared with the JSON a server sent for it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from ._spec import resolve

#: The older docs' spellings and the field each is read into (API.md, "The docs disagree"):
#: ``to_dict()`` gives the newer name.
OLDER_SPELLINGS: Final = {
    "has_avatar": "has_profile_picture",
    "notify_new_account_recording": "notify_all_recordings",
    "notify_new_recording": "notify_own_recordings",
}


def _as_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    # The models read a timestamp without an offset as UTC, the API's convention.
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def lost_values(expected: Any, got: Any, where: str = "$") -> list[str]:
    """Every documented value of ``expected`` (the server's JSON) that ``got`` does not carry.

    ``got`` is a model's ``to_dict()``: keys it has beyond ``expected`` are fine, a key of
    ``expected`` it lacks is a lost value unless the value was ``null``. Timestamps compare as
    instants (``...Z`` == ``...+00:00``), numbers by value (``1`` == ``1.0``). SCIM ``roles``
    sent as a list of names (list responses) compare with the model's object of booleans, and
    a field in the older docs' spelling with the field it is read into (when only it was
    sent).
    """
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{where}: expected an object, got {got!r}"]
        lost: list[str] = []
        for sent, value in expected.items():
            newer = OLDER_SPELLINGS.get(sent)
            if newer is not None and newer in expected:
                continue  # both spellings sent: the model holds the newer one's value
            key = sent if newer is None else newer
            if key not in got:
                if value is not None:
                    lost.append(f"{where}.{key}: {value!r} is missing")
                continue
            lost += lost_values(value, got[key], f"{where}.{key}")
        return lost
    if isinstance(expected, list):
        if isinstance(got, dict) and all(isinstance(name, str) for name in expected):
            granted = sorted(name for name, on in got.items() if on is True)
            # Screendesk has three roles (the keys of its roles object); no other name exists.
            if sorted({name.lower() for name in expected} & got.keys()) == granted:
                return []
            return [f"{where}: roles {expected!r} arrived as {got!r}"]
        if not isinstance(got, list) or len(got) != len(expected):
            return [f"{where}: expected {expected!r}, got {got!r}"]
        return [
            problem
            for index, (one, other) in enumerate(zip(expected, got, strict=True))
            for problem in lost_values(one, other, f"{where}[{index}]")
        ]
    if expected == got and type(expected) is not bool and type(got) is not bool:
        return []
    if type(expected) is bool and expected is got:
        return []
    instant = _as_datetime(expected)
    if instant is not None and instant == _as_datetime(got):
        return []
    return [f"{where}: expected {expected!r}, got {got!r}"]


def documented(spec: dict[str, Any], schema: Any, value: Any) -> Any:
    """``value`` with only the properties ``schema`` declares (Prism's random extras dropped).

    Follows ``$ref``, ``anyOf``/``oneOf``/``allOf`` (the branches the value's JSON type fits),
    objects' ``properties`` and arrays' ``items``.
    """
    schema = resolve(spec, schema)
    branches = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if branches:
        fitting = [b for b in (resolve(spec, b) for b in branches) if _fits(b, value)]
        if isinstance(value, dict):
            properties: dict[str, Any] = {}
            for branch in fitting:
                properties.update(branch.get("properties") or {})
            schema = {"type": "object", "properties": properties}
        else:
            schema = fitting[0] if fitting else {}
    if isinstance(value, dict) and "properties" in schema:
        declared = schema["properties"]
        return {k: documented(spec, declared[k], v) for k, v in value.items() if k in declared}
    if isinstance(value, list) and "items" in schema:
        return [documented(spec, schema["items"], item) for item in value]
    return value


def _fits(schema: dict[str, Any], value: Any) -> bool:
    types = schema.get("type")
    if types is None:
        return True
    wanted = {types} if isinstance(types, str) else set(types)
    if isinstance(value, dict):
        return "object" in wanted
    if isinstance(value, list):
        return "array" in wanted
    return not wanted <= {"object", "array"}
