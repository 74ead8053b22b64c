"""Residents and staff: signing in, profiles, verification. The rules live here, not in views."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import logging
import math
import re
import secrets
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit, clock, jobs
from app.accounts import tokens
from app.accounts.models import (
    AuthToken,
    BindingCode,
    Household,
    Resident,
    Staff,
    StaffRole,
    VerificationLevel,
)
from app.database import insert_ignoring_conflicts
from app.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    Unauthorized,
    Unavailable,
)
from app.extensions import db
from app.regions.models import Region, RegionLevel
from app.wechat.errors import INVALID_LOGIN_CODE_ERRCODES, WeChatError, WeChatUnavailable
from app.wechat.gateway import get_gateway

log = logging.getLogger(__name__)

DEV_CODE_PREFIX = "dev:"
# A throwaway hash checked for unknown usernames, so a miss costs as long as a wrong password.
_DUMMY_PASSWORD_HASH = generate_password_hash("linli-no-such-user")


# --- residents ------------------------------------------------------------------------------

def _dev_login_allowed() -> bool:
    config = current_app.config
    return config["LINLI_ENV"] == "development" and not config.get("WECHAT_MP_APP_ID")


def login_resident(code: str) -> tuple[str, object, Resident]:
    """Exchange a wx.login code for a resident and a new bearer token (token, expires_at, resident).

    The resident is created on first login; a resident the bot already knew (same unionid) is
    joined to the mini-program openid instead of being duplicated.
    """
    if code.startswith(DEV_CODE_PREFIX) and not _dev_login_allowed():
        raise Unauthorized("登录凭证无效，请重新打开小程序")
    try:
        session = get_gateway().code_to_session(code)
    except WeChatUnavailable as exc:
        log.warning("code2session unavailable: %s", exc)
        raise Unavailable("微信登录服务暂时连不上，请稍后再试") from exc
    except WeChatError as exc:
        if exc.errcode in INVALID_LOGIN_CODE_ERRCODES:
            raise Unauthorized("登录凭证无效或已使用，请重新打开小程序") from exc
        log.error("code2session failed: %s", exc)
        raise Unavailable("微信登录暂时不可用，请稍后再试") from exc

    resident = db.session.scalar(sa.select(Resident).where(Resident.mp_openid == session.openid))
    if resident is None and session.unionid:
        resident = db.session.scalar(sa.select(Resident).where(Resident.unionid == session.unionid))
        if resident is not None and resident.mp_openid is None:
            resident.mp_openid = session.openid
    if resident is None:
        resident = Resident(mp_openid=session.openid, unionid=session.unionid)
        db.session.add(resident)
    elif session.unionid and resident.unionid is None:
        resident.unionid = session.unionid
    days = current_app.config["RESIDENT_TOKEN_DAYS"]
    token, expires_at = tokens.issue_token(resident=resident, ttl=timedelta(days=days))
    db.session.commit()
    return token, expires_at, resident


def logout(token_row: AuthToken) -> None:
    tokens.revoke(token_row)
    db.session.commit()


_HOUSEHOLD_PART = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff]{1,16}$")


def parse_household(text: str) -> tuple[str, str, str]:
    """'3-2-501' (楼栋-单元-室) → ('3', '2', '501'); full-width dashes and 栋/单元/室 accepted."""
    cleaned = (text.strip().replace("－", "-").replace("—", "-").replace("–", "-")
               .replace("号楼", "-").replace("栋", "-").replace("幢", "-")
               .replace("单元", "-").replace("室", "").replace("号", ""))
    parts = [part for part in cleaned.split("-") if part]
    if len(parts) != 3 or not all(_HOUSEHOLD_PART.match(part) for part in parts):
        raise Invalid("门牌格式应为 楼栋-单元-室，例如 3-2-501",
                      errors={"household": ["门牌格式应为 楼栋-单元-室，例如 3-2-501"]})
    return parts[0], parts[1], parts[2]


def _household_in(community_id: int, building: str, unit: str, room: str) -> Household:
    household = db.session.scalar(sa.select(Household).where(
        Household.community_id == community_id, Household.building == building,
        Household.unit == unit, Household.room == room))
    if household is None:
        household = Household(community_id=community_id, building=building, unit=unit, room=room)
        db.session.add(household)
        db.session.flush()
    return household


def _move_to_community(resident: Resident, community_id: int) -> bool:
    """Set the resident's community (and forget the flat); True when it changed."""
    community = db.session.get(Region, community_id)
    if community is None or community.level != RegionLevel.COMMUNITY:
        raise Invalid("请选择一个社区", errors={"community_id": ["请选择一个社区"]})
    if community.id == resident.community_id:
        return False
    resident.community_id = community.id
    resident.household_id = None
    return True


