"""社区提案: community proposals with co-signing, moderation, official answers and follow-through.

Other packages (the staff web view, the bot) call these service functions; see the module
docstrings of service.py, supports.py and discussion.py for the rules.
"""

from app.proposals.discussion import (
    comments_for_resident_query,
    comments_for_staff_query,
    decide_on_comment,
    decide_on_proposal,
    flag_comment,
    flag_proposal,
    flagged_queue_query,
    post_comment,
)
from app.proposals.lifecycle import PROPOSAL, PUBLIC_STATES, RESIDENT_ACTIONS, STAFF_ACTIONS
from app.proposals.service import (
    answer_proposal,
    approve_proposal,
    complete_proposal,
    create_proposal,
    escalate_proposal,
    expire_overdue,
    get_proposal_for_resident,
    get_proposal_for_staff,
    post_progress,
    rate_proposal,
    reject_proposal,
    resident_list_query,
    review_queue_query,
    staff_list_query,
    submit_proposal,
    update_draft,
    withdraw_proposal,
)
from app.proposals.supports import support_proposal, support_refusal, withdraw_support

__all__ = [
    "PROPOSAL",
    "PUBLIC_STATES",
    "RESIDENT_ACTIONS",
    "STAFF_ACTIONS",
    "answer_proposal",
    "approve_proposal",
    "comments_for_resident_query",
    "comments_for_staff_query",
    "complete_proposal",
    "create_proposal",
    "decide_on_comment",
    "decide_on_proposal",
    "escalate_proposal",
    "expire_overdue",
    "flag_comment",
    "flag_proposal",
    "flagged_queue_query",
    "get_proposal_for_resident",
    "get_proposal_for_staff",
    "post_comment",
    "post_progress",
    "rate_proposal",
    "reject_proposal",
    "resident_list_query",
    "review_queue_query",
    "staff_list_query",
    "submit_proposal",
    "support_proposal",
    "support_refusal",
    "update_draft",
    "withdraw_proposal",
    "withdraw_support",
]
