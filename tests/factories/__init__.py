"""Test data factories, one module per domain; import them from here."""

from tests.factories.bot import CallbackRequestFactory
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
    "CallbackRequestFactory",
    "CategoryFactory",
    "HouseholdFactory",
    "RegionTree",
    "ResidentFactory",
    "StaffFactory",
    "bearer_headers",
    "build_region_tree",
]
