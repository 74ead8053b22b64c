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
from tests.factories.polls import PollFactory

__all__ = [
    "CategoryFactory",
    "HouseholdFactory",
    "PollFactory",
    "RegionTree",
    "ResidentFactory",
    "StaffFactory",
    "bearer_headers",
    "build_region_tree",
]
