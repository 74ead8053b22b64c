"""`flask staff create|passwd|unlock`: staff accounts from the command line."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.accounts import service
from app.accounts.models import Staff, StaffRole
from app.errors import ServiceError
from app.extensions import db
from app.regions.models import Region

staff_group = click.Group("staff", help="Manage staff accounts.")


def _staff(username: str) -> Staff:
    staff = db.session.scalar(sa.select(Staff).where(Staff.username == username))
    if staff is None:
        raise click.ClickException(f"no staff account {username!r}")
    return staff


@staff_group.command("create")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True, help="Display name, e.g. 王芳")
@click.option("--role", type=click.Choice([r.value for r in StaffRole]), required=True)
@click.option("--region", "region_code", required=True, help="Code of the region in scope")
@click.password_option(help="At least 10 characters (asked for when omitted)")
@with_appcontext
def create_command(username, display_name, role, region_code, password):
    """Add a staff account scoped to a region subtree."""
    region = db.session.scalar(sa.select(Region).where(Region.code == region_code))
    if region is None:
        raise click.ClickException(f"no region with code {region_code!r}")
    try:
        staff = service.create_staff(username=username, password=password,
                                     display_name=display_name, role=role, region=region)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"created {staff.role.value} {staff.username} for {region.name}")


@staff_group.command("passwd")
@click.argument("username")
@click.password_option()
@with_appcontext
def passwd_command(username, password):
    """Set a staff member's password (signs out their API tokens)."""
    try:
        service.set_staff_password(_staff(username), password)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo("password changed")


@staff_group.command("unlock")
@click.argument("username")
@with_appcontext
def unlock_command(username):
    """Lift a sign-in lockout."""
    service.clear_lockout(_staff(username))
    db.session.commit()
    click.echo("unlocked")


commands = [staff_group]
