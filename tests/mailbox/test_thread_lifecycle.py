"""A letter's whole life through the API: written, read, noted, replied, followed up, answered
again and closed, with what the resident sees, who is told and what is audited at each step."""

from datetime import timedelta

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from app.mailbox.lifecycle import LETTER
from app.mailbox.models import Letter
from tests.mailbox.conftest import notifications


def test_a_letter_from_writing_to_closing(client, auth_headers, write, resident, director,
                                          director_box, clock):
    resident_headers = auth_headers(resident, ttl=timedelta(days=30))
    staff_headers = auth_headers(director, ttl=timedelta(days=30))

    def mine():
        return client.get(f"/api/v1/letters/{letter_id}", headers=resident_headers).json

    def staff(path, **body):
        response = client.post(f"/api/v1/staff/letters/{letter_id}/{path}", json=body,
                               headers=staff_headers)
        assert response.status_code in (200, 201), response.json
        return response.json

    letter_id = write(resident, director_box).json["id"]
    assert mine()["status_label"] == "未读" and mine()["actions"] == ["follow_up"]

    clock.advance(hours=1)
    opened = client.get(f"/api/v1/staff/letters/{letter_id}", headers=staff_headers).json
    assert opened["status"] == "read" and opened["actions"] == ["reply", "transfer", "close", "convert_to_report",
                                                      "convert_to_proposal"]
    assert mine()["status_label"] == "已读"

    staff("notes", body="先联系物业核实")
    clock.advance(hours=2)
    staff("replies", body="您好，已通知物业今天更换灯泡。")
    assert mine()["status_label"] == "已答复"
    assert [m["kind"] for m in mine()["messages"]] == ["resident", "staff"]

    clock.advance(days=1)
    reopened = client.post(f"/api/v1/letters/{letter_id}/messages", json={"body": "还是不亮"},
                           headers=resident_headers)
    assert reopened.status_code == 201 and reopened.json["status_label"] == "未读"
    assert reopened.json["reply_due_at"] is not None

    client.get(f"/api/v1/staff/letters/{letter_id}", headers=staff_headers)
    staff("replies", body="是线路问题，电工明天来。")
    closed = staff("close", message="线路已修好，感谢您的反映。")
    assert closed["status"] == "closed" and closed["actions"] == []
    assert LETTER.is_final(closed["status"])

    final = mine()
    assert [m["kind"] for m in final["messages"]] == [
        "resident", "staff", "resident", "staff", "staff", "event"]
    assert final["reply_due_at"] is None
    assert client.post(f"/api/v1/letters/{letter_id}/messages", json={"body": "好的"},
                       headers=resident_headers).status_code == 409

    letter = db.session.scalars(sa.select(Letter)).one()
    assert letter.first_replied_at == letter.created_at + timedelta(hours=3)
    assert [n.kind for n in notifications() if n.resident_id] == [
        "letter.read", "letter.replied", "letter.read", "letter.replied", "letter.closed"]
    assert [n.kind for n in notifications() if n.staff_id] == ["letter.new", "letter.follow_up"]
    trail = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == "letter").order_by(AuditEntry.id)).all()
    assert trail == ["letter.view", "letter.note", "letter.reply", "letter.view", "letter.reply",
                     "letter.close"]
