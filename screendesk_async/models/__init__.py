"""Typed models of the Screendesk API: frozen, slotted attrs classes.

Build them with keyword arguments (every field has a default), read them from the API's JSON with
``Model.from_dict``, and write them back with ``to_dict()``, which uses the API's own field
names. Timestamps are timezone-aware ``datetime`` objects; every field but the identifier may be
``None``; fields and enum values the models do not know never make a call fail.
"""

from __future__ import annotations

from ._base import Model
from ._converter import converter
from .common import Page, Pagination
from .recording import (
    Customer,
    HelpdeskInfo,
    ParticipantInsight,
    Recording,
    RecordingMetadata,
    RecordingType,
    RecordingUser,
    RoomInsights,
    TechnicalDetails,
)
from .scim import ScimEmail, ScimMeta, ScimName, ScimRoles, ScimUser
from .user import NotificationSetting, Role, User, UserNotifications

__all__ = [
    "Customer",
    "HelpdeskInfo",
    "Model",
    "NotificationSetting",
    "Page",
    "Pagination",
    "ParticipantInsight",
    "Recording",
    "RecordingMetadata",
    "RecordingType",
    "RecordingUser",
    "Role",
    "RoomInsights",
    "ScimEmail",
    "ScimMeta",
    "ScimName",
    "ScimRoles",
    "ScimUser",
    "TechnicalDetails",
    "User",
    "UserNotifications",
    "converter",
]
