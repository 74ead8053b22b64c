"""The region tree: building it, finding where a point lies, and the subtree queries scoping uses."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from app import geo
from app.database import fetch_mappings
from app.errors import Invalid, NotFound
from app.extensions import db
from app.regions.models import PARENT_LEVEL, Region, RegionLevel

if TYPE_CHECKING:
    from app.accounts.models import Staff


def get_region(region_id: int) -> Region:
    region = db.session.get(Region, region_id)
    if region is None:
        raise NotFound("找不到该区域")
    return region


def subtree_ids(region: Region) -> sa.Select:
    """SELECT of the ids of a region and everything under it (one indexed prefix match)."""
    return sa.select(Region.id).where(Region.path.startswith(region.path))


def ancestor_of_level(region: Region, level: RegionLevel) -> Region | None:
    """The region itself or its ancestor at `level` (e.g. the community of a grid)."""
    if region.level == level:
        return region
    return db.session.scalars(
        sa.select(Region).where(Region.id.in_(region.ancestor_ids), Region.level == level)
    ).first()


def set_boundary(region: Region, boundary: dict | None) -> None:
    if boundary is None:
        region.boundary = None
        region.min_lat = region.max_lat = region.min_lng = region.max_lng = None
        return
    problem = geo.validate_geometry(boundary)
    if problem:
        raise Invalid(problem, errors={"boundary": [problem]})
    region.boundary = boundary
    region.min_lat, region.max_lat, region.min_lng, region.max_lng = geo.bounding_box(boundary)


def create_region(*, name: str, level: RegionLevel | str, code: str, parent: Region | None = None,
                  boundary: dict | None = None, contact_phone: str | None = None,
                  office_hours: str | None = None) -> Region:
    """Add a region under `parent`, checking that the levels nest (街道 under 区, ...)."""
    level = RegionLevel(level)
    expected_parent = PARENT_LEVEL.get(level)
    if expected_parent is None and parent is not None:
        raise Invalid("区是最上层，不能有上级")
    if expected_parent is not None and (parent is None or parent.level != expected_parent):
        raise Invalid(f"{level.label}的上级应为{expected_parent.label}")
    region = Region(name=name, level=level, code=code, parent=parent,
                    contact_phone=contact_phone, office_hours=office_hours)
    set_boundary(region, boundary)
    db.session.add(region)
    db.session.flush()
    region.path = f"{parent.path if parent else '/'}{region.id}/"
    return region


def import_tree(nodes: list[dict], parent: Region | None = None) -> int:
    """Create or update regions from nested dicts ({name, level, code, boundary?, children?}).

    Regions are matched by `code`, so importing the same file twice changes nothing. Returns
    how many regions were created or updated. The caller commits.
    """
    count = 0
    for node in nodes:
        try:
            code, name, level = str(node["code"]), str(node["name"]), RegionLevel(node["level"])
        except (KeyError, ValueError) as exc:
            raise Invalid(f"区域数据缺少或有误：{exc}") from exc
        region = db.session.scalar(sa.select(Region).where(Region.code == code))
        if region is None:
            region = create_region(name=name, level=level, code=code, parent=parent,
                                   boundary=node.get("boundary"),
                                   contact_phone=node.get("contact_phone"),
                                   office_hours=node.get("office_hours"))
        else:
            if region.level != level or region.parent_id != (parent.id if parent else None):
                raise Invalid(f"区域 {code} 已存在，但层级或上级不同")
            region.name = name
            set_boundary(region, node.get("boundary"))
            region.contact_phone = node.get("contact_phone", region.contact_phone)
            region.office_hours = node.get("office_hours", region.office_hours)
        count += 1 + import_tree(node.get("children") or [], region)
    return count


def find_grid(lat: float, lng: float, within: Region | None = None) -> Region | None:
    """The grid whose boundary contains the point (GCJ-02), optionally inside a subtree."""
    query = sa.select(Region).where(
        Region.level == RegionLevel.GRID,
        Region.boundary.is_not(None),
        Region.min_lat <= lat, Region.max_lat >= lat,
        Region.min_lng <= lng, Region.max_lng >= lng,
    ).order_by(Region.id)
    if within is not None:
        query = query.where(Region.path.startswith(within.path))
    for grid in db.session.scalars(query):
        if geo.geometry_contains(grid.boundary, lat, lng):
            return grid
    return None


_PUBLIC_TREE_ROWS = (
    sa.select(Region.id, Region.parent_id, Region.name, Region.level, Region.code)
    .where(Region.level != RegionLevel.GRID)
    .order_by(Region.id)
)


def public_tree() -> list[dict]:
    """Districts → streets → communities → courtyards, for the mini-program's pickers.

    Built as plain dicts in the shape of RegionNodeOut: the picker is the most requested list.
    """
    rows = fetch_mappings(_PUBLIC_TREE_ROWS)
    nodes = {row["id"]: {"id": row["id"], "name": row["name"], "level": row["level"].value,
                         "level_label": row["level"].label, "code": row["code"], "children": []}
             for row in rows}
    roots = []
    for row in rows:
        node = nodes[row["id"]]
        parent = nodes.get(row["parent_id"])
        (parent["children"] if parent else roots).append(node)
    return roots


# --- admins editing the tree (the staff pages) ------------------------------------------------

def subtree_regions(region: Region) -> list[Region]:
    """The region and everything under it, parents before children, siblings by id."""
    rows = db.session.scalars(sa.select(Region).where(Region.path.startswith(region.path))
                              .order_by(Region.id)).all()
    children: dict[int | None, list[Region]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    ordered: list[Region] = []

    def walk(node: Region) -> None:
        ordered.append(node)
        for child in children.get(node.id, []):
            walk(child)

    walk(region)
    return ordered


def depth_below(region: Region, root: Region) -> int:
    """How many levels `region` lies below `root` (0 for the root itself)."""
    return len(region.ancestor_ids) - len(root.ancestor_ids)


def get_region_for_admin(admin: Staff, region_id: int) -> Region:
    """A region in the admin's subtree, or 404."""
    from app.accounts.scoping import is_in_scope
    from app.accounts.service import require_admin

    require_admin(admin)
    region = db.session.get(Region, region_id)
    if region is None or not is_in_scope(admin, region.id):
        raise NotFound("找不到该区域")
    return region


