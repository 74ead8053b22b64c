"""The residents' mailbox on the staff pages: the inbox, reading (audited), reply, note,
transfer, close, the public Q&A copy, and the administration of mailboxes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import StaffRole
from app.audit.models import AuditEntry
from app.extensions import db
from app.mailbox.models import Letter, LetterPublication, Mailbox, MessageKind
from app.notifications.models import Notification
from tests.factories import (
    HouseholdFactory,
    LetterFactory,
    MailboxFactory,
    ResidentFactory,
    StaffFactory,
)


@pytest.fixture
def resident(regions):
    return ResidentFactory(community=regions.community, nickname="张桂兰",
                           household=HouseholdFactory(community_id=regions.community.id,
                                                      building="3", unit="2", room="501"))


@pytest.fixture
def director_box(regions, moderator):
    return MailboxFactory(community=regions.community, name="主任信箱", members=[moderator])


@pytest.fixture
def secretary_box(regions):
    secretary = StaffFactory(region=regions.community, role=StaffRole.MODERATOR,
                             display_name="刘书记")
    return MailboxFactory(community=regions.community, name="书记信箱", members=[secretary],
                          restricted=True)


@pytest.fixture
def other_box(regions):
    return MailboxFactory(community=regions.other_community, name="主任信箱")


def audit_actions(prefix: str) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)))


def stored(letter_id: int) -> Letter:
    db.session.expire_all()
    return db.session.get(Letter, letter_id)


# --- the inbox -------------------------------------------------------------------------------

def test_the_inbox_lists_letters_owing_a_reply_the_most_overdue_first(
        pages, resident, moderator, director_box, clock):
    fresh = LetterFactory(mailbox=director_box, resident=resident, subject="高龄津贴怎么申请")
    late = LetterFactory(mailbox=director_box, resident=resident, subject="楼道灯坏了",
                         created_at=clock.moment - timedelta(days=4))
    LetterFactory(mailbox=director_box, resident=resident, replied=True, subject="已经答复的")
    pages.sign_in(moderator)
    page = pages.get("/staff/letters").get_data(as_text=True)
    assert page.index(late.subject) < page.index(fresh.subject)
    assert "已经答复的" not in page
    assert "1 封已超时" in page and "tag-late" in page


def test_the_inbox_tabs_show_the_other_letters(pages, resident, moderator, director_box):
    LetterFactory(mailbox=director_box, resident=resident, replied=True, subject="已经答复的")
    LetterFactory(mailbox=director_box, resident=resident, closed=True, subject="已经办结的")
    pages.sign_in(moderator)
    assert "已经答复的" in pages.get("/staff/letters?view=replied").get_data(as_text=True)
    page = pages.get("/staff/letters?view=closed").get_data(as_text=True)
    assert "已经办结的" in page and "已经答复的" not in page
    assert pages.get("/staff/letters?view=nonsense").status_code == 200


def test_the_inbox_leaves_out_restricted_and_other_communities_mailboxes(
        pages, resident, moderator, director_box, secretary_box, other_box):
    LetterFactory(mailbox=director_box, resident=resident, subject="给主任的信")
    LetterFactory(mailbox=secretary_box, resident=resident, subject="给书记的信")
    LetterFactory(mailbox=other_box, resident=ResidentFactory(), subject="别的社区的信")
    pages.sign_in(moderator)
    page = pages.get("/staff/letters").get_data(as_text=True)
    assert "给主任的信" in page
    assert "给书记的信" not in page and "别的社区的信" not in page
    assert "书记信箱" not in page
    # Asking for the restricted mailbox by id shows nothing of it either.
    page = pages.get(f"/staff/letters?mailbox_id={secretary_box.id}").get_data(as_text=True)
    assert "给书记的信" not in page


def test_someone_without_a_mailbox_is_told_so(pages, handler):
    pages.sign_in(handler)
    assert "您没有可以答复的信箱" in pages.get("/staff/letters").get_data(as_text=True)


# --- reading and answering -------------------------------------------------------------------

def test_opening_a_letter_is_audited_and_marks_it_read(pages, resident, moderator, director_box):
    letter = LetterFactory(mailbox=director_box, resident=resident, body="楼道灯坏了一个星期")
    pages.sign_in(moderator)
    page = pages.get(f"/staff/letters/{letter.id}").get_data(as_text=True)
    assert "楼道灯坏了一个星期" in page and "张桂兰" in page and "3-2-501" in page
    assert stored(letter.id).status == "read"
    pages.get(f"/staff/letters/{letter.id}")
    assert audit_actions("letter.view") == ["letter.view", "letter.view"]


def test_a_letter_one_may_not_read_is_404_and_not_audited(pages, resident, moderator,
                                                         secretary_box, other_box):
    restricted = LetterFactory(mailbox=secretary_box, resident=resident)
    elsewhere = LetterFactory(mailbox=other_box, resident=ResidentFactory())
    pages.sign_in(moderator)
    for letter in (restricted, elsewhere):
        assert pages.get(f"/staff/letters/{letter.id}").status_code == 404
        assert pages.post(f"/staff/letters/{letter.id}/reply",
                          {"reply-body": "您好"}).status_code == 404
    assert audit_actions("letter.") == []
    assert stored(restricted.id).status == "new"


def test_replying_answers_the_resident_and_is_audited(pages, resident, moderator,
                                                      director_box):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/letters/{letter.id}/reply",
                          {"reply-body": "您好，已通知物业今天更换楼道灯。"})
    assert response.status_code == 302
    answered = stored(letter.id)
    assert answered.status == "replied"
    assert answered.messages[-1].body == "您好，已通知物业今天更换楼道灯。"
    assert "letter.reply" in audit_actions("letter.")
    notice = db.session.scalar(sa.select(Notification).where(
        Notification.resident_id == resident.id, Notification.kind == "letter.replied"))
    assert notice is not None


def test_an_empty_reply_is_refused_on_the_form(pages, resident, moderator, director_box):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/letters/{letter.id}/reply", {"reply-body": "  "})
    assert response.status_code == 422
    assert "答复内容：此项必填" in response.get_data(as_text=True)
    assert stored(letter.id).status != "replied"


def test_a_reply_without_the_csrf_token_is_refused(pages, resident, moderator, director_box):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    pages.sign_in(moderator)
    response = pages.client.post(f"/staff/letters/{letter.id}/reply",
                                 data={"reply-body": "您好"})
    assert response.status_code == 400
    assert stored(letter.id).status == "new"


def test_an_internal_note_is_kept_from_the_resident(pages, resident, moderator, director_box):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    pages.sign_in(moderator)
    pages.post(f"/staff/letters/{letter.id}/note", {"note-body": "需要和物业核实"})
    note = stored(letter.id).messages[-1]
    assert (note.kind, note.body) == (MessageKind.NOTE, "需要和物业核实")
    assert "letter.note" in audit_actions("letter.")
    page = pages.get(f"/staff/letters/{letter.id}").get_data(as_text=True)
    assert "需要和物业核实" in page and "居民看不到" in page


def test_transferring_moves_the_letter_to_another_usable_mailbox(pages, regions, resident,
                                                                 moderator, director_box):
    office = MailboxFactory(community=regions.community, name="党群服务中心")
    letter = LetterFactory(mailbox=director_box, resident=resident)
    pages.sign_in(moderator)
    page = pages.get(f"/staff/letters/{letter.id}").get_data(as_text=True)
    assert f'<option value="{office.id}">和平社区 · 党群服务中心</option>' in page
    response = pages.post(f"/staff/letters/{letter.id}/transfer",
                          {"transfer-mailbox_id": str(office.id), "transfer-note": "归口办理"})
    assert response.status_code == 302
    assert stored(letter.id).mailbox_id == office.id
    assert "letter.transfer" in audit_actions("letter.")


def test_transferring_to_a_mailbox_one_may_not_use_is_404(pages, resident, moderator,
                                                          director_box, secretary_box):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/letters/{letter.id}/transfer",
                          {"transfer-mailbox_id": str(secretary_box.id)})
    assert response.status_code == 404
    assert stored(letter.id).mailbox_id == director_box.id


def test_closing_an_unanswered_letter_needs_a_message(pages, resident, moderator,
                                                      director_box):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/letters/{letter.id}/close", {"close-message": ""})
    assert response.status_code == 422
    assert "请填写办结说明" in response.get_data(as_text=True)
    response = pages.post(f"/staff/letters/{letter.id}/close",
                          {"close-message": "已电话答复，居民表示满意"})
    assert response.status_code == 302
    assert stored(letter.id).status == "closed"
    assert "letter.close" in audit_actions("letter.")


def test_a_closed_letter_offers_no_reply(pages, resident, moderator, director_box):
    letter = LetterFactory(mailbox=director_box, resident=resident, closed=True)
    pages.sign_in(moderator)
    page = pages.get(f"/staff/letters/{letter.id}").get_data(as_text=True)
    assert 'id="act-reply"' not in page and 'id="act-close"' not in page
    assert pages.post(f"/staff/letters/{letter.id}/reply",
                      {"reply-body": "您好"}).status_code == 409


# --- the public Q&A copy ---------------------------------------------------------------------

def test_the_publication_draft_is_masked_and_its_reading_audited(pages, resident, moderator,
                                                                 director_box):
    letter = LetterFactory(mailbox=director_box, resident=resident, replied=True,
                           consent_to_publish=True,
                           body="我是3栋2单元501的张桂兰，电话13800001234。")
    pages.sign_in(moderator)
    page = pages.get(f"/staff/letters/{letter.id}/publication").get_data(as_text=True)
    assert "13800001234" not in page and "【电话】" in page
    assert "张桂兰" not in page.split("<main", 1)[1].split("返回信件", 1)[1]
    assert "letter.view_publication" in audit_actions("letter.")


def test_publishing_masks_the_names_given_and_can_be_undone(pages, resident, moderator,
                                                            director_box):
    letter = LetterFactory(mailbox=director_box, resident=resident, replied=True,
                           consent_to_publish=True, body="隔壁王建军家的狗天天叫。")
    pages.sign_in(moderator)
    response = pages.post(f"/staff/letters/{letter.id}/publication", {
        "publish-subject": "邻居家的狗", "publish-body": "隔壁王建军家的狗天天叫。",
        "publish-reply": "已上门沟通。", "publish-names_to_mask": "王建军"})
    assert response.status_code == 302
    publication = db.session.scalar(sa.select(LetterPublication))
    assert "王建军" not in publication.body
    assert audit_actions("letter.publish") == ["letter.publish"]
    response = pages.post(f"/staff/letters/{letter.id}/publication/remove")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(LetterPublication)) is None
    assert "letter.unpublish" in audit_actions("letter.")


def test_a_one_character_name_to_mask_is_refused(pages, resident, moderator, director_box):
    letter = LetterFactory(mailbox=director_box, resident=resident, replied=True,
                           consent_to_publish=True)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/letters/{letter.id}/publication", {
        "publish-subject": "主题", "publish-body": "正文", "publish-reply": "答复",
        "publish-names_to_mask": "王、李师傅"})
    assert response.status_code == 422
    assert "每个应为 2 到 32 个字" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(LetterPublication)) is None


def test_a_letter_without_consent_cannot_be_published(pages, resident, moderator,
                                                      director_box):
    letter = LetterFactory(mailbox=director_box, resident=resident, replied=True)
    pages.sign_in(moderator)
    assert "准备公开" not in pages.get(f"/staff/letters/{letter.id}").get_data(as_text=True)
    response = pages.post(f"/staff/letters/{letter.id}/publication", {
        "publish-subject": "主题", "publish-body": "正文", "publish-reply": "答复"})
    assert response.status_code == 409
    assert "居民没有同意公开这封信" in response.get_data(as_text=True)


def test_handlers_may_not_publish(pages, regions, resident, director_box):
    handler = StaffFactory(region=regions.community, role=StaffRole.HANDLER)
    letter = LetterFactory(mailbox=director_box, resident=resident, replied=True,
                           consent_to_publish=True)
    pages.sign_in(handler)
    assert pages.get(f"/staff/letters/{letter.id}/publication").status_code == 403


# --- administration of mailboxes -------------------------------------------------------------

def test_an_admin_creates_a_mailbox_then_names_who_answers_it(pages, regions, admin,
                                                              moderator):
    pages.sign_in(admin)
    response = pages.post("/staff/admin/mailboxes/new", {
        "community_id": str(regions.community.id), "name": "主任信箱",
        "description": "邻里纠纷、政策咨询", "reply_sla_hours": "48", "sort_order": "1"})
    assert response.status_code == 302
    box = db.session.scalar(sa.select(Mailbox))
    assert (box.name, box.reply_sla_hours, box.members) == ("主任信箱", 48, [])
    page = pages.get(response.headers["Location"]).get_data(as_text=True)
    assert "王芳（社区工作人员·和平社区）" in page
    response = pages.post(f"/staff/admin/mailboxes/{box.id}", {
        "name": "主任信箱", "reply_sla_hours": "24", "active": "y",
        "member_ids": [str(moderator.id)]})
    assert response.status_code == 302
    db.session.expire_all()
    box = db.session.get(Mailbox, box.id)
    assert box.reply_sla_hours == 24 and [m.id for m in box.members] == [moderator.id]
    assert audit_actions("mailbox.") == ["mailbox.create", "mailbox.update"]


def test_a_mailbox_name_is_unique_in_its_community(pages, regions, admin):
    MailboxFactory(community=regions.community, name="主任信箱")
    pages.sign_in(admin)
    response = pages.post("/staff/admin/mailboxes/new", {
        "community_id": str(regions.community.id), "name": "主任信箱", "reply_sla_hours": "72"})
    assert response.status_code == 409
    assert "该社区已有同名信箱" in response.get_data(as_text=True)


def test_a_reply_time_limit_out_of_range_is_refused(pages, regions, admin):
    pages.sign_in(admin)
    response = pages.post("/staff/admin/mailboxes/new", {
        "community_id": str(regions.community.id), "name": "主任信箱", "reply_sla_hours": "0"})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(Mailbox)) is None


def test_mailboxes_of_another_community_are_404_to_an_admin(pages, admin, other_box):
    pages.sign_in(admin)
    assert pages.get(f"/staff/admin/mailboxes/{other_box.id}").status_code == 404
    assert pages.post(f"/staff/admin/mailboxes/{other_box.id}",
                      {"name": "改名", "reply_sla_hours": "1"}).status_code == 404
    assert "改名" not in {box.name for box in db.session.scalars(sa.select(Mailbox))}


def test_only_admins_administer_mailboxes(pages, moderator, director_box):
    pages.sign_in(moderator)
    assert pages.get("/staff/admin/mailboxes").status_code == 403
    assert pages.get(f"/staff/admin/mailboxes/{director_box.id}").status_code == 403


# --- conversion ------------------------------------------------------------------------------

def test_a_letter_is_converted_to_a_report_from_its_page(pages, resident, moderator,
                                                         director_box):
    from app.reports.models import Report
    from tests.factories import CategoryFactory

    CategoryFactory(code="streetlight", name="路灯损坏")
    letter = LetterFactory(mailbox=director_box, resident=resident, subject="3栋门口路灯不亮")
    pages.sign_in(moderator)
    assert "转为随手拍" in pages.get(f"/staff/letters/{letter.id}").get_data(as_text=True)
    response = pages.post(f"/staff/letters/{letter.id}/convert-to-report",
                          {"convert_to_report-category": "streetlight",
                           "convert_to_report-lat": "30.654", "convert_to_report-lng": "104.082"})
    assert response.status_code == 302
    converted = stored(letter.id)
    assert converted.status == "closed" and converted.converted_report_id
    report = db.session.get(Report, converted.converted_report_id)
    assert report.reporter_id == resident.id and report.source_letter_id == letter.id
    assert audit_actions("letter.convert") == ["letter.convert_to_report"]
    page = pages.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert "居民信箱来信转办" in page


def test_converting_without_a_category_shows_the_form_again(pages, resident, moderator,
                                                            director_box):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/letters/{letter.id}/convert-to-report",
                          {"convert_to_report-category": ""})
    assert response.status_code == 422
    assert stored(letter.id).status != "closed"


def test_a_letter_is_converted_to_a_proposal_draft_from_its_page(pages, resident, moderator,
                                                                 director_box):
    resident.verification_level = 1
    db.session.commit()
    letter = LetterFactory(mailbox=director_box, resident=resident, subject="建议增设充电桩")
    pages.sign_in(moderator)
    response = pages.post(f"/staff/letters/{letter.id}/convert-to-proposal",
                          {"convert_to_proposal-title": ""})
    assert response.status_code == 302
    assert stored(letter.id).converted_proposal_id is not None
