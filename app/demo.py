"""`flask demo seed`: a believable community to try Linli with (never run in production)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from app import clock
from app.accounts import service as accounts
from app.accounts.models import Household, Resident, Staff, StaffRole, VerificationLevel
from app.accounts.scoping import is_in_scope
from app.categories.models import Category
from app.extensions import db
from app.regions import service as regions
from app.regions.models import Region

DEMO_PASSWORD = "linli-demo-2026"

CATEGORIES = [
    # code, name, response hours, completion hours, keywords
    ("streetlight", "路灯损坏", 24, 72, "路灯,照明,灯不亮"),
    ("garbage", "垃圾堆放", 12, 48, "垃圾,卫生,清运"),
    ("road", "道路破损", 24, 168, "坑洼,井盖,人行道"),
    ("noise", "噪音扰民", 12, 72, "噪音,施工,广场舞"),
    ("parking", "违章停车", 12, 24, "占道,消防通道,停车"),
    ("facility", "公共设施", 24, 120, "健身器材,座椅,扶手"),
    ("other", "其他", 24, 120, ""),
]


# Groups and extra questions of the categories (Open311 `group` and service attributes).
CATEGORY_GROUPS = {"streetlight": "市政设施", "road": "市政设施", "facility": "市政设施",
                   "garbage": "环境卫生", "noise": "秩序管理", "parking": "秩序管理"}
CATEGORY_ATTRIBUTES = {
    "road": [
        {"code": "hazard", "datatype": "singlevaluelist", "required": True,
         "description": "是否已影响行人或车辆安全？",
         "values": [{"key": "yes", "name": "是，需要尽快设置警示"}, {"key": "no", "name": "否"}]},
        {"code": "width_cm", "datatype": "number", "description": "破损处大约多宽（厘米）"},
    ],
    "noise": [
        {"code": "period", "datatype": "multivaluelist", "description": "噪音出现的时段",
         "values": [{"key": "morning", "name": "清晨"}, {"key": "day", "name": "白天"},
                    {"key": "evening", "name": "傍晚"}, {"key": "night", "name": "深夜"}]},
    ],
}


def _box(west: float, south: float, east: float, north: float) -> dict:
    """A rectangular GeoJSON Polygon (GCJ-02 lng/lat)."""
    return {"type": "Polygon", "coordinates": [[
        [west, south], [east, south], [east, north], [west, north], [west, south]]]}


def _community(name, code, west, south, east, north, phone, courtyards=()):
    middle = round((west + east) / 2, 4)
    return {
        "name": name, "level": "community", "code": code,
        "boundary": _box(west, south, east, north),
        "contact_phone": phone, "office_hours": "周一至周五 9:00-17:30，周六 9:00-12:00",
        "children": [
            {"name": f"{name}第一网格", "level": "grid", "code": f"{code}-g1",
             "boundary": _box(west, south, middle, north)},
            {"name": f"{name}第二网格", "level": "grid", "code": f"{code}-g2",
             "boundary": _box(middle, south, east, north)},
        ] + [{"name": yard, "level": "courtyard", "code": f"{code}-y{i}"}
             for i, yard in enumerate(courtyards, start=1)],
    }


# Around Chengdu's Jinjiang riverside; GCJ-02 coordinates as WeChat's map shows them.
REGION_TREE = [{
    "name": "锦江区", "level": "district", "code": "jj", "contact_phone": "028-12345",
    "children": [
        {"name": "书院街街道", "level": "street", "code": "jj-syj", "contact_phone": "028-86661234",
         "children": [
             _community("和平社区", "jj-syj-hp", 104.0800, 30.6500, 104.0900, 30.6580,
                        "028-86660001", courtyards=["和平里院落", "锦华苑院落"]),
             _community("桂花巷社区", "jj-syj-ghx", 104.0900, 30.6500, 104.1000, 30.6580,
                        "028-86660002"),
         ]},
        {"name": "东光街道", "level": "street", "code": "jj-dg", "contact_phone": "028-84445678",
         "children": [
             _community("东光社区", "jj-dg-dg", 104.0800, 30.6420, 104.0900, 30.6500,
                        "028-84440003"),
         ]},
    ],
}]

STAFF = [
    # username, display name, role, region code
    ("admin", "李建国", StaffRole.ADMIN, "jj"),
    ("moderator", "王芳", StaffRole.MODERATOR, "jj-syj-hp"),
    ("shuji", "陈秀梅", StaffRole.MODERATOR, "jj-syj-hp"),
    ("handler", "张伟", StaffRole.HANDLER, "jj-syj-hp-g1"),
]

RESIDENTS = [
    # dev login name, nickname, community code, household, verification level, days ago
    ("zhangayi", "张阿姨", "jj-syj-hp", ("3", "2", "501"), VerificationLevel.RESIDENCY, 40),
    ("liushu", "刘叔", "jj-syj-hp", ("5", "1", "302"), VerificationLevel.PHONE, 33),
    ("xiaochen", "小陈", "jj-syj-ghx", ("12", "3", "1102"), VerificationLevel.NONE, 26),
    ("linnainai", "林奶奶", "jj-syj-hp", ("3", "1", "202"), VerificationLevel.RESIDENCY, 19),
    ("wangdaye", "王大爷", "jj-syj-hp", ("1", "1", "101"), VerificationLevel.PHONE, 12),
    ("zhoujie", "周姐", "jj-syj-ghx", ("8", "2", "601"), VerificationLevel.RESIDENCY, 9),
    ("chenlaoshi", "陈老师", "jj-dg-dg", ("2", "1", "403"), VerificationLevel.PHONE, 3),
]
# What the staff member who confirmed a residency wrote down as evidence.
EVIDENCE = "已核对房产证，与门牌一致"


# Neighbours in 和平社区 who co-sign the demo proposals (dev login names and nicknames).
NEIGHBOURS = [
    ("wangshu", "王叔"), ("liayi", "李阿姨"), ("zhaojie", "赵姐"), ("sunshifu", "孙师傅"),
    ("zhoulaoshi", "周老师"), ("wushu", "吴叔"), ("zhengapo", "郑阿婆"), ("fengge", "冯哥"),
    ("chennainai", "陈奶奶"), ("chudajie", "褚大姐"),
]


def seed_proposals(by_code: dict) -> None:
    """A few 社区提案 in different states, made through the services as residents and staff would."""
    from app import proposals
    from app.accounts.models import Staff
    from app.uploads import store_photo
    from app.wechat.console import dev_openid

    def resident(login_name: str) -> Resident:
        return db.session.scalar(sa.select(Resident).where(
            Resident.mp_openid == dev_openid(login_name)))

    community, courtyard, courtyard2 = (by_code["jj-syj-hp"], by_code["jj-syj-hp-y1"],
                                        by_code["jj-syj-hp-y2"])
    for number, (login_name, nickname) in enumerate(NEIGHBOURS):
        household = Household(community_id=community.id, building="9", unit=str(number // 4 + 1),
                              room=str(101 + number % 4))
        db.session.add(Resident(mp_openid=dev_openid(login_name), nickname=nickname,
                                community=community, household=household,
                                verification_level=VerificationLevel.PHONE,
                                phone_masked="139****0000"))
    db.session.commit()
    zhang, liu = resident("zhangayi"), resident("liushu")
    neighbours = [resident(name) for name, _ in NEIGHBOURS]
    moderator = db.session.scalar(sa.select(Staff).where(Staff.username == "moderator"))

    def published(author, region, title, body):
        proposal = proposals.create_proposal(author, title=title, body=body, region_id=region.id)
        proposals.submit_proposal(author, proposal.id)
        return proposals.approve_proposal(moderator, proposal.id)

    bench = published(zhang, community, "和平路公交站增设候车座椅",
                      "和平路公交站只有站牌没有座椅，早上去菜市场、医院的老人要站着等二十多分钟。"
                      "建议在站台两侧各安装一把长椅，最好带扶手和遮阳棚。")
    for supporter in [liu, *neighbours[:4]]:
        proposals.support_proposal(supporter, bench.id)
    proposals.post_comment(liu, bench.id, "赞成！我腿脚不好，每次等车都得扶着站牌。")
    # An off-topic advert three neighbours flagged: hidden, waiting in the moderators' queue.
    advert = proposals.post_comment(neighbours[9], bench.id, "楼下新开的奶茶店买一送一，快去！")
    for flagger in neighbours[5:8]:
        proposals.flag_comment(flagger, advert.id, "spam")

    charging = published(liu, courtyard, "院内规划电动自行车集中充电点",
                         "院里不少住户从楼道拉电线给电动车充电，存在火灾隐患。建议在车棚旁"
                         "规划集中充电点，安装智能充电桩，按次扫码付费。")
    for supporter in neighbours:
        proposals.support_proposal(supporter, charging.id)

    handrail = published(zhang, courtyard2, "老旧单元楼道加装扶手",
                         "锦华苑 3 栋、5 栋楼道只有一侧有扶手，老人上下楼很吃力。"
                         "建议在另一侧加装不锈钢扶手，并在转角处加装感应灯。")
    for supporter in neighbours:
        proposals.support_proposal(supporter, handrail.id)
    proposals.answer_proposal(moderator, handrail.id, "accepted",
                              "采纳。社区将使用微实事资金为 3 栋、5 栋加装扶手和感应灯，"
                              "预计 12 月中旬完工。")
    proposals.post_progress(moderator, handrail.id, "已完成测量和询价，施工单位下周进场。")

    parking = published(liu, courtyard, "院门口划定临时停车区",
                        "快递车、外卖车常堵在院门口，消防通道也被占用。建议在院门外"
                        "空地划定 15 分钟临时停车区，并设置提示牌。")
    for supporter in neighbours:
        proposals.support_proposal(supporter, parking.id)
    proposals.answer_proposal(moderator, parking.id, "accepted",
                              "采纳。社区已与物业商定，在院门东侧划设临时停车区。")
    proposals.post_progress(moderator, parking.id, "物业已完成标线施工，提示牌制作中。")
    photo = store_photo(_demo_photo("bench", 41), staff=moderator).upload
    proposals.complete_proposal(moderator, parking.id, "临时停车区和提示牌均已完成，消防通道已畅通。",
                                [photo.id])
    proposals.rate_proposal(liu, parking.id, 5)
    proposals.rate_proposal(neighbours[0], parking.id, 4, "晚上提示牌看不清，建议加反光条")

    chess = proposals.create_proposal(
        liu, title="周六上午开放活动室给老人下棋", region_id=community.id,
        body="社区活动室周末不开放，老人们只能在树下下棋。建议周六上午开放活动室，由志愿者轮流值守。")
    proposals.submit_proposal(liu, chess.id)
    proposals.create_proposal(zhang, title="建议增设社区图书角", region_id=community.id,
                              body="想在社区活动中心一角放两个书架，居民捐书、自助借阅。")


def seed() -> dict:
    """Create the demo community. Returns what was created, for printing."""
    regions.import_tree(REGION_TREE)
    by_code = {r.code: r for r in db.session.scalars(sa.select(Region))}
    for order, (code, name, response, completion, keywords) in enumerate(CATEGORIES):
        if db.session.scalar(sa.select(Category.id).where(Category.code == code)) is None:
            db.session.add(Category(code=code, name=name, response_sla_hours=response,
                                    completion_sla_hours=completion, keywords=keywords,
                                    sort_order=order, description=f"{name}相关问题",
                                    group_name=CATEGORY_GROUPS.get(code, ""),
                                    attributes=CATEGORY_ATTRIBUTES.get(code, [])))
    for username, display_name, role, region_code in STAFF:
        accounts.create_staff(username=username, password=DEMO_PASSWORD,
                              display_name=display_name, role=role, region=by_code[region_code])
    from app.wechat.console import dev_openid

    to_confirm = []
    for login_name, nickname, community_code, (building, unit, room), level, days_ago \
            in RESIDENTS:
        community = by_code[community_code]
        household = Household(community_id=community.id, building=building, unit=unit, room=room)
        resident = Resident(mp_openid=dev_openid(login_name), nickname=nickname,
                            community=community, household=household,
                            verification_level=min(level, VerificationLevel.PHONE),
                            phone_masked="138****0000" if level >= 1 else None,
                            created_at=clock.now() - timedelta(days=days_ago))
        db.session.add(resident)
        if level >= VerificationLevel.RESIDENCY:
            to_confirm.append(resident)
    _seed_bot(by_code)
    db.session.commit()
    # Residencies are confirmed the way staff do it (the community's moderator where it is
    # theirs, else the district admin), so the audit log has them too.
    staff = {s.username: s for s in db.session.scalars(sa.select(Staff))}
    for resident in to_confirm:
        confirming = staff["moderator"]
        if not is_in_scope(confirming, resident.community_id):
            confirming = staff["admin"]
        accounts.set_verification(confirming, resident.id, VerificationLevel.RESIDENCY, EVIDENCE)
    seed_notifications()
    seed_mailboxes()
    seed_reports()
    seed_bot_activity()
    seed_proposals(by_code)
    from app.polls.demo import seed_polls

    seed_polls()
    seed_report_history()
    open311_key = seed_open311()
    return {"staff": STAFF, "residents": RESIDENTS, "open311_key": open311_key}


def seed_notifications() -> None:
    """A few notifications for 张阿姨, 刘叔 and the moderator (delivered by the console gateway,
    which only logs them; 张阿姨 accepted one report subscribe message)."""
    from app import clock, notifications
    from app.accounts.models import Staff
    from app.wechat.console import dev_openid

    def resident(login_name: str) -> Resident:
        return db.session.scalar(sa.select(Resident)
                                 .where(Resident.mp_openid == dev_openid(login_name)))

    zhang, liu = resident("zhangayi"), resident("liushu")
    moderator = db.session.scalar(sa.select(Staff).where(Staff.username == "moderator"))
    report_templates = [template_id for template_id, kinds
                        in notifications.service.subscribe_templates().items()
                        if "report." in kinds]
    notifications.record_subscription_grants(zhang, report_templates)
    now = clock.now().isoformat()
    notifications.notify(
        kind="report.accepted", dedupe_key="demo:report:1:accepted", resident_id=zhang.id,
        title="报事已受理", text="张阿姨，您反映的3栋门口路灯不亮的问题已受理，网格员张伟会尽快处理。",
        page="pages/reports/detail?id=1",
        fields={"number": "SSP-20261124-0001", "thing": "3栋门口路灯不亮", "phrase": "已受理",
                "time": now})
    notifications.notify(
        kind="proposal.approved", dedupe_key="demo:proposal:1:approved", resident_id=zhang.id,
        title="提案已通过审核", text="您提的“增设电动车充电桩”提案已通过审核，邻居们现在可以联名支持了。",
        page="pages/proposals/detail?id=1",
        fields={"thing": "增设电动车充电桩", "phrase": "已通过", "time": now})
    notifications.notify(
        kind="poll.closed", dedupe_key="demo:poll:1:closed", resident_id=liu.id,
        title="投票已结束", text="“小区停车位划线方案”投票已经结束，结果请在小程序里查看。",
        page="pages/polls/detail?id=1",
        fields={"thing": "小区停车位划线方案", "phrase": "已结束", "time": now})
    notifications.notify(
        kind="letter.received", dedupe_key="demo:letter:1:received", staff_id=moderator.id,
        title="书记信箱有新来信", text="书记信箱收到一封关于楼道堆物的来信，请在3天内回复。")
    db.session.commit()


# community code, name, description, reply SLA hours, restricted, member usernames
MAILBOXES = [
    ("jj-syj-hp", "书记信箱", "写给社区党委书记：意见建议、对工作人员的监督，仅书记本人和上级阅处。",
     120, True, ["shuji"]),
    ("jj-syj-hp", "主任信箱", "写给居委会主任：邻里纠纷、政策咨询、社区事务。", 72, False,
     ["moderator"]),
    ("jj-syj-ghx", "书记信箱", "写给社区党委书记。", 120, True, []),
    ("jj-syj-ghx", "主任信箱", "写给居委会主任。", 72, False, []),
    ("jj-dg-dg", "书记信箱", "写给社区党委书记。", 120, True, []),
    ("jj-dg-dg", "主任信箱", "写给居委会主任。", 72, False, []),
]


def seed_mailboxes() -> None:
    """The two usual mailboxes of every demo community, and a few letters in various states,
    made through the mailbox's own services (so receipts, notifications and audit are real)."""
    from app import mailbox
    from app.accounts.models import Staff

    staff = {s.username: s for s in db.session.scalars(sa.select(Staff))}
    residents = {r.nickname: r for r in db.session.scalars(sa.select(Resident))}
    regions_by_code = {r.code: r for r in db.session.scalars(sa.select(Region))}
    boxes = {}
    for order, (code, name, description, hours, restricted, members) in enumerate(MAILBOXES):
        box = mailbox.create_mailbox(
            staff["admin"], community_id=regions_by_code[code].id, name=name,
            description=description, reply_sla_hours=hours, restricted=restricted,
            member_ids=[staff[username].id for username in members], sort_order=order)
        boxes[(code, name)] = box.id

    answered = mailbox.write_letter(
        residents["张阿姨"], mailbox_id=boxes[("jj-syj-hp", "主任信箱")],
        subject="3栋楼道灯坏了一个星期",
        body="主任您好，我是3栋2单元501的张阿姨。楼道灯坏了一个星期，晚上上下楼黑乎乎的，"
             "我腿脚不好，怕摔跤。麻烦安排修一下，谢谢！电话13880001234。",
        consent_to_publish=True)
    mailbox.open_letter(staff["moderator"], answered.id)
    mailbox.reply(staff["moderator"], answered.id,
                  body="张阿姨您好，已通知物业，今天下午更换楼道灯，修好后请您留意。有事随时联系社区。")
    mailbox.publish(staff["moderator"], answered.id)

    mailbox.write_letter(
        residents["刘叔"], mailbox_id=boxes[("jj-syj-hp", "主任信箱")],
        subject="高龄津贴怎么申请",
        body="我父亲今年满80岁了，听说可以领高龄津贴，请问需要带什么材料、到哪里办？")

    sensitive = mailbox.write_letter(
        residents["张阿姨"], mailbox_id=boxes[("jj-syj-hp", "书记信箱")],
        subject="反映上门登记时的态度问题",
        body="前天有工作人员上门登记信息，说话很不耐烦，希望能改进。")
    mailbox.open_letter(staff["shuji"], sensitive.id)
    mailbox.add_note(staff["shuji"], sensitive.id, body="已约谈当事工作人员，下周回访居民。")

    closed = mailbox.write_letter(
        residents["小陈"], mailbox_id=boxes[("jj-syj-ghx", "主任信箱")],
        subject="小区能不能装电动车充电桩",
        body="楼下电动车飞线充电很危险，能不能在车棚装几个充电桩？")
    mailbox.reply(staff["admin"], closed.id,
                  body="您好，已与物业商定在2号车棚安装充电桩，预计下月完工。")
    mailbox.close(staff["admin"], closed.id)


