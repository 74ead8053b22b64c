"""Moderation of user content: the one content-check policy, and flagging/hiding for any item."""

from app.moderation.content import ContentVerdict, screen_text
from app.moderation.flags import (
    decide,
    flag_counts,
    hidden_item_ids,
    hold_for_review,
    moderation_states,
    move_region,
    queue_query,
    record_flag,
)
from app.moderation.models import Decision, FlagReason, HiddenReason, Visibility

__all__ = [
    "ContentVerdict",
    "Decision",
    "FlagReason",
    "HiddenReason",
    "Visibility",
    "decide",
    "flag_counts",
    "hidden_item_ids",
    "hold_for_review",
    "moderation_states",
    "move_region",
    "queue_query",
    "record_flag",
    "screen_text",
]