def _drop_residency_confirmation(resident: Resident) -> None:
    if resident.verification_level >= VerificationLevel.RESIDENCY:
        resident.verification_level = VerificationLevel.PHONE
        resident.verified_by_id = None
        resident.verified_at = None


def update_profile(resident: Resident, changes: dict) -> Resident:
    """Apply a PATCH /me. Moving to another community or flat drops a staff-confirmed
    residency back to phone level: staff must confirm the new address."""
    if "nickname" in changes:
        resident.nickname = changes["nickname"]
    if "elder_mode" in changes:
        resident.elder_mode = changes["elder_mode"]
    address_changed = False
    if "community_id" in changes:
        address_changed = _move_to_community(resident, changes["community_id"])
    if changes.get("household") is not None:
        if resident.community_id is None:
            raise Invalid("请先选择社区", errors={"household": ["请先选择社区"]})
        building, unit, room = parse_household(changes["household"])
        household = _household_in(resident.community_id, building, unit, room)
        if household.id != resident.household_id:
            resident.household_id = household.id
            address_changed = True
    elif "household" in changes and resident.household_id is not None:
        resident.household_id = None
        address_changed = True
    if address_changed:
        _drop_residency_confirmation(resident)
    db.session.commit()
    return resident


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def phone_hash(phone: str) -> str:
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, phone.encode("utf-8"), hashlib.sha256).hexdigest()


def bind_phone(resident: Resident, code: str) -> Resident:
    """Bind the phone number behind a getPhoneNumber code: verification level 1 (phone)."""
    if code.startswith(DEV_CODE_PREFIX) and not _dev_login_allowed():
        raise Unauthorized("手机号授权无效，请重试")
    try:
        phone = get_gateway().get_phone_number(code)
    except WeChatUnavailable as exc:
        raise Unavailable("微信服务暂时连不上，请稍后再试") from exc
    except WeChatError as exc:
        raise Invalid("手机号授权无效，请重试", errors={"code": ["授权已失效"]}) from exc
    if not re.fullmatch(r"\d{6,15}", phone or ""):
        raise Invalid("手机号格式不正确", errors={"code": ["手机号格式不正确"]})
    resident.phone_hash = phone_hash(phone)
    resident.phone_masked = mask_phone(phone)
    resident.verification_level = max(resident.verification_level, VerificationLevel.PHONE)
    db.session.commit()
    return resident


# --- staff ----------------------------------------------------------------------------------

def create_staff(*, username: str, password: str, display_name: str, role: StaffRole | str,
                 region: Region, phone: str | None = None) -> Staff:
    if len(password) < 10:
        raise Invalid("密码至少 10 位", errors={"password": ["密码至少 10 位"]})
    if db.session.scalar(sa.select(Staff.id).where(Staff.username == username)):
        raise Conflict("用户名已被使用", errors={"username": ["用户名已被使用"]})
    staff = Staff(username=username, password_hash=generate_password_hash(password),
                  display_name=display_name, role=StaffRole(role), region=region, phone=phone)
    db.session.add(staff)
    db.session.flush()
    return staff


