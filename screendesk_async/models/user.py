"""Users of the account (``/api/v2/users``)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Final

import attrs

from ._base import Model
from ._shape import field


class Role:
    """Values of ``User.role`` seen in the docs; others (e.g. ``"editor"``) are kept as sent."""

    ADMIN: Final = "admin"
    MEMBER: Final = "member"


class NotificationSetting:
    """Values of the notification settings."""

    ENABLED: Final = "Enabled"
    DISABLED: Final = "Disabled"


@attrs.frozen(kw_only=True)
class UserNotifications(Model):
    """A user's email notification settings (``"Enabled"`` / ``"Disabled"``).

    Older API docs name two keys differently; both spellings are read:
    ``notify_new_account_recording`` → ``notify_all_recordings`` and
    ``notify_new_recording`` → ``notify_own_recordings``.
    """

    notify_first_view: str | None = None
    notify_all_recordings: str | None = field(aliases=("notify_new_account_recording",))
    notify_own_recordings: str | None = field(aliases=("notify_new_recording",))


@attrs.frozen(kw_only=True)
class User(Model):
    """A user of the account. ``has_profile_picture`` is also read from ``has_avatar``."""

    _wire_identifier: ClassVar[str] = "email"

    email: str = ""
    name: str | None = None
    has_profile_picture: bool | None = field(aliases=("has_avatar",))
    role: str | None = None
    notifications: UserNotifications | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
