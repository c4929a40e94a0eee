"""Deterministic sample data: recordings and users derived from ``(seed, index)`` on demand.

Nothing is stored per generated record, so a fake with a million recordings costs no memory; only
explicit PATCH overlays and the index ranges of added recordings are kept.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Sequence
from typing import Any, NamedTuple, TypeVar

__all__ = ["MEMBER_STRIDE", "Person", "RecordingStore", "UserDirectory", "iso_timestamp"]

_T = TypeVar("_T")

# 2023-01-01T00:00:00Z; recordings are spread forward from here by index.
_EPOCH = 1_672_531_200
_THREE_YEARS = 94_608_000
_MASK60 = (1 << 60) - 1
_MUL1 = 0x9E3779B97F4A7C1
_MUL2 = 0xBF58476D1CE4E5B
_INV1 = pow(_MUL1, -1, 1 << 60)
_INV2 = pow(_MUL2, -1, 1 << 60)
_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")

#: Every ``MEMBER_STRIDE``-th recording index belongs to the member, so the member's view of any
#: index range is itself a range and can be paged without scanning.
MEMBER_STRIDE = 4


class _Bits:
    """A stream of pseudo-random draws from a hash, far cheaper than seeding ``random.Random``."""

    __slots__ = ("_digest", "_left", "_value")

    def __init__(self, key: bytes) -> None:
        self._digest = hashlib.blake2b(key, digest_size=64).digest()
        self._value = int.from_bytes(self._digest, "little")
        self._left = 512

    def below(self, n: int) -> int:
        # 24 bits per draw keeps the modulo bias negligible for the small n used here.
        if self._left < 24:
            self._digest = hashlib.blake2b(self._digest, digest_size=64).digest()
            self._value = int.from_bytes(self._digest, "little")
            self._left = 512
        value = self._value & 0xFFFFFF
        self._value >>= 24
        self._left -= 24
        return value % n

    def pick(self, options: Sequence[_T]) -> _T:
        return options[self.below(len(options))]


def _mix60(x: int) -> int:
    # An invertible scramble of 60 bits: uuids look random yet encode their index.
    x ^= x >> 30
    x = (x * _MUL1) & _MASK60
    x ^= x >> 30
    x = (x * _MUL2) & _MASK60
    return x ^ (x >> 30)


def _unmix60(x: int) -> int:
    x ^= x >> 30
    x = (x * _INV2) & _MASK60
    x ^= x >> 30
    x = (x * _INV1) & _MASK60
    return x ^ (x >> 30)


def _seed_offset(seed: int, salt: str) -> int:
    digest = hashlib.blake2b(f"{salt}:{seed}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & _MASK60


_OFFSETS = {0: "Z", 60: "+01:00", 120: "+02:00", -300: "-05:00", 330: "+05:30"}
_OFFSET_CHOICES = (0, 0, 0, 120, 60, -300, 330)


@functools.lru_cache(maxsize=8192)
def _date(day: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(day * 86_400))


def iso_timestamp(ts: float, offset_minutes: int = 0) -> str:
    """Format a Unix time as ISO-8601 with ``Z`` or a ``+HH:MM`` offset, as the API does."""
    day, seconds = divmod(int(ts) + offset_minutes * 60, 86_400)
    hours, rest = divmod(seconds, 3600)
    suffix = _OFFSETS.get(offset_minutes)
    if suffix is None:
        sign = "+" if offset_minutes > 0 else "-"
        off_hours, off_minutes = divmod(abs(offset_minutes), 60)
        suffix = f"{sign}{off_hours:02d}:{off_minutes:02d}"
    return f"{_date(day)}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}{suffix}"


_GIVEN = (
    "Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Chloe", "Lucas", "Amara", "Mateo", "Ines",
    "Oliver", "Priya", "Kenji", "Sofia", "Tomas", "Leila", "Jonas", "Hana", "Diego", "Freya",
    "Omar", "Elena", "Felix", "Nadia", "Ravi", "Clara", "Yusuf", "Greta", "Malik", "Iris", "Arjun",
)  # fmt: skip
_FAMILY = (
    "Nguyen", "Martin", "Okafor", "Schmidt", "Rossi", "Kowalski", "Silva", "Tanaka", "Dubois",
    "Hansen", "Garcia", "Novak", "Khan", "Larsen", "Moreau", "Ivanova", "Costa", "Murphy", "Weber",
    "Haddad", "Berg", "Lopez", "Fischer", "Yilmaz", "Sato", "Bianchi", "Kim", "Andersen", "Ortiz",
    "Mensah", "Walsh", "Dahl",
)  # fmt: skip


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
        self._offset = _seed_offset(seed, "people")
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
        given, family = _GIVEN[combo % 32], _FAMILY[combo // 32]
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
        bits = _Bits(f"user:{self.seed}:{index}".encode())
        created = _EPOCH - 400 * 86_400 + index * 7_200 + bits.below(7_200)
        updated = created + bits.below(300 * 86_400)
        flags = ["Enabled" if bits.below(3) else "Disabled" for _ in range(3)]
        picture = bits.below(3) != 0
        user: dict[str, Any] = {
            "email": person.email,
            "name": f"{person.given} {person.family}",
        }
        if legacy or self.legacy(index):
            # The older docs' example: has_avatar, then role, notifications and timestamps.
            user["has_avatar"] = picture
            user["role"] = self.role(index)
            user["notifications"] = {
                "notify_first_view": flags[0],
                "notify_new_account_recording": flags[1],
                "notify_new_recording": flags[2],
            }
        else:
            user["has_profile_picture"] = picture
            user["role"] = self.role(index)
            user["notifications"] = {
                "notify_first_view": flags[0],
                "notify_all_recordings": flags[1],
                "notify_own_recordings": flags[2],
            }
        user["created_at"] = iso_timestamp(created, bits.pick(_OFFSET_CHOICES))
        user["updated_at"] = iso_timestamp(updated)
        # A field no client knows: clients must ignore it and exporters keep it.
        user["locale"] = bits.pick(_LOCALES)
        return user


_LOCALES = ("en", "en", "en-GB", "de", "fr", "es", "pt-BR", "ja", "nl")


# Word lists for recordings: combined by hash draws into ~2.5 KB of realistic JSON per record.
_PROBLEMS = (
    "Checkout button does nothing", "Invoice PDF fails to download", "Cannot upload CSV",
    "Login loops back to the sign-in page", "Dashboard charts stay blank", "Coupon code rejected",
    "Password reset email never arrives", "Search returns no results", "Video call drops audio",
    "Export to Excel times out", "Cart empties itself", "Profile photo upload fails",
    "Two-factor code not accepted", "Order history missing items", "Settings do not save",
    "Payment form shows an error",
)  # fmt: skip
_CONTEXTS = (
    "on Safari", "after login", "in the mobile app", "for team accounts", "since the last update",
    "on slow connections", "with SSO enabled", "on the pricing page", "for EU customers",
    "in the admin panel", "after changing plans", "on Windows 11", "in dark mode",
    "with an ad blocker", "for new users", "during checkout",
)  # fmt: skip
_SENTENCES = (
    "The customer clicks the primary button and nothing visible happens on the page.",
    "A spinner appears for a few seconds and then the form resets without any message.",
    "The network tab shows a request failing with a server error right after submit.",
    "Reloading the page does not help and clearing the cache only fixes it for one attempt.",
    "The issue started this morning and several customers from the same company report it.",
    "The customer is on a corporate network with a proxy that rewrites some headers.",
    "Switching to a private window reproduces the problem on the first try.",
    "The console shows an uncaught type error coming from the bundled application script.",
    "Support confirmed the account is in good standing and the subscription is active.",
    "The recording shows the customer trying three times before giving up in frustration.",
    "An older browser version on the same machine does not show the problem at all.",
    "The customer mentions a deadline today and asks for a workaround as soon as possible.",
    "Engineering suspects a race between the autosave request and the navigation event.",
    "The layout shifts while loading, so the click lands on a different element than intended.",
    "After the failure the customer is logged out and has to sign in again to continue.",
    "The same steps work for the agent, which suggests account-specific configuration.",
)
_LOG_LINES = (
    "Uncaught TypeError: Cannot read properties of undefined (reading 'id')",
    "GET https://{company}.example.com/api/v1/cart 500 (Internal Server Error)",
    "POST https://{company}.example.com/api/v1/orders 422 (Unprocessable Entity)",
    "[Violation] 'click' handler took 412ms",
    'Warning: Each child in a list should have a unique "key" prop.',
    "Failed to load resource: net::ERR_BLOCKED_BY_CLIENT",
    "Refused to apply style from 'https://cdn.{company}.example.com/app.css' (MIME type)",
    "WebSocket connection to 'wss://rt.{company}.example.com/socket' failed",
    "ResizeObserver loop completed with undelivered notifications.",
    "Unhandled Promise Rejection: Error: Request aborted",
)
_COMPANIES = (
    "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell",
    "soylent", "vandelay", "piedpiper", "cyberdyne", "dynamics", "oscorp", "aperture",
)  # fmt: skip
#: platform slug, recording_source, and which helpdesk_info ids that helpdesk fills in.
_HELPDESKS = (
    ("zendesk", "Zendesk Ticket", ("ticket_id", "user_id", "operator_id")),
    ("zendesk", "Zendesk Ticket", ("ticket_id", "user_id", "operator_id")),
    ("intercom", "Intercom Operator", ("conversation_id", "operator_id", "customer_id")),
    ("freshdesk", "Freshdesk Ticket", ("ticket_id", "customer_id")),
    ("helpscout", "Help Scout Conversation", ("conversation_id", "ticket_id", "customer_id")),
    ("hubspot", "HubSpot Ticket", ("ticket_id", "customer_id")),
    ("jira", "Jira Issue", ("issue_id", "user_id")),
)
_HELPDESK_IDS = (
    "conversation_id", "ticket_id", "user_id", "operator_id", "customer_id", "issue_id",
)  # fmt: skip
_TYPES = ("Received", "Received", "Received", "Received", "Sent", "Live")
#: Where customers record from: (timezone, ISP, IPv4 prefix from the documentation ranges).
_NETWORKS = (
    ("Europe/Berlin", "Deutsche Telekom AG", "203.0.113."),
    ("Europe/Paris", "Orange S.A.", "198.51.100."),
    ("Europe/London", "British Telecommunications PLC", "192.0.2."),
    ("America/New_York", "Comcast Cable Communications, LLC", "203.0.113."),
    ("America/Los_Angeles", "Charter Communications Inc", "198.51.100."),
    ("America/Sao_Paulo", "Claro S.A.", "192.0.2."),
    ("Asia/Kolkata", "Reliance Jio Infocomm Limited", "203.0.113."),
    ("Asia/Tokyo", "NTT Communications Corporation", "198.51.100."),
    ("Australia/Sydney", "Telstra Corporation Ltd", "192.0.2."),
    ("Europe/Madrid", "Telefonica de Espana S.A.U.", "203.0.113."),
)
_NETWORK_TYPES = ("wifi", "wifi", "wifi", "ethernet", "cellular", "4g", None)
#: navigator.vendor of each browser (Firefox sends an empty one: null here).
_VENDORS = {"Chrome": "Google Inc.", "Edge": "Google Inc.", "Safari": "Apple Computer, Inc."}
_BROWSERS = (
    ("Chrome", ("120.0", "121.0", "122.0", "124.0")),
    ("Chrome", ("120.0", "123.0")),
    ("Firefox", ("121.0", "123.0", "125.0")),
    ("Safari", ("17.2", "17.4")),
    ("Edge", ("120.0", "122.0")),
)
#: os, user agent platform, device, device_type.
_SYSTEMS = (
    ("macOS", "Macintosh; Intel Mac OS X 10_15_7", "MacBook Pro", "desktop"),
    ("Windows", "Windows NT 10.0; Win64; x64", "Windows PC", "desktop"),
    ("iOS", "iPhone; CPU iPhone OS 17_2 like Mac OS X", "iPhone", "mobile"),
    ("Android", "Linux; Android 14; Pixel 8", "Pixel 8", "mobile"),
    ("Linux", "X11; Linux x86_64", "Linux PC", "desktop"),
    ("iPadOS", "iPad; CPU OS 17_2 like Mac OS X", "iPad", "tablet"),
)
_VARIANTS = 2048
_TAGS = ("billing", "bug", "onboarding", "vip", "mobile", "escalated", "refund", "sso")


def _multiples(span: range, stride: int) -> range:
    """Return the members of ``span`` (step +1 or -1) divisible by ``stride``, as a range."""
    if not span:
        return range(0)
    first = span[0]
    first = first + (-first) % stride if span.step > 0 else first - first % stride
    return range(first, span.stop, stride * span.step)


class RecordingStore:
    """The account's recordings in page order (newest first), as ranges of generator indices.

    The initial recordings are indices ``count-1 .. 0``; recordings added at the head get higher
    indices (newer), those added at the tail negative ones (older).
    """

    def __init__(self, count: int, seed: int, users: UserDirectory) -> None:
        if count < 0:
            raise ValueError("recordings must be >= 0")
        self._seed = seed
        self._users = users
        self._offset = _seed_offset(seed, "uuid")
        self._check = _seed_offset(seed, "check")
        self._spacing = min(max(_THREE_YEARS // max(count, 1), 60), 21_600)
        self._segments: list[range] = [range(count - 1, -1, -1)] if count else []
        self._high = count
        self._low = -1
        self._overlays: dict[int, dict[str, Any]] = {}
        self._variants: dict[int, dict[str, Any]] = {}
        #: Bumped on every change, so cached pages can never be stale.
        self.version = 0

    # -- identity -------------------------------------------------------------------------
    def uuid(self, index: int) -> str:
        """Return the uuid4 of the recording at generator ``index``; it encodes the index."""
        head = f"{_mix60((index + self._offset) & _MASK60):015x}"
        tail = _mix60(int(head, 16) ^ self._check)
        variant = "89ab"[tail & 3]
        rest = f"{tail >> 2:015x}"[-15:]
        return f"{head[:8]}-{head[8:12]}-4{head[12:]}-{variant}{rest[:3]}-{rest[3:]}"

    def find(self, uuid: str, *, member: bool = False) -> int | None:
        """Return the index of a present (and, for a member, visible) recording with this uuid."""
        if not _UUID_RE.fullmatch(uuid):
            return None
        head = int(uuid[:8] + uuid[9:13] + uuid[15:18], 16)
        index = (_unmix60(head) - self._offset) & _MASK60
        if index >= 1 << 59:
            index -= 1 << 60
        if self.uuid(index) != uuid or not any(index in seg for seg in self._segments):
            return None
        if member and index % MEMBER_STRIDE:
            return None
        return index

    # -- paging ---------------------------------------------------------------------------
    def _view(self, member: bool) -> list[range]:
        segments = self._segments
        return [_multiples(seg, MEMBER_STRIDE) for seg in segments] if member else segments

    def count(self, *, member: bool = False) -> int:
        """How many recordings the admin (or the member) can see."""
        return sum(len(seg) for seg in self._view(member))

    def indices(self, start: int, stop: int, *, member: bool = False) -> list[int]:
        """Return the indices at page positions ``start .. stop-1`` of the admin or member view."""
        out: list[int] = []
        pos = 0
        for seg in self._view(member):
            size = len(seg)
            if pos >= stop:
                break
            if pos + size > start:
                out.extend(seg[max(0, start - pos) : stop - pos])
            pos += size
        return out

    # -- changes --------------------------------------------------------------------------
    def add(self, n: int, *, at_head: bool = True) -> None:
        """Add ``n`` recordings at the head (newest) or the tail (oldest)."""
        if n <= 0:
            return
        if at_head:
            new = range(self._high + n - 1, self._high - 1, -1)
            self._high += n
            self._segments = [new, *self._segments]
        else:
            new = range(self._low, self._low - n, -1)
            self._low -= n
            self._segments = [*self._segments, new]
        self.version += 1

    def remove(self, n: int, *, at_head: bool = True) -> None:
        """Remove ``n`` recordings from the head (newest) or the tail (oldest)."""
        segments = list(self._segments) if at_head else [s[::-1] for s in reversed(self._segments)]
        while n > 0 and segments:
            cut = min(n, len(segments[0]))
            n -= cut
            segments[0] = segments[0][cut:]
            if not segments[0]:
                segments.pop(0)
        self._segments = segments if at_head else [s[::-1] for s in reversed(segments)]
        self.version += 1

    def patch(self, index: int, fields: dict[str, str | None], now: float) -> None:
        """Overlay edited ``title``/``summary``/``description`` values and bump ``updated_at``."""
        overlay = {**self._overlays.get(index, {}), **fields}
        overlay["updated_at"] = iso_timestamp(now)
        self._overlays[index] = overlay
        self.version += 1

    # -- rendering ------------------------------------------------------------------------
    def render(self, index: int) -> dict[str, Any]:
        """Return the REST v2 JSON of the recording at ``index``, with any PATCH applied.

        Nested objects may be shared between calls: serialise the result, don't mutate it.
        """
        record = self._generate(index)
        overlay = self._overlays.get(index)
        if overlay:
            record["metadata"] = {**record["metadata"], "updated_at": overlay["updated_at"]}
            record.update((k, v) for k, v in overlay.items() if k != "updated_at")
        return record

    def _variant(self, number: int) -> dict[str, Any]:
        # The bulky text is drawn from a bounded pool of variants built on first use, which makes
        # a record ~4x cheaper to generate; the per-record fields keep every record distinct.
        variant = self._variants.get(number)
        if variant is None:
            bits = _Bits(f"variant:{self._seed}:{number}".encode())
            browser, _ = bits.pick(_BROWSERS)
            timezone, isp, prefix = bits.pick(_NETWORKS)
            given, family, company = bits.pick(_GIVEN), bits.pick(_FAMILY), bits.pick(_COMPANIES)
            variant = {
                "title": f"{bits.pick(_PROBLEMS)} {bits.pick(_CONTEXTS)}",
                "summary": None if bits.below(6) == 0 else _prose(bits, 2 + bits.below(2)),
                "description": None if bits.below(6) == 0 else _prose(bits, 5 + bits.below(5)),
                # ip_address is filled in per record (see _generate); a few lookups failed.
                "technical_details": {
                    "vendor": _VENDORS.get(browser),
                    "ip_address": prefix,
                    "timezone": None if bits.below(40) == 0 else timezone,
                    "network_type": bits.pick(_NETWORK_TYPES),
                    "isp": None if bits.below(25) == 0 else isp,
                },
                "console_logs": None if bits.below(4) == 0 else _logs(bits, company),
                "customer": {
                    "email": None
                    if bits.below(30) == 0
                    else f"{given}.{family}@{company}.example.com".lower(),
                },
                "customer_name": f"{given} {family}",
                "company": company,
            }
            self._variants[number] = variant
        return variant

    def _generate(self, index: int) -> dict[str, Any]:
        bits = _Bits(f"rec:{self._seed}:{index}".encode())
        variant = self._variant(bits.below(_VARIANTS))
        uuid = self.uuid(index)
        created = _EPOCH + index * self._spacing + bits.below(self._spacing)
        offset = bits.pick(_OFFSET_CHOICES)
        duration = 8 + bits.below(900)
        kind = bits.pick(_TYPES)
        if index % MEMBER_STRIDE == 0:
            owner = self._users.person(1)
        else:
            # Anyone but the member: the member's recordings are exactly the stride multiples.
            other = bits.below(self._users.count - 1)
            owner = self._users.person(other + 1 if other >= 1 else 0)
        if kind == "Sent" or bits.below(8) == 0:
            # The docs allow an empty helpdesk_info; in-app recordings have no ticket.
            helpdesk: dict[str, str | None] = {}
            source = "Screendesk App"
        else:
            slug, source, filled = bits.pick(_HELPDESKS)
            helpdesk = {"platform": slug}
            for name in _HELPDESK_IDS:
                helpdesk[name] = _helpdesk_id(bits, slug, name) if name in filled else None
        technical = variant["technical_details"]
        technical = {**technical, "ip_address": f"{technical['ip_address']}{1 + bits.below(254)}"}
        record: dict[str, Any] = {
            "uuid": uuid,
            "title": variant["title"],
            "summary": variant["summary"],
            "description": variant["description"],
            "metadata": {
                "created_at": iso_timestamp(created, offset),
                "updated_at": iso_timestamp(created + duration + bits.below(86_400), offset),
                "duration": duration,
                "impressions_count": bits.below(12),
                "recording_type": kind,
                "recording_source": source,
                "url": f"https://app.screendesk.io/recordings/{uuid}",
                "helpdesk_info": helpdesk,
            },
            "technical_details": technical,
            "console_logs": variant["console_logs"],
            "customer": variant["customer"],
            "user": {"email": owner.email, "name": f"{owner.given} {owner.family}"},
        }
        if kind == "Live":
            record["room_insights"] = _room(bits, created, offset, owner, variant)
        elif bits.below(5):
            record["room_insights"] = None
        # else: no room_insights key at all, as in the older docs' examples.
        # A field no client knows: clients must ignore it and exporters keep it.
        record["tags"] = sorted({bits.pick(_TAGS) for _ in range(bits.below(4))})
        return record


def _helpdesk_id(bits: _Bits, platform: str, name: str) -> str:
    if name == "issue_id":
        return f"SUP-{1 + bits.below(9_000)}"
    if platform == "intercom":
        return str(100_000_000_000 + bits.below(9_000_000))
    return str(10_000 + bits.below(890_000))


def _prose(bits: _Bits, sentences: int) -> str:
    return " ".join(bits.pick(_SENTENCES) for _ in range(sentences))


def _logs(bits: _Bits, company: str) -> str:
    lines = []
    clock = bits.below(86_400)
    for _ in range(5 + bits.below(6)):
        clock += bits.below(20)
        hours, rest = divmod(clock % 86_400, 3600)
        stamp = f"[{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.{bits.below(1000):03d}]"
        lines.append(f"{stamp} {bits.pick(_LOG_LINES).format(company=company)}")
    return "\n".join(lines)


def _room(
    bits: _Bits, created: int, offset: int, owner: Person, variant: dict[str, Any]
) -> dict[str, Any]:
    length = 60 + bits.below(1_800)
    guests = 1 + bits.below(3)
    people = [(f"{owner.given} {owner.family}", "host")]
    people.append((variant["customer_name"], "guest"))
    people.extend((f"{bits.pick(_GIVEN)} {bits.pick(_FAMILY)}", "guest") for _ in range(guests - 1))
    insights = []
    seconds = 0
    for name, role in people:
        joined = created + bits.below(20)
        left = created + length - bits.below(20)
        seconds += left - joined
        browser, versions = bits.pick(_BROWSERS)
        system, ua_platform, device, device_type = bits.pick(_SYSTEMS)
        insights.append(
            {
                "participant_id": f"PA_{bits.below(1 << 24):06x}{bits.below(1 << 24):06x}",
                "display_name": None if bits.below(12) == 0 else name,
                "role": role,
                "browser": browser,
                "os": system,
                "device": device,
                "device_type": device_type,
                "user_agent": f"Mozilla/5.0 ({ua_platform}) AppleWebKit/537.36 "
                f"(KHTML, like Gecko) {browser}/{bits.pick(versions)} Safari/537.36",
                "joined_at": iso_timestamp(joined, offset),
                "left_at": None if bits.below(15) == 0 else iso_timestamp(left, offset),
            }
        )
    return {
        "started_at": iso_timestamp(created, offset),
        "ended_at": iso_timestamp(created + length, offset),
        "duration": length,
        "total_participant_minutes": round(seconds / 60, 2),
        "total_unique_participants": len(insights),
        "participants_insights": insights,
    }