def check_staff_password(username: str, password: str) -> Staff:
    """Check a staff sign-in (API or web), with lockout after repeated failures.

    Commits the failure count or the success; raises Unauthorized / RateLimited.
    """
    config = current_app.config
    staff = db.session.scalar(sa.select(Staff).where(Staff.username == username))
    now = clock.now()
    if staff is None:
        check_password_hash(_DUMMY_PASSWORD_HASH, password)
        raise Unauthorized("用户名或密码不正确")
    if staff.locked_until is not None and staff.locked_until > now:
        minutes = max(1, math.ceil((staff.locked_until - now).total_seconds() / 60))
        raise RateLimited(f"登录失败次数过多，账号已临时锁定，请 {minutes} 分钟后再试",
                          headers={"Retry-After": str(minutes * 60)})
    if not staff.active or not check_password_hash(staff.password_hash, password):
        staff.failed_logins += 1
        locked = staff.failed_logins >= config["STAFF_LOCKOUT_FAILURES"]
        if locked:
            staff.locked_until = now + timedelta(minutes=config["STAFF_LOCKOUT_MINUTES"])
            staff.failed_logins = 0
        audit.record(staff, "staff.login_failed", object_type="staff", object_id=staff.id,
                     region_id=staff.region_id, locked=locked)
        db.session.commit()
        raise Unauthorized("用户名或密码不正确")
    staff.failed_logins = 0
    staff.locked_until = None
    staff.last_login_at = now
    return staff


def login_staff(username: str, password: str) -> tuple[str, object, Staff]:
    """Staff sign-in to the JSON API: (token, expires_at, staff)."""
    staff = check_staff_password(username, password)
    hours = current_app.config["STAFF_TOKEN_HOURS"]
    token, expires_at = tokens.issue_token(staff=staff, ttl=timedelta(hours=hours))
    audit.record(staff, "staff.login", object_type="staff", object_id=staff.id,
                 region_id=staff.region_id, via="api")
    db.session.commit()
    return token, expires_at, staff


def set_staff_password(staff: Staff, password: str) -> None:
    """Set a password; every token and web session of the staff member is revoked."""
    if len(password) < 10:
        raise Invalid("密码至少 10 位", errors={"password": ["密码至少 10 位"]})
    staff.password_hash = generate_password_hash(password)
    tokens.revoke_all_for_staff(staff)


def clear_lockout(staff: Staff) -> None:
    staff.locked_until = None
    staff.failed_logins = 0


# --- staff web sessions (the /staff pages) ----------------------------------------------------

def _session_times() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return (timedelta(minutes=config["STAFF_SESSION_IDLE_MINUTES"]),
            timedelta(hours=config["STAFF_SESSION_MAX_HOURS"]))


def start_staff_session(username: str, password: str) -> tuple[str, Staff]:
    """Staff sign-in to the web pages: (cookie value, staff). Lockout and audit as for the API."""
    staff = check_staff_password(username, password)
    idle, lifetime = _session_times()
    value = tokens.issue_web_session(staff, idle=idle, lifetime=lifetime)
    audit.record(staff, "staff.login", object_type="staff", object_id=staff.id,
                 region_id=staff.region_id, via="web")
    db.session.commit()
    return value, staff


def find_staff_session(value: str) -> AuthToken | None:
    """The live web session of an active staff member for a cookie value, its idle deadline
    moved forward; None when there is none (expired, revoked, unknown or deactivated)."""
    row = tokens.find_web_session(value)
    if row is None or not row.staff.active:
        return None
    idle, lifetime = _session_times()
    if tokens.extend_web_session(row, idle=idle, lifetime=lifetime):
        db.session.commit()
    return row


def end_staff_session(row: AuthToken) -> None:
    """Sign out of the web pages: the session is revoked at once."""
    tokens.revoke(row)
    staff = row.staff
    audit.record(staff, "staff.logout", object_type="staff", object_id=staff.id,
                 region_id=staff.region_id)
    db.session.commit()


