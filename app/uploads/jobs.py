"""Upload housekeeping."""

from app import periodic
from app.uploads import service


@periodic.every(minutes=60)
def sweep_unclaimed_uploads() -> None:
    """Delete photos uploaded but never attached to anything for three days."""
    service.delete_unclaimed()
