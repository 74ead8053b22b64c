"""`flask notifications ...`: operating the outbox."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.extensions import db
from app.notifications import service
from app.notifications.models import Notification, NotificationStatus


@click.group("notifications", help="The notification outbox.")
def notifications_group():
    pass


@notifications_group.command("retry-failed")
@click.option("--kind", "kind_prefix", default=None,
              help="Only kinds starting with this (e.g. report.).")
@with_appcontext
def retry_failed_command(kind_prefix):
    """Queue every failed notification again, with fresh attempts and every channel."""
    count = service.retry_failed(kind_prefix)
    click.echo(f"queued {count} failed notifications again")


@notifications_group.command("stats")
@with_appcontext
def stats_command():
    """Print how many notifications are in each status, and the oldest pending one's age."""
    for status, count in service.status_counts().items():
        click.echo(f"{status:8} {count}")
    oldest = db.session.scalar(sa.select(sa.func.min(Notification.created_at))
                               .where(Notification.status == NotificationStatus.PENDING.value))
    if oldest is not None:
        from app import clock

        click.echo(f"oldest pending: {clock.now() - oldest} ago")


commands = [notifications_group]