def change_own_password(staff: Staff, current: str, new: str) -> str:
    """A staff member changes their own password. Every other session and token is revoked;
    returns the cookie value of a fresh web session for the browser that asked."""
    if not check_password_hash(staff.password_hash, current):
        raise Invalid("当前密码不正确", errors={"current_password": ["当前密码不正确"]})
    if new == current:
        raise Invalid("新密码不能与当前密码相同", errors={"new_password": ["新密码不能与当前密码相同"]})
    try:
        set_staff_password(staff, new)
    except Invalid as exc:
        raise Invalid(exc.message, errors={"new_password": exc.errors["password"]}) from None
    idle, lifetime = _session_times()
    value = tokens.issue_web_session(staff, idle=idle, lifetime=lifetime)
    audit.record(staff, "staff.password_change", object_type="staff", object_id=staff.id,
                 region_id=staff.region_id)
    db.session.commit()
    return value


# --- admins managing staff accounts -----------------------------------------------------------

def require_admin(staff: Staff) -> None:
    """Administration is for admins only (403 for the other roles)."""
    if staff.role != StaffRole.ADMIN:
        raise Forbidden("只有管理员可以进行此操作")


def staff_in_scope_query(admin: Staff, *, text: str = "",
                         role: StaffRole | str | None = None) -> sa.Select:
    """Staff accounts whose region lies in the admin's subtree (active ones first), optionally
    narrowed to a name or user name containing `text` and to a role."""
    from app.accounts.scoping import in_scope

    require_admin(admin)
    query = sa.select(Staff).where(in_scope(Staff.region_id, admin))
    if text:
        pattern = f"%{_escape_like(text)}%"
        query = query.where(sa.or_(Staff.username.ilike(pattern, escape="\\"),
                                   Staff.display_name.ilike(pattern, escape="\\")))
    if role:
        query = query.where(Staff.role == StaffRole(role))
    return query.order_by(Staff.active.desc(), Staff.id)


def get_staff_for_admin(admin: Staff, staff_id: int) -> Staff:
    """A staff account in the admin's scope, or 404 (also for one that exists elsewhere)."""
    from app.accounts.scoping import is_in_scope

    require_admin(admin)
    staff = db.session.get(Staff, staff_id)
    if staff is None or not is_in_scope(admin, staff.region_id):
        raise NotFound("找不到该工作人员")
    return staff


def create_staff_by_admin(admin: Staff, *, username: str, password: str, display_name: str,
                          role: StaffRole | str, region_id: int,
                          phone: str | None = None) -> Staff:
    """An admin adds a staff account scoped to a region in the admin's own subtree."""
    from app.accounts.scoping import is_in_scope

    require_admin(admin)
    if not is_in_scope(admin, region_id):
        raise Invalid("只能选择您辖区内的区域", errors={"region_id": ["只能选择您辖区内的区域"]})
    region = db.session.get(Region, region_id)
    staff = create_staff(username=username, password=password, display_name=display_name,
                         role=role, region=region, phone=phone or None)
    audit.record(admin, "staff.create", object_type="staff", object_id=staff.id,
                 region_id=region.id, username=username, role=staff.role.value)
    db.session.commit()
    return staff


def set_staff_active(admin: Staff, staff_id: int, active: bool) -> Staff:
    """Deactivate (signing them out everywhere) or reactivate a staff account in scope."""
    staff = get_staff_for_admin(admin, staff_id)
    if staff.id == admin.id:
        raise Conflict("不能停用自己的账号")
    if staff.active == active:
        return staff
    staff.active = active
    if not active:
        tokens.revoke_all_for_staff(staff)
    audit.record(admin, "staff.activate" if active else "staff.deactivate", object_type="staff",
                 object_id=staff.id, region_id=staff.region_id)
    db.session.commit()
    return staff


