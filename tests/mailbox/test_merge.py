"""Two records of one resident merged: their letters."""

from __future__ import annotations

from app.accounts import service as accounts
from app.extensions import db
from app.mailbox.models import Letter
from tests.factories import LetterFactory, MailboxFactory, ResidentFactory


def test_letters_move_to_the_target_with_their_threads(regions):
    source = ResidentFactory(mp_openid=None, oa_openid="oBOT-ONLY", community=regions.community)
    target = ResidentFactory(community=regions.community)
    letter = LetterFactory(mailbox=MailboxFactory(community=regions.community), resident=source)

    accounts.merge_residents(source=source, target=target)
    db.session.commit()

    moved = db.session.get(Letter, letter.id)
    assert moved.resident_id == target.id
    assert len(moved.messages) == 1
