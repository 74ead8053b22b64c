"""Flow 3 写信: choose a mailbox of the resident's community, say or type the letter, confirm.

Steps: (community, community_pick: bot/flows/community.py, for a resident without a community)
→ mailbox (the community's active mailboxes by number; skipped when there is only one) → body
("请说出或输入您要写的内容"; a letter begun with "给书记写信说……" has its body already) →
confirm (the read-back: mailbox and an excerpt; more words are added to the letter, 1 sends it,
2 writes it again).

Sending runs in a job, like filing a report (bot/flows/report.py): the mailbox service checks the
text with WeChat. The job writes the letter through app.mailbox.write_letter (source "bot"; the
subject is the mailbox service's own subject_from(body)) and confirms by customer-service message;
risky words reopen the letter at the body step.
"""

from __future__ import annotations

import secrets

from app import jobs, mailbox
from app.accounts.models import Resident
from app.errors import ServiceError
from app.extensions import db
from app.mailbox.models import Mailbox
from app.mailbox.service import MAX_BODY
from bot import jobs as bot_jobs
from bot import submissions
from bot.flows import Flow, Reply, choices, community
from bot.intents import IntentKind
from bot.menus import join
from bot.turn import Turn

BACK = "回复0返回"
KEY = "letter"


def _excerpt(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _words(turn: Turn) -> str | None:
    """What the resident said for the letter: "给书记写信说……" gives what follows the phrase;
    "我要反映一下……" (another flow's phrase) is kept whole, as the resident's own words."""
    intent = turn.intent
    if intent.kind is IntentKind.TEXT:
        return intent.text
    if intent.detail:
        return intent.detail if intent.kind is IntentKind.LETTER else intent.text
    return None


def _advance(turn: Turn, lead: str = "") -> str:
    data = turn.data
    if not data.get("mailbox_id"):
        return _choose_mailbox(turn, lead)
    turn.goto("body" if not data.get("body") else "confirm")
    return join(lead, prompt(turn))


# --- screens -------------------------------------------------------------------------------

def prompt(turn: Turn) -> str:
    step = turn.step
    if step in community.STEPS:
        return community.prompt(turn)
    if step == "mailbox":
        names = [box.name for box in mailbox.mailboxes_for_resident(turn.resident)]
        if not names:
            return join("您的社区暂时没有信箱。", BACK)
        title = "写给谁？" if turn.elder else "请选择信箱（回复数字）："
        return choices.screen(title, names, turn.data.get("page", 0), elder=turn.elder)
    if step == "body":
        name = turn.data.get("mailbox_name", "")
        if turn.elder:
            return join(f"写给{name}，请说要写的话。", BACK)
        return join(f"写给{name}。请说出或输入您要写的内容，可以分几条发。", BACK)
    return _read_back(turn)


def _read_back(turn: Turn) -> str:
    data = turn.data
    body = data.get("body", "")
    if turn.elder:
        return join(f"写给{data['mailbox_name']}：", f"“{_excerpt(body, 40)}”",
                    "回复1寄出，2重写")
    return join(f"写给：{data['mailbox_name']}", f"内容：“{_excerpt(body, 80)}”（共{len(body)}字）",
                "还想补充就直接说。", "回复1确认寄出，2重写", BACK)


# --- the flow ------------------------------------------------------------------------------

def start(turn: Turn) -> Reply:
    turn.dialog.data = {"token": secrets.token_hex(8)}
    words = _words(turn)
    if words and len(words) <= MAX_BODY:  # "给书记写信说……": the letter is begun already
        turn.data["body"] = words
    if turn.resident.community is None:
        return community.ask(turn, "写信前，请先告诉我您住哪个社区。")
    return _advance(turn)


def _choose_mailbox(turn: Turn, lead: str = "") -> Reply:
    boxes = mailbox.mailboxes_for_resident(turn.resident)
    if not boxes:
        return turn.back_to_menu(join(lead, "您的社区还没有开通信箱。有事可以说“人工”找工作人员。"))
    if len(boxes) == 1:
        return _chosen(turn, boxes[0], lead)
    turn.goto("mailbox", page=0)
    return join(lead, prompt(turn))


def _chosen(turn: Turn, box: Mailbox, lead: str = "") -> Reply:
    turn.goto(turn.step, mailbox_id=box.id, mailbox_name=box.name)
    return _advance(turn, lead)


def handle(turn: Turn) -> Reply:
    step = turn.step
    if step in community.STEPS:
        return community.handle(turn, _advance)
    if "token" not in turn.data:
        return start(turn)
    if step == "mailbox":
        return _on_mailbox(turn)
    if step == "body":
        return _on_body(turn)
    if step == "confirm":
        return _on_confirm(turn)
    return _advance(turn)


def _on_mailbox(turn: Turn) -> Reply:
    boxes = mailbox.mailboxes_for_resident(turn.resident)
    intent = turn.intent
    if intent.kind is IntentKind.CONTINUE:
        turn.goto("mailbox", page=choices.next_page(turn.data.get("page", 0), len(boxes)))
        return prompt(turn)
    index = choices.picked(intent.number, len(boxes)) \
        if intent.kind is IntentKind.NUMBER else None
    if index is None and intent.text:  # "书记" (read as the letter phrase) names 书记信箱
        named = [i for i, box in enumerate(boxes)
                 if intent.text in box.name or box.name.removesuffix("信箱") in intent.text]
        index = named[0] if len(named) == 1 else None
    if index is None:
        return join("请回复信箱前面的数字。", prompt(turn))
    return _chosen(turn, boxes[index])


def _set_body(turn: Turn, body: str, lead: str = "") -> Reply:
    if len(body) > MAX_BODY:
        return join(f"信太长了，请简短一些（{MAX_BODY}字以内）。", prompt(turn))
    turn.goto("confirm", body=body)
    return join(lead, prompt(turn))


def _on_body(turn: Turn) -> Reply:
    words = _words(turn)
    if not words:
        return join("请直接说或输入要写的内容。", BACK)
    return _set_body(turn, words)


def _on_confirm(turn: Turn) -> Reply:
    intent = turn.intent
    if (intent.kind is IntentKind.NUMBER and intent.number == 1) \
            or intent.kind is IntentKind.CONFIRM:
        return _submit(turn)
    if (intent.kind is IntentKind.NUMBER and intent.number == 2) or intent.kind is IntentKind.REDO:
        turn.goto("body", body="")
        return join("好的，重新写。", prompt(turn))
    words = _words(turn)
    if words:
        return _set_body(turn, turn.data.get("body", "") + "\n" + words, "已补充。")
    return join("请回复1确认寄出，2重写。", prompt(turn))


def _submit(turn: Turn) -> Reply:
    draft = {key: turn.data.get(key) for key in ("mailbox_id", "mailbox_name", "body")}
    submissions.submit(turn, KEY, draft, send_submission)
    if turn.elder:
        return turn.back_to_menu("好的，在寄了。")
    return turn.back_to_menu("好的，正在寄出，寄到了会告诉您。")


flow = Flow(key=KEY, title="写信", elder_title="写信", intent=IntentKind.LETTER,
            start=start, handle=handle, prompt=prompt,
            takes_words=lambda turn: turn.step in ("body", "confirm"))


# --- the job -------------------------------------------------------------------------------

def send_submission(submission_id: int) -> None:
    """Write a confirmed letter through the mailbox service and confirm it to the resident."""
    submission = submissions.claim(submission_id)
    if submission is None:
        return
    resident = db.session.get(Resident, submission.resident_id)
    draft = dict(submission.draft)
    openid = submission.openid
    try:
        letter = mailbox.write_letter(resident, mailbox_id=draft["mailbox_id"],
                                      body=draft["body"], source="bot")
    except ServiceError as exc:
        db.session.rollback()
        submissions.refuse(submission_id, exc.message)
        _reopen(openid, draft, exc)
        db.session.commit()
        return
    submissions.record_result(submission_id, letter.id)
    box = letter.mailbox
    if resident.elder_mode:
        text = f"信已经寄到{box.name}了，有回复会告诉您。"
    else:
        text = (f"信已寄到{box.name}（{letter.subject}）。工作人员会在{box.reply_sla_hours}小时内"
                "回复，回复会通知您。")
    jobs.enqueue(bot_jobs.send_text, openid, text)
    db.session.commit()


def _reopen(openid: str, draft: dict, exc: ServiceError) -> None:
    """Tell the resident why the letter was not sent; reopen it at the body (risky words) or
    the mailbox (withdrawn meanwhile) when the refusal names one."""
    errors = exc.errors or {}
    data = None
    if "body" in errors or "subject" in errors:
        data = {**draft, "token": secrets.token_hex(8), "body": ""}
    elif "mailbox_id" in errors:
        data = {"token": secrets.token_hex(8), "body": draft.get("body", "")}
    submissions.tell_or_reopen(openid, flow=KEY, lead=f"您的信没有寄出：{exc.message}",
                               retry="说“写信”可以重新写。", data=data, ask=_advance)
