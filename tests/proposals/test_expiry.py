"""The periodic sweep closes co-signing at the deadline, once."""

from app import periodic
from app.proposals.jobs import expire_overdue_proposals
from tests.factories import add_supports, in_state
from tests.proposals.helpers import events, notifications, reload


def test_a_published_proposal_past_its_deadline_expires(author, neighbour, clock):
    proposal = in_state("published", author=author)
    add_supports(proposal, [neighbour])
    clock.advance(days=30)
    expire_overdue_proposals()
    proposal = reload(proposal)
    assert proposal.status == "expired" and proposal.closed_at == clock.moment
    [event] = events(proposal, "expire")
    assert event.note == "附议截止时共1人附议，未达到3人"


def test_the_author_is_told_it_expired(author, clock):
    proposal = in_state("published", author=author)
    clock.advance(days=31)
    expire_overdue_proposals()
    [notice] = notifications(kind="proposal_expired")
    assert notice.resident_id == author.id
    assert notice.payload["text"] == (f"您的提案“{proposal.title}”附议期已结束，"
                                      "共0位居民附议，未达到所需人数。")


def test_a_proposal_before_its_deadline_stays_open(author, clock):
    proposal = in_state("published", author=author)
    clock.advance(days=30, seconds=-1)
    expire_overdue_proposals()
    assert reload(proposal).status == "published"


def test_running_the_sweep_twice_expires_once(author, clock):
    proposal = in_state("published", author=author)
    clock.advance(days=31)
    expire_overdue_proposals()
    expire_overdue_proposals()
    assert len(events(proposal, "expire")) == 1
    assert len(notifications(kind="proposal_expired")) == 1


def test_proposals_that_reached_the_threshold_do_not_expire(author, clock):
    proposal = in_state("under_review", author=author)
    clock.advance(days=60)
    expire_overdue_proposals()
    assert reload(proposal).status == "under_review"


def test_the_sweep_is_registered_with_the_clock(app, author, clock):
    proposal = in_state("published", author=author)
    clock.advance(days=31)
    assert "app.proposals.jobs.expire_overdue_proposals" in periodic.run_all_now(app)
    assert reload(proposal).status == "expired"


def test_an_expired_proposal_stays_public(call, author, neighbour, clock):
    proposal = in_state("published", author=author)
    clock.advance(days=31)
    expire_overdue_proposals()
    body = call(neighbour, "get", f"/api/v1/proposals/{proposal.id}").json
    assert body["status_label"] == "附议未达标"
    assert body["timeline"][-1]["action_label"] == "结束附议"
