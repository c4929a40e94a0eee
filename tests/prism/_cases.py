"""The calls the Prism tests make: one public method each, and what its answer must carry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

from screendesk_async import AsyncScreendesk, models

from . import _spec
from ._compare import documented, lost_values
from .conftest import Traffic

UUID: Final = "123e4567-e89b-12d3-a456-426614174000"
SCIM_ID: Final = "2819c223-7f76-453a-919d-413861904646"
EMAIL: Final = "ada.lovelace+support@example.com"
#: What a raw write sends to learn Prism's answer (its static answer ignores a valid body).
RAW_USER: Final = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "userName": EMAIL,
    "active": True,
}
NEW_USER: Final = models.ScimUser(
    user_name=EMAIL,
    external_id="okta-00u1ada",
    name=models.ScimName(given_name="Ada", family_name="Lovelace", formatted="Ada Lovelace"),
    emails=[models.ScimEmail(value=EMAIL, type="work", primary=True)],
    active=True,
    roles=models.ScimRoles(admin=True, member=True),
)

Raw = Any
Pairs = list[tuple[Any, Any]]


def _unwrap(raw: Raw, key: str) -> Raw:
    if isinstance(raw, dict) and len(raw) == 1 and isinstance(raw.get(key), dict):
        return raw[key]
    return raw


def _one(key: str = "") -> Callable[[Any, Raw], Pairs]:
    def pairs(result: Any, raw: Raw) -> Pairs:
        return [(_unwrap(raw, key), result.to_dict())]

    return pairs


def _page(items_key: str) -> Callable[[Any, Raw], Pairs]:
    def pairs(page: Any, raw: Raw) -> Pairs:
        got = [item.to_dict() for item in page.items]
        pagination = None if page.pagination is None else page.pagination.to_dict()
        return [(raw[items_key], got), (raw["pagination"], pagination)]

    return pairs


def _listed(items_key: str) -> Callable[[Any, Raw], Pairs]:
    def pairs(items: Any, raw: Raw) -> Pairs:
        return [(raw[items_key], [item.to_dict() for item in items])]

    return pairs


def _nothing(result: Any, raw: Raw) -> Pairs:
    assert result is None
    return []


async def _collect(items: Any) -> list[Any]:
    return [item async for item in items]


def _first_user_name(raw: Raw) -> str:
    resources = raw.get("Resources") or []
    assert resources, "the spec's ListResponse should hold a user to look up"
    name: str = resources[0]["userName"]
    return name


def _found(result: Any, raw: Raw) -> Pairs:
    assert result is not None, "find_by_user_name() missed the user Prism listed"
    return [(raw["Resources"][0], result.to_dict())]


@dataclass(frozen=True)
class Case:
    """One public call, the spec operation it exercises and the raw request that shows its body.

    ``touches`` lists the other operations the call sends (``deactivate`` reads, then writes);
    ``page_of`` marks ``page(1)``; ``listing`` marks a call that reads a whole listing,
    following its totals (against Prism, which answers every page alike, only a listing that
    says it is one page is coherent).
    """

    name: str
    method: str
    path: str
    url: str
    call: Callable[[AsyncScreendesk, Raw], Awaitable[Any]]
    pairs: Callable[[Any, Raw], Pairs]
    query: tuple[tuple[str, str], ...] = ()
    body: Any = None
    touches: tuple[tuple[str, str], ...] = ()
    listing: bool = False
    #: For ``page(1)``: the key of its items and their model.
    page_of: tuple[str, type[Any]] | None = None


def _listing(resource: str, items_key: str, model: type[Any]) -> tuple[Case, Case]:
    """``page(1)`` and ``list()`` of a REST listing: one request (page 1), read two ways."""
    path = f"/{resource}"
    first = (("page", "1"),)
    return (
        Case(
            f"{resource}.page",
            "GET",
            path,
            path,
            lambda sd, _: getattr(sd, resource).page(1),
            _page(items_key),
            query=first,
            page_of=(items_key, model),
        ),
        Case(
            f"{resource}.list",
            "GET",
            path,
            path,
            lambda sd, _: _collect(getattr(sd, resource).list()),
            _listed(items_key),
            query=first,
            listing=True,
        ),
    )


CASES: Final = (
    *_listing("recordings", "records", models.Recording),
    Case(
        "recordings.get",
        "GET",
        "/recordings/{uuid}",
        f"/recordings/{UUID}",
        lambda sd, _: sd.recordings.get(UUID),
        _one("recording"),
    ),
    Case(
        "recordings.update",
        "PATCH",
        "/recordings/{uuid}",
        f"/recordings/{UUID}",
        lambda sd, _: sd.recordings.update(
            UUID, title="Checkout fails on Safari 17 — “Pay” does nothing", summary=None
        ),
        _one("recording"),
        body={"recording": {"title": "Checkout fails"}},
    ),
    *_listing("users", "users", models.User),
    Case(
        "users.search",
        "GET",
        "/users/search",
        "/users/search",
        lambda sd, _: sd.users.search(EMAIL),
        _one("user"),
        query=(("email", EMAIL),),
    ),
    Case(
        "scim.users.list",
        "GET",
        "/scim/Users",
        "/scim/Users",
        lambda sd, _: _collect(sd.scim.users.list()),
        _listed("Resources"),
        listing=True,
    ),
    Case(
        "scim.users.find_by_user_name",
        "GET",
        "/scim/Users",
        "/scim/Users",
        lambda sd, raw: sd.scim.users.find_by_user_name(_first_user_name(raw)),
        _found,
        listing=True,
    ),
    Case(
        "scim.users.get",
        "GET",
        "/scim/Users/{id}",
        f"/scim/Users/{SCIM_ID}",
        lambda sd, _: sd.scim.users.get(SCIM_ID),
        _one(),
    ),
    Case(
        "scim.users.create",
        "POST",
        "/scim/Users",
        "/scim/Users",
        lambda sd, _: sd.scim.users.create(NEW_USER),
        _one(),
        body=RAW_USER,
    ),
    Case(
        "scim.users.replace",
        "PUT",
        "/scim/Users/{id}",
        f"/scim/Users/{SCIM_ID}",
        lambda sd, _: sd.scim.users.replace(SCIM_ID, NEW_USER),
        _one(),
        body=RAW_USER,
    ),
    Case(
        "scim.users.deactivate",
        "PUT",
        "/scim/Users/{id}",
        f"/scim/Users/{SCIM_ID}",
        lambda sd, _: sd.scim.users.deactivate(SCIM_ID),
        _one(),
        body=RAW_USER,
        touches=(("GET", "/scim/Users/{id}"),),
    ),
    Case(
        "scim.users.delete",
        "DELETE",
        "/scim/Users/{id}",
        f"/scim/Users/{SCIM_ID}",
        lambda sd, _: sd.scim.users.delete(SCIM_ID),
        _nothing,
    ),
)


def _received(case: Case, traffic: Traffic) -> Raw:
    """The documented part of the body the client received last, for ``case``'s operation."""
    spec = _spec.load_spec()
    answer = traffic.last()
    schema = _spec.response_schema(spec, case.method, case.path, answer.status)
    return documented(spec, schema, answer.json())


