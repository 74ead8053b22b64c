"""Dialog state per follower: loading it locked, and the rules of its expiry.

A flow is *active* for IDLE after its last step; then it is *paused*. The next message is read
from the main menu (with a note that the flow timed out), and "继续" brings the flow back where
it stopped, for RESUME after its last step. Past that it is forgotten. The state is a database
row (bot/models.py says why), locked for the push being handled so that two messages of one
follower arriving together are handled one after the other.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app import clock
from app.database import insert_ignoring_conflicts
from app.extensions import db
from bot.models import BotDialog

IDLE = timedelta(minutes=10)
RESUME = timedelta(hours=24)
# Rows untouched this long hold nothing worth keeping (no resumable flow, no fresh location).
FORGET = timedelta(days=7)


# Built once: composing it costs more than running it, on every push.
_LOCKED_DIALOG = (sa.select(BotDialog).where(BotDialog.openid == sa.bindparam("openid"))
                  .with_for_update().execution_options(populate_existing=True))


def load_locked(openid: str) -> BotDialog:
    """The follower's dialog row, created when missing, locked until the transaction ends."""
    dialog = db.session.scalar(_LOCKED_DIALOG, {"openid": openid})
    if dialog is not None:
        return dialog
    now = clock.now()
    # A follower's first two messages may arrive together: one INSERT wins, both lock its row.
    insert_ignoring_conflicts(db.session, BotDialog.__table__, {
        "openid": openid, "flow": None, "step": "", "data": {}, "paused": False,
        "screen": "menu", "pages": [], "updated_at": now, "created_at": now,
    }, ["openid"])
    return db.session.scalar(_LOCKED_DIALOG, {"openid": openid})


def find_locked(openid: str) -> BotDialog | None:
    """The follower's dialog row locked until the transaction ends, if there is one (jobs)."""
    return db.session.scalar(_LOCKED_DIALOG, {"openid": openid})


def find(openid: str) -> BotDialog | None:
    return db.session.scalar(sa.select(BotDialog).where(BotDialog.openid == openid))


def is_active(dialog: BotDialog, now: datetime) -> bool:
    """A flow is under way and its last step was less than IDLE ago."""
    return (dialog.flow is not None and dialog.flow_updated_at is not None
            and now - dialog.flow_updated_at < IDLE)


def is_resumable(dialog: BotDialog, now: datetime) -> bool:
    """A flow timed out but "继续" can still bring it back."""
    return (dialog.flow is not None and dialog.flow_updated_at is not None
            and IDLE <= now - dialog.flow_updated_at < RESUME)


def start_flow(dialog: BotDialog, key: str, now: datetime) -> None:
    dialog.screen = "menu"  # leaving the help page: "0" after the flow means 帮助 again
    dialog.flow = key
    dialog.step = ""
    dialog.data = {}
    dialog.paused = False
    dialog.flow_updated_at = now


def end_flow(dialog: BotDialog) -> None:
    dialog.flow = None
    dialog.step = ""
    dialog.data = {}
    dialog.paused = False
    dialog.flow_updated_at = None


def sweep_forgotten_dialogs() -> int:
    """Delete dialog rows nobody has touched for FORGET; returns how many."""
    result = db.session.execute(sa.delete(BotDialog)
                                .where(BotDialog.updated_at < clock.now() - FORGET))
    db.session.commit()
    return result.rowcount or 0
