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
from tests.factories.notifications import (
    REPORT_FIELDS,
    REPORT_OA_TEMPLATE,
    REPORT_SUBSCRIBE_TEMPLATE,
    NotificationFactory,
    SubscriptionGrantFactory,
)
from tests.factories.open311 import FilingFactory, PartnerFactory
from tests.factories.reports import ReportFactory, UploadFactory

__all__ = [
    "CategoryFactory",
    "FilingFactory",
    "HouseholdFactory",
    "NotificationFactory",
    "PartnerFactory",
    "REPORT_FIELDS",
    "REPORT_OA_TEMPLATE",
    "REPORT_SUBSCRIBE_TEMPLATE",
    "LetterFactory",
    "MailboxFactory",
    "RegionTree",
    "ReportFactory",
    "ResidentFactory",
    "StaffFactory",
    "SubscriptionGrantFactory",
    "UploadFactory",
    "bearer_headers",
    "build_region_tree",
]