def lost_in(case: Case, result: Any, traffic: Traffic) -> list[str]:
    """What of the documented body the client received did not reach ``result``'s models."""
    return [
        problem
        for expected, got in case.pairs(result, _received(case, traffic))
        for problem in lost_values(expected, got)
    ]


def example_names(case: Case) -> list[str | None]:
    """The examples every operation of ``case`` has (``None``: Prism's default answer)."""
    spec = _spec.load_spec()
    names: set[str] | None = None
    for method, path in ((case.method, case.path), *case.touches):
        status = _spec.success_status(spec, method, path)
        found = set(_spec.examples(spec, method, path, status))
        names = found if names is None else names & found
    named = sorted(name for name in names or () if name)
    return [*named] or [None]


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


#: The figures of a REST pagination object the client reads, and the largest it plans with.
_FIGURES: Final = ("page", "pages", "last_page", "next_page", "count", "items")
_MAX_FIGURE: Final = 2**31 - 1


def _is_figure(value: Any) -> bool:
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 11:
        value = int(value)
    return value is None or (type(value) is int and 0 <= value <= _MAX_FIGURE)


#: What identifies a record of each listing (the spec does not require it in a record).
_IDENTIFIERS: Final = {"records": "uuid", "users": "email"}


def _identified(record: Any, items_key: str) -> bool:
    value = record.get(_IDENTIFIERS[items_key]) if isinstance(record, dict) else None
    return value is not None and value != "" and not isinstance(value, dict | list)


def is_first_page(body: Any, items_key: str) -> bool:
    """Whether ``body`` can be page 1 as the docs describe pages (Prism's random ones rarely are).

    The docs' rules the client enforces, which no schema can state: the page number is the
    one asked for, every figure is a count from 0 to 2**31 - 1 (the spec's integers are
    unbounded), every record carries its identifier, and an empty page does not say that
    records follow it.
    """
    pagination = body.get("pagination") if isinstance(body, dict) else None
    pagination = pagination if isinstance(pagination, dict) else {}
    if pagination.get("page") is not None and pagination.get("page") != 1:
        return False
    if not all(_is_figure(pagination.get(key)) for key in _FIGURES):
        return False
    if body.get(items_key):
        return all(_identified(record, items_key) for record in body[items_key])
    said = ("pages", "last_page", "next_page")
    return (
        not any(_int(pagination.get(key)) > 1 for key in said)
        and _int(pagination.get("count")) <= 0
    )


def items_lost(case: Case, traffic: Traffic) -> list[str]:
    """What of a page's documented records their models do not carry (read one by one)."""
    assert case.page_of is not None
    key, model = case.page_of
    return [
        problem
        for index, record in enumerate(_received(case, traffic)[key])
        for problem in lost_values(record, model.from_dict(record).to_dict(), f"$[{index}]")
    ]
