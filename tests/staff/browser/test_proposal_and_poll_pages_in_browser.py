"""The proposal and poll pages in a real browser, at desktop width and on a 375 px phone:
moderating a proposal (approve from the queue, answer, progress with a photo), writing and
opening a poll with the question editor (no script on the page), and an assisted ballot."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app import clock, proposals
from app.accounts.models import Resident, StaffRole
from app.extensions import db
from app.polls import service as polls
from app.polls.models import Poll, PollParticipation, PollStatus
from app.proposals.models import Proposal, ProposalEventPhoto
from tests.factories import (
    CommentFactory,
    PollFactory,
    ResidentFactory,
    StaffFactory,
    add_supports,
    in_state,
)
from tests.staff.browser.conftest import release_database
from tests.staff.browser.test_staff_pages_in_browser import assert_page_is_usable, sign_in
from tests.uploads.samples import encoded, photo_like

pytestmark = pytest.mark.browser


def neighbours(community, count):
    return [ResidentFactory(community=community, phone_verified=True) for _ in range(count)]


@pytest.fixture
def moderation_work(regions):
    """A moderator of 和平社区 with a proposal to review and one waiting for an answer."""
    StaffFactory(username="wangfang", display_name="王芳", role=StaffRole.MODERATOR,
                 region=regions.community)
    author = ResidentFactory(community=regions.community, phone_verified=True,
                             nickname="张阿姨")
    in_state("pending_review", author=author, title="周六上午开放活动室给老人下棋",
             body="社区活动室周末不开放，老人们只能在树下下棋。建议周六上午开放活动室，"
                  "由志愿者轮流值守。", content_review_reason="wechat_review",
             content_label=21000)
    bench = in_state("under_review", author=author, title="和平路公交站增设候车座椅",
                     body="和平路公交站只有站牌没有座椅，早上去菜市场、医院的老人要站着等"
                          "二十多分钟。建议在站台两侧各安装一把长椅。", support_threshold=30)
    add_supports(bench, neighbours(regions.community, 30))
    CommentFactory(proposal=bench, author=author, body="赞成！我腿脚不好，每次等车都得扶着站牌。")
    spam = CommentFactory(proposal=bench, body="加微信领免费鸡蛋，先到先得")
    for flagger in neighbours(regions.community, 3):
        proposals.flag_comment(flagger, spam.id, "spam")
    bench_id = bench.id
    release_database()
    return bench_id


def test_moderator_approves_answers_and_posts_progress_with_a_photo(page, moderation_work,
                                                                     screenshot):
    sign_in(page, "wangfang")
    menu = page.get_by_role("navigation", name="主菜单")
    menu.get_by_role("link", name="提案").click()
    assert page.get_by_role("heading", level=1).inner_text() == "提案"
    screenshot(page, "1-list")
    assert_page_is_usable(page)

    page.get_by_role("link", name="待审核（1）").click()
    expect(page.get_by_text("需细看：内容安全检测提示需人工复核")).to_be_visible()
    screenshot(page, "2-review-queue")
    assert_page_is_usable(page)
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_role("status")).to_contain_text("已审核通过，开始征集附议")
    expect(page.get_by_text("没有待审核的提案。")).to_be_visible()

    page.goto(f"/staff/proposals/{moderation_work}")
    expect(page.get_by_text("30 / 30 人")).to_be_visible()
    page.get_by_label("采纳", exact=True).check()
    page.get_by_label("答复内容").fill("采纳。社区将使用微实事资金在站台两侧各安装一把带扶手的长椅，"
                                    "预计下月中旬完工。")
    page.get_by_role("button", name="发布答复").click()
    expect(page.get_by_role("status")).to_contain_text("已发布正式答复")
    expect(page.get_by_role("heading", name="正式答复：采纳")).to_be_visible()

    page.get_by_label("进展说明").fill("施工单位已进场，正在安装长椅底座。")
    page.get_by_label("现场照片（可选）").set_input_files([
        {"name": "site.jpg", "mimeType": "image/jpeg",
         "buffer": encoded(photo_like(800, 600, seed=7), "JPEG", quality=85)}])
    page.get_by_role("button", name="发布进展").click()
    expect(page.get_by_role("status")).to_contain_text("已发布进展")
    photo = page.get_by_role("img", name="发布进展照片 1")
    photo.scroll_into_view_if_needed()
    # The thumbnail is served by the app itself (the page's CSP allows no other origin).
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0",
                           arg=photo.element_handle())
    expect(page.get_by_text("已隐藏：多人举报")).to_be_visible()
    screenshot(page, "3-detail")
    assert_page_is_usable(page)

    page.get_by_role("link", name="返回提案列表").click()
    page.get_by_role("link", name="被隐藏的内容（1）").click()
    expect(page.get_by_text("垃圾广告 3 人")).to_be_visible()
    screenshot(page, "4-flagged")
    assert_page_is_usable(page)
    page.get_by_role("button", name="保持隐藏").click()
    expect(page.get_by_role("status")).to_contain_text("评论已保持隐藏")
    expect(page.get_by_text("没有等待复核的内容。")).to_be_visible()

    db.session.expire_all()
    stored = db.session.get(Proposal, moderation_work)
    assert stored.status == "in_progress"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProposalEventPhoto)) == 1


@pytest.fixture
def poll_staff(regions):
    StaffFactory(username="wangfang", display_name="王芳", role=StaffRole.MODERATOR,
                 region=regions.community)
    release_database()
    return "wangfang"


def local_input(days: int) -> str:
    return clock.to_local(clock.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_moderator_writes_a_poll_with_the_question_editor_and_opens_it(page, poll_staff,
                                                                       screenshot):
    sign_in(page, poll_staff)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="投票").click()
    page.get_by_role("link", name="新建投票").click()
    assert page.locator("script").count() == 0
    page.get_by_label("标题").fill("儿童游乐场翻新方案")
    page.get_by_label("说明").fill("中心花园的儿童游乐场下月翻新，请大家选出主色调和最想增加的设施。")
    page.get_by_label("截止时间").fill(local_input(10))
    first = page.locator("#questions-0")
    first.get_by_label("题目").fill("游乐场主色调选哪个？")
    for number, text in enumerate(["暖橙色", "草绿色", "天蓝色"], start=1):
        first.get_by_label(f"选项 {number}", exact=True).fill(text)

    page.get_by_role("button", name="添加一道题").click()
    second = page.locator("#questions-1")
    expect(second).to_be_visible()
    assert page.evaluate("location.hash") == "#questions-1"
    expect(first.get_by_label("选项 3", exact=True)).to_have_value("天蓝色")
    second.get_by_label("题目").fill("最想增加哪些设施？")
    second.get_by_label("题型").select_option(label="多选")
    second.get_by_label("最多可选几项（多选题）").fill("2")
    for number, text in enumerate(["秋千", "滑梯", "沙坑", "攀爬架"], start=1):
        second.get_by_label(f"选项 {number}", exact=True).fill(text)
    second.get_by_role("button", name="再加选项").click()
    second = page.locator("#questions-1")
    expect(second.get_by_label("选项 7", exact=True)).to_be_visible()
    second.get_by_label("选项 5", exact=True).fill("跷跷板")

    page.get_by_role("button", name="添加一道题").click()
    page.locator("#questions-2").get_by_label("题目").fill("这道题不要了")
    page.get_by_role("button", name="删除第 3 题").click()
    expect(page.locator("#questions-2")).to_have_count(0)
    screenshot(page, "1-editor")
    assert_page_is_usable(page)

    # Enter in a text box saves (the form's first button is 保存, not a row button).
    page.get_by_label("标题").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("已保存草稿：儿童游乐场翻新方案")
    screenshot(page, "2-draft")
    assert_page_is_usable(page)
    page.get_by_role("button", name="立即开始投票").click()
    expect(page.get_by_role("status")).to_contain_text("投票已开始")
    expect(page.locator(".tag", has_text="投票中")).to_be_visible()
    screenshot(page, "3-open")
    assert_page_is_usable(page)

    db.session.expire_all()
    poll = db.session.scalar(sa.select(Poll))
    assert poll.status == PollStatus.OPEN
    assert [(q.text, q.max_choices, [o.text for o in q.options]) for q in poll.questions] == [
        ("游乐场主色调选哪个？", 1, ["暖橙色", "草绿色", "天蓝色"]),
        ("最想增加哪些设施？", 2, ["秋千", "滑梯", "沙坑", "攀爬架", "跷跷板"])]


def test_a_refused_poll_shows_every_problem_at_the_top(page, poll_staff, screenshot):
    sign_in(page, poll_staff)
    page.goto("/staff/polls/new")
    page.get_by_label("标题").fill("只有一个选项的投票")
    page.get_by_label("截止时间").fill(local_input(5))
    first = page.locator("#questions-0")
    first.get_by_label("题目").fill("同意吗？")
    first.get_by_label("选项 1", exact=True).fill("同意")
    page.get_by_role("button", name="保存草稿").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("第 1 题：选项应为 2 到 20 个")
    screenshot(page, "errors")
    assert_page_is_usable(page)


@pytest.fixture
def open_poll(regions):
    """An open poll of 和平社区 with a few ballots, and 陈奶奶 at the counter."""
    StaffFactory(username="wangfang", display_name="王芳", role=StaffRole.MODERATOR,
                 region=regions.community)
    poll = PollFactory(region=regions.community, title="邻里节活动项目投票", live=True,
                       questions=[("最想参加哪项活动？", "single", 1,
                                   ["百家宴", "旧物交换集市", "亲子运动会"])])
    for resident, choice in zip(neighbours(regions.community, 5), [0, 0, 1, 2, 0], strict=True):
        polls.cast_ballot(resident, poll.id, [{"question_id": poll.questions[0].id,
                                               "option_ids": [poll.questions[0].options[choice].id]}])
    ResidentFactory(community=regions.community, nickname="陈奶奶", phone_verified=True)
    ResidentFactory(community=regions.community, nickname="陈大爷")
    poll_id = poll.id
    release_database()
    return poll_id


def test_staff_cast_an_assisted_ballot_for_a_resident_present(page, open_poll, screenshot):
    sign_in(page, "wangfang")
    page.goto(f"/staff/polls/{open_poll}")
    expect(page.get_by_role("heading", name="实时结果")).to_be_visible()
    screenshot(page, "1-poll")
    assert_page_is_usable(page)
    page.get_by_role("link", name="代居民投票").click()
    page.get_by_label("居民昵称或门牌").fill("陈")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_text("参加此投票需要先在小程序“我的”页面绑定手机号")).to_be_visible()
    page.get_by_role("link", name="选择陈奶奶").click()
    page.get_by_label("旧物交换集市").check()
    page.get_by_role("button", name="代为投票").click()
    expect(page.get_by_role("alert")).to_contain_text("代投仅限居民本人在场时进行")
    expect(page.get_by_label("旧物交换集市")).to_be_checked()
    page.get_by_label("居民本人在场，以上是居民自己的选择").check()
    screenshot(page, "2-ballot")
    assert_page_is_usable(page)
    page.get_by_role("button", name="代为投票").click()
    expect(page.get_by_role("status")).to_contain_text("已为陈奶奶完成代投")

    page.get_by_role("link", name="返回投票").click()
    page.get_by_role("link", name="查看参与名单").click()
    expect(page.get_by_role("cell", name="王芳")).to_be_visible()
    screenshot(page, "3-participants")
    assert_page_is_usable(page)

    db.session.expire_all()
    assisted = db.session.scalar(sa.select(PollParticipation).where(
        PollParticipation.assisted_by_id.is_not(None)))
    assert db.session.get(Resident, assisted.resident_id).nickname == "陈奶奶"


@pytest.fixture
def closed_poll(regions):
    StaffFactory(username="wangfang", display_name="王芳", role=StaffRole.MODERATOR,
                 region=regions.community)
    poll = PollFactory(region=regions.community, title="2026年社区微基金使用方向",
                       questions=[("微基金优先用在哪里？（最多选两项）", "multiple", 2,
                                   ["楼道照明改造", "老年食堂补贴", "非机动车充电棚",
                                    "四点半课堂"])])
    question = poll.questions[0]
    for resident, picks in zip(neighbours(regions.community, 6),
                               [(0, 1), (1, 2), (0, 2), (1,), (2, 3), (0, 1)], strict=True):
        polls.cast_ballot(resident, poll.id, [{"question_id": question.id,
                                               "option_ids": [question.options[i].id
                                                              for i in picks]}])
    db.session.execute(sa.update(Poll).where(Poll.id == poll.id)
                       .values(closes_at=clock.now() - timedelta(minutes=1)))
    db.session.commit()
    poll_id = poll.id
    polls.close_due_polls()
    release_database()
    return poll_id


def test_closed_poll_results_with_chart_and_export(page, closed_poll, screenshot):
    sign_in(page, "wangfang")
    page.goto(f"/staff/polls/{closed_poll}")
    expect(page.get_by_role("heading", name="最终结果")).to_be_visible()
    expect(page.locator("svg.chart-svg")).to_have_count(1)
    screenshot(page, "results")
    assert_page_is_usable(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="导出结果 CSV").click()
    assert re.search(r"\.csv$", download.value.suggested_filename)
