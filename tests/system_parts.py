"""Tests that need a part of the system that a developer's machine may lack (a program, a font).

Such a test is skipped with the reason when the part is missing — and fails in CI (the variable
CI is set), where `.ci/run` installs every part (scripts/system-packages.sh).
"""

from __future__ import annotations

import os

import pytest


def require(present: bool, reason: str) -> None:
    """Skip the calling test when `present` is false, saying `reason`; fail it instead in CI."""
    if present:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must have it)")
    pytest.skip(reason)
