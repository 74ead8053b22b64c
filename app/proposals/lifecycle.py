"""The proposal lifecycle (DESIGN §4): one table read by the services, staff buttons and the bot.

    draft ─submit→ pending_review ─approve→ published ─reach_threshold→ under_review
    pending_review ─reject(reason)→ rejected            published ─expire→ expired
    under_review ─accept→ accepted | ─decline→ not_adopted
    accepted ─progress→ in_progress ─progress→ in_progress ─complete→ completed (rated)
    accepted ─escalate→ under_review (same proposal, parent region's queue)
    draft / pending_review / published / under_review ─withdraw→ withdrawn (by the author)

Actions that keep the state (edit, support, unsupport, comment, progress, rate) are listed too,
so that "may I do this now?" has one answer everywhere.
"""

from app.lifecycle import Lifecycle

PROPOSAL = Lifecycle(
    "提案",
    {
        "draft": {"edit": "draft", "submit": "pending_review", "withdraw": "withdrawn"},
        "pending_review": {"approve": "published", "reject": "rejected",
                           "withdraw": "withdrawn"},
        "published": {"support": "published", "unsupport": "published", "comment": "published",
                      "reach_threshold": "under_review", "expire": "expired",
                      "withdraw": "withdrawn"},
        "under_review": {"accept": "accepted", "decline": "not_adopted",
                         "comment": "under_review", "withdraw": "withdrawn"},
        "accepted": {"progress": "in_progress", "escalate": "under_review",
                     "comment": "accepted"},
        "in_progress": {"progress": "in_progress", "complete": "completed",
                        "comment": "in_progress"},
        "completed": {"rate": "completed"},
        "rejected": {},
        "not_adopted": {},
        "expired": {},
        "withdrawn": {},
    },
    state_labels={
        "draft": "草稿",
        "pending_review": "待审核",
        "published": "征集附议中",
        "under_review": "待答复",
        "accepted": "已采纳",
        "not_adopted": "未采纳",
        "rejected": "未通过审核",
        "expired": "附议未达标",
        "in_progress": "实施中",
        "completed": "已完成",
        "withdrawn": "已撤回",
    },
    action_labels={
        "edit": "修改",
        "submit": "提交审核",
        "withdraw": "撤回",
        "approve": "审核通过",
        "reject": "驳回",
        "support": "附议",
        "unsupport": "取消附议",
        "comment": "发表评论",
        "reach_threshold": "达到附议人数",
        "expire": "结束附议",
        "accept": "采纳",
        "decline": "不予采纳",
        "progress": "发布进展",
        "complete": "办结",
        "escalate": "提交上级",
        "rate": "评价",
    },
)

# Who takes each action; staff buttons show STAFF_ACTIONS, the mini-program RESIDENT_ACTIONS.
RESIDENT_ACTIONS = ("edit", "submit", "withdraw", "support", "unsupport", "comment", "rate")
STAFF_ACTIONS = ("approve", "reject", "accept", "decline", "progress", "complete", "escalate")
SYSTEM_ACTIONS = ("reach_threshold", "expire")

# What everybody may see (unless hidden by moderation); the other states only the author and
# the staff in scope.
PUBLIC_STATES = ("published", "under_review", "accepted", "not_adopted", "in_progress",
                 "completed", "expired")
PRIVATE_STATES = ("draft", "pending_review", "rejected", "withdrawn")

# The official answer's decision → the lifecycle action.
ANSWER_ACTIONS = {"accepted": "accept", "not_adopted": "decline"}

# Timeline entries that are not state changes.
EVENT_LABELS = {"create": "创建草稿", "hide": "因多人举报暂时隐藏", "moderation": "工作人员复核"}


def event_label(action: str) -> str:
    return EVENT_LABELS.get(action) or PROPOSAL.action_labels.get(action, action)
