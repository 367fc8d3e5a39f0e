"""Every action the engine writes into the audit trail reads in Chinese on the audit page."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from webui.filters import action_label

ENGINE = Path(__file__).resolve().parents[2] / "workflow"
ACTION = re.compile(r"^[a-z_]+\.[A-Z][A-Z_]+$")  # notice.REMIND, user.SET_EMAIL …


def audit_actions_named_in_the_engine() -> set[str]:
    names = set()
    for path in ENGINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and ACTION.match(node.value):
                names.add(node.value)
    return names


def test_every_audit_action_the_engine_writes_has_a_chinese_label():
    actions = audit_actions_named_in_the_engine()
    assert {"notice.REMIND", "user.SET_EMAIL", "system.BACKUP"} <= actions  # the walk finds them
    unlabelled = sorted(a for a in actions if action_label(a) == a)
    assert unlabelled == []