def update_region(admin: Staff, region_id: int, *, name: str, contact_phone: str | None,
                  office_hours: str | None, boundary: dict | None) -> Region:
    """An admin edits a region of their subtree: name, office contact, boundary; audit-logged."""
    from app import audit

    region = get_region_for_admin(admin, region_id)
    before = {"name": region.name, "contact_phone": region.contact_phone,
              "office_hours": region.office_hours, "boundary": region.boundary}
    region.name = name
    region.contact_phone = contact_phone or None
    region.office_hours = office_hours or None
    set_boundary(region, boundary)
    after = {"name": region.name, "contact_phone": region.contact_phone,
             "office_hours": region.office_hours, "boundary": region.boundary}
    changed = sorted(key for key in before if before[key] != after[key])
    if changed:
        audit.record(admin, "region.update", object_type="region", object_id=region.id,
                     region_id=region.id, changed=changed)
    db.session.commit()
    return region


def child_levels(region: Region) -> list[RegionLevel]:
    """The levels a region of this level may have under it."""
    return [level for level, parent in PARENT_LEVEL.items() if parent == region.level]


def create_child_region(admin: Staff, parent_id: int, *, name: str, code: str,
                        level: RegionLevel | str) -> Region:
    """An admin adds a region under one of their subtree; audit-logged."""
    from app import audit

    parent = get_region_for_admin(admin, parent_id)
    if db.session.scalar(sa.select(Region.id).where(Region.code == code)) is not None:
        raise Invalid("该编码已被使用", errors={"code": ["该编码已被使用"]})
    region = create_region(name=name, level=level, code=code, parent=parent)
    audit.record(admin, "region.create", object_type="region", object_id=region.id,
                 region_id=region.id, code=code, level=region.level.value)
    db.session.commit()
    return region


def import_under(admin: Staff, parent_id: int, nodes: list) -> int:
    """An admin imports a tree file under a region of their subtree; returns regions touched.

    The file's top-level regions hang under `parent_id`, so everything imported stays inside
    the admin's scope (a code that exists elsewhere in the tree is refused by import_tree).
    All or nothing: on any error nothing is kept.
    """
    from app import audit

    parent = get_region_for_admin(admin, parent_id)
    if not isinstance(nodes, list) or not all(isinstance(node, dict) for node in nodes):
        raise Invalid("文件内容应为区域列表（JSON 数组）", errors={"file": ["应为 JSON 数组"]})
    try:
        count = import_tree(nodes, parent)
    except Invalid:
        db.session.rollback()
        raise
    audit.record(admin, "region.import", object_type="region", object_id=parent.id,
                 region_id=parent.id, count=count)
    db.session.commit()
    return count
