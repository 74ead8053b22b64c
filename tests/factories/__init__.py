"""Test data factories, one module per domain; import them from here."""

from tests.factories.core import (
    CategoryFactory,
    HouseholdFactory,
    RegionTree,
    ResidentFactory,
    StaffFactory,
    bearer_headers,
    build_region_tree,
)

__all__ = [
    "CategoryFactory",
    "HouseholdFactory",
    "RegionTree",
    "ResidentFactory",
    "StaffFactory",
    "bearer_headers",
    "build_region_tree",
]
