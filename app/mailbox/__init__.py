"""The residents' mailbox (居民信箱): private letters to a community's mailboxes, answered on time.

Other packages (the bot, the staff pages, the dashboard) call these; they never write the
mailbox tables themselves.
"""

from app.mailbox.lifecycle import LETTER
from app.mailbox.service import (
    add_note,
    can_use_mailbox,
    close,
    create_mailbox,
    follow_up,
    get_letter_for_resident,
    get_letter_for_staff,
    inbox_query,
    letters_of_resident_query,
    mailbox_metrics,
    mailboxes_for_resident,
    mailboxes_for_staff,
    mark_overdue_letters,
    mark_read,
    open_letter,
    publish,
    reply,
    set_consent,
    transfer,
    unpublish,
    update_mailbox,
    write_letter,
)

__all__ = [
    "LETTER",
    "add_note",
    "can_use_mailbox",
    "close",
    "create_mailbox",
    "follow_up",
    "get_letter_for_resident",
    "get_letter_for_staff",
    "inbox_query",
    "letters_of_resident_query",
    "mailbox_metrics",
    "mailboxes_for_resident",
    "mailboxes_for_staff",
    "mark_overdue_letters",
    "mark_read",
    "open_letter",
    "publish",
    "reply",
    "set_consent",
    "transfer",
    "unpublish",
    "update_mailbox",
    "write_letter",
]
