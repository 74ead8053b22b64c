"""Time: stored in UTC, shown in Asia/Shanghai. Everything asks `now()` so tests can move time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def to_local(moment: datetime) -> datetime:
    """Show a stored moment in China Standard Time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_ZONE)


def local_today():
    """Today's date in China (report numbers and daily counters follow the local day)."""
    return now().astimezone(LOCAL_ZONE).date()
