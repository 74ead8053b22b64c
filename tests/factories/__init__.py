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
from tests.factories.mailbox import LetterFactory, MailboxFactory

__all__ = [
    "CategoryFactory",
    "HouseholdFactory",
    "LetterFactory",
    "MailboxFactory",
    "RegionTree",
    "ResidentFactory",
    "StaffFactory",
    "bearer_headers",
    "build_region_tree",
]