def reset_staff_password(admin: Staff, staff_id: int, password: str) -> Staff:
    """An admin sets a new password for a staff account in scope (and lifts any lockout)."""
    staff = get_staff_for_admin(admin, staff_id)
    if staff.id == admin.id:
        raise Conflict("请在“修改密码”页修改自己的密码（需要输入当前密码）")
    set_staff_password(staff, password)
    clear_lockout(staff)
    audit.record(admin, "staff.password_reset", object_type="staff", object_id=staff.id,
                 region_id=staff.region_id)
    db.session.commit()
    return staff


def unlock_staff(admin: Staff, staff_id: int) -> Staff:
    """Lift a sign-in lockout of a staff account in scope."""
    staff = get_staff_for_admin(admin, staff_id)
    clear_lockout(staff)
    audit.record(admin, "staff.unlock", object_type="staff", object_id=staff.id,
                 region_id=staff.region_id)
    db.session.commit()
    return staff


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- staff acting on residents --------------------------------------------------------------

def residents_in_scope_query(staff: Staff, *, text: str = "", community_id: int | None = None,
                             level: int | None = None, awaiting: bool = False) -> sa.Select:
    """Residents of the staff member's subtree, newest first, optionally narrowed.

    `text` matches the nickname, or the household when it reads like 楼栋-单元-室; `awaiting`
    keeps residents who gave a household that staff have not confirmed yet.
    """
    from app.accounts.scoping import in_scope

    query = sa.select(Resident).where(in_scope(Resident.community_id, staff))
    if text:
        condition = Resident.nickname.ilike(f"%{_escape_like(text)}%", escape="\\")
        try:
            building, unit, room = parse_household(text)
        except Invalid:
            pass
        else:
            condition = sa.or_(condition, Resident.household_id.in_(
                sa.select(Household.id).where(Household.building == building,
                                              Household.unit == unit, Household.room == room)))
        query = query.where(condition)
    if community_id is not None:
        query = query.where(Resident.community_id == community_id)
    if level is not None:
        query = query.where(Resident.verification_level == level)
    if awaiting:
        query = query.where(Resident.household_id.is_not(None),
                            Resident.verification_level < VerificationLevel.RESIDENCY)
    return query.order_by(Resident.id.desc())


def resident_counts_by_community(staff: Staff) -> dict[int, dict[str, int]]:
    """Per community in scope: residents, confirmed residents, and those awaiting confirmation."""
    from app.accounts.scoping import in_scope

    confirmed = sa.case((Resident.verification_level >= VerificationLevel.RESIDENCY, 1), else_=0)
    awaiting = sa.case((sa.and_(Resident.household_id.is_not(None),
                                Resident.verification_level < VerificationLevel.RESIDENCY), 1),
                       else_=0)
    rows = db.session.execute(
        sa.select(Resident.community_id, sa.func.count(), sa.func.sum(confirmed),
                  sa.func.sum(awaiting))
        .where(in_scope(Resident.community_id, staff))
        .group_by(Resident.community_id)
    )
    return {community_id: {"residents": total, "confirmed": int(done or 0),
                           "awaiting": int(waiting or 0)}
            for community_id, total, done, waiting in rows}


def get_resident_for_staff(staff: Staff, resident_id: int) -> Resident:
    from app.accounts.scoping import is_in_scope

    resident = db.session.get(Resident, resident_id)
    if resident is None or not is_in_scope(staff, resident.community_id):
        raise NotFound("找不到该居民")
    return resident


