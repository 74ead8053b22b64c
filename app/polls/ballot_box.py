"""The ballot box: the only code that writes anonymous ballots and the option tallies.

`drop()` puts one ballot in and counts it; `seal()` shuffles a poll's ballots so that nothing
the database records about a write links a ballot to its participation row (see
app/polls/models.py); `recount()` counts the ballots themselves, to check the tallies.
None of these know who voted, and none commit: the caller's transaction does.
"""

from __future__ import annotations

import secrets
import uuid
from collections import Counter

import sqlalchemy as sa

from app.extensions import db
from app.polls.models import PollBallot, PollOption

_ballots = PollBallot.__table__
_options = PollOption.__table__

_DROP_ONE = sa.insert(_ballots)
_COUNT_ONE = (
    sa.update(_options)
    .where(_options.c.id == sa.bindparam("option_id"))
    .values(vote_count=_options.c.vote_count + 1)
)


def drop(poll_id: int, option_ids: list[int]) -> None:
    """Insert one ballot with these choices and add one to each chosen option's tally.

    Tallies are locked in ascending id order, the same order in every transaction, so that two
    ballots choosing the same options in a different order cannot deadlock.
    """
    choices = sorted(set(option_ids))
    db.session.execute(_DROP_ONE, {"id": uuid.uuid4(), "poll_id": poll_id, "choices": choices,
                                   "sealed": False})
    db.session.execute(_COUNT_ONE, [{"option_id": option_id} for option_id in choices])


def seal(poll_id: int) -> int:
    """Rewrite every ballot of the poll in a random order with new random ids; return how many.

    Afterwards each ballot row was written by this transaction (not the voter's), sits at a
    shuffled place in the table and has an id never shown before; the tallies are rewritten
    too, for the same reason. Ballots cast while this runs are simply left for the next seal.

    Shuffling all of the poll's ballots, not just the new ones, is what hides a lone late
    ballot; it costs a rewrite of the poll's ballots per sweep that saw new votes (10,000
    ballots took about half a second here), which community polls can afford.
    """
    choices = list(db.session.scalars(
        sa.delete(_ballots).where(_ballots.c.poll_id == poll_id).returning(_ballots.c.choices)))
    secrets.SystemRandom().shuffle(choices)
    if choices:
        db.session.execute(sa.insert(_ballots), [
            {"id": uuid.uuid4(), "poll_id": poll_id, "choices": chosen, "sealed": True}
            for chosen in choices
        ])
    # Lock the tallies in id order first (as drop() does), then restamp them.
    db.session.execute(sa.select(_options.c.id).where(_options.c.poll_id == poll_id)
                       .order_by(_options.c.id).with_for_update())
    db.session.execute(sa.update(_options).where(_options.c.poll_id == poll_id)
                       .values(vote_count=_options.c.vote_count))
    return len(choices)


def polls_with_unsealed_ballots() -> list[int]:
    return list(db.session.scalars(
        sa.select(_ballots.c.poll_id).where(_ballots.c.sealed.is_(False)).distinct()))


def recount(poll_id: int) -> Counter:
    """Votes per option id, counted from the ballots themselves."""
    counts: Counter = Counter()
    for chosen in db.session.scalars(sa.select(_ballots.c.choices)
                                     .where(_ballots.c.poll_id == poll_id)):
        counts.update(chosen)
    return counts


def tallies(poll_id: int) -> dict[int, int]:
    """The maintained tallies: votes per option id (every option, zeros included)."""
    return dict(db.session.execute(sa.select(_options.c.id, _options.c.vote_count)
                                   .where(_options.c.poll_id == poll_id)).all())


def ballot_count(poll_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(_ballots)
                             .where(_ballots.c.poll_id == poll_id))


def reconcile(poll_id: int) -> dict[int, tuple[int, int]]:
    """Make the tallies equal the recount; return {option_id: (tally, recount)} that differed."""
    counted = recount(poll_id)
    wrong = {option_id: (tally, counted.get(option_id, 0))
             for option_id, tally in tallies(poll_id).items()
             if tally != counted.get(option_id, 0)}
    for option_id, (_tally, right) in wrong.items():
        db.session.execute(sa.update(_options).where(_options.c.id == option_id)
                           .values(vote_count=right))
    return wrong
