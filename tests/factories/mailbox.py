"""Factories for mailboxes and letters (letters come with their first message)."""

from __future__ import annotations

from datetime import timedelta

import factory

from app import clock
from app.mailbox.models import Letter, LetterMessage, Mailbox, MessageKind
from tests.factories.core import _Base


class MailboxFactory(_Base):
    class Meta:
        model = Mailbox

    community = None
    community_id = factory.LazyAttribute(lambda o: o.community.id)
    name = factory.Sequence(lambda n: f"信箱{n}")
    description = "有事请写信"
    reply_sla_hours = 72
    restricted = False
    members = factory.LazyFunction(list)


class LetterFactory(_Base):
    """A letter to `mailbox` from `resident`; traits read, replied, closed move it on."""

    class Meta:
        model = Letter

    mailbox = None
    resident = None
    community_id = factory.LazyAttribute(lambda o: o.mailbox.community_id)
    subject = factory.Sequence(lambda n: f"来信{n}")
    status = "new"
    consent_to_publish = False
    created_at = factory.LazyFunction(lambda: clock.now())  # looked up late: tests freeze it
    updated_at = factory.LazyAttribute(lambda o: o.created_at)
    first_reply_due_at = factory.LazyAttribute(
        lambda o: o.created_at + timedelta(hours=o.mailbox.reply_sla_hours))
    reply_due_at = factory.LazyAttribute(lambda o: o.first_reply_due_at)
    messages = factory.LazyAttribute(lambda o: [LetterMessage(
        kind=MessageKind.RESIDENT, body=o.body, created_at=o.created_at)])

    class Params:
        body = "您好，想反映一个情况。"
        read = factory.Trait(status="read", first_read_at=factory.LazyAttribute(
            lambda o: o.created_at), read_at=factory.LazyAttribute(lambda o: o.created_at))
        replied = factory.Trait(
            status="replied", reply_due_at=None,
            first_read_at=factory.LazyAttribute(lambda o: o.created_at),
            read_at=factory.LazyAttribute(lambda o: o.created_at),
            first_replied_at=factory.LazyAttribute(lambda o: o.created_at + timedelta(hours=2)),
            last_replied_at=factory.LazyAttribute(lambda o: o.created_at + timedelta(hours=2)),
            messages=factory.LazyAttribute(lambda o: [
                LetterMessage(kind=MessageKind.RESIDENT, body=o.body, created_at=o.created_at),
                LetterMessage(kind=MessageKind.STAFF, body="您好，已经安排处理。",
                              author_label=o.mailbox.name,
                              created_at=o.created_at + timedelta(hours=2))]))
        closed = factory.Trait(replied=True, status="closed",
                               closed_at=factory.LazyAttribute(
                                   lambda o: o.created_at + timedelta(hours=3)))
