"""The bot's dialog flows: one small module per flow, in main-menu order.

A flow is a `Flow` value that a module in this package exposes as `flow`. The conversation
(bot/conversation.py) starts it when the resident picks its number, says its phrase or taps its
menu button, hands it every following message while it is active, and takes care of everything
around it: 0/返回 (back to the main menu), "继续" after a time-out, "没听清" for an empty voice
recognition, paging of long replies, binding and elder mode.

    start(turn)  -> reply    the first screen; sets the first step with turn.goto(step)
    handle(turn) -> reply    one message while the flow is active (turn.step, turn.data,
                             turn.message: kind "text" | "voice" | "image" | "location" and the
                             parsed intent); moves on with turn.goto(), ends with
                             turn.back_to_menu(lead) or turn.finish()
    prompt(turn) -> str      the question of the current step, asked again on "继续" or when a
                             voice message was not understood

A reply is the text to send (None to send nothing). Replies stay short and end by saying how to
go back ("回复0返回"). Anything that needs WeChat's API (a photo download, a content check, a
customer-service message) is enqueued with `turn.enqueue(job, id, …)`; a job that carries the
flow on finds the dialog again with bot.turn.resume(openid, flow, token) — the flow keeps a
random `token` in its data for that, so a job for a draft the resident has since left changes
nothing — and answers with `turn.send_later(text)`. Drafts the resident confirms and a job files
(a report, a letter) go through bot/submissions.py. A service's ServiceError raised inside
start/handle is answered with its message and everything the flow changed in that message is
rolled back; a service that commits or rolls back by itself is called with
`turn.call_committing(...)`.

Shared steps: bot/flows/community.py (which community the resident lives in) and
bot/flows/choices.py (lists longer than five choices, paged).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.intents import IntentKind

if TYPE_CHECKING:
    from bot.turn import Turn

Reply = str | None

# Main-menu order: the flow in position n answers "n".
MAIN_MENU_FLOWS = [
    "bot.flows.report",
    "bot.flows.progress",
    "bot.flows.letter",
    "bot.flows.vote",
    "bot.flows.human",
]


@dataclass(frozen=True)
class Flow:
    """One thing a resident can do by chat (see the module docstring for the interface)."""

    key: str  # stored in the dialog row, e.g. "human"
    title: str  # main-menu wording
    elder_title: str  # shorter wording for elder mode
    intent: IntentKind  # the phrase or menu key that starts it from anywhere
    start: Callable[[Turn], Reply]
    handle: Callable[[Turn], Reply]
    prompt: Callable[[Turn], str]
    # A photo sent at the main menu starts this flow (with the photo as its first message).
    accepts_photo: bool = False
    # Whether the current step collects the resident's own words (a description, a letter):
    # then "我要反映一下……" is read as words for it rather than as a switch to another flow.
    takes_words: Callable[[Turn], bool] = lambda turn: False


@functools.cache
def main_menu() -> tuple[Flow, ...]:
    """The flows in main-menu order (imported once; they are code, not state)."""
    return tuple(importlib.import_module(name).flow for name in MAIN_MENU_FLOWS)


def by_number(number: int) -> Flow | None:
    flows = main_menu()
    return flows[number - 1] if 1 <= number <= len(flows) else None


def by_intent(kind: IntentKind) -> Flow | None:
    return next((flow for flow in main_menu() if flow.intent is kind), None)


def by_key(key: str | None) -> Flow | None:
    return next((flow for flow in main_menu() if flow.key == key), None)


def photo_flow() -> Flow | None:
    return next((flow for flow in main_menu() if flow.accepts_photo), None)
