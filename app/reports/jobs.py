"""随手拍 sweeps: closing unrated reports and escalating overdue ones (idempotent by construction)."""

from app import periodic
from app.reports import service


@periodic.every(minutes=5)
def sweep_unrated_reports() -> None:
    """Close resolved reports the resident did not rate within 7 days."""
    service.close_unrated()


@periodic.every(minutes=5)
def sweep_overdue_reports() -> None:
    """Mark reports past their response or completion due time, once, and tell supervisors."""
    service.escalate_overdue()
