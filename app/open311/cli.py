"""`flask open311 partner create|list|revoke`: Open311 partners from the command line.

The command line acts as the operator (no staff account): its actions are audit-logged with no
staff member.
"""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.errors import ServiceError
from app.extensions import db
from app.open311 import service
from app.open311.models import Partner
from app.regions.models import Region

open311_group = click.Group("open311", help="Open311 GeoReport v2 partners.")
partner_group = click.Group("partner", help="Partners and their API keys.")
open311_group.add_command(partner_group)


@partner_group.command("create")
@click.option("--name", required=True, help="e.g. 锦江区12345热线平台 (recorded as the source)")
@click.option("--region", "region_code", required=True,
              help="Code of the region it may file into (a community allows address-only)")
@click.option("--contact", default="", help="Who to call at the partner")
@click.option("--rate-limit", "rate_limit", type=int, default=service.DEFAULT_RATE_LIMIT,
              show_default=True, help="Filings per minute")
@with_appcontext
def create_command(name, region_code, contact, rate_limit):
    """Create a partner and print its API key (shown only this once)."""
    region = db.session.scalar(sa.select(Region).where(Region.code == region_code))
    if region is None:
        raise click.ClickException(f"no region with code {region_code!r}")
    try:
        partner, api_key = service.create_partner(None, name=name, region=region,
                                                  contact=contact,
                                                  rate_limit_per_minute=rate_limit)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"created partner {partner.id} {partner.name} for {region.name}")
    click.echo(f"api_key: {api_key}")
    click.echo("(the key is not stored and cannot be shown again)")


@partner_group.command("list")
@with_appcontext
def list_command():
    """List partners: id, name, region, key prefix, state."""
    for partner in db.session.scalars(sa.select(Partner).order_by(Partner.id)):
        state = "active" if partner.active else f"revoked {partner.revoked_at:%Y-%m-%d}"
        click.echo(f"{partner.id}\t{partner.name}\t{partner.region.name}\t"
                   f"{partner.key_prefix}…\t{partner.rate_limit_per_minute}/min\t{state}")


@partner_group.command("revoke")
@click.argument("partner_id", type=int)
@with_appcontext
def revoke_command(partner_id):
    """Revoke a partner's API key for good."""
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        raise click.ClickException(f"no partner {partner_id}")
    try:
        service.revoke_partner(None, partner)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"revoked partner {partner.id} {partner.name}")


commands = [open311_group]
