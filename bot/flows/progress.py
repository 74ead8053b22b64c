"""Flow 2 查进度: the resident's latest reports and where each stands; a number for its timeline.

Steps: list (the five latest reports, newest first, each with its state in the words of the
report lifecycle) → a number shows that report's public timeline (what the resident may see:
app.reports.visible_events), and the list stays open for another number. A long timeline is
paged by the conversation ("回复0继续").
"""

from __future__ import annotations

from app import clock, reports
from app.errors import NotFound
from app.extensions import db
from app.reports.lifecycle import RESOLVED
from app.reports.lifecycle import event_label as report_event_label
from bot.flows import Flow, Reply
from bot.intents import IntentKind
from bot.menus import join
from bot.text import numbered_menu
from bot.turn import Turn

BACK = "回复0返回"
LATEST = 5


def _excerpt(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _day(moment) -> str:
    local = clock.to_local(moment)
    return f"{local.month}月{local.day}日"


def _latest(turn: Turn) -> list:
    query = reports.resident_reports_query(turn.resident).limit(LATEST)
    return list(db.session.scalars(query))


def _list_screen(turn: Turn, items: list) -> str:
    labels = [f"{_day(report.created_at)} {_excerpt(report.description, 10)}"
              f"（{reports.REPORT.label(report.status)}）" for report in items]
    if turn.elder:
        return numbered_menu("您报的问题：", labels, footer="说数字看详情\n" + BACK)
    return numbered_menu("您最近反映的问题：", labels, footer="回复数字看处理经过，" + BACK)


def start(turn: Turn) -> Reply:
    items = _latest(turn)
    if not items:
        return turn.back_to_menu("您还没有反映过问题。发一张照片就可以随手拍。")
    turn.goto("list", ids=[report.id for report in items])
    return _list_screen(turn, items)


def prompt(turn: Turn) -> str:
    items = [report for report in (_own(turn, report_id) for report_id in turn.data.get("ids", []))
             if report is not None]
    if not items:
        return join("您还没有反映过问题。", BACK)
    return _list_screen(turn, items)


def _own(turn: Turn, report_id: int):
    try:
        return reports.get_report_for_reporter(turn.resident, report_id)
    except NotFound:
        return None


def handle(turn: Turn) -> Reply:
    ids = turn.data.get("ids", [])
    intent = turn.intent
    if intent.kind is IntentKind.NUMBER and intent.number and 1 <= intent.number <= len(ids):
        report = reports.get_report_for_reporter(turn.resident, ids[intent.number - 1])
        return _timeline(turn, report)
    return join("请回复问题前面的数字。", prompt(turn))


def _timeline(turn: Turn, report) -> str:
    lines = [f"编号 {report.number}",
             f"{report.category.name}：{_excerpt(report.description, 40)}",
             f"现在：{reports.REPORT.label(report.status)}"]
    for event in reports.visible_events(report):
        moment = clock.to_local(event.created_at)
        line = f"{moment.month}月{moment.day}日 {moment:%H:%M} {report_event_label(event.action)}"
        if event.note:
            line += f"：{_excerpt(event.note, 60)}"
        lines.append(line)
    if report.status == RESOLVED:
        lines.append("处理好了吗？请在小程序里评价。")
    lines.append("回复其他数字看别的问题，" + BACK)
    return "\n".join(lines)


flow = Flow(key="progress", title="查进度", elder_title="查进度", intent=IntentKind.PROGRESS,
            start=start, handle=handle, prompt=prompt)
