"""`flask regions import FILE`: load a region tree from JSON."""

import json

import click
from flask.cli import with_appcontext

from app.errors import ServiceError
from app.extensions import db
from app.regions import service

regions_group = click.Group("regions", help="Manage the region tree.")


@regions_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@with_appcontext
def import_command(file):
    """Create or update regions from a JSON file: a list of {name, level, code, boundary?,
    contact_phone?, office_hours?, children?} nodes (level: district, street, community, grid,
    courtyard; boundary: a GeoJSON Polygon/MultiPolygon in GCJ-02)."""
    try:
        data = json.load(file)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"not valid JSON: {exc}") from exc
    nodes = data if isinstance(data, list) else [data]
    try:
        count = service.import_tree(nodes)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"imported {count} regions")


commands = [regions_group]
