"""Concurrent co-signing on PostgreSQL: the count stays exact and the threshold is crossed once."""

import threading

import pytest
import sqlalchemy as sa

from app.accounts.models import Resident
from app.errors import Conflict
from app.extensions import db
from app.proposals import support_proposal
from tests.factories import in_state
from tests.proposals.helpers import events, notified_residents, notified_staff, reload, support_rows

pytestmark = pytest.mark.postgres


def support_all_at_once(app, proposal_id, resident_ids):
    """Each resident co-signs from their own thread and app context, released together.

    Threads stay below the connection pool's size (5 + 10 overflow): a thread waiting at the
    barrier must not hold the connection another thread needs to reach it.
    """
    barrier = threading.Barrier(len(resident_ids))
    outcomes = []
    lock = threading.Lock()

    def run(resident_id):
        with app.app_context():
            resident = db.session.get(Resident, resident_id)
            db.session.commit()
            barrier.wait(timeout=30)
            try:
                support_proposal(resident, proposal_id)
                outcome = "ok"
            except Conflict:
                outcome = "conflict"
            except Exception as exc:  # a wrong outcome the assertions will show
                outcome = repr(exc)
            finally:
                db.session.remove()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(rid,)) for rid in resident_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_supports_are_all_counted(app, author, make_neighbours):
    proposal = in_state("published", author=author, support_threshold=100)
    residents = make_neighbours(12)
    outcomes = support_all_at_once(app, proposal.id, [r.id for r in residents])
    assert outcomes == ["ok"] * 12
    assert reload(proposal).support_count == support_rows(proposal) == 12


def test_the_threshold_is_crossed_exactly_once_under_concurrency(app, author, make_neighbours,
                                                                  moderator):
    proposal = in_state("published", author=author, support_threshold=5)
    residents = make_neighbours(10)
    outcomes = support_all_at_once(app, proposal.id, [r.id for r in residents])
    proposal = reload(proposal)
    # Supports arriving after the fifth find the proposal under review and are refused.
    assert sorted(outcomes) == ["conflict"] * 5 + ["ok"] * 5
    assert proposal.status == "under_review"
    assert proposal.support_count == support_rows(proposal) == 5
    assert len(events(proposal, "reach_threshold")) == 1
    assert notified_staff("proposal_threshold") == [moderator.id]
    assert notified_residents("proposal_threshold") == [author.id]


def test_the_same_resident_supporting_many_times_at_once_counts_once(app, author, neighbour):
    proposal = in_state("published", author=author, support_threshold=100)
    outcomes = support_all_at_once(app, proposal.id, [neighbour.id] * 8)
    assert sorted(outcomes) == ["conflict"] * 7 + ["ok"]
    assert reload(proposal).support_count == support_rows(proposal) == 1
    assert db.session.scalar(sa.text("SELECT count(*) FROM proposal_supports")) == 1
