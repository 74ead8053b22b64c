"""Periodic work for proposals: closing co-signing when the deadline passes."""

from app import periodic
from app.proposals import service


@periodic.every(minutes=10)
def expire_overdue_proposals() -> None:
    """Published proposals past their deadline below the threshold become `expired`."""
    service.expire_overdue()
