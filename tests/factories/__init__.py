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
from tests.factories.proposals import (
    CommentFactory,
    ProposalFactory,
    SupportFactory,
    add_supports,
    in_state,
    make_upload,
)

__all__ = [
    "CategoryFactory",
    "CommentFactory",
    "HouseholdFactory",
    "ProposalFactory",
    "RegionTree",
    "ResidentFactory",
    "StaffFactory",
    "SupportFactory",
    "add_supports",
    "bearer_headers",
    "build_region_tree",
    "in_state",
    "make_upload",
]
