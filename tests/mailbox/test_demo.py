"""The demo data shows the mailbox at work."""

import sqlalchemy as sa

from app import demo
from app.extensions import db
from app.mailbox.models import Letter, LetterPublication, Mailbox


def test_demo_seed_gives_every_community_its_mailboxes_and_some_letters():
    demo.seed()
    names = db.session.scalars(sa.select(Mailbox.name)).all()
    assert names.count("书记信箱") == 3 and names.count("主任信箱") == 3
    states = set(db.session.scalars(sa.select(Letter.status)))
    assert states == {"new", "read", "replied", "closed"}
    published = db.session.scalars(sa.select(LetterPublication)).one()
    assert "13880001234" not in published.body and "张阿姨" not in published.body
