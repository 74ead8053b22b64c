"""The letter lifecycle: new → read → replied → closed, and the follow-up that reopens it.

- `read`: staff first open the letter (the resident sees "已读").
- `reply`: staff answer; possible again on a replied letter (a further answer or progress).
- `follow_up` (the resident): adds to the thread. A follow-up on a replied letter reopens it as
  `new` — it is unread again and owes a new reply, due one mailbox SLA after the follow-up. A
  follow-up before the reply keeps the due time but makes the letter unread again, so the
  resident sees "已读" only once staff have read what they added.
- `transfer`: to another mailbox, which has not read it yet (`new`); the due time stays, because
  the resident has been waiting all along.
- `close`: final; the resident writes a new letter for a new matter.
- `convert_to_report` / `convert_to_proposal`: when the letter is really a 随手拍 case or a
  proposal, staff turn it into one (filed for the resident, linked both ways) and the letter is
  closed: the matter goes on there.

Internal notes and staff reads of an already-read letter change no state.
"""

from app.lifecycle import Lifecycle

LETTER = Lifecycle(
    "信件",
    {
        "new": {"read": "read", "reply": "replied", "follow_up": "new", "transfer": "new",
                "close": "closed", "convert_to_report": "closed",
                "convert_to_proposal": "closed"},
        "read": {"reply": "replied", "follow_up": "new", "transfer": "new", "close": "closed",
                 "convert_to_report": "closed", "convert_to_proposal": "closed"},
        "replied": {"reply": "replied", "follow_up": "new", "close": "closed"},
        "closed": {},
    },
    state_labels={"new": "未读", "read": "已读", "replied": "已答复", "closed": "已办结"},
    action_labels={"read": "标记已读", "reply": "答复", "follow_up": "追问", "transfer": "转交",
                   "close": "办结", "convert_to_report": "转为随手拍",
                   "convert_to_proposal": "转为提案草稿"},
)

# What the resident may do; the rest are staff actions.
RESIDENT_ACTIONS = ("follow_up",)
STAFF_ACTIONS = ("read", "reply", "transfer", "close", "convert_to_report", "convert_to_proposal")

# States in which a reply is owed.
AWAITING_REPLY = ("new", "read")


def resident_actions(state: str) -> list[str]:
    return [a for a in LETTER.allowed_actions(state) if a in RESIDENT_ACTIONS]


def staff_actions(state: str) -> list[str]:
    return [a for a in LETTER.allowed_actions(state) if a in STAFF_ACTIONS]
