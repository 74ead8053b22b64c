"""One message being answered: who sent it, where they are in the dialog, what they sent.

Flows read and move the dialog through a `Turn` only (bot/flows/__init__.py describes how).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app import jobs
from app.accounts.models import Resident
from bot import dialogs
from bot.intents import Intent
from bot.models import BotDialog

MESSAGE_KINDS = ("text", "voice", "image", "location", "tap", "other")


@dataclass(frozen=True)
class Location:
    lat: float
    lng: float
    label: str = ""


@dataclass(frozen=True)
class Message:
    """What the resident sent, whatever the channel.

    kind: "text" (typed), "voice" (the intent comes from WeChat's Recognition), "image"
    (media_id), "location" (location), "tap" (a custom-menu button or msgmenu item), "other".
    """

    kind: str
    intent: Intent
    media_id: str | None = None
    location: Location | None = None


class Turn:
    """The resident, their dialog row and their message, for the duration of one push."""

    def __init__(self, resident: Resident, dialog: BotDialog, message: Message, now: datetime):
        self.resident = resident
        self.dialog = dialog
        self.message = message
        self.now = now

    @property
    def openid(self) -> str:
        return self.dialog.openid

    @property
    def intent(self) -> Intent:
        return self.message.intent

    @property
    def elder(self) -> bool:
        """Elder mode: shorter replies in plainer words."""
        return bool(self.resident.elder_mode)

    @property
    def step(self) -> str:
        return self.dialog.step

    @property
    def data(self) -> dict:
        """The flow's own values (JSON types only); kept until the flow ends."""
        return self.dialog.data

    def goto(self, step: str, **values) -> None:
        """Move the flow to `step`, keeping `values` in its data."""
        self.dialog.step = step
        self.dialog.data.update(values)
        self.dialog.flow_updated_at = self.now

    def finish(self) -> None:
        """End the flow (the next message is read from the main menu)."""
        dialogs.end_flow(self.dialog)

    def back_to_menu(self, lead: str = "") -> str | None:
        """End the flow and show the main menu after `lead`."""
        from bot import menus

        self.finish()
        return menus.main_menu_reply(self, lead)

    def enqueue(self, func: Callable, *args) -> None:
        """Run slow work after this push commits (ids and plain values only)."""
        jobs.enqueue(func, *args)