# --- 随手拍 -----------------------------------------------------------------------------------

def _demo_photo(scene: str, seed: int) -> bytes:
    """A small photo-like JPEG drawn with Pillow: a dusk street with the problem in it."""
    import io
    import random

    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    width, height = 960, 720
    sky = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (sky.point(lambda v: 40 + v // 3), sky.point(lambda v: 50 + v // 3),
                                sky.point(lambda v: 90 + v // 4)))
    draw = ImageDraw.Draw(image)
    horizon = int(height * 0.62)
    draw.rectangle((0, horizon, width, height), fill=(92, 92, 96))  # the road
    for x in range(0, width, 120):  # buildings behind
        top = rng.randrange(120, 300)
        draw.rectangle((x, top, x + 100, horizon), fill=(150 + rng.randrange(40), 140, 130))
        for wy in range(top + 20, horizon - 20, 40):
            for wx in (x + 15, x + 55):
                lit = rng.random() < 0.4
                draw.rectangle((wx, wy, wx + 25, wy + 22),
                               fill=(240, 220, 140) if lit else (70, 80, 90))
    if scene == "streetlight":
        draw.rectangle((470, 180, 482, horizon + 60), fill=(60, 60, 60))
        draw.rectangle((440, 170, 520, 190), fill=(50, 50, 50))
        draw.ellipse((445, 185, 475, 200), fill=(40, 40, 40))  # the dark lamp
    elif scene == "garbage":
        for _ in range(40):
            x, y = rng.randrange(300, 650), rng.randrange(horizon + 20, height - 40)
            r = rng.randrange(15, 45)
            draw.ellipse((x - r, y - r, x + r, y + r),
                         fill=rng.choice([(30, 30, 30), (200, 200, 190), (60, 120, 60)]))
    elif scene == "road":
        draw.ellipse((380, horizon + 80, 600, horizon + 170), fill=(50, 45, 40))
    elif scene == "parking":
        draw.rectangle((0, horizon + 40, width, horizon + 70), fill=(200, 40, 40))  # fire lane
        draw.rounded_rectangle((330, horizon - 30, 640, horizon + 110), 30, fill=(30, 60, 140))
    else:  # facility
        draw.rectangle((400, horizon - 120, 420, horizon + 40), fill=(220, 120, 30))
        draw.line((420, horizon - 110, 560, horizon - 10), fill=(220, 120, 30), width=14)
    grain = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    image = Image.blend(image, grain.filter(ImageFilter.BoxBlur(1)).convert("RGB"), 0.08)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


# reporter login, category, scene, description, address, (lat, lng), anonymous, steps to take
DEMO_REPORTS = [
    ("zhangayi", "streetlight", "streetlight", "3栋和5栋之间的路灯坏了一个星期，晚上老人出门看不清路",
     "和平社区3栋与5栋之间", (30.6541, 104.0823), False, "closed"),
    ("liushu", "garbage", "garbage", "菜市场后门垃圾堆了好几天没人清运，气味很大",
     "和平社区菜市场后门", (30.6552, 104.0831), False, "in_progress"),
    ("liushu", "facility", "facility", "小花园的健身器材扶手断了，有尖角，小孩玩容易受伤",
     "和平社区小花园", (30.6534, 104.0816), False, "resolved"),
    ("zhangayi", "road", "road", "8栋门口的井盖松动，踩上去会晃", "和平社区8栋门口",
     (30.6545, 104.0872), True, "submitted"),
    ("xiaochen", "parking", "parking", "消防通道长期被私家车占用，救护车进不来",
     "桂花巷12栋旁消防通道", (30.6538, 104.0952), False, "accepted"),
]


def seed_reports() -> None:
    """A handful of 随手拍 reports in different states, filed and handled through the services
    (photos through the real pipeline), so that every list and timeline has something in it."""
    from app import reports
    from app.accounts.models import Staff
    from app.uploads import store_photo
    from app.wechat.console import dev_openid

    staff = {s.username: s for s in db.session.scalars(sa.select(Staff))}
    for seed, (login, category, scene, description, address, (lat, lng), anonymous,
               goal) in enumerate(DEMO_REPORTS, start=1):
        resident = db.session.scalar(sa.select(Resident).where(
            Resident.mp_openid == dev_openid(login)))
        photo = store_photo(_demo_photo(scene, seed), resident=resident).upload
        report = reports.file_report(
            reporter=resident, source="miniprogram", category_code=category,
            description=description, lat=lat, lng=lng, address=address, photo_ids=[photo.id],
            anonymous=anonymous)
        if goal == "submitted":
            continue
        handler = staff["handler"] if report.region.code.endswith("hp-g1") else staff["admin"]
        boss = staff["moderator"] if report.region.code.startswith("jj-syj-hp") else staff["admin"]
        reports.accept_report(boss, report.id)
        if goal == "accepted":
            continue
        reports.dispatch_report(boss, report.id, handler_id=handler.id, note="请尽快到现场核实")
        reports.record_contact(handler, report.id, note="已电话联系居民，约好到现场查看")
        reports.start_report(handler, report.id)
        if goal == "in_progress":
            continue
        result = store_photo(_demo_photo(scene, seed + 100), staff=handler).upload
        reports.resolve_report(handler, report.id, photo_ids=[result.id],
                               note="已到现场处理完毕，请您看看是否满意")
        if goal == "closed":
            reports.rate_report(resident, report.id, solved=True, satisfaction=5,
                                comment="修得很快，谢谢网格员")
def _seed_bot(by_code: dict) -> None:
    """An elderly follower of the official account who never opened the mini-program, and the
    call-back she asked the bot for."""
    from bot.models import CallbackRequest

    community = by_code["jj-syj-hp"]
    follower = Resident(oa_openid="demo-oa-wangnainai", nickname="王奶奶", community=community,
                        elder_mode=True, oa_subscribed=True)
    db.session.add(follower)
    db.session.flush()
    db.session.add(CallbackRequest(resident_id=follower.id, region_id=community.id,
                                   phone="13812345678", note="楼上卫生间漏水，想请社区协调一下"))


def seed_open311() -> str:
    """The district's 12345 hotline platform as an Open311 partner, with one case it handed
    over (already dispatched to the grid's handler); returns the partner's API key."""
    from app import geo, reports
    from app.accounts.models import Staff
    from app.open311 import service as open311

    staff = {s.username: s for s in db.session.scalars(sa.select(Staff))}
    district = db.session.scalar(sa.select(Region).where(Region.code == "jj"))
    partner, api_key = open311.create_partner(
        staff["admin"], name="锦江区12345热线平台", region=district,
        contact="12345热线派单组 李工 028-12345000")
    lat, lng = geo.gcj02_to_wgs84(30.6556, 104.0838)  # the hotline sends GPS (WGS84)
    report = open311.file_request(
        partner, service_code="road", lat=lat, lng=lng, address="和平社区菜市场东门人行道",
        description="市民来电：菜市场东门人行道地砖塌陷，老人差点绊倒",
        answers={"hazard": ["yes"], "width_cm": ["60"]})
    reports.accept_report(staff["moderator"], report.id, note="已受理，12345转办")
    reports.dispatch_report(staff["moderator"], report.id, handler_id=staff["handler"].id,
                            note="请今天先设置警示标志")
    return api_key


# Reports of the past weeks, so that the dashboard has a trend: (weeks ago, reporter, category,
# description, address, (lat, lng), outcome). Outcomes: "quick" contacted and resolved in time,
# rated 5; "slow" contacted late, resolved late, rated 3; "reopened" rated unsolved once, then
# solved; "unrated" closed without a rating; "rejected".
HISTORY = [
    (8, "zhangayi", "streetlight", "2栋门口路灯忽明忽暗", "和平社区2栋门口", (30.6544, 104.0821), "quick"),
    (8, "liushu", "garbage", "垃圾桶满了没人收", "和平社区5栋垃圾站", (30.6548, 104.0838), "slow"),
    (7, "linnainai", "facility", "楼下长椅坏了一条腿", "和平社区3栋楼下", (30.6536, 104.0826), "quick"),
    (7, "zhoujie", "parking", "电动车堵住单元门", "桂花巷8栋2单元门口", (30.6541, 104.0951), "quick"),
    (6, "wangdaye", "noise", "晚上十点后还有人在广场跳舞", "和平社区中心广场", (30.6539, 104.0866), "slow"),
    (6, "zhangayi", "road", "人行道地砖翘起来了", "和平社区东门人行道", (30.6556, 104.0889), "quick"),
    (6, "xiaochen", "garbage", "装修垃圾堆在楼道里", "桂花巷12栋楼道", (30.6537, 104.0958), "unrated"),
    (5, "liushu", "streetlight", "小花园的灯不亮", "和平社区小花园", (30.6533, 104.0815), "reopened"),
    (5, "linnainai", "other", "想问问老年食堂什么时候开", "和平社区", (30.6538, 104.0828), "rejected"),
    (4, "wangdaye", "garbage", "菜市场门口垃圾没清", "和平社区菜市场", (30.6551, 104.0832), "quick"),
    (4, "zhoujie", "facility", "健身器材螺丝松了", "桂花巷小游园", (30.6545, 104.0962), "slow"),
    (3, "zhangayi", "parking", "消防通道被货车占了", "和平社区北门消防通道", (30.6573, 104.0842), "quick"),
    (3, "liushu", "road", "井盖缺了一块", "和平社区6栋旁", (30.6547, 104.0871), "quick"),
    (2, "linnainai", "streetlight", "路灯白天也亮着", "和平社区1栋旁", (30.6529, 104.0819), "unrated"),
    (2, "xiaochen", "noise", "周末早上七点就在装修", "桂花巷3栋", (30.6531, 104.0944), "quick"),
    (1, "wangdaye", "garbage", "绿化带里有人扔建筑垃圾", "和平社区西侧绿化带", (30.6542, 104.0805), "slow"),
    (1, "zhangayi", "facility", "楼道扶手松动", "和平社区3栋2单元", (30.6540, 104.0824), "quick"),
]


@contextmanager
def _clock_at(moment):
    """Let the services believe it is `moment` (demo history only: one process, no requests)."""
    real = clock.now
    clock.now = lambda: moment
    try:
        yield
    finally:
        clock.now = real


def seed_report_history() -> None:
    """Reports filed over the past eight weeks and handled through the services at their own
    times, on time or late, rated or not (filed through the bot, so without photos)."""
    from app import reports
    from app.wechat.console import dev_openid

    staff = {s.username: s for s in db.session.scalars(sa.select(Staff))}
    today = clock.now()
    for number, (weeks_ago, login, category, description, address, (lat, lng),
                 outcome) in enumerate(HISTORY):
        filed = today - timedelta(weeks=weeks_ago, days=number % 3, hours=number % 5 + 1)
        resident = db.session.scalar(sa.select(Resident).where(
            Resident.mp_openid == dev_openid(login)))
        with _clock_at(filed):
            report = reports.file_report(
                reporter=resident, source="bot", category_code=category,
                description=description, lat=lat, lng=lng, address=address)
        in_first_grid = report.region.code.endswith("hp-g1")
        handler = staff["handler"] if in_first_grid else staff["admin"]
        boss = staff["moderator"] if report.region.code.startswith("jj-syj-hp") else staff["admin"]
        late = outcome == "slow"

        with _clock_at(filed + timedelta(hours=1)):
            if outcome == "rejected":
                reports.reject_report(boss, report.id, reason="这不是需要处理的问题，已电话告知开放时间")
                continue
            reports.accept_report(boss, report.id)
        with _clock_at(filed + timedelta(hours=2)):
            reports.dispatch_report(boss, report.id, handler_id=handler.id)
        with _clock_at(filed + timedelta(hours=30 if late else 4)):
            reports.record_contact(handler, report.id, note="已电话联系居民")
        with _clock_at(filed + timedelta(hours=31 if late else 5)):
            reports.start_report(handler, report.id)
        with _clock_at(filed + timedelta(hours=200 if late else 20)):
            reports.resolve_report(handler, report.id, note="已处理完毕")
        if outcome == "unrated":
            with _clock_at(filed + timedelta(hours=400)):
                reports.close_unrated()
            continue
        if outcome == "reopened":
            with _clock_at(filed + timedelta(hours=30)):
                reports.rate_report(resident, report.id, solved=False, satisfaction=2,
                                    comment="还是不亮")
            with _clock_at(filed + timedelta(hours=34)):
                reports.start_report(handler, report.id, note="重新查看，是灯具老化")
            with _clock_at(filed + timedelta(hours=40)):
                reports.resolve_report(handler, report.id, note="更换了整套灯具")
        with _clock_at(filed + timedelta(hours=210 if late else 48)):
            reports.rate_report(resident, report.id, solved=True,
                                satisfaction=3 if late else 5,
                                comment="处理得有点慢" if late else "很及时，谢谢")
def seed_bot_activity() -> None:
    """What 王奶奶 did by chat: a 随手拍 with a spoken address (placed in her community, as the
    bot does) that the community has accepted, and a letter to the 书记信箱, both filed through
    the services with source "bot"."""
    from app import mailbox, reports
    from app.accounts.models import Staff
    from app.mailbox.models import Mailbox
    from app.uploads import store_photo
    from bot.flows.report import SPOKEN_MARK, community_point

    follower = db.session.scalar(sa.select(Resident).where(
        Resident.oa_openid == "demo-oa-wangnainai"))
    lat, lng = community_point(follower.community)
    photo = store_photo(_demo_photo("facility", 42), resident=follower).upload
    report = reports.file_report(
        reporter=follower, source="bot", category_code="facility",
        description="2栋楼道的扶手松了，老人上下楼扶着晃，怕摔", lat=lat, lng=lng,
        address="2栋1单元楼道" + SPOKEN_MARK, photo_ids=[photo.id])
    moderator = db.session.scalar(sa.select(Staff).where(Staff.username == "moderator"))
    reports.accept_report(moderator, report.id, note="已转物业，明天上午去加固")
    box = db.session.scalar(sa.select(Mailbox).where(
        Mailbox.community_id == follower.community_id, Mailbox.name == "书记信箱"))
    mailbox.write_letter(follower, mailbox_id=box.id, source="bot",
                         body="书记您好，我一个人住，腿脚不方便，想问问社区有没有上门送菜的服务。")


def is_seeded() -> bool:
    return db.session.scalar(sa.select(Region.id).limit(1)) is not None


@click.group("demo", help="Demo data for trying Linli out.")
def demo_group():
    pass


@demo_group.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
@with_appcontext
def seed_command(if_empty):
    """Create a district, two streets, three communities with grids, categories, staff, residents."""
    if current_app.config["LINLI_ENV"] == "production":
        raise click.ClickException("demo data is never seeded in production")
    if is_seeded():
        if if_empty:
            click.echo("demo data already present")
            return
        raise click.ClickException("the database already has regions; use --if-empty")
    created = seed()
    click.echo("demo data created")
    click.echo(f"staff logins (password {DEMO_PASSWORD}): "
               + ", ".join(f"{u} ({role.label})" for u, _n, role, _r in STAFF))
    click.echo("resident logins (mini-program dev codes): "
               + ", ".join(f"dev:{name}" for name, *_ in RESIDENTS + NEIGHBOURS))
    click.echo(f"Open311 key of 锦江区12345热线平台: {created['open311_key']}"
               " (GET /open311/v2/discovery.json; shown only now)")


commands = [demo_group]
