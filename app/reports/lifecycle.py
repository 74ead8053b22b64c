"""The 随手拍 report lifecycle (闭环: 受理 → 派单 → 处置 → 反馈 → 评价), declared once.

Every transition the service makes, every 409, the staff buttons and the bot's wording read this
table. `reopen` goes straight back to `dispatched` (DESIGN draws "reopened → dispatched"): a
reopening is an event on the timeline and a count on the report, not a state anyone works in,
so the report lands again in its handler's queue without waiting for someone to re-dispatch it.

`dispatch` from `dispatched` or `in_progress` re-assigns the report to another handler; `contact`
records the first (or a later) contact with the resident and keeps the state.
"""

from __future__ import annotations

from app.lifecycle import Lifecycle

SUBMITTED = "submitted"
ACCEPTED = "accepted"
DISPATCHED = "dispatched"
IN_PROGRESS = "in_progress"
RESOLVED = "resolved"
CLOSED = "closed"
REJECTED = "rejected"
DUPLICATE = "duplicate"

REPORT = Lifecycle(
    "报事",
    {
        SUBMITTED: {"accept": ACCEPTED, "reject": REJECTED, "merge": DUPLICATE},
        ACCEPTED: {"dispatch": DISPATCHED, "merge": DUPLICATE},
        DISPATCHED: {"contact": DISPATCHED, "start": IN_PROGRESS, "dispatch": DISPATCHED},
        IN_PROGRESS: {"contact": IN_PROGRESS, "resolve": RESOLVED, "dispatch": DISPATCHED},
        RESOLVED: {"confirm": CLOSED, "reopen": DISPATCHED, "expire": CLOSED},
        CLOSED: {},
        REJECTED: {},
        DUPLICATE: {},
    },
    state_labels={
        SUBMITTED: "待受理",
        ACCEPTED: "已受理",
        DISPATCHED: "已派单",
        IN_PROGRESS: "处理中",
        RESOLVED: "已处理待评价",
        CLOSED: "已办结",
        REJECTED: "不予受理",
        DUPLICATE: "已合并",
    },
    action_labels={
        "accept": "受理",
        "reject": "不予受理",
        "merge": "合并为重复",
        "dispatch": "派单",
        "contact": "联系居民",
        "start": "开始处理",
        "resolve": "办结反馈",
        "confirm": "评价为已解决",
        "reopen": "评价为未解决",
        "expire": "到期自动办结",
    },
)

# Timeline entries that are not lifecycle actions.
EVENT_LABELS = {"file": "提交", "note": "备注", "overdue": "超时督办", "release": "审核通过"}


def event_label(action: str) -> str:
    """How a timeline entry's action is named to people (lifecycle actions and the others)."""
    return REPORT.action_labels.get(action) or EVENT_LABELS.get(action, action)


# Still being worked on: counted as open for "nearby", following, and overdue checks.
OPEN_STATES = (SUBMITTED, ACCEPTED, DISPATCHED, IN_PROGRESS)
# Actions staff take through the staff endpoints (the others belong to the resident or a job).
STAFF_ACTIONS = ("accept", "reject", "merge", "dispatch", "contact", "start", "resolve")
# Actions only the assigned handler (or a moderator/admin in scope) may take.
HANDLER_ACTIONS = ("contact", "start", "resolve")
