"""The home page: the staff member's scope — the regions under them and who lives there."""

from __future__ import annotations

from flask import g, render_template

from app import reports
from app.accounts import service as accounts
from app.accounts.models import Staff, StaffRole
from app.regions import service as regions
from app.regions.models import RegionLevel
from app.staff import charts
from app.staff.auth import login_required
from app.staff.blueprint import bp


def scope_rows(staff: Staff) -> list[dict]:
    """The regions of the staff member's subtree, in tree order, with resident counts summed
    up from the communities (residents register with a community, not a grid)."""
    root = staff.region
    tree = regions.subtree_regions(root)
    counts = accounts.resident_counts_by_community(staff)
    by_id = {region.id: region for region in tree}
    totals = {region.id: {"residents": 0, "confirmed": 0, "awaiting": 0} for region in tree}
    for community_id, figures in counts.items():
        community = by_id.get(community_id)
        if community is None:
            continue
        for ancestor_id in community.ancestor_ids:
            if ancestor_id in totals:
                for key, value in figures.items():
                    totals[ancestor_id][key] += value
    counted = {RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY}
    return [{"region": region, "depth": regions.depth_below(region, root),
             "counted": region.level in counted, **totals[region.id]} for region in tree]


@bp.get("/")
@login_required()
def home():
    staff = g.staff
    rows = scope_rows(staff)
    communities = [row for row in rows if row["region"].level == RegionLevel.COMMUNITY]
    by_community = charts.bar_chart(
        title="各社区居民人数", unit="人", chart_id="chart-residents",
        rows=[(row["region"].name, row["residents"]) for row in communities])
    weeks = accounts.weekly_resident_activity(staff)
    week_labels = [f"{w['week_start'].month}/{w['week_start'].day}" for w in weeks]
    trend = charts.line_chart(
        title="近八周新注册居民与住户确认", unit="人", chart_id="chart-weekly",
        labels=week_labels,
        series=[charts.Series("新注册", [w["registered"] for w in weeks]),
                charts.Series("住户确认", [w["confirmed"] for w in weeks])])
    community = regions.ancestor_of_level(staff.region, RegionLevel.COMMUNITY)
    tasks = reports.my_task_counts(staff)
    return render_template(
        "staff/home.html", tasks=tasks,
        show_tasks=staff.role == StaffRole.HANDLER or tasks["open"] > 0, rows=rows,
        communities=communities, community=community,
        total=rows[0] if rows else None, by_community=by_community, trend=trend,
        community_table=[[row["region"].name, row["residents"], row["confirmed"]]
                         for row in communities],
        week_table=[[label, w["registered"], w["confirmed"]]
                    for label, w in zip(week_labels, weeks, strict=True)])
