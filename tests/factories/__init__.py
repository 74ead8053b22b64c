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
from tests.factories.mailbox import LetterFactory, MailboxFactory
from tests.factories.notifications import (
    REPORT_FIELDS,
    REPORT_OA_SUBSCRIBE_TEMPLATE,
    REPORT_OA_TEMPLATE,
    REPORT_SUBSCRIBE_TEMPLATE,
    NotificationFactory,
    SubscriptionGrantFactory,
)
from tests.factories.open311 import FilingFactory, PartnerFactory
from tests.factories.polls import PollFactory
from tests.factories.proposals import (
    CommentFactory,
    ProposalFactory,
    SupportFactory,
    add_supports,
    in_state,
    make_upload,
)
from tests.factories.reports import ReportFactory, UploadFactory

__all__ = [
    "CallbackRequestFactory",
    "CategoryFactory",
    "CommentFactory",
    "FilingFactory",
    "HouseholdFactory",
    "NotificationFactory",
    "PartnerFactory",
    "REPORT_FIELDS",
    "REPORT_OA_SUBSCRIBE_TEMPLATE",
    "REPORT_OA_TEMPLATE",
    "REPORT_SUBSCRIBE_TEMPLATE",
    "LetterFactory",
    "MailboxFactory",
    "ProposalFactory",
    "PollFactory",
    "RegionTree",
    "ReportFactory",
    "ResidentFactory",
    "StaffFactory",
    "SubscriptionGrantFactory",
    "UploadFactory",
    "SupportFactory",
    "add_supports",
    "bearer_headers",
    "build_region_tree",
    "in_state",
    "make_upload",
]
