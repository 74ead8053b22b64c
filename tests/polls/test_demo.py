"""The demo polls: `flask demo seed` shows every state, with exact tallies."""

import sqlalchemy as sa

from app.extensions import db
from app.polls import ballot_box
from app.polls.models import Poll


def test_demo_seed_creates_polls_in_every_state_with_exact_tallies(runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    polls = db.session.scalars(sa.select(Poll).order_by(Poll.id)).all()
    assert [poll.status for poll in polls] == ["open", "open", "closed", "scheduled", "draft"]
    for poll in polls:
        assert ballot_box.reconcile(poll.id) == {}
