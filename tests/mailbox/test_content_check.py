"""Letters go through the one content-check policy: risky text is refused, doubtful text
reaches staff marked."""

import sqlalchemy as sa

from app.extensions import db
from app.mailbox.models import Letter, LetterMessage
from app.uploads.models import Upload
from tests.factories import LetterFactory
from tests.mailbox.conftest import notifications


def test_risky_text_is_refused_and_nothing_is_kept(write, resident, director_box, wechat,
                                                   upload_photo):
    wechat.text_verdicts["赌博"] = "risky"
    photo = upload_photo(resident)
    response = write(resident, director_box, body="楼下有人聚众赌博，来加入吧", photo_ids=[photo])
    assert response.status_code == 422
    assert response.json["errors"] == {"body": ["内容包含不适宜公开的信息，请修改后再提交"]}
    assert db.session.scalar(sa.select(sa.func.count(Letter.id))) == 0
    assert notifications() == []
    assert db.session.scalar(sa.select(Upload.claimed_at)) is None


def test_a_risky_subject_is_refused_too(write, resident, director_box, wechat):
    wechat.text_verdicts["赌博"] = "risky"
    assert write(resident, director_box, subject="赌博").status_code == 422


def test_the_letter_text_is_checked_with_the_residents_openid(write, resident, director_box,
                                                              wechat):
    write(resident, director_box)
    calls = wechat.calls("/wxa/msg_sec_check")
    assert calls and calls[-1].json["openid"] == resident.mp_openid
    assert "楼道灯不亮" in calls[-1].json["content"]


def test_doubtful_text_reaches_staff_marked(write, client, auth_headers, resident, director_box,
                                            director, wechat):
    wechat.text_verdicts["加微信"] = "review"
    response = write(resident, director_box, body="有人在楼道贴小广告，写着加微信办证")
    assert response.status_code == 201
    letter = db.session.scalars(sa.select(Letter)).one()
    assert letter.flagged is True
    assert letter.messages[0].needs_review and letter.messages[0].review_reason == "wechat_review"
    assert [n.staff_id for n in notifications("letter.new")] == [director.id]
    flagged = client.get("/api/v1/staff/letters?flagged=true", headers=auth_headers(director))
    assert [item["id"] for item in flagged.json["items"]] == [letter.id]
    assert flagged.json["items"][0]["flagged"] is True


def test_the_resident_is_not_shown_the_review_mark(write, client, auth_headers, resident,
                                                   director_box, wechat):
    wechat.text_verdicts["加微信"] = "review"
    letter_id = write(resident, director_box, body="加微信办证的小广告").json["id"]
    mine = client.get(f"/api/v1/letters/{letter_id}", headers=auth_headers(resident))
    assert "flagged" not in mine.json and "needs_review" not in mine.get_data(as_text=True)


def test_an_unreachable_check_keeps_the_letter_for_staff_to_look_at(write, resident,
                                                                    director_box, wechat):
    wechat.fail_next("/wxa/msg_sec_check", status=502, times=3)
    response = write(resident, director_box)
    assert response.status_code == 201
    message = db.session.scalars(sa.select(LetterMessage)).one()
    assert message.needs_review and message.review_reason == "check_unavailable"


def test_a_risky_follow_up_is_refused_and_the_letter_unchanged(client, auth_headers, resident,
                                                               director_box, wechat):
    wechat.text_verdicts["赌博"] = "risky"
    letter = LetterFactory(mailbox=director_box, resident=resident, replied=True)
    response = client.post(f"/api/v1/letters/{letter.id}/messages",
                           json={"body": "赌博的事还没人管"}, headers=auth_headers(resident))
    assert response.status_code == 422
    db.session.refresh(letter)
    assert letter.status == "replied" and len(letter.messages) == 2


def test_a_doubtful_follow_up_flags_the_letter(client, auth_headers, resident, director_box,
                                               wechat):
    wechat.text_verdicts["加微信"] = "review"
    letter = LetterFactory(mailbox=director_box, resident=resident, replied=True)
    client.post(f"/api/v1/letters/{letter.id}/messages", json={"body": "小广告又写着加微信"},
                headers=auth_headers(resident))
    db.session.refresh(letter)
    assert letter.flagged is True and letter.messages[-1].needs_review is True
