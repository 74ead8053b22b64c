"""`flask demo seed` shows proposals in believable states."""

import sqlalchemy as sa

from app.extensions import db
from app.proposals.models import Proposal


def test_demo_seed_creates_proposals_in_several_states(runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    states = dict(db.session.execute(sa.select(Proposal.title, Proposal.status)).all())
    assert states == {
        "和平路公交站增设候车座椅": "published",
        "院内规划电动自行车集中充电点": "under_review",
        "老旧单元楼道加装扶手": "in_progress",
        "院门口划定临时停车区": "completed",
        "周六上午开放活动室给老人下棋": "pending_review",
        "建议增设社区图书角": "draft",
    }


def test_demo_seed_leaves_a_flagged_comment_for_the_moderators(runner):
    from app.moderation.models import ModeratedItem

    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    hidden = db.session.scalars(sa.select(ModeratedItem).where(
        ModeratedItem.visibility == "hidden")).all()
    assert [(row.item_type, row.hidden_reason, row.flag_count) for row in hidden] == [
        ("comment", "flags", 3)]
