"""The lifecycle table helper."""

import pytest

from app.errors import Conflict
from app.lifecycle import Lifecycle

DOOR = Lifecycle("门", {"closed": {"open": "opened", "lock": "locked"},
                        "opened": {"close": "closed"}, "locked": {}},
                 state_labels={"closed": "关着", "opened": "开着", "locked": "锁着"},
                 action_labels={"open": "打开", "close": "关上", "lock": "上锁"})


def test_allowed_action_gives_the_next_state():
    assert DOOR.next_state("closed", "open") == "opened"


def test_illegal_action_is_a_409_in_chinese():
    with pytest.raises(Conflict, match="该门当前为“锁着”，不能打开"):
        DOOR.next_state("locked", "open")


def test_allowed_actions_and_final_states():
    assert DOOR.allowed_actions("closed") == ["open", "lock"]
    assert DOOR.is_final("locked") and not DOOR.is_final("opened")


def test_a_state_without_a_label_is_refused_at_declaration():
    with pytest.raises(ValueError):
        Lifecycle("x", {"a": {"go": "b"}}, state_labels={"a": "A"}, action_labels={"go": "走"})
