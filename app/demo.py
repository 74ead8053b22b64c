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
    _seed_bot(by_code)
    db.session.commit()
    return {"staff": STAFF, "residents": RESIDENTS}


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
               + ", ".join(f"dev:{name}" for name, *_ in RESIDENTS))


commands = [demo_group]
