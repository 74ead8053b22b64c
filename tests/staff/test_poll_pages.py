"""The poll pages: the list, the draft editor (post-back rows, validation by the API's schema),
scheduling, opening, cancelling, turnout, participants, results and CSV, assisted voting;
with scope (404 outside), roles, CSRF refusal and audit entries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.accounts.models import StaffRole, VerificationLevel
from app.audit.models import AuditEntry
from app.extensions import db
from app.polls import service
from app.polls.models import Poll, PollBallot, PollParticipation, PollStatus
from tests.factories import PollFactory, ResidentFactory, StaffFactory
from tests.staff.test_layout import parts_of


@pytest.fixture(autouse=True)
def frozen_clock(clock):
    """2026-11-24 10:00 in Shanghai."""
    return clock


@pytest.fixture
def poll(regions):
    """Open, 一人一票, phone-verified voters, results after close: 游乐场选什么颜色？"""
    return PollFactory(region=regions.community, title="游乐场配色")


def voters(regions, count, community=None, **traits):
    traits.setdefault("phone_verified", True)
    return [ResidentFactory(community=community or regions.community, **traits)
            for _ in range(count)]


def answers(poll, *positions):
    return [{"question_id": question.id, "option_ids": [question.options[p].id]}
            for question, p in zip(poll.questions, positions, strict=True)]


def text_of(response) -> str:
    return response.get_data(as_text=True)


def reload(poll) -> Poll:
    db.session.expire_all()
    return db.session.get(Poll, poll.id)


def audit_entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def new_poll_form(regions, **changes) -> dict:
    """A valid submission of the new-poll form: two questions, blank rows left blank."""
    form = {
        "title": "儿童游乐场翻新方案", "description": "请选出主色调和设施",
        "region_id": str(regions.community.id), "unit": "person", "min_verification": "1",
        "opens_at": "", "closes_at": "2026-12-01T18:00", "results_visibility": "after_close",
        "proposal_id": "",
        "questions-0-text": "主色调选哪个？", "questions-0-kind": "single",
        "questions-0-max_choices": "", "questions-0-options-0": "暖橙色",
        "questions-0-options-1": "草绿色", "questions-0-options-2": "", "questions-0-options-3": "",
        "questions-1-text": "最想增加哪些设施？", "questions-1-kind": "multiple",
        "questions-1-max_choices": "2", "questions-1-options-0": "秋千",
        "questions-1-options-1": "滑梯", "questions-1-options-2": "沙坑",
        "questions-1-options-3": "",
        "form_action": "save",
    }
    form.update(changes)
    return form


def poll_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Poll))


# --- list and menu --------------------------------------------------------------------------

def test_the_list_shows_polls_of_the_scope_filtered_by_status(pages, regions, moderator):
    PollFactory(region=regions.community, title="正在进行的投票")
    PollFactory(region=regions.community, title="还在写的投票", draft=True)
    PollFactory(region=regions.other_community, title="别的社区的投票")
    pages.sign_in(moderator)
    page = text_of(pages.get("/staff/polls"))
    assert "正在进行的投票" in page and "还在写的投票" in page
    assert "别的社区的投票" not in page
    page = text_of(pages.get("/staff/polls?status=draft"))
    assert "还在写的投票" in page and "正在进行的投票" not in page


@pytest.mark.parametrize("level, shown", [("grid", False), ("community", True)])
def test_handlers_have_polls_in_the_menu_only_with_residents_in_scope(pages, regions, level,
                                                                      shown):
    handler = StaffFactory(role=StaffRole.HANDLER, region=getattr(regions, level))
    pages.sign_in(handler)
    assert ('<a href="/staff/polls"' in text_of(pages.get("/staff/"))) is shown


def test_handlers_read_polls_but_cannot_write_or_run_them(pages, regions, poll):
    handler = StaffFactory(role=StaffRole.HANDLER, region=regions.community)
    pages.sign_in(handler)
    page = text_of(pages.get(f"/staff/polls/{poll.id}"))
    assert "游乐场配色" in page and "取消投票" not in page
    assert pages.get("/staff/polls/new").status_code == 403
    assert pages.post(f"/staff/polls/{poll.id}/cancel",
                      {"cancel-reason": "不需要了"}).status_code == 403
    assert reload(poll).status == PollStatus.OPEN


# --- writing a draft ------------------------------------------------------------------------

def test_the_new_poll_form_starts_with_one_question_and_blank_option_rows(pages, moderator):
    pages.sign_in(moderator)
    page = text_of(pages.get("/staff/polls/new"))
    assert 'id="questions-0"' in page and 'id="questions-1"' not in page
    assert page.count('name="questions-0-options-') == 4
    assert re.search(r'<option selected value="\d+">和平社区（社区）</option>', page)
    # Enter in a text box submits with the first submit button: 保存, not a row button.
    first_button = re.search(r'<button type="submit" name="form_action" value="(\w+)"', page)
    assert first_button.group(1) == "save"


def test_creating_a_poll_saves_a_draft_without_the_blank_rows(pages, regions, moderator):
    pages.sign_in(moderator)
    response = pages.post("/staff/polls/new", new_poll_form(regions))
    assert response.status_code == 302, text_of(response)
    poll = db.session.scalar(sa.select(Poll))
    assert response.headers["Location"] == f"/staff/polls/{poll.id}"
    assert poll.status == PollStatus.DRAFT and poll.created_by_id == moderator.id
    assert [(q.text, q.kind.value, q.max_choices, [o.text for o in q.options])
            for q in poll.questions] == [
        ("主色调选哪个？", "single", 1, ["暖橙色", "草绿色"]),
        ("最想增加哪些设施？", "multiple", 2, ["秋千", "滑梯", "沙坑"])]
    # The local time typed in is China time.
    assert clock.to_local(poll.closes_at).strftime("%Y-%m-%d %H:%M") == "2026-12-01 18:00"
    assert [e.detail for e in audit_entries("poll.create")] == [{"title": "儿童游乐场翻新方案"}]


def test_a_blank_question_is_left_out(pages, regions, moderator):
    pages.sign_in(moderator)
    form = new_poll_form(regions, **{"questions-2-text": "", "questions-2-kind": "single",
                                     "questions-2-options-0": "", "questions-2-options-1": ""})
    assert pages.post("/staff/polls/new", form).status_code == 302
    assert len(db.session.scalar(sa.select(Poll)).questions) == 2


def test_adding_a_question_shows_the_form_again_with_nothing_saved(pages, regions, moderator):
    pages.sign_in(moderator)
    response = pages.post("/staff/polls/new", new_poll_form(regions, form_action="add"))
    assert response.status_code == 200
    page = text_of(response)
    assert 'id="questions-2"' in page and 'value="最想增加哪些设施？"' in page
    assert "请修改以下内容" not in page
    assert poll_count() == 0


def test_removing_a_question_keeps_the_others(pages, regions, moderator):
    pages.sign_in(moderator)
    response = pages.post("/staff/polls/new",
                          new_poll_form(regions, form_action="remove:questions-0"))
    page = text_of(response)
    assert 'id="questions-0"' not in page and 'value="主色调选哪个？"' not in page
    assert 'value="最想增加哪些设施？"' in page and 'value="秋千"' in page
    response = pages.post("/staff/polls/new", {
        key: value for key, value in new_poll_form(regions).items()
        if not key.startswith("questions-0-")})
    assert response.status_code == 302
    assert [q.text for q in db.session.scalar(sa.select(Poll)).questions] == ["最想增加哪些设施？"]


def test_more_option_rows_are_added_to_one_question(pages, regions, moderator):
    pages.sign_in(moderator)
    page = text_of(pages.post("/staff/polls/new",
                              new_poll_form(regions, form_action="more:questions-1")))
    assert page.count('name="questions-1-options-') == 7
    assert page.count('name="questions-0-options-') == 4


def test_a_question_with_one_option_is_refused_beside_it(pages, regions, moderator):
    pages.sign_in(moderator)
    response = pages.post("/staff/polls/new", new_poll_form(regions, **{
        "questions-0-options-1": ""}))
    assert response.status_code == 422
    page = text_of(response)
    assert '<a href="#questions-0">第 1 题：选项应为 2 到 20 个</a>' in page
    assert poll_count() == 0


@pytest.mark.parametrize("changes, message", [
    ({"title": ""}, "标题：此项必填"),
    ({"closes_at": ""}, "截止时间：此项必填"),
    ({"closes_at": "下周五"}, "截止时间：时间格式不正确"),
    ({"questions-0-options-1": "暖橙色"}, "第 1 题：选项不能重复"),
    ({"questions-0-max_choices": "2"}, "第 1 题最多可选几项（多选题）：单选题不设最多可选数"),
    ({"questions-1-max_choices": "5"}, "第 2 题最多可选几项（多选题）：最多可选数不能超过选项数"),
    ({"questions-1-max_choices": "两项"}, "第 2 题最多可选几项（多选题）：应为整数"),
    ({"questions-0-text": ""}, "第 1 题题目：此项必填"),
    ({"questions-0-options-0": "很" * 61}, "第 1 题选项 1：长度应在 1 到 60 之间"),
    ({"proposal_id": "abc"}, "关联提案编号（可不填）：应为整数"),
])
def test_what_the_api_schema_refuses_is_said_beside_its_field(pages, regions, moderator,
                                                               changes, message):
    pages.sign_in(moderator)
    response = pages.post("/staff/polls/new", new_poll_form(regions, **changes))
    assert response.status_code == 422
    assert message in text_of(response)
    assert poll_count() == 0


@pytest.mark.parametrize("changes, message", [
    ({"closes_at": "2026-11-20T18:00"}, "截止时间：截止时间应晚于现在"),
    ({"unit": "household"}, "参加条件：一户一票需要住户身份已确认，认证等级应为 2"),
    ({"opens_at": "2026-12-02T09:00"}, "截止时间：截止时间应晚于开始时间"),
])
def test_what_the_service_refuses_is_said_beside_its_field(pages, regions, moderator, changes,
                                                            message):
    pages.sign_in(moderator)
    response = pages.post("/staff/polls/new", new_poll_form(regions, **changes))
    assert response.status_code == 422
    assert message in text_of(response)
    assert poll_count() == 0


def test_a_region_outside_scope_cannot_be_chosen(pages, regions, moderator):
    pages.sign_in(moderator)
    response = pages.post("/staff/polls/new", new_poll_form(
        regions, region_id=str(regions.other_community.id)))
    assert response.status_code == 422
    assert "投票范围：请从列表中选择" in text_of(response)
    assert poll_count() == 0


def test_creating_without_the_csrf_token_is_refused(pages, regions, moderator):
    pages.sign_in(moderator)
    response = pages.client.post("/staff/polls/new", data=new_poll_form(regions))
    assert response.status_code == 400
    assert poll_count() == 0


# --- editing a draft ------------------------------------------------------------------------

@pytest.fixture
def draft(regions):
    return PollFactory(region=regions.community, draft=True, title="游乐场配色",
                       questions=[("选什么颜色？", "single", 1, ["红色", "黄色"]),
                                  ("加什么设施？", "multiple", 2, ["秋千", "滑梯", "沙坑"])])


def test_the_edit_form_shows_the_stored_draft(pages, moderator, draft):
    pages.sign_in(moderator)
    page = text_of(pages.get(f"/staff/polls/{draft.id}/edit"))
    assert 'value="游乐场配色"' in page and 'value="选什么颜色？"' in page
    assert 'name="questions-1-max_choices" type="text" value="2"' in page
    assert 'value="2026-12-01T10:00"' in page  # closes 7 days after 2026-11-24 10:00


def edit_form(pages, draft, **changes) -> dict:
    """The edit form as the browser would send it back, with `changes`."""
    page = text_of(pages.get(f"/staff/polls/{draft.id}/edit"))
    form = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        form[name] = value
    for name in re.findall(r'<input[^>]*name="([^"]+)"(?![^>]*value=)[^>]*>', page):
        form.setdefault(name, "")
    for name, value in re.findall(r'<select[^>]*name="([^"]+)".*?<option selected value="([^"]*)"',
                                  page, re.S):
        form[name] = value
    for name, value in re.findall(r'<input[^>]*checked[^>]*name="([^"]+)"[^>]*value="([^"]*)"',
                                  page):
        form[name] = value
    form["description"] = draft.description
    form.pop("csrf_token", None)
    form.pop("q", None)
    form.update(form_action="save", **changes)
    return form


def test_saving_a_change_records_only_the_changed_fields(pages, moderator, draft):
    pages.sign_in(moderator)
    response = pages.post(f"/staff/polls/{draft.id}/edit",
                          edit_form(pages, draft, title="游乐场主色调"))
    assert response.status_code == 302, text_of(response)
    assert reload(draft).title == "游乐场主色调"
    assert [e.detail for e in audit_entries("poll.update")] == [{"fields": ["title"]}]


def test_changing_an_option_replaces_the_questions(pages, moderator, draft):
    pages.sign_in(moderator)
    response = pages.post(f"/staff/polls/{draft.id}/edit",
                          edit_form(pages, draft, **{"questions-0-options-1": "蓝色"}))
    assert response.status_code == 302
    assert [o.text for o in reload(draft).questions[0].options] == ["红色", "蓝色"]
    assert [e.detail for e in audit_entries("poll.update")] == [{"fields": ["questions"]}]


def test_saving_without_changes_says_so_and_records_nothing(pages, moderator, draft):
    pages.sign_in(moderator)
    response = pages.post(f"/staff/polls/{draft.id}/edit", edit_form(pages, draft))
    assert response.status_code == 302
    assert "没有改动" in text_of(pages.get(response.headers["Location"]))
    assert audit_entries("poll.update") == []


def test_an_open_poll_cannot_be_edited(pages, regions, moderator, poll):
    pages.sign_in(moderator)
    response = pages.get(f"/staff/polls/{poll.id}/edit")
    assert response.status_code == 302
    assert "只有草稿可以修改" in text_of(pages.get(response.headers["Location"]))
    response = pages.post(f"/staff/polls/{poll.id}/edit", new_poll_form(regions))
    assert response.status_code == 409
    assert reload(poll).title == "游乐场配色"


def test_a_poll_of_another_community_is_404_everywhere(pages, regions, other_admin, poll):
    pages.sign_in(other_admin)
    for url in (f"/staff/polls/{poll.id}", f"/staff/polls/{poll.id}/edit",
                f"/staff/polls/{poll.id}/participants", f"/staff/polls/{poll.id}/results.csv",
                f"/staff/polls/{poll.id}/assisted"):
        assert pages.get(url).status_code == 404, url
    assert pages.post(f"/staff/polls/{poll.id}/cancel",
                      {"cancel-reason": "不需要了"}).status_code == 404
    assert pages.post(f"/staff/polls/{poll.id}/open").status_code == 404
    assert reload(poll).status == PollStatus.OPEN


# --- running a poll -------------------------------------------------------------------------

def test_opening_a_draft_now(pages, moderator, draft):
    pages.sign_in(moderator)
    response = pages.post(f"/staff/polls/{draft.id}/open")
    assert response.status_code == 302
    assert reload(draft).status == PollStatus.OPEN
    assert len(audit_entries("poll.open")) == 1
    assert "投票已开始：游乐场配色" in text_of(pages.get(response.headers["Location"]))


def test_scheduling_needs_an_opening_time(pages, moderator, draft):
    pages.sign_in(moderator)
    response = pages.post(f"/staff/polls/{draft.id}/schedule")
    assert response.status_code == 422
    assert "定时发布需要一个晚于现在的开始时间" in text_of(response)
    assert reload(draft).status == PollStatus.DRAFT


def test_scheduling_and_taking_it_back(pages, moderator, draft):
    draft.opens_at = clock.now() + timedelta(days=1)
    db.session.commit()
    pages.sign_in(moderator)
    assert pages.post(f"/staff/polls/{draft.id}/schedule").status_code == 302
    assert reload(draft).status == PollStatus.SCHEDULED
    page = text_of(pages.get(f"/staff/polls/{draft.id}"))
    assert "将于 2026-11-25 10:00 自动开始" in page and "撤回修改" in page
    assert pages.post(f"/staff/polls/{draft.id}/unschedule").status_code == 302
    assert reload(draft).status == PollStatus.DRAFT
    assert [e.action for e in audit_entries("poll.schedule") + audit_entries("poll.unschedule")] \
        == ["poll.schedule", "poll.unschedule"]


def test_cancelling_needs_a_reason(pages, moderator, poll):
    pages.sign_in(moderator)
    response = pages.post(f"/staff/polls/{poll.id}/cancel", {"cancel-reason": ""})
    assert response.status_code == 422
    assert "取消原因：此项必填" in text_of(response)
    assert reload(poll).status == PollStatus.OPEN


def test_cancelling_with_a_reason_is_audited(pages, moderator, poll):
    pages.sign_in(moderator)
    response = pages.post(f"/staff/polls/{poll.id}/cancel",
                          {"cancel-reason": "方案调整，另行投票"})
    assert response.status_code == 302
    stored = reload(poll)
    assert (stored.status, stored.cancel_reason) == (PollStatus.CANCELLED, "方案调整，另行投票")
    assert [e.detail for e in audit_entries("poll.cancel")] == [{"reason": "方案调整，另行投票"}]
    page = text_of(pages.get(f"/staff/polls/{poll.id}"))
    assert "投票已取消，不公布结果" in page and "方案调整，另行投票" in page


def test_a_closed_poll_offers_no_actions(pages, regions, moderator, poll, clock):
    service.cast_ballot(voters(regions, 1)[0], poll.id, answers(poll, 0))
    clock.advance(days=8)
    service.close_due_polls()
    pages.sign_in(moderator)
    page = text_of(pages.get(f"/staff/polls/{poll.id}"))
    assert "立即开始投票" not in page and "取消投票" not in page
    response = pages.post(f"/staff/polls/{poll.id}/cancel", {"cancel-reason": "太晚了"})
    assert response.status_code == 409
    assert "该投票当前为“已结束”，不能取消" in text_of(response)


# --- turnout, participants, results ---------------------------------------------------------

def test_live_turnout_counts_participants_of_the_eligible(pages, regions, moderator, poll):
    people = voters(regions, 4)
    voters(regions, 1, verification_level=VerificationLevel.NONE)  # not eligible
    service.cast_ballot(people[0], poll.id, answers(poll, 0))
    pages.sign_in(moderator)
    page = text_of(pages.get(f"/staff/polls/{poll.id}"))
    assert re.search(r'figure-value">1</span><span class="figure-label">已投（人）', page)
    assert re.search(r'figure-value">4</span><span class="figure-label">应投（人）', page)
    assert "25.0%" in page
    # Results after the close: not even staff see counts before.
    assert "结果在投票结束后公布" in page and "chart-svg" not in page


def test_a_live_poll_shows_its_results_while_open(pages, regions, moderator):
    poll = PollFactory(region=regions.community, live=True)
    for person, choice in zip(voters(regions, 3), [0, 0, 2], strict=True):
        service.cast_ballot(person, poll.id, answers(poll, choice))
    pages.sign_in(moderator)
    page = text_of(pages.get(f"/staff/polls/{poll.id}"))
    assert "实时结果" in page and 'id="chart-question-' in page
    assert "<title>红色：2票</title>" in page


def test_the_participants_list_says_who_took_part_never_what_they_chose(pages, regions,
                                                                        moderator, poll):
    zhang, li = voters(regions, 2)
    zhang.nickname, li.nickname = "张阿姨", "李奶奶"
    db.session.commit()
    service.cast_ballot(zhang, poll.id, answers(poll, 1))
    service.cast_assisted_ballot(moderator, poll.id, li.id, answers(poll, 2))
    pages.sign_in(moderator)
    page = text_of(pages.get(f"/staff/polls/{poll.id}/participants"))
    assert "张阿姨" in page and "李奶奶" in page and "王芳" in page and "2026-11-24" in page
    for option in ("红色", "黄色", "蓝色"):
        assert option not in page


def test_results_of_a_closed_poll_have_a_chart_and_a_csv_export(pages, regions, moderator,
                                                               poll, clock):
    for person, choice in zip(voters(regions, 3), [1, 1, 0], strict=True):
        service.cast_ballot(person, poll.id, answers(poll, choice))
    clock.advance(days=8)
    service.close_due_polls()
    pages.sign_in(moderator)
    page = text_of(pages.get(f"/staff/polls/{poll.id}"))
    assert "最终结果" in page and "<title>黄色：2票</title>" in page
    assert "66.7%" in page
    response = pages.get(f"/staff/polls/{poll.id}/results.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeff") and "黄色,2" in body
    assert len(audit_entries("poll.export_results")) == 1


def test_results_cannot_be_exported_before_the_close(pages, moderator, poll):
    pages.sign_in(moderator)
    response = pages.get(f"/staff/polls/{poll.id}/results.csv")
    assert response.status_code == 409
    assert "此投票的结果尚未公布" in text_of(response)


# --- assisted voting ------------------------------------------------------------------------

@pytest.fixture
def elder(regions):
    return ResidentFactory(community=regions.community, nickname="陈奶奶", phone_verified=True)


def test_a_resident_is_found_by_name_with_whether_they_can_vote(pages, regions, moderator, poll,
                                                                elder):
    ResidentFactory(community=regions.community, nickname="陈大爷")
    ResidentFactory(community=regions.other_community, nickname="陈阿姨", phone_verified=True)
    pages.sign_in(moderator)
    page = text_of(pages.get(f"/staff/polls/{poll.id}/assisted?q=陈"))
    assert "陈奶奶" in page and "陈大爷" in page and "陈阿姨" not in page
    assert "可以投票" in page
    assert "参加此投票需要先在小程序“我的”页面绑定手机号" in page


def test_choosing_the_resident_shows_the_ballot(pages, moderator, poll, elder):
    pages.sign_in(moderator)
    page = text_of(pages.get(f"/staff/polls/{poll.id}/assisted?resident_id={elder.id}"))
    assert "为 陈奶奶 投票" in page
    assert page.count(f'name="question-{poll.questions[0].id}"') == 3
    assert 'name="in_person"' in page


def assisted(pages, poll, resident, *positions, in_person=True):
    form = {"resident_id": str(resident.id)}
    for question, position in zip(poll.questions, positions, strict=False):
        form[f"question-{question.id}"] = str(question.options[position].id)
    if in_person:
        form["in_person"] = "yes"
    return pages.post(f"/staff/polls/{poll.id}/assisted", form)


def participations(poll) -> list[PollParticipation]:
    return list(db.session.scalars(sa.select(PollParticipation)
                                   .where(PollParticipation.poll_id == poll.id)))


def test_an_assisted_ballot_needs_the_resident_present(pages, moderator, poll, elder):
    pages.sign_in(moderator)
    response = assisted(pages, poll, elder, 1, in_person=False)
    assert response.status_code == 422
    page = text_of(response)
    assert "代投仅限居民本人在场时进行" in page
    assert f'value="{poll.questions[0].options[1].id}" checked' in page
    assert participations(poll) == []


def test_an_assisted_ballot_needs_every_question_answered(pages, moderator, poll, elder):
    pages.sign_in(moderator)
    response = assisted(pages, poll, elder)
    assert response.status_code == 422
    assert "请回答每一道题" in text_of(response)
    assert participations(poll) == []


def test_an_assisted_ballot_is_cast_and_audited_without_the_choice(pages, moderator, poll,
                                                                   elder):
    pages.sign_in(moderator)
    response = assisted(pages, poll, elder, 2)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/staff/polls/{poll.id}/assisted"
    [row] = participations(poll)
    assert (row.resident_id, row.assisted_by_id) == (elder.id, moderator.id)
    assert db.session.scalar(sa.select(PollBallot.choices)) == [poll.questions[0].options[2].id]
    [entry] = audit_entries("poll.assisted_vote")
    assert entry.detail == {"resident_id": elder.id}
    assert (entry.object_id, entry.staff_id) == (poll.id, moderator.id)
    assert "已为陈奶奶完成代投" in text_of(pages.get(response.headers["Location"]))


def test_a_resident_who_voted_is_offered_no_second_ballot(pages, moderator, poll, elder):
    service.cast_ballot(elder, poll.id, answers(poll, 0))
    pages.sign_in(moderator)
    page = text_of(pages.get(f"/staff/polls/{poll.id}/assisted?resident_id={elder.id}"))
    assert "不能代投：" in page and "您已经投过票了" in page and 'name="in_person"' not in page
    response = assisted(pages, poll, elder, 1)
    assert response.status_code == 409
    assert len(participations(poll)) == 1


def test_an_ineligible_resident_is_refused_with_the_reason(pages, regions, moderator, poll):
    newcomer = ResidentFactory(community=regions.community, nickname="小周")
    pages.sign_in(moderator)
    response = assisted(pages, poll, newcomer, 0)
    assert response.status_code == 403
    assert "参加此投票需要先在小程序“我的”页面绑定手机号" in text_of(response)
    assert participations(poll) == []


def test_a_resident_outside_scope_is_404(pages, regions, moderator, poll):
    stranger = ResidentFactory(community=regions.other_community, phone_verified=True)
    pages.sign_in(moderator)
    assert pages.get(f"/staff/polls/{poll.id}/assisted?resident_id={stranger.id}") \
        .status_code == 404
    assert assisted(pages, poll, stranger, 0).status_code == 404
    assert participations(poll) == []


def test_a_community_handler_may_help_a_resident_vote(pages, regions, poll, elder):
    handler = StaffFactory(role=StaffRole.HANDLER, region=regions.community)
    pages.sign_in(handler)
    assert assisted(pages, poll, elder, 0).status_code == 302
    assert participations(poll)[0].assisted_by_id == handler.id


def test_the_audit_log_names_poll_actions(pages, regions, admin, draft):
    service.open_poll(admin, draft.id)
    pages.sign_in(admin)
    page = text_of(pages.get("/staff/admin/audit?action=poll.open"))
    assert "开始投票" in page and "投票 #" in page


def test_every_input_is_labelled_and_nothing_is_loaded_from_elsewhere(pages, regions, moderator,
                                                                      poll, draft, elder):
    pages.sign_in(moderator)
    for url in ("/staff/polls", "/staff/polls/new", f"/staff/polls/{draft.id}/edit",
                f"/staff/polls/{poll.id}", f"/staff/polls/{poll.id}/participants",
                f"/staff/polls/{poll.id}/assisted?q=陈&resident_id={elder.id}"):
        parts = parts_of(pages.get(url))
        for control in parts.controls:
            labelled = (control.get("id") in parts.labels_for
                        or (control["in_fieldset"]
                            and control.get("type") in ("radio", "checkbox")))
            assert labelled, (url, control)
        for asset in parts.assets:
            assert asset.startswith(("/staff/static/", "data:")), (url, asset)


def test_the_audit_log_names_the_changed_fields_in_words(pages, regions, admin, draft):
    service.update_poll(admin, draft.id, {"title": "新标题",
                                          "closes_at": clock.now() + timedelta(days=3)})
    pages.sign_in(admin)
    page = text_of(pages.get("/staff/admin/audit?action=poll.update"))
    assert "修改投票" in page and "改动：截止时间、标题" in page
