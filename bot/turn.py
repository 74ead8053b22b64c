"""One message being answered: who sent it, where they are in the dialog, what they sent.

Flows read and move the dialog through a `Turn` only (bot/flows/__init__.py describes how). A
job that carries a flow on after the reply (a photo downloaded, a report filed) gets a Turn of
its own from `resume()`, and answers by customer-service message (`Turn.send_later`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from app import clock, jobs
from app.accounts import service as accounts
from app.accounts.models import Resident
from app.extensions import db
from bot import dialogs
from bot.intents import Intent, IntentKind
from bot.models import BotDialog

T = TypeVar("T")

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

    def send_later(self, text: str) -> None:
        """A customer-service text to the follower, sent by a job once this transaction commits
        (how jobs answer: they have no passive reply)."""
        from bot import jobs as bot_jobs

        jobs.enqueue(bot_jobs.send_text, self.openid, text)

    def call_committing(self, func: Callable[..., T], *args, **kwargs) -> T:
        """Call a service that commits the session itself, or rolls all of it back when it
        refuses (the polls service's cast_ballot does both).

        What this push changed so far is committed first, so that a refusal loses none of it:
        the push's receipt (without its reply yet, so a retried copy waits for the reply), the
        follower's record and this dialog. The dialog row is locked again afterwards, so the
        rest of the push stays serialised with the follower's other messages.
        """
        db.session.commit()
        try:
            return func(*args, **kwargs)
        finally:
            self.dialog = dialogs.load_locked(self.openid)


def job_turn(openid: str) -> Turn | None:
    """In a job: the follower's dialog, locked, as a Turn (None for an unknown follower)."""
    resident = accounts.resident_for_official_account(openid, create=False)
    if resident is None:
        db.session.rollback()
        return None
    dialog = dialogs.load_locked(openid)
    return Turn(resident, dialog, Message("other", Intent(IntentKind.EMPTY)), clock.now())


def resume(openid: str, flow: str, token: str) -> Turn | None:
    """In a job: the follower's dialog, locked, as a Turn, if it is still in `flow` on the draft
    `token` (the value a flow keeps in `data["token"]` for its jobs). None when the resident has
    left that flow or started it afresh, so a late or repeated job changes nothing."""
    dialog = dialogs.find_locked(openid)
    resident = accounts.resident_for_official_account(openid, create=False)
    if (dialog is None or resident is None or dialog.flow != flow
            or dialog.data.get("token") != token):
        db.session.rollback()
        return None
    return Turn(resident, dialog, Message("other", Intent(IntentKind.EMPTY)), clock.now())
