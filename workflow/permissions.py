"""Who may do what to which object.

Owns: the rules that tie an actor's role grants to an object's unit: drafters act on their own
drafts, reviewers, signatories, clerks and supervisors for their own issuing unit, receivers for
their own unit; a signatory never signs a draft they wrote; the three administrator duties do no
business (三员分立). The roles an action needs come from the transition tables (lifecycle.py).

Must not: change anything. `can()` answers, `require()` raises `Forbidden`, and
`available_actions()` lists what the UI may offer now — from the same tables, so a button shown
is an action allowed, and hiding a button is never the access control.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflow import lifecycle
from workflow.errors import Forbidden
from workflow.models import Notice, Receipt, Report, User
from workflow.states import ADMIN_ROLES, NoticeAction, Role


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)

# Actions that only the notice's own drafter may take (with the drafter role).
_DRAFTER_OWN = {NoticeAction.SUBMIT, NoticeAction.WITHDRAW, NoticeAction.CANCEL}


def lifecycle_of(obj) -> lifecycle.Lifecycle:
    if isinstance(obj, Notice):
        return lifecycle.NOTICE
    if isinstance(obj, Receipt):
        return lifecycle.RECEIPT
    if isinstance(obj, Report):
        return lifecycle.REPORT
    raise TypeError(f"no lifecycle for {type(obj).__name__}")


def scope_unit_id(obj, role: Role) -> int:
    """The unit in which `role` must be held to act on `obj`."""
    if isinstance(obj, Notice):
        return obj.issuer_unit_id
    if role == Role.RECEIVER:  # receivers act for the unit the receipt or report belongs to
        return obj.unit_id
    return obj.notice.issuer_unit_id


def can(actor: User | None, obj, action, rule: lifecycle.Rule | None = None) -> Decision:
    """May `actor` (None: the engine itself) take `action` on `obj`? Ignores state and guards."""
    if rule is None:
        candidates = [r for r in lifecycle_of(obj).rules if r.action == action]
        decisions = [can(actor, obj, action, r) for r in candidates]
        return next((d for d in decisions if d), decisions[0] if decisions else
                    Decision(False, "没有这项操作"))
    if actor is None:
        return ALLOWED if rule.system else Decision(False, "该操作须由具体人员办理")
    if not actor.active:
        return Decision(False, "该账号已停用")
    if actor.roles & ADMIN_ROLES:
        return Decision(False, "系统管理员、安全管理员和审计管理员不办理业务（三员分立）")
    held = [role for role in rule.roles if actor.holds(role, scope_unit_id(obj, role))]
    if not held:
        return Decision(False, _missing_role_message(obj, rule))
    if isinstance(obj, Notice):
        return _notice_rules(actor, obj, action, held)
    return ALLOWED


def _notice_rules(actor: User, notice: Notice, action, held: list[Role]) -> Decision:
    own_draft = notice.drafter_id == actor.id
    if action in _DRAFTER_OWN and not own_draft:
        return Decision(False, "只有拟稿人本人可以办理自己的稿件")
    if action == NoticeAction.AMEND and held == [Role.DRAFTER] and not own_draft:
        return Decision(False, "只有拟稿人本人或办公室文书可以修改已签发的稿件")
    if action == NoticeAction.SIGN and own_draft:
        return Decision(False, "不能签发自己起草的公文")
    return ALLOWED


def _missing_role_message(obj, rule: lifecycle.Rule) -> str:
    roles = "或".join(sorted(r.label for r in rule.roles)) or "系统"
    if isinstance(obj, Notice):
        return f"只有发文单位的{roles}可以{rule.action.label}"
    if Role.RECEIVER in rule.roles:
        return f"只能由{obj.unit.name}的{roles}{rule.action.label}"
    return f"只有发文单位的{roles}可以{rule.action.label}"


def require(actor: User | None, obj, action, rule: lifecycle.Rule | None = None) -> None:
    """Raise Forbidden unless `actor` may take `action` on `obj`."""
    decision = can(actor, obj, action, rule)
    if not decision:
        raise Forbidden(decision.reason, action=getattr(action, "name", str(action)))


def may_edit_draft(actor: User, notice: Notice) -> Decision:
    """Drafts are edited by their drafter only (a draft is anyone's to write, but only one's own)."""
    if not actor.active:
        return Decision(False, "该账号已停用")
    if actor.roles & ADMIN_ROLES:
        return Decision(False, "系统管理员、安全管理员和审计管理员不办理业务（三员分立）")
    if notice.drafter_id != actor.id or not actor.holds(Role.DRAFTER, notice.issuer_unit_id):
        return Decision(False, "只有拟稿人本人可以修改草稿")
    return ALLOWED


def available_actions(actor: User | None, obj) -> list:
    """The actions `actor` may take on `obj` now: state, route, guards and permission all allow."""
    lc = lifecycle_of(obj)
    actions = []
    for rule in lc.rules_from(obj.state):
        if rule.action in actions or (rule.when is not None and not rule.when.check(obj)):
            continue
        if not rule.roles:  # system-only rows are never offered to people
            continue
        if lc.failed_guard(rule, obj) is None and can(actor, obj, rule.action, rule):
            actions.append(rule.action)
    return actions


def may_view_notice(actor: User, notice: Notice, recipient_unit_ids: set[int]) -> bool:
    """Anyone of the issuing unit, the drafter, or a unit the notice was sent to."""
    if actor.holds(Role.AUDITOR):
        return True
    units = {g.unit_id for g in actor.grants} | {actor.unit_id}
    return notice.issuer_unit_id in units or bool(units & recipient_unit_ids)
