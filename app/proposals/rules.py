"""Who may propose and co-sign where, and the rules of each scope level.

A proposal's scope is a 院落 (courtyard), 社区 (community) or 街道 (street). Its support
threshold, the days to collect co-signatures and the verification level needed to propose or
co-sign come from settings per level (PROPOSAL_<LEVEL>_SUPPORTS / _DAYS / _VERIFICATION in
app/config.py; defaults 10/30/1, 30/30/1, 100/45/1), fixed on the proposal when it is published.

"Inside the scope" means the resident's community lies in the scope's subtree. Residents do not
record their courtyard, so a courtyard's scope is its whole community: any resident of that
community may propose in it or co-sign (staff can require residency confirmation, level 2,
through PROPOSAL_COURTYARD_VERIFICATION where that matters).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.accounts.models import Resident
from app.errors import Forbidden, Invalid
from app.extensions import db
from app.regions.models import Region, RegionLevel

SCOPE_LEVELS = (RegionLevel.COURTYARD, RegionLevel.COMMUNITY, RegionLevel.STREET)
# Escalation goes one level up, as in 金牛区's 院落 → 社区 → 街道 → 区 practice; a street's
# proposals are answered by the street.
ESCALATES_TO = {RegionLevel.COURTYARD: RegionLevel.COMMUNITY,
                RegionLevel.COMMUNITY: RegionLevel.STREET}
VERIFICATION_HINTS = {0: "登录", 1: "绑定手机号", 2: "请社区确认住户身份"}


@dataclass(frozen=True)
class ScopeRules:
    support_threshold: int
    support_days: int
    verification_level: int


def rules_for(level: RegionLevel | str) -> ScopeRules:
    """The current settings for proposals of this scope level."""
    prefix = f"PROPOSAL_{RegionLevel(level).value.upper()}"
    config = current_app.config
    return ScopeRules(config[f"{prefix}_SUPPORTS"], config[f"{prefix}_DAYS"],
                      config[f"{prefix}_VERIFICATION"])


def lives_in_scope(resident: Resident, region: Region) -> bool:
    """True when the resident's community lies inside the scope region."""
    community = resident.community
    if community is None:
        return False
    if region.level == RegionLevel.COURTYARD:
        return region.parent_id == community.id
    return region.contains(community)


def author_scopes(resident: Resident) -> list[Region]:
    """Where the resident may propose: their community's courtyards, the community, its street."""
    community = resident.community
    if community is None:
        return []
    courtyards = [child for child in community.children if child.level == RegionLevel.COURTYARD]
    street = community.parent if community.parent and community.parent.level == RegionLevel.STREET \
        else None
    return [*courtyards, community, *([street] if street else [])]


def verification_refusal(resident: Resident, needed: int, doing: str) -> str | None:
    """The Chinese sentence refusing `doing` ("发起提案", "附议") below the needed level."""
    if resident.verification_level >= needed:
        return None
    return f"{doing}需要先{VERIFICATION_HINTS.get(needed, '完成认证')}"


def check_author_scope(resident: Resident, region_id: int, *, field: str = "region_id") -> Region:
    """The scope region for a resident's proposal: 422 outside their area, 403 unverified."""
    if resident.community_id is None:
        message = "请先在“我的”里选择所在社区"
        raise Invalid(message, errors={field: [message]})
    region = db.session.get(Region, region_id)
    if region is None or region.level not in SCOPE_LEVELS or not lives_in_scope(resident, region):
        message = "只能在自己所在的院落、社区或街道发起提案"
        raise Invalid(message, errors={field: [message]})
    refusal = verification_refusal(resident, rules_for(region.level).verification_level,
                                   "发起提案")
    if refusal:
        raise Forbidden(refusal)
    return region
