"""State machines: one table per stateful thing, read by services, staff buttons and the bot.

A domain declares its lifecycle once:

    REPORT = Lifecycle("报事", {
        "submitted": {"accept": "accepted", "reject": "rejected"},
        "accepted": {"dispatch": "dispatched"},
        ...
    }, state_labels={...}, action_labels={...})

and its service asks `REPORT.next_state(report.status, "accept")`, which answers 409 with a
Chinese message when the action is not allowed in the current state.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.errors import Conflict


class Lifecycle:
    def __init__(self, noun: str, transitions: Mapping[str, Mapping[str, str]], *,
                 state_labels: Mapping[str, str], action_labels: Mapping[str, str]):
        self.noun = noun
        self.transitions = {state: dict(actions) for state, actions in transitions.items()}
        self.state_labels = dict(state_labels)
        self.action_labels = dict(action_labels)
        targets = {target for actions in self.transitions.values() for target in actions.values()}
        missing = (targets | set(self.transitions)) - set(self.state_labels)
        if missing:
            raise ValueError(f"states without a label: {sorted(missing)}")
        unlabeled = {a for actions in self.transitions.values() for a in actions} - set(
            self.action_labels)
        if unlabeled:
            raise ValueError(f"actions without a label: {sorted(unlabeled)}")

    @property
    def states(self) -> list[str]:
        return list(self.state_labels)

    def allowed_actions(self, state: str) -> list[str]:
        """The actions possible from `state`, in declaration order."""
        return list(self.transitions.get(state, {}))

    def can(self, state: str, action: str) -> bool:
        return action in self.transitions.get(state, {})

    def next_state(self, state: str, action: str) -> str:
        """The state `action` leads to from `state`; 409 when it is not allowed now."""
        try:
            return self.transitions[state][action]
        except KeyError:
            raise Conflict(
                f"该{self.noun}当前为“{self.state_labels.get(state, state)}”，"
                f"不能{self.action_labels.get(action, action)}"
            ) from None

    def label(self, state: str) -> str:
        return self.state_labels.get(state, state)

    def is_final(self, state: str) -> bool:
        return not self.transitions.get(state)
