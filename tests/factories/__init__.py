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
from tests.factories.reports import ReportFactory, UploadFactory

__all__ = [
    "CategoryFactory",
    "HouseholdFactory",
    "RegionTree",
    "ReportFactory",
    "ResidentFactory",
    "StaffFactory",
    "UploadFactory",
    "bearer_headers",
    "build_region_tree",
]
