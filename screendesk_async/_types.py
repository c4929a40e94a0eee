"""Small shared types of the public signatures."""

from __future__ import annotations

from typing import Final, Literal


class NotGiven:
    """The type of :data:`NOT_GIVEN`: "leave this field alone" (``None`` means "clear it")."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


#: Default of optional update arguments: the field is not sent.
NOT_GIVEN: Final = NotGiven()
