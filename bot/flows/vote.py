"""Flow 4 投票: the open polls the resident may vote in, each question's options by number, confirm.

Steps: (community, community_pick: bot/flows/community.py, for a resident without a community)
→ poll (the polls they can still vote in, five a screen; skipped when there is one) → question
(one screen per question, its options by number; a multiple-choice question takes several
numbers, "1 3", up to its maximum) → confirm (the choices read back; 1 votes, 2 chooses again).

The rules are the polls service's, never the bot's own: who may vote and why not
(open_polls_for_resident's VoterStatus reasons, told as they are when no poll is open to the
resident), each answer checked with validated_choices as it is given, and the ballot cast with
cast_ballot, whose refusals (already voted, closed meanwhile) are answered in its words. Casting
calls no WeChat API, so it happens while answering the push (Turn.call_committing: the service
commits, or rolls back when it refuses).
"""

from __future__ import annotations

from app import polls
from app.errors import Invalid, ServiceError
from app.extensions import db
from app.polls.models import Poll, QuestionKind, ResultsVisibility
from bot.flows import Flow, Reply, choices, community
from bot.intents import IntentKind, parse_choices
from bot.menus import join
from bot.turn import Turn

BACK = "回复0返回"
KEY = "vote"
# Polls the resident cannot vote in, listed with the reason when none is open to them.
SHOWN_REFUSALS = 5


