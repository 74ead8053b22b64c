"""社区提案: community proposals with co-signing, moderation, official answers and follow-through.

Other packages (the staff web view, the bot) call these service functions; the module docstrings
of service.py, supports.py, discussion.py and rules.py hold the rules. Decisions worth knowing:

- Scope: a 院落, 社区 or 街道 containing the author's community. Residents do not record their
  courtyard, so a courtyard proposal is open to its whole community (rules.py).
- Threshold, deadline and verification level come from PROPOSAL_<LEVEL>_* settings and are
  fixed at publication. The author cannot co-sign their own proposal. A second support, or
  withdrawing a support one never gave, is a 409.
- Only the author sees drafts, pending, rejected and withdrawn proposals (others get 404), plus
  their own hidden proposals and comments, with a notice; staff see their subtree and what was
  escalated from it. Who flagged is shown to nobody.
- The content check runs at submission (drafts are private) and on every comment; no lock is
  held while WeChat answers. Doubtful proposals reach the review queue with a marker; doubtful
  comments are held until a moderator releases them.
- Comments are open from publication until the proposal is carried out (not after completion,
  rejection, expiry or withdrawal). Completion needs at least one photo of the result.
- Escalation moves an accepted 院落/社区 proposal (same row, supporters, comments, timeline) to
  the parent region's answer queue as `under_review`; the earlier answer stays in the timeline.
- Services trust their callers for lengths and formats (schemas.py checks them for the API);
  a new caller such as the bot must validate the same way.
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
    prepare_draft,
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
    "prepare_draft",
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