def set_verification(staff: Staff, resident_id: int, level: int, note: str = "") -> Resident:
    """Admins and moderators confirm (level 2) or withdraw a resident's residency, on evidence
    written in `note` (required); audit-logged."""
    if staff.role not in (StaffRole.ADMIN, StaffRole.MODERATOR):
        raise Forbidden("您的角色不能确认住户身份")
    resident = get_resident_for_staff(staff, resident_id)
    if level == VerificationLevel.RESIDENCY and resident.household_id is None:
        raise Conflict("该居民尚未填写门牌，无法确认住户身份")
    note = (note or "").strip()
    if not note:
        raise Invalid("请写明依据（如：已核对房产证）", errors={"note": ["请写明依据"]})
    before = resident.verification_level
    if level >= VerificationLevel.RESIDENCY:
        resident.verification_level = VerificationLevel.RESIDENCY
        resident.verified_by_id = staff.id
        resident.verified_at = clock.now()
    else:
        resident.verification_level = min(level, 1 if resident.phone_hash else 0)
        resident.verified_by_id = None
        resident.verified_at = None
    audit.record(staff, "resident.verification", object_type="resident", object_id=resident.id,
                 region_id=resident.community_id, before=before,
                 after=resident.verification_level, note=note)
    db.session.commit()
    return resident


def weekly_resident_activity(staff: Staff, weeks: int = 8) -> list[dict]:
    """For the last `weeks` weeks (Monday to Sunday, China time, this week last): residents of
    the subtree who registered, and residencies staff confirmed, in each week."""
    from app.accounts.scoping import in_scope

    today = clock.local_today()
    first_monday = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    start = datetime.combine(first_monday, time.min, tzinfo=clock.LOCAL_ZONE)
    buckets = [{"week_start": first_monday + timedelta(weeks=i), "registered": 0, "confirmed": 0}
               for i in range(weeks)]

    def add(moments, key: str) -> None:
        for moment in moments:
            index = (clock.to_local(moment).date() - first_monday).days // 7
            if 0 <= index < weeks:
                buckets[index][key] += 1

    scoped = in_scope(Resident.community_id, staff)
    add(db.session.scalars(sa.select(Resident.created_at)
                           .where(scoped, Resident.created_at >= start)), "registered")
    add(db.session.scalars(sa.select(Resident.verified_at)
                           .where(scoped, Resident.verified_at >= start)), "confirmed")
    return buckets
# --- the official account (bot) -------------------------------------------------------------
# The bot calls these inside the transaction of one WeChat push and commits the whole push at
# once (bot/pushes.py), so they flush but do not commit.

BINDING_CODE_MINUTES = 10
BINDING_CODE_DIGITS = 6
_BINDING_CODE_ATTEMPTS = 5

# Where each package that keeps rows per resident says how to move them when two records of one
# person are merged: "module:function", called as function(source_id, target_id) inside the
# merge's transaction, in this order (uploads after the packages whose rows point at them). A
# package that adds a table with a foreign key to residents adds its hook here; a row left
# behind makes the merge fail (foreign key) rather than be lost.
RESIDENT_MERGE_HOOKS: list[str] = [
    "app.reports.service:move_resident_rows",
    "app.mailbox.service:move_resident_rows",
    "app.polls.service:move_resident_rows",
    "app.proposals.service:move_resident_rows",
    "app.moderation.flags:move_resident_rows",
    "app.notifications.service:move_resident_rows",
    "app.uploads.service:move_resident_rows",
    "bot.service:move_resident_rows",
]


# Built once: the bot looks a follower up on every message.
_RESIDENT_BY_OA_OPENID = sa.select(Resident).where(
    Resident.oa_openid == sa.bindparam("oa_openid"))


def resident_for_official_account(oa_openid: str, *, create: bool = True) -> Resident | None:
    """The resident behind an official-account follower (the caller commits).

    A new follower gets a bot-only resident at once, with no call to WeChat (the bot must answer
    within WeChat's 5 seconds); a job then asks WeChat for the unionid and joins this record with
    the follower's mini-program record when they have one (`link_official_account`).
    """
    resident = db.session.scalar(_RESIDENT_BY_OA_OPENID, {"oa_openid": oa_openid})
    if resident is not None or not create:
        return resident
    now = clock.now()
    # Two first messages can arrive together: one INSERT wins, the other finds its row.
    created_id = insert_ignoring_conflicts(db.session, Resident.__table__, {
        "oa_openid": oa_openid, "nickname": "", "verification_level": VerificationLevel.NONE,
        "elder_mode": False, "oa_subscribed": True, "created_at": now, "updated_at": now,
    }, ["oa_openid"])
    if created_id is not None:
        from app.accounts import jobs as account_jobs

        jobs.enqueue(account_jobs.link_official_account, created_id)
    return db.session.scalar(_RESIDENT_BY_OA_OPENID, {"oa_openid": oa_openid})


