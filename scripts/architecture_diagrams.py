"""Regenerate the lifecycle pictures and tables in docs/architecture.md from the transition tables.

Usage: python scripts/architecture_diagrams.py [--check]
Each block between <!-- BEGIN generated:NAME --> and <!-- END generated:NAME --> is rewritten.
With --check nothing is written; the exit code is 1 when the document is out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workflow import lifecycle, permissions  # noqa: E402

DOC = ROOT / "docs" / "architecture.md"


PARTIES = {"reader_id": "传阅对象本人", "sent_by_id": "送阅人本人"}


def table(lc: lifecycle.Lifecycle) -> str:
    rows = ["| 动作 action | 从 from | 到 to | 谁 who | 理由 reason | 条件 guards |",
            "|---|---|---|---|---|---|"]
    for r in lc.rules:
        who = "、".join(sorted(role.label for role in r.roles))
        if r.system:
            who = f"{who}、系统" if who else "系统（级联）"
        if r.party is not None:
            who = PARTIES[r.party]
        guards = [g.holds for g in r.guards]
        if r.when is not None:
            guards.insert(0, f"路线：{r.when.holds}")
        if r.cascades:
            guards += [f"级联：{c.child} {'/'.join(s.label for s in c.sources)} → {c.dest.label}"
                       for c in r.cascades]
        if r.idempotent:
            guards.append("重复办理不产生变化")
        rows.append(
            f"| {r.action.label} `{r.action.name}` | {r.source.label} | {r.dest.label} | {who} "
            f"| {'必填' if r.reason_required else ''} | {'；'.join(guards)} |")
    return "\n".join(rows)


SCOPES = {
    permissions.Scope.ISSUER: "发文单位",
    permissions.Scope.UNIT: "所代表的单位",
    permissions.Scope.CONCERNED: "发文单位或任一受文单位",
    permissions.Scope.ANYWHERE: "全系统（管理员职责）",
    permissions.Scope.SELF: "本人的（任何账号）",
    permissions.Scope.SERVER: "只在服务器上（命令行）",
    permissions.Scope.RECEIVING: "收文单位或其内设部门",
}


def rights() -> str:
    rows = ["| 权限 right | 谁 who | 在哪个单位 where | 仅限本人的 own only | 服务器命令亦可 server commands "
            "| 网页上不及本人、管理员账号和管理员角色 accounts |",
            "|---|---|---|---|---|---|"]
    for right, rule in permissions.RIGHTS.items():
        who = "、".join(sorted(r.label for r in rule.roles)) or (
            "运维人员" if rule.scope == permissions.Scope.SERVER else "任何账号")
        where = SCOPES[rule.scope] + ("（传阅对象也可查看）" if right == permissions.Right.VIEW_INCOMING
                                      else "")
        rows.append(f"| {right.label} `{right.name}` | {who} | {where} "
                    f"| {'是' if rule.own_only else ''} | {'是' if rule.installer else ''} "
                    f"| {'是' if rule.on_accounts else ''} |")
    return "\n".join(rows)


def blocks() -> dict[str, str]:
    generated = {"rights-table": rights()}
    for name, lc in lifecycle.LIFECYCLES.items():
        generated[f"{name}-diagram"] = f"```mermaid\n{lifecycle.to_mermaid(lc)}\n```"
        generated[f"{name}-table"] = table(lc)
    return generated


def render(text: str) -> str:
    for name, content in blocks().items():
        pattern = re.compile(
            rf"(<!-- BEGIN generated:{re.escape(name)} -->\n)(?:.*?\n)?(<!-- END generated:{re.escape(name)} -->)",
            re.S)
        if not pattern.search(text):
            raise SystemExit(f"docs/architecture.md has no block generated:{name}")
        text = pattern.sub(lambda m, content=content: m.group(1) + content + "\n" + m.group(2), text)
    return text


def main() -> int:
    current = DOC.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in sys.argv:
        if wanted != current:
            print("docs/architecture.md is out of date: run python scripts/architecture_diagrams.py")
            return 1
        return 0
    DOC.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
