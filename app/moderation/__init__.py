"""Moderation of user text: one content-check policy for every feature."""

from app.moderation.content import ContentVerdict, screen_text

__all__ = ["ContentVerdict", "screen_text"]