# The 48-hour window needs no finer clock: a follower writing every few seconds costs one
# UPDATE a minute, not one per message.
_CONTACT_PRECISION = timedelta(minutes=1)


def touch_official_account(resident: Resident, *, messaged: bool = True,
                           subscribed: bool | None = None) -> None:
    """Record the follower's contact: `messaged` opens WeChat's 48-hour window for
    customer-service messages; `subscribed` follows (un)subscribe events. The caller commits."""
    now = clock.now()
    last = resident.last_bot_message_at
    if messaged and (last is None or not timedelta(0) <= now - last < _CONTACT_PRECISION):
        resident.last_bot_message_at = now
    if subscribed is not None and resident.oa_subscribed != subscribed:
        resident.oa_subscribed = subscribed


def set_community(resident: Resident, community_id: int) -> None:
    """The community the resident told the bot they live in (a staff-confirmed residency
    elsewhere must be confirmed again, as in `update_profile`). The caller commits."""
    if _move_to_community(resident, community_id):
        _drop_residency_confirmation(resident)


def set_elder_mode(resident: Resident, enabled: bool) -> None:
    """Switch the shorter, simpler wording (the bot and the mini-program). The caller commits."""
    resident.elder_mode = enabled


def attach_unionid(resident_id: int, unionid: str) -> Resident | None:
    """Give a follower's record the unionid WeChat reported, merging it into the resident who
    already has that unionid (the same person in the mini-program). Commits; returns the record
    that now holds the follower, or None when the follower's record is gone."""
    for _attempt in range(2):
        resident = db.session.get(Resident, resident_id)
        if resident is None or resident.unionid == unionid:
            return resident
        owner = db.session.scalar(sa.select(Resident).where(Resident.unionid == unionid))
        try:
            if owner is None:
                resident.unionid = unionid
            else:
                merge_residents(source=resident, target=owner)
                resident = owner
            db.session.commit()
            return resident
        except IntegrityError:
            # Someone took the unionid meanwhile (a mini-program login): merge on the next pass.
            db.session.rollback()
        except Conflict as exc:
            db.session.rollback()
            log.warning("unionid %s of resident %s not attached: %s", unionid, resident_id, exc)
            return db.session.get(Resident, resident_id)
    log.warning("unionid %s of resident %s not attached after a retry", unionid, resident_id)
    return db.session.get(Resident, resident_id)


def merge_residents(*, source: Resident, target: Resident) -> Resident:
    """Fold a bot-only record into the record the same person uses in the mini-program.

    Every package's rows of `source` move to `target` (RESIDENT_MERGE_HOOKS), the official
    account identity moves with them, and `source` is deleted; a row no hook moved makes the
    delete fail, so nothing is lost. Raises Conflict when the two records are two people's.
    The caller commits.
    """
    if source.id == target.id:
        return target
    if source.mp_openid is not None:
        raise Conflict("这个微信已经绑定了另一个小程序账号")
    if target.oa_openid is not None and target.oa_openid != source.oa_openid:
        raise Conflict("这个小程序账号已经绑定了另一个微信")
    if source.unionid and target.unionid and source.unionid != target.unionid:
        raise Conflict("两个账号不属于同一个微信用户")
    for hook in RESIDENT_MERGE_HOOKS:
        module_name, _, function_name = hook.partition(":")
        getattr(importlib.import_module(module_name), function_name)(source.id, target.id)
    # The bot-only record never signed in to the mini-program; anything of that kind goes.
    db.session.execute(sa.delete(AuthToken).where(AuthToken.resident_id == source.id))
    db.session.execute(sa.delete(BindingCode).where(BindingCode.resident_id == source.id))
    oa_openid, unionid = source.oa_openid, source.unionid
    source.oa_openid = None
    source.unionid = None
    db.session.flush()  # free the unique values before the target takes them
    target.oa_openid = oa_openid
    target.unionid = target.unionid or unionid
    target.oa_subscribed = source.oa_subscribed
    target.last_bot_message_at = max(
        (moment for moment in (source.last_bot_message_at, target.last_bot_message_at) if moment),
        default=None)
    target.elder_mode = target.elder_mode or source.elder_mode
    if target.community_id is None:
        target.community_id = source.community_id
    db.session.delete(source)
    db.session.flush()
    log.info("merged bot-only resident %s into resident %s", source.id, target.id)
    return target


