"""The poll lifecycle: draft → (scheduled →) open → closed, or cancelled with a reason.

- `draft`: staff are still writing it; only drafts can be edited.
- `schedule`: staff publish a draft whose `opens_at` lies ahead; it is frozen and the periodic
  sweep opens it at that time. `unschedule` takes it back to a draft for changes.
- `open`: staff open a draft or a scheduled poll now, or the sweep opens a scheduled one when
  `opens_at` has come. Residents vote only while a poll is open.
- `close`: only the sweep, when `closes_at` has passed: the closing time is part of the rules
  every voter was told, so nobody closes early. Closing publishes the results.
- `cancel`: staff stop a poll that has not closed, giving a reason; no results are published.
"""

from app.lifecycle import Lifecycle

POLL = Lifecycle(
    "投票",
    {
        "draft": {"schedule": "scheduled", "open": "open", "cancel": "cancelled"},
        "scheduled": {"unschedule": "draft", "open": "open", "cancel": "cancelled"},
        "open": {"close": "closed", "cancel": "cancelled"},
        "closed": {},
        "cancelled": {},
    },
    state_labels={"draft": "草稿", "scheduled": "待开始", "open": "投票中", "closed": "已结束",
                  "cancelled": "已取消"},
    action_labels={"schedule": "定时发布", "unschedule": "撤回修改", "open": "开始投票",
                   "close": "结束投票", "cancel": "取消"},
)

# What staff may do by hand (closing is the sweep's, at closes_at).
STAFF_ACTIONS = ("schedule", "unschedule", "open", "cancel")


def staff_actions(state: str) -> list[str]:
    """The buttons a staff member sees for a poll in `state`."""
    return [action for action in POLL.allowed_actions(state) if action in STAFF_ACTIONS]