def _excerpt(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _poll(turn: Turn) -> Poll:
    return db.session.get(Poll, turn.data["poll_id"])


# --- screens -------------------------------------------------------------------------------

def prompt(turn: Turn) -> str:
    step = turn.step
    if step in community.STEPS:
        return community.prompt(turn)
    if step == "poll":
        titles = [poll.title for poll in (db.session.get(Poll, poll_id)
                                          for poll_id in turn.data.get("polls", [])) if poll]
        if not titles:
            return join("现在没有可以参加的投票。", BACK)
        title = "参加哪个投票？" if turn.elder else "可以参加的投票（回复数字）："
        return choices.screen(title, titles, turn.data.get("page", 0), elder=turn.elder)
    if step == "question":
        return _question_screen(turn)
    return _read_back(turn)


def _question_screen(turn: Turn) -> str:
    poll = _poll(turn)
    number = turn.data["q"]
    question = poll.questions[number]
    if len(poll.questions) == 1:
        title = f"「{poll.title}」\n{question.text}"
    else:
        title = f"「{poll.title}」第{number + 1}题（共{len(poll.questions)}题）：\n{question.text}"
    hint = ""
    if question.kind == QuestionKind.MULTIPLE and question.max_choices > 1:
        hint = f"可以说多个数字，例如 1 3（最多选{question.max_choices}项）"
    return choices.screen(title, [option.text for option in question.options],
                          turn.data.get("page", 0), elder=turn.elder, hint=hint)


def _chosen_texts(poll: Poll, answers: list[list[int]]) -> list[str]:
    texts = []
    for question, option_ids in zip(poll.questions, answers, strict=False):
        by_id = {option.id: option.text for option in question.options}
        texts.append("、".join(by_id[option_id] for option_id in option_ids))
    return texts


def _read_back(turn: Turn) -> str:
    poll = _poll(turn)
    texts = _chosen_texts(poll, turn.data.get("answers", []))
    if len(texts) == 1:
        lines = [f"您选的是：{texts[0]}"]
    else:
        lines = ["您的选择："] + [f"第{i}题：{text}" for i, text in enumerate(texts, start=1)]
    return join(*lines, "回复1确认投票，2重选", BACK)


# --- the flow ------------------------------------------------------------------------------

def start(turn: Turn) -> Reply:
    if turn.resident.community is None:
        return community.ask(turn, "投票前，请先告诉我您住哪个社区。")
    return _list(turn)


def _list(turn: Turn) -> Reply:
    pairs = polls.open_polls_for_resident(turn.resident)
    votable = [poll for poll, status in pairs if status.can_vote]
    if not votable:
        if not pairs:
            return turn.back_to_menu("现在没有进行中的投票。")
        lines = ["现在的投票您暂时不能参加："]
        lines += [f"·{_excerpt(poll.title, 20)}：{status.reason}"
                  for poll, status in pairs[:SHOWN_REFUSALS]]
        return turn.back_to_menu(join(*lines))
    turn.goto("poll", polls=[poll.id for poll in votable], page=0)
    if len(votable) == 1:
        return _open(turn, votable[0].id)
    return prompt(turn)


def _open(turn: Turn, poll_id: int) -> Reply:
    view = polls.poll_view_for_resident(turn.resident, poll_id)
    if not view.me.can_vote:
        return turn.back_to_menu(view.me.reason or "")
    turn.goto("question", poll_id=poll_id, q=0, answers=[], page=0)
    return prompt(turn)


def handle(turn: Turn) -> Reply:
    step = turn.step
    if step in community.STEPS:
        return community.handle(turn, _list)
    if step == "poll":
        return _on_poll(turn)
    if step == "question":
        return _on_question(turn)
    if step == "confirm":
        return _on_confirm(turn)
    return start(turn)


def _on_poll(turn: Turn) -> Reply:
    poll_ids = turn.data.get("polls", [])
    intent = turn.intent
    if intent.kind is IntentKind.CONTINUE:
        turn.goto("poll", page=choices.next_page(turn.data.get("page", 0), len(poll_ids)))
        return prompt(turn)
    index = choices.picked(intent.number, len(poll_ids)) \
        if intent.kind is IntentKind.NUMBER else None
    if index is None:
        return join("请回复投票前面的数字。", prompt(turn))
    return _open(turn, poll_ids[index])


def _numbers(turn: Turn) -> list[int] | None:
    intent = turn.intent
    if intent.kind is IntentKind.NUMBER:
        return [intent.number]
    if intent.kind is IntentKind.TEXT:
        return parse_choices(intent.text)
    return None


def _on_question(turn: Turn) -> Reply:
    poll = _poll(turn)
    number = turn.data["q"]
    question = poll.questions[number]
    options = question.options
    if turn.intent.kind is IntentKind.CONTINUE:
        turn.goto("question", page=choices.next_page(turn.data.get("page", 0), len(options)))
        return prompt(turn)
    said = _numbers(turn)
    if not said:
        return join("请回复选项前面的数字。", prompt(turn))
    wrong = [n for n in said if choices.picked(n, len(options)) is None]
    if wrong:
        return join(f"没有第{wrong[0]}项，请回复选项前面的数字。", prompt(turn))
    option_ids = [options[n - 1].id for n in said]
    rule = next(rule for rule in polls.question_rules(poll.id) if rule.id == question.id)
    try:
        polls.validated_choices([rule], [{"question_id": question.id, "option_ids": option_ids}])
    except Invalid as exc:
        return join(exc.message.replace(f"第{number + 1}题", "这一题"), prompt(turn))
    answers = [*turn.data.get("answers", [])[:number], option_ids]
    if number + 1 < len(poll.questions):
        turn.goto("question", q=number + 1, answers=answers, page=0)
    else:
        turn.goto("confirm", answers=answers)
    return prompt(turn)


def _on_confirm(turn: Turn) -> Reply:
    intent = turn.intent
    if (intent.kind is IntentKind.NUMBER and intent.number == 2) or intent.kind is IntentKind.REDO:
        turn.goto("question", q=0, answers=[], page=0)
        return join("好的，重新选。", prompt(turn))
    if not ((intent.kind is IntentKind.NUMBER and intent.number == 1)
            or intent.kind is IntentKind.CONFIRM):
        return join("请回复1确认投票，2重选。", prompt(turn))
    poll = _poll(turn)
    answers = [{"question_id": question.id, "option_ids": option_ids}
               for question, option_ids in zip(poll.questions, turn.data["answers"], strict=True)]
    live = poll.results_visibility == ResultsVisibility.LIVE
    try:
        turn.call_committing(polls.cast_ballot, turn.resident, poll.id, answers)
    except ServiceError as exc:
        return turn.back_to_menu(exc.message + "。")
    if turn.elder:
        return turn.back_to_menu("投好了，谢谢您！")
    after = "在小程序里可以看到目前的结果。" if live else "结果会在投票结束后公布。"
    return turn.back_to_menu(f"投票成功，谢谢您的参与！{after}")


flow = Flow(key=KEY, title="投票", elder_title="投票", intent=IntentKind.VOTE,
            start=start, handle=handle, prompt=prompt)
