"""Demo polls for `flask demo seed`: one live, one household, one closed with results, one
scheduled. 张阿姨 (dev:zhangayi) has not voted in the open ones, so they can be tried."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app import clock
from app.accounts.models import Household, Resident, Staff, VerificationLevel
from app.extensions import db
from app.polls import service
from app.polls.models import Poll
from app.regions.models import Region

NEIGHBOURS = [
    # nickname, 楼栋-单元-室, verification level
    ("王大爷", ("3", "1", "101"), VerificationLevel.RESIDENCY),
    ("李阿姨", ("3", "2", "302"), VerificationLevel.RESIDENCY),
    ("赵姐", ("5", "1", "601"), VerificationLevel.RESIDENCY),
    ("孙老师", ("5", "2", "402"), VerificationLevel.RESIDENCY),
    ("周师傅", ("7", "1", "201"), VerificationLevel.PHONE),
    ("吴奶奶", ("7", "2", "102"), VerificationLevel.RESIDENCY),
    ("郑叔", ("8", "1", "502"), VerificationLevel.PHONE),
    ("陈阿婆", ("8", "2", "301"), VerificationLevel.RESIDENCY),
]


def _question(text, kind, options, max_choices=None):
    question = {"text": text, "kind": kind, "options": [{"text": o} for o in options]}
    if max_choices:
        question["max_choices"] = max_choices
    return question


def _answers(poll: Poll, *positions) -> list[dict]:
    return [{"question_id": question.id,
             "option_ids": [question.options[i].id for i in
                            (chosen if isinstance(chosen, tuple) else (chosen,))]}
            for question, chosen in zip(poll.questions, positions, strict=True)]


def _neighbours(community: Region) -> list[Resident]:
    from app.wechat.console import dev_openid

    residents = []
    for index, (nickname, (building, unit, room), level) in enumerate(NEIGHBOURS, start=1):
        household = Household(community_id=community.id, building=building, unit=unit,
                              room=room)
        resident = Resident(mp_openid=dev_openid(f"neighbour{index}"), nickname=nickname,
                            community=community, household=household, verification_level=level,
                            phone_masked="139****0000")
        db.session.add(resident)
        residents.append(resident)
    db.session.commit()
    return residents


def seed_polls() -> list[Poll]:
    """Create the demo polls in 和平社区 (after the accounts demo data exists)."""
    community = db.session.scalar(sa.select(Region).where(Region.code == "jj-syj-hp"))
    moderator = db.session.scalar(sa.select(Staff).where(Staff.username == "moderator"))
    neighbours = _neighbours(community)
    now = clock.now()

    playground = service.create_poll(moderator, {
        "region_id": community.id, "title": "和平社区儿童游乐场配色方案",
        "description": "中心花园的儿童游乐场下月翻新，请大家选出主色调和最想增加的设施。"
                       "投票期间可随时查看结果。",
        "questions": [
            _question("游乐场主色调选哪个？", "single", ["暖橙色", "草绿色", "天蓝色"]),
            _question("最想增加哪些设施？（最多选两项）", "multiple",
                      ["秋千", "滑梯", "沙坑", "攀爬架"], max_choices=2),
        ],
        "unit": "person", "min_verification": VerificationLevel.PHONE,
        "results_visibility": "live", "closes_at": now + timedelta(days=10),
    })
    service.open_poll(moderator, playground.id)
    for resident, colour, facilities in zip(neighbours[:6], [1, 1, 0, 2, 1, 0],
                                            [(0, 1), (2,), (0, 3), (1,), (0, 2), (0,)],
                                            strict=True):
        service.cast_ballot(resident, playground.id, _answers(playground, colour, facilities))
    service.cast_assisted_ballot(moderator, playground.id, neighbours[7].id,
                                 _answers(playground, 1, (0,)))

    elevator = service.create_poll(moderator, {
        "region_id": community.id, "title": "老旧楼栋加装电梯意向征集（一户一票）",
        "description": "3、5、7、8 栋申请加装电梯，需征得住户同意。每户一票，由已确认住户身份的"
                       "家庭成员投票，结束后公布结果。",
        "questions": [_question("您家是否同意本栋加装电梯？", "single",
                                ["同意", "不同意", "无所谓"])],
        "unit": "household", "min_verification": VerificationLevel.RESIDENCY,
        "results_visibility": "after_close", "closes_at": now + timedelta(days=14),
    })
    service.open_poll(moderator, elevator.id)
    for resident, choice in zip([neighbours[0], neighbours[2], neighbours[5]], [0, 0, 1],
                                strict=True):
        service.cast_ballot(resident, elevator.id, _answers(elevator, choice))

    fund = service.create_poll(moderator, {
        "region_id": community.id, "title": "2026年社区微基金使用方向",
        "description": "社区微基金 2 万元，请选出最需要的两项。",
        "questions": [_question("微基金优先用在哪里？（最多选两项）", "multiple",
                                ["楼道照明改造", "老年食堂补贴", "非机动车充电棚", "四点半课堂"],
                                max_choices=2)],
        "unit": "person", "min_verification": VerificationLevel.PHONE,
        "results_visibility": "after_close", "closes_at": now + timedelta(days=1),
    })
    service.open_poll(moderator, fund.id)
    for resident, choice in zip(neighbours, [(0, 1), (1, 2), (0, 2), (1,), (2, 3), (0, 1),
                                             (2,), (1, 3)], strict=True):
        service.cast_ballot(resident, fund.id, _answers(fund, choice))
    fund.closes_at = now
    db.session.commit()
    service.close_poll(fund.id)
    # Make it look like last month's poll.
    fund.opens_at = fund.opened_at = now - timedelta(days=30)
    fund.closes_at = fund.closed_at = fund.results_published_at = now - timedelta(days=16)
    db.session.commit()

    festival = service.create_poll(moderator, {
        "region_id": community.id, "title": "邻里节活动项目投票",
        "description": "下月邻里节准备三项活动，请选出最想参加的一项。",
        "questions": [_question("最想参加哪项活动？", "single",
                                ["百家宴", "旧物交换集市", "亲子运动会"])],
        "opens_at": now + timedelta(days=2), "closes_at": now + timedelta(days=9),
    })
    service.schedule_poll(moderator, festival.id)

    # A draft still being written, to edit on the staff pages.
    hours = service.create_poll(moderator, {
        "region_id": community.id, "title": "社区活动室开放时间调整",
        "description": "活动室拟延长开放时间，请选择最方便的时段。",
        "questions": [_question("您最希望活动室哪个时段开放？", "single",
                                ["工作日晚上 7-9 点", "周六上午", "周日下午"])],
        "closes_at": now + timedelta(days=20),
    })
    return [playground, elevator, fund, festival, hours]
