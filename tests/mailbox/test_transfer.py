"""Transferring a letter to another mailbox."""

import sqlalchemy as sa

from app.extensions import db
from app.mailbox.models import Letter
from tests.factories import LetterFactory, MailboxFactory
from tests.mailbox.conftest import audit_entries, notifications


def transfer(client, auth_headers, staff, letter, mailbox, note=""):
    return client.post(f"/api/v1/staff/letters/{letter.id}/transfer",
                       json={"mailbox_id": mailbox.id, "note": note}, headers=auth_headers(staff))


def test_a_transferred_letter_is_unread_in_its_new_mailbox_and_keeps_its_due_time(
        client, auth_headers, secretary, secretary_box, director_box, resident, clock):
    letter = LetterFactory(mailbox=secretary_box, resident=resident, read=True)
    due, first_due = letter.reply_due_at, letter.first_reply_due_at
    clock.advance(hours=5)
    response = transfer(client, auth_headers, secretary, letter, director_box, note="属于物业问题")
    assert response.status_code == 200
    db.session.refresh(letter)
    assert (letter.mailbox_id, letter.status, letter.read_at) == (director_box.id, "new", None)
    assert (letter.reply_due_at, letter.first_reply_due_at) == (due, first_due)


def test_the_resident_is_told_and_sees_where_the_letter_went(client, auth_headers, secretary,
                                                             secretary_box, director_box,
                                                             resident):
    letter = LetterFactory(mailbox=secretary_box, resident=resident)
    transfer(client, auth_headers, secretary, letter, director_box, note="内部：别告诉居民")
    [alert] = notifications("letter.transferred")
    assert alert.resident_id == resident.id and "主任信箱" in alert.payload["text"]
    mine = client.get(f"/api/v1/letters/{letter.id}", headers=auth_headers(resident))
    assert mine.json["mailbox"]["name"] == "主任信箱"
    assert mine.json["messages"][-1]["body"] == "信件已由“书记信箱”转交至“主任信箱”。"
    assert "别告诉居民" not in mine.get_data(as_text=True)


def test_the_new_mailboxs_staff_are_told(client, auth_headers, secretary, secretary_box,
                                         director_box, director, resident):
    letter = LetterFactory(mailbox=secretary_box, resident=resident)
    transfer(client, auth_headers, secretary, letter, director_box)
    assert [n.staff_id for n in notifications("letter.new")] == [director.id]


def test_the_transfer_is_audited_with_both_mailboxes(client, auth_headers, secretary,
                                                     secretary_box, director_box, resident):
    letter = LetterFactory(mailbox=secretary_box, resident=resident)
    transfer(client, auth_headers, secretary, letter, director_box, note="转主任")
    [entry] = audit_entries("letter.transfer")
    assert entry.detail["from_mailbox_id"] == secretary_box.id
    assert entry.detail["to_mailbox_id"] == director_box.id
    assert entry.detail["note"] == "转主任"


def test_after_the_transfer_the_old_restricted_mailbox_no_longer_hides_it(
        client, auth_headers, secretary, secretary_box, director_box, director, resident):
    letter = LetterFactory(mailbox=secretary_box, resident=resident)
    transfer(client, auth_headers, secretary, letter, director_box)
    response = client.get(f"/api/v1/staff/letters/{letter.id}", headers=auth_headers(director))
    assert response.status_code == 200


def test_a_street_admin_may_transfer_to_another_community_in_scope(client, auth_headers,
                                                                   street_admin, director_box,
                                                                   other_box, resident,
                                                                   other_staff):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    assert transfer(client, auth_headers, street_admin, letter, other_box).status_code == 200
    db.session.refresh(letter)
    assert letter.community_id == other_box.community_id
    other_view = client.get(f"/api/v1/staff/letters/{letter.id}",
                            headers=auth_headers(other_staff))
    assert other_view.status_code == 200


def test_transfer_to_a_mailbox_outside_scope_is_404(client, auth_headers, director, director_box,
                                                    other_box, resident):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    response = transfer(client, auth_headers, director, letter, other_box)
    assert response.status_code == 404
    assert response.json["message"] == "找不到该信箱"
    assert db.session.scalar(sa.select(Letter.mailbox_id)) == director_box.id


def test_transfer_to_a_restricted_mailbox_one_cannot_read_is_404(client, auth_headers, director,
                                                                 director_box, secretary_box,
                                                                 resident):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    assert transfer(client, auth_headers, director, letter, secretary_box).status_code == 404


def test_transfer_to_the_same_or_an_inactive_mailbox_is_422(client, auth_headers, director,
                                                            director_box, resident, regions):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    assert transfer(client, auth_headers, director, letter, director_box).status_code == 422
    retired = MailboxFactory(community=regions.community, active=False)
    assert transfer(client, auth_headers, director, letter, retired).status_code == 422
    assert db.session.scalar(sa.select(Letter.status)) == "new"


def test_a_transferred_letter_is_read_again_with_a_new_receipt(client, auth_headers, secretary,
                                                               secretary_box, director_box,
                                                               director, resident):
    letter = LetterFactory(mailbox=secretary_box, resident=resident)
    client.get(f"/api/v1/staff/letters/{letter.id}", headers=auth_headers(secretary))
    transfer(client, auth_headers, secretary, letter, director_box)
    client.get(f"/api/v1/staff/letters/{letter.id}", headers=auth_headers(director))
    assert len(notifications("letter.read")) == 2
