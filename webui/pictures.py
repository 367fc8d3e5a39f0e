"""Lifecycle pictures: the transition tables drawn by Graphviz, with the current state marked.

Owns: turning `workflow.lifecycle.to_dot()` into SVG with the `dot` program (Debian's graphviz),
cached per (lifecycle, state) since the tables never change while the process runs. Must not:
invent a picture — it draws exactly the engine's table. Without `dot` there is no picture and the
page says so in words.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

from workflow import lifecycle


class PictureUnavailable(RuntimeError):
    """Graphviz's `dot` is not installed on this machine."""


def dot_available() -> bool:
    return shutil.which("dot") is not None


@functools.lru_cache(maxsize=64)
def lifecycle_svg(name: str, state_name: str | None) -> bytes:
    """The SVG of lifecycle `name` with `state_name` highlighted."""
    if not dot_available():
        raise PictureUnavailable("未安装 Graphviz（dot），无法绘制流程图")
    lc = lifecycle.LIFECYCLES[name]
    current = lc.states[state_name] if state_name else None
    result = subprocess.run(["dot", "-Tsvg"], input=lifecycle.to_dot(lc, current).encode(),
                            capture_output=True, timeout=30, check=True)
    return result.stdout
