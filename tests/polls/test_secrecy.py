"""Secrecy: nothing in the schema, the database's own bookkeeping or the API links a
participant to a choice."""

import inspect
import uuid

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.polls import ballot_box, service
from app.polls.models import PollBallot
from tests.factories import PollFactory, ResidentFactory
from tests.polls.voting import cast

TWENTY = [("想要哪些？", "multiple", 20, [f"选项{i}" for i in range(20)])]


def inspector():
    return sa.inspect(db.engine)


def test_ballot_rows_hold_only_the_poll_and_the_choices():
    columns = {c["name"]: c["type"] for c in inspector().get_columns("poll_ballots")}
    assert set(columns) == {"id", "poll_id", "choices", "sealed"}
    assert not any(isinstance(t, sa.DateTime | sa.Date | sa.Integer) for name, t in
                   columns.items() if name != "poll_id")


def test_ballot_rows_refer_to_nothing_but_their_poll():
    foreign_keys = inspector().get_foreign_keys("poll_ballots")
    assert [(fk["constrained_columns"], fk["referred_table"]) for fk in foreign_keys] == [
        (["poll_id"], "polls")]


def test_no_table_refers_to_a_ballot():
    for table in inspector().get_table_names():
        for fk in inspector().get_foreign_keys(table):
            assert fk["referred_table"] != "poll_ballots", table


def test_participation_rows_keep_only_the_day_and_nothing_of_the_ballot():
    columns = {c["name"]: c["type"] for c in inspector().get_columns("poll_participations")}
    assert set(columns) == {"id", "poll_id", "unit_type", "unit_id", "resident_id",
                            "assisted_by_id", "voted_on"}
    assert isinstance(columns["voted_on"], sa.Date)
    assert not isinstance(columns["voted_on"], sa.DateTime)
    referred = {fk["referred_table"] for fk in inspector().get_foreign_keys("poll_participations")}
    assert referred == {"polls", "residents", "staff"}


def test_no_database_view_could_join_them():
    assert inspector().get_view_names() == []


def test_the_double_vote_rule_is_a_unique_constraint_on_participations():
    unique = inspector().get_unique_constraints("poll_participations")
    assert [c["column_names"] for c in unique] == [["poll_id", "unit_type", "unit_id"]]


def test_ballot_ids_are_random_uuids(client, regions, poll, auth_headers):
    for _ in range(3):
        resident = ResidentFactory(community=regions.community, phone_verified=True)
        cast(client, auth_headers(resident), poll, 0)
    ids = db.session.scalars(sa.select(PollBallot.id)).all()
    assert all(isinstance(i, uuid.UUID) and i.version == 4 for i in ids)


def physical_order(poll_id):
    """Ballot choices in the order the database stores the rows (ctid / rowid)."""
    position = "ctid" if db.engine.dialect.name == "postgresql" else "rowid"
    return db.session.scalars(sa.select(PollBallot.choices).where(PollBallot.poll_id == poll_id)
                              .order_by(sa.literal_column(position))).all()


def test_sealing_shuffles_the_ballots_out_of_voting_order(client, regions, auth_headers):
    poll = PollFactory(region=regions.community, questions=TWENTY)
    options = [option.id for option in poll.questions[0].options]
    for count in range(1, 21):
        # The n-th voter chooses n options: each ballot shows when it was cast.
        resident = ResidentFactory(community=regions.community, phone_verified=True)
        body = {"answers": [{"question_id": poll.questions[0].id, "option_ids": options[:count]}]}
        assert cast(client, auth_headers(resident), poll, body=body).status_code == 201
    assert [len(chosen) for chosen in physical_order(poll.id)] == list(range(1, 21))
    before = set(db.session.scalars(sa.select(PollBallot.id)))

    service.seal_ballots()

    # 1 chance in 20! that a fair shuffle keeps the voting order.
    assert [len(chosen) for chosen in physical_order(poll.id)] != list(range(1, 21))
    assert sorted(len(chosen) for chosen in physical_order(poll.id)) == list(range(1, 21))
    assert before.isdisjoint(db.session.scalars(sa.select(PollBallot.id)))
    assert ballot_box.reconcile(poll.id) == {}


@pytest.mark.postgres
def test_after_sealing_no_ballot_shares_a_transaction_id_with_a_participation(
        client, regions, poll, auth_headers):
    for choice in (0, 1, 2):
        resident = ResidentFactory(community=regions.community, phone_verified=True)
        cast(client, auth_headers(resident), poll, choice)
    same_transaction = sa.text(
        "SELECT count(*) FROM poll_participations p JOIN poll_ballots b ON b.xmin = p.xmin")
    same_transaction_tally = sa.text(
        "SELECT count(*) FROM poll_participations p JOIN poll_options o ON o.xmin = p.xmin")
    # Right after voting, the database's own bookkeeping links them: sealing is needed.
    assert db.session.scalar(same_transaction) == 3

    service.seal_ballots()

    assert db.session.scalar(same_transaction) == 0
    assert db.session.scalar(same_transaction_tally) == 0


def test_the_voter_sees_that_they_voted_and_not_what(client, voter, poll, auth_headers):
    headers = auth_headers(voter)
    ballot_response = cast(client, headers, poll, 2).json
    view = client.get(f"/api/v1/polls/{poll.id}", headers=headers).json
    status_fields = {"can_vote", "reason", "voted", "voted_by", "voted_on", "assisted"}
    assert set(ballot_response) == status_fields
    assert set(view["me"]) == status_fields and view["me"]["voted"] is True
    assert view["results"] is None


def test_no_poll_function_returns_a_choice_with_a_person():
    """The ballot box is the only code reading ballots, and it takes and returns no person."""
    for name, function in inspect.getmembers(ballot_box, inspect.isfunction):
        if function.__module__ != ballot_box.__name__:
            continue
        parameters = set(inspect.signature(function).parameters)
        assert not parameters & {"resident", "resident_id", "household_id", "staff"}, name
