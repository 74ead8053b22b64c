"""Choices for the select boxes of the staff pages (regions in scope, roles, levels)."""

from __future__ import annotations

from wtforms import SelectChoice

from app.accounts.models import Staff, StaffRole
from app.regions import service as regions
from app.regions.models import RegionLevel

# Full-width spaces indent a region under its parent in a select box.
_INDENT = "\u3000"


def region_choices(staff: Staff, levels: set[RegionLevel] | None = None) -> list[SelectChoice]:
    """Every region of the staff member's subtree (value: its id), indented as a tree."""
    root = staff.region
    return [SelectChoice(region.id, f"{_INDENT * regions.depth_below(region, root)}"
                                    f"{region.name}（{region.level.label}）")
            for region in regions.subtree_regions(root)
            if levels is None or region.level in levels]


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, role.label) for role in StaffRole]


def choices(*pairs: tuple) -> list[SelectChoice]:
    """SelectChoice list from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
