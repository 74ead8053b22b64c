"""Every action the services write to the audit log has a Chinese name on the audit page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.audit.labels import ACTION_LABELS, DETAIL_LABELS, OBJECT_LABELS
from app.reports.lifecycle import STAFF_ACTIONS

APP = Path(__file__).resolve().parents[2] / "app"
# audit.record(staff, "letter.reply", ...) and the reports' _audit(staff, "accept", ...).
_RECORDED = re.compile(r'audit\.record\(\s*\w+,\s*"([a-z_]+\.[a-z_]+)"')
_REPORT_AUDIT = re.compile(r'_audit\(\s*\w+,\s*"([a-z_]+)"')


def recorded_actions() -> set[str]:
    actions = set()
    for path in APP.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        actions.update(_RECORDED.findall(text))
        if path.parts[-2:] == ("reports", "service.py"):
            actions.update(f"report.{name}" for name in _REPORT_AUDIT.findall(text))
    return actions


def test_the_scan_finds_the_actions_of_reports_letters_and_mailboxes():
    actions = recorded_actions()
    assert {"report.accept", "report.export", "letter.view", "mailbox.create"} <= actions
    assert {f"report.{action}" for action in STAFF_ACTIONS} <= actions


@pytest.mark.parametrize("action", sorted(recorded_actions()))
def test_every_recorded_action_has_a_label(action):
    assert action in ACTION_LABELS


@pytest.mark.parametrize("object_type", ["report", "letter", "mailbox"])
def test_the_objects_of_these_actions_have_labels(object_type):
    assert object_type in OBJECT_LABELS


def test_the_detail_of_a_dispatch_reads_in_chinese():
    assert {"number", "handler_id", "reason", "duplicate_of"} <= set(DETAIL_LABELS)