def _binding_code_hash(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, f"binding:{code}".encode(), hashlib.sha256).hexdigest()


def issue_binding_code(resident: Resident) -> tuple[str, object]:
    """A new one-time code for linking the official account: (code, expires_at). Commits.

    Earlier unused codes of the resident stop working; expired codes of everyone are removed
    (they also keep the six-digit space free for live codes).
    """
    now = clock.now()
    db.session.execute(sa.delete(BindingCode).where(
        sa.or_(BindingCode.expires_at <= now,
               sa.and_(BindingCode.resident_id == resident.id, BindingCode.used_at.is_(None)))))
    expires_at = now + timedelta(minutes=BINDING_CODE_MINUTES)
    for _attempt in range(_BINDING_CODE_ATTEMPTS):
        code = f"{secrets.randbelow(10 ** BINDING_CODE_DIGITS):0{BINDING_CODE_DIGITS}d}"
        created = insert_ignoring_conflicts(db.session, BindingCode.__table__, {
            "resident_id": resident.id, "code_hash": _binding_code_hash(code),
            "expires_at": expires_at, "created_at": now,
        }, ["code_hash"])
        if created is not None:
            db.session.commit()
            return code, expires_at
    db.session.rollback()
    raise Unavailable("暂时无法生成绑定码，请稍后再试")


def bind_official_account(oa_openid: str, code: str) -> Resident:
    """Link a follower to the resident who asked for `code` in the mini-program ("绑定 123456").

    The code is used up; a bot-only record the follower had is merged into that resident.
    Raises Invalid for a wrong, used or expired code and Conflict when either side is already
    linked to someone else. The caller commits (and rolls back on an error).
    """
    code = code.strip()
    if not re.fullmatch(rf"\d{{{BINDING_CODE_DIGITS}}}", code):
        raise Invalid("绑定码是6位数字，请再看一下小程序里的绑定码",
                      errors={"code": ["绑定码是6位数字"]})
    now = clock.now()
    # One UPDATE claims the code, so two followers sending it together cannot both use it.
    resident_id = db.session.execute(
        sa.update(BindingCode)
        .where(BindingCode.code_hash == _binding_code_hash(code), BindingCode.used_at.is_(None),
               BindingCode.expires_at > now)
        .values(used_at=now)
        .returning(BindingCode.resident_id)
    ).scalar_one_or_none()
    if resident_id is None:
        raise Invalid("绑定码不对或已过期，请在小程序里重新获取",
                      errors={"code": ["绑定码不对或已过期"]})
    target = db.session.get(Resident, resident_id)
    follower = db.session.scalar(sa.select(Resident).where(Resident.oa_openid == oa_openid))
    if follower is not None and follower.id == target.id:
        return target
    if target.oa_openid is not None:
        raise Conflict("这个小程序账号已经绑定了另一个微信")
    if follower is None:
        target.oa_openid = oa_openid
        target.oa_subscribed = True
        db.session.flush()
        return target
    return merge_residents(source=follower, target=target)
