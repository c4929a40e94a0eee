"""The fake account's recordings: page order, member views, added and removed ones, PATCHes.

Nothing is stored per generated record (each is rendered from ``(seed, index)``); only PATCH
overlays and the index ranges of added recordings are kept.
"""

from __future__ import annotations

import re
from typing import Any

from ._draws import (
    EPOCH,
    MASK60,
    OFFSET_CHOICES,
    THREE_YEARS,
    Bits,
    iso_timestamp,
    mix60,
    seed_offset,
    unmix60,
)
from ._people import FAMILY, GIVEN, Person, UserDirectory
from ._vocabulary import (
    BROWSERS,
    COMPANIES,
    CONTEXTS,
    HELPDESK_IDS,
    HELPDESKS,
    LOG_LINES,
    NETWORK_TYPES,
    NETWORKS,
    PROBLEMS,
    SENTENCES,
    SYSTEMS,
    TAGS,
    TYPES,
    VARIANTS,
    VENDORS,
)

_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")

#: Every ``MEMBER_STRIDE``-th recording index belongs to the member, so the member's view of any
#: index range is itself a range and can be paged without scanning.
MEMBER_STRIDE = 4


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
        self._offset = seed_offset(seed, "uuid")
        self._check = seed_offset(seed, "check")
        self._spacing = min(max(THREE_YEARS // max(count, 1), 60), 21_600)
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
        head = f"{mix60((index + self._offset) & MASK60):015x}"
        tail = mix60(int(head, 16) ^ self._check)
        variant = "89ab"[tail & 3]
        rest = f"{tail >> 2:015x}"[-15:]
        return f"{head[:8]}-{head[8:12]}-4{head[12:]}-{variant}{rest[:3]}-{rest[3:]}"

    def find(self, uuid: str, *, member: bool = False) -> int | None:
        """Return the index of a present (and, for a member, visible) recording with this uuid."""
        if not _UUID_RE.fullmatch(uuid):
            return None
        head = int(uuid[:8] + uuid[9:13] + uuid[15:18], 16)
        index = (unmix60(head) - self._offset) & MASK60
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
            bits = Bits(f"variant:{self._seed}:{number}".encode())
            browser, _ = bits.pick(BROWSERS)
            timezone, isp, prefix = bits.pick(NETWORKS)
            given, family, company = bits.pick(GIVEN), bits.pick(FAMILY), bits.pick(COMPANIES)
            variant = {
                "title": f"{bits.pick(PROBLEMS)} {bits.pick(CONTEXTS)}",
                "summary": None if bits.below(6) == 0 else _prose(bits, 2 + bits.below(2)),
                "description": None if bits.below(6) == 0 else _prose(bits, 5 + bits.below(5)),
                # ip_address is filled in per record (see _generate); a few lookups failed.
                "technical_details": {
                    "vendor": VENDORS.get(browser),
                    "ip_address": prefix,
                    "timezone": None if bits.below(40) == 0 else timezone,
                    "network_type": bits.pick(NETWORK_TYPES),
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
        bits = Bits(f"rec:{self._seed}:{index}".encode())
        variant = self._variant(bits.below(VARIANTS))
        uuid = self.uuid(index)
        created = EPOCH + index * self._spacing + bits.below(self._spacing)
        offset = bits.pick(OFFSET_CHOICES)
        duration = 8 + bits.below(900)
        kind = bits.pick(TYPES)
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
            slug, source, filled = bits.pick(HELPDESKS)
            helpdesk = {"platform": slug}
            for name in HELPDESK_IDS:
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
        record["tags"] = sorted({bits.pick(TAGS) for _ in range(bits.below(4))})
        return record


def _helpdesk_id(bits: Bits, platform: str, name: str) -> str:
    if name == "issue_id":
        return f"SUP-{1 + bits.below(9_000)}"
    if platform == "intercom":
        return str(100_000_000_000 + bits.below(9_000_000))
    return str(10_000 + bits.below(890_000))


def _prose(bits: Bits, sentences: int) -> str:
    return " ".join(bits.pick(SENTENCES) for _ in range(sentences))


def _logs(bits: Bits, company: str) -> str:
    lines = []
    clock = bits.below(86_400)
    for _ in range(5 + bits.below(6)):
        clock += bits.below(20)
        hours, rest = divmod(clock % 86_400, 3600)
        stamp = f"[{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.{bits.below(1000):03d}]"
        lines.append(f"{stamp} {bits.pick(LOG_LINES).format(company=company)}")
    return "\n".join(lines)


def _room(
    bits: Bits, created: int, offset: int, owner: Person, variant: dict[str, Any]
) -> dict[str, Any]:
    length = 60 + bits.below(1_800)
    guests = 1 + bits.below(3)
    people = [(f"{owner.given} {owner.family}", "host")]
    people.append((variant["customer_name"], "guest"))
    people.extend((f"{bits.pick(GIVEN)} {bits.pick(FAMILY)}", "guest") for _ in range(guests - 1))
    insights = []
    seconds = 0
    for name, role in people:
        joined = created + bits.below(20)
        left = created + length - bits.below(20)
        seconds += left - joined
        browser, versions = bits.pick(BROWSERS)
        system, ua_platform, device, device_type = bits.pick(SYSTEMS)
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
