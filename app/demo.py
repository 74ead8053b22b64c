"""`flask demo seed`: a believable community to try Linli with (never run in production)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from app.accounts import service as accounts
from app.accounts.models import Household, Resident, StaffRole, VerificationLevel
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
    ("handler", "张伟", StaffRole.HANDLER, "jj-syj-hp-g1"),
]

RESIDENTS = [
    # dev login name, nickname, community code, household, verification level
    ("zhangayi", "张阿姨", "jj-syj-hp", ("3", "2", "501"), VerificationLevel.RESIDENCY),
    ("liushu", "刘叔", "jj-syj-hp", ("5", "1", "302"), VerificationLevel.PHONE),
    ("xiaochen", "小陈", "jj-syj-ghx", ("12", "3", "1102"), VerificationLevel.NONE),
]


# Neighbours in 和平社区 who co-sign the demo proposals (dev login names and nicknames).
NEIGHBOURS = [
    ("wangdaye", "王大爷"), ("liayi", "李阿姨"), ("zhaojie", "赵姐"), ("sunshifu", "孙师傅"),
    ("zhoulaoshi", "周老师"), ("wushu", "吴叔"), ("zhengapo", "郑阿婆"), ("fengge", "冯哥"),
    ("chennainai", "陈奶奶"), ("chudajie", "褚大姐"),
]


def _demo_photo(colour: tuple[int, int, int]) -> bytes:
    """A plain picture standing in for a photo of the work done."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (960, 720), (200, 210, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 480, 960, 720), fill=(120, 120, 120))
    draw.rectangle((260, 360, 700, 420), fill=colour)
    for x in (300, 640):
        draw.rectangle((x, 420, x + 20, 500), fill=(60, 60, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


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
        household = Household(community_id=community.id, building="7", unit=str(number // 4 + 1),
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
    photo = store_photo(_demo_photo((230, 180, 40)), staff=moderator).upload
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
                                    sort_order=order, description=f"{name}相关问题"))
    for username, display_name, role, region_code in STAFF:
        accounts.create_staff(username=username, password=DEMO_PASSWORD,
                              display_name=display_name, role=role, region=by_code[region_code])
    from app.wechat.console import dev_openid

    for login_name, nickname, community_code, (building, unit, room), level in RESIDENTS:
        community = by_code[community_code]
        household = Household(community_id=community.id, building=building, unit=unit, room=room)
        db.session.add(Resident(mp_openid=dev_openid(login_name), nickname=nickname,
                                community=community, household=household,
                                verification_level=level,
                                phone_masked="138****0000" if level >= 1 else None))
    db.session.commit()
    seed_proposals(by_code)
    return {"staff": STAFF, "residents": RESIDENTS}


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
    seed()
    click.echo("demo data created")
    click.echo(f"staff logins (password {DEMO_PASSWORD}): "
               + ", ".join(f"{u} ({role.label})" for u, _n, role, _r in STAFF))
    click.echo("resident logins (mini-program dev codes): "
               + ", ".join(f"dev:{name}" for name, *_ in RESIDENTS + NEIGHBOURS))


commands = [demo_group]
