"""The fake account's users, derived from ``(seed, index)``: names, emails, roles, REST JSON."""

from __future__ import annotations

from typing import Any, NamedTuple

from ._draws import EPOCH, OFFSET_CHOICES, Bits, iso_timestamp, seed_offset

GIVEN = (
    "Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Chloe", "Lucas", "Amara", "Mateo", "Ines",
    "Oliver", "Priya", "Kenji", "Sofia", "Tomas", "Leila", "Jonas", "Hana", "Diego", "Freya",
    "Omar", "Elena", "Felix", "Nadia", "Ravi", "Clara", "Yusuf", "Greta", "Malik", "Iris", "Arjun",
)  # fmt: skip
FAMILY = (
    "Nguyen", "Martin", "Okafor", "Schmidt", "Rossi", "Kowalski", "Silva", "Tanaka", "Dubois",
    "Hansen", "Garcia", "Novak", "Khan", "Larsen", "Moreau", "Ivanova", "Costa", "Murphy", "Weber",
    "Haddad", "Berg", "Lopez", "Fischer", "Yilmaz", "Sato", "Bianchi", "Kim", "Andersen", "Ortiz",
    "Mensah", "Walsh", "Dahl",
)  # fmt: skip


#: A user's spellings in the newest and the older docs: the picture flag, then the notifications.
_NEWER = (
    "has_profile_picture",
    "notify_first_view",
    "notify_all_recordings",
    "notify_own_recordings",
)
_OLDER = ("has_avatar", "notify_first_view", "notify_new_account_recording", "notify_new_recording")


class Person(NamedTuple):
    """A generated person: the account's users and SCIM users are built from these."""

    given: str
    family: str
    email: str


class UserDirectory:
    """The account's users: index 0 is the owner (an admin), index 1 the member used for tests."""

    def __init__(self, count: int, seed: int) -> None:
        if count < 2:
            raise ValueError("a fake account needs at least 2 users (the owner and a member)")
        self.count = count
        self.seed = seed
        self._offset = seed_offset(seed, "people")
        self._by_email: dict[str, int] | None = None
        self._people: dict[int, Person] = {}

    def person(self, index: int) -> Person:
        """Return the person at ``index``; every index gets a unique email."""
        person = self._people.get(index)
        if person is None:
            person = self._make_person(index)
            if index < self.count:
                # Recording owners are looked up constantly; the directory itself is small.
                self._people[index] = person
        return person

    def _make_person(self, index: int) -> Person:
        if index == 2:
            # A '+' in an address proves clients URL-encode query parameters.
            return Person("Ops", "Alerts", "ops+alerts@example.com")
        # 389 is odd, so this is a bijection on index mod 1024: no two people share a name pair.
        combo = (index * 389 + self._offset) % 1024
        given, family = GIVEN[combo % 32], FAMILY[combo // 32]
        suffix = str(index // 1024) if index >= 1024 else ""
        return Person(given, family, f"{given}.{family}{suffix}@example.com".lower())

    def role(self, index: int) -> str:
        """Return the user's role; a few ``editor`` values prove clients tolerate new roles."""
        if index == 0 or (index > 2 and index % 9 == 3):
            return "admin"
        if index > 2 and index % 17 == 5:
            return "editor"
        return "member"

    def find(self, email: str) -> int | None:
        """Return the index of the user with this email (case-insensitive), or None."""
        if self._by_email is None:
            self._by_email = {self.person(i).email: i for i in range(self.count)}
        return self._by_email.get(email.lower())

    def legacy(self, index: int) -> bool:
        """Whether this user is sent in the older docs' spellings (every seventh one is)."""
        return index % 7 == 6

    def render(self, index: int, *, legacy: bool = False) -> dict[str, Any]:
        """Return the REST v2 JSON of one user, with the older doc spellings when ``legacy``.

        Some users use the older spellings anyway (:meth:`legacy`), as the docs allow; each
        carries one field no client knows (``locale``).
        """
        person = self.person(index)
        bits = Bits(f"user:{self.seed}:{index}".encode())
        created = EPOCH - 400 * 86_400 + index * 7_200 + bits.below(7_200)
        updated = created + bits.below(300 * 86_400)
        flags = ["Enabled" if bits.below(3) else "Disabled" for _ in range(3)]
        picture = bits.below(3) != 0
        user: dict[str, Any] = {
            "email": person.email,
            "name": f"{person.given} {person.family}",
        }
        # The older docs' example spells has_avatar and two notification keys otherwise.
        spelling = _OLDER if legacy or self.legacy(index) else _NEWER
        user[spelling[0]] = picture
        user["role"] = self.role(index)
        user["notifications"] = dict(zip(spelling[1:], flags, strict=True))
        user["created_at"] = iso_timestamp(created, bits.pick(OFFSET_CHOICES))
        user["updated_at"] = iso_timestamp(updated)
        # A field no client knows: clients must ignore it and exporters keep it.
        user["locale"] = bits.pick(LOCALES)
        return user


LOCALES = ("en", "en", "en-GB", "de", "fr", "es", "pt-BR", "ja", "nl")
