"""Mailbox deadlines: the periodic sweep that marks overdue letters and alerts staff."""

from app import periodic
from app.mailbox import service


@periodic.every(minutes=5)
def sweep_overdue_letters() -> None:
    """Mark letters whose owed reply is late and notify the mailbox's staff and supervisors."""
    service.mark_overdue_letters()
