"""Who may do what to which object: every right by name, in one place.

Owns: two tables. The transitions of the three machines (lifecycle.py) say which roles fire each
action; `can()` ties those roles to the object's unit (drafters act on their own drafts,
reviewers, signatories, clerks and supervisors for their own issuing unit, receivers for their own
unit) and adds the rules about the person (a signatory never signs a draft they wrote; nobody
accepts or returns a report they submitted). Every other right — seeing a notice, starting or
editing a draft, numbering, 催办, and each administrator duty — is a `Right` in `RIGHTS` below,
asked with `may()` / `demand()`. The three administrator duties do no business and see no
notice's content (三员分立); a person sees a notice only through a business role held in a unit
the notice concerns (its issuer or one of its recipients), never through the unit they belong to.

Must not: change anything. `can()`/`may()` answer, `require()`/`demand()` raise `Forbidden`, and
`available_actions()` lists what the UI may offer now — from the same tables, so a button shown
is an action allowed, and hiding a button is never the access control.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import false, or_, select, true
from sqlalchemy.orm import object_session

from workflow import lifecycle
from workflow.errors import Forbidden
from workflow.models import Circulation, Incoming, Notice, Receipt, Report, Unit, User
from workflow.states import (
    ADMIN_ROLES,
    BUSINESS_ROLES,
    CirculationState,
    NoticeAction,
    ReportAction,
    Role,
)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)
THREE_DUTIES = "系统管理员、安全管理员和审计管理员不办理业务（三员分立）"

# Actions that only the notice's own drafter may take (with the drafter role).
_DRAFTER_OWN = {NoticeAction.SUBMIT, NoticeAction.WITHDRAW, NoticeAction.CANCEL}


# ----------------------------------------------------------------------------------------------
# The rights that are not transitions of a machine.

class Right(enum.Enum):
    """A named right; its value is how a refusal names it."""

    VIEW_NOTICE = "查看公文"
    START_DRAFT = "拟稿"
    EDIT_DRAFT = "修改草稿"
    MANAGE_SERIES = "管理发文字号"
    REMIND = "催办"
    SET_REMIND_INTERVAL = "设置催办间隔"
    MANAGE_UNITS = "维护单位和单位组"
    MANAGE_USERS = "维护用户账号"
    GRANT_ROLES = "授予和收回角色"
    RESET_PASSWORDS = "重置密码"
    SET_LOGIN_POLICY = "设置登录策略"
    MANAGE_CALENDAR = "维护工作日历和期限设置"
    SET_SEAL = "设置单位印章"
    READ_AUDIT_TRAIL = "查阅审计记录"
    READ_OWN_NOTIFICATIONS = "阅读本人的通知"
    KEEP_TYPED_WORK = "自动保存本人的输入"
    CLOSE_BY_HAND = "提前办结"
    HANDLE_RETURN = "处理退文"
    SET_PASSWORD = "直接设定密码"
    RESET_SECOND_FACTOR = "重置两步验证"
    REGISTER_INCOMING = "登记外来公文"
    VIEW_REGISTER = "查阅收文登记簿"
    VIEW_INCOMING = "查看收文"
    CIRCULATE = "传阅"
    REMIND_READERS = "催阅"
    FORWARD = "转发"
    MANAGE_SIGNING_KEYS = "管理签名密钥和证书"
    VERIFY_DOCUMENT = "验证正式文件"

    @property
    def label(self) -> str:
        return self.value


class Scope(enum.Enum):
    """Where the role must be held for a right."""

    ISSUER = "the notice's issuing unit"
    UNIT = "the unit acted for (given by the caller)"
    CONCERNED = "the issuing unit or any recipient unit of the notice"
    ANYWHERE = "anywhere: an administrator duty, held once for the whole system"
    SELF = "the actor's own things: any account, whatever its roles"
    SERVER = "only a server command (no person through the web)"
    RECEIVING = "the 收文's unit or one of its internal departments (given by the caller)"


@dataclass(frozen=True)
class RightRule:
    roles: frozenset[Role]
    scope: Scope
    own_only: bool = False  # only on the actor's own object (their draft)
    installer: bool = False  # the installer and server commands (actor None) hold it too
    # A right over people's accounts: through the web it never reaches one's own account, an
    # administrator's, or an administrator role — those are the server's (`flask --app wsgi
    # user …`), so that none of the three administrators can take over, stop or lock out another.
    on_accounts: bool = False


SERVER_COMMAND = "flask --app wsgi user"


D, C, V = Role.DRAFTER, Role.CLERK, Role.SUPERVISOR
RIGHTS: dict[Right, RightRule] = {
    # The issuing and the recipient units' people; and whoever may open a 收文 made from the
    # notice (a department's people, a reader it was sent to, whatever their roles: `may` adds
    # them), for the 收文's 查看来文 leads to the notice.
    Right.VIEW_NOTICE: RightRule(BUSINESS_ROLES, Scope.CONCERNED, installer=True),
    Right.START_DRAFT: RightRule(frozenset({D}), Scope.UNIT),
    Right.EDIT_DRAFT: RightRule(frozenset({D}), Scope.ISSUER, own_only=True),
    Right.MANAGE_SERIES: RightRule(frozenset({C}), Scope.UNIT),
    Right.REMIND: RightRule(frozenset({V}), Scope.ISSUER, installer=True),
    Right.SET_REMIND_INTERVAL: RightRule(frozenset({V}), Scope.ISSUER),
    Right.MANAGE_UNITS: RightRule(frozenset({Role.ADMIN}), Scope.ANYWHERE, installer=True),
    Right.MANAGE_USERS: RightRule(frozenset({Role.ADMIN}), Scope.ANYWHERE, installer=True,
                                  on_accounts=True),
    Right.MANAGE_CALENDAR: RightRule(frozenset({Role.ADMIN}), Scope.ANYWHERE, installer=True),
    Right.GRANT_ROLES: RightRule(frozenset({Role.SECURITY_OFFICER}), Scope.ANYWHERE,
                                 installer=True, on_accounts=True),
    Right.RESET_PASSWORDS: RightRule(frozenset({Role.SECURITY_OFFICER}), Scope.ANYWHERE,
                                     installer=True, on_accounts=True),
    Right.SET_LOGIN_POLICY: RightRule(frozenset({Role.SECURITY_OFFICER}), Scope.ANYWHERE,
                                      installer=True),
    Right.SET_SEAL: RightRule(frozenset({Role.ADMIN}), Scope.ANYWHERE, installer=True),
    # The units' signing keys and the CAs trusted are a security duty (三员分立): the 安全管理员's,
    # or the operator's on the server (`flask --app wsgi pki …`).
    Right.MANAGE_SIGNING_KEYS: RightRule(frozenset({Role.SECURITY_OFFICER}), Scope.ANYWHERE,
                                         installer=True),
    # Anyone logged in may check a file they hold: they learn which notice it is, which the file
    # itself already says, and nothing of a notice they were not given.
    Right.VERIFY_DOCUMENT: RightRule(frozenset(), Scope.SELF, installer=True),
    Right.READ_AUDIT_TRAIL: RightRule(frozenset({Role.AUDITOR}), Scope.ANYWHERE, installer=True),
    Right.READ_OWN_NOTIFICATIONS: RightRule(frozenset(), Scope.SELF),
    # What a person typed and has not saved yet: theirs alone, whatever their roles (the form it
    # belongs to is asked for by the web layer before anything is kept).
    Right.KEEP_TYPED_WORK: RightRule(frozenset(), Scope.SELF),
    # Closing before every unit is done waives what they owe: a supervisor's decision with a
    # reason, never the engine's (the engine closes only a complete notice, by the table's row).
    Right.CLOSE_BY_HAND: RightRule(frozenset({V}), Scope.ISSUER),
    # 退文处理: a notice returned as misdirected is answered by the issuing unit's 文书, who sent
    # it (改发, 补发 and 确认退回 are rows of the receipt's table, with the same role and scope).
    Right.HANDLE_RETURN: RightRule(frozenset({C}), Scope.ISSUER),
    # Choosing someone's password outright, and taking away a lost second factor: the operator
    # on the server only, audited there.
    Right.SET_PASSWORD: RightRule(frozenset(), Scope.SERVER, installer=True),
    Right.RESET_SECOND_FACTOR: RightRule(frozenset(), Scope.SERVER, installer=True),
    # 收文办理, inside the unit that received the document. Its people are invisible to every
    # other unit, the issuer included (who sees 签收, 已读 and reports, never a 批示).
    Right.REGISTER_INCOMING: RightRule(frozenset({Role.RECEIVER}), Scope.UNIT),
    Right.VIEW_REGISTER: RightRule(frozenset({Role.RECEIVER, Role.PROPOSER, Role.INSTRUCTOR,
                                              C}), Scope.UNIT),
    # Everyone with a business role in the unit or its departments; a person it was sent to
    # for reading (传阅) sees it too, whatever their roles (`may` adds them).
    Right.VIEW_INCOMING: RightRule(BUSINESS_ROLES, Scope.RECEIVING, installer=True),
    Right.CIRCULATE: RightRule(frozenset({Role.PROPOSER, Role.INSTRUCTOR, Role.HANDLER}),
                               Scope.RECEIVING),
    # Whoever may send a 收文 round may chase its readers (the office often does, for a leader).
    Right.REMIND_READERS: RightRule(frozenset({Role.PROPOSER, Role.INSTRUCTOR, Role.HANDLER}),
                                    Scope.RECEIVING),
    # 转发 drafts a notice of the unit: its 拟稿人 start it (whoever handles the 收文 may hold the
    # role there too, as a department's drafter does for its federation).
    Right.FORWARD: RightRule(frozenset({D}), Scope.UNIT),
}


def business_unit_ids(actor: User) -> set[int]:
    """The units in which `actor` holds a business role: the only units they act or read for.

    The unit an account merely belongs to (`User.unit_id`) grants nothing.
    """
    return {g.unit_id for g in actor.grants if g.role in BUSINESS_ROLES}


def may(actor: User | None, right: Right, *, notice: Notice | None = None,
        unit_id: int | None = None, recipient_unit_ids: set[int] | None = None,
        account: User | None = None, role: Role | None = None,
        doing: str | None = None, incoming: Incoming | None = None) -> Decision:
    """May `actor` (None: the installer or a server command) exercise `right`?

    `notice` is the object for ISSUER / CONCERNED rights; `unit_id` the unit acted for under a
    UNIT right; `recipient_unit_ids` the notice's recipients for VIEW_NOTICE (read from the
    database when not given); `account` and `role` what a right over accounts touches, and
    `doing` how a refusal names the act (停用, 重置密码 …); `incoming` the 收文 of a RECEIVING
    right.
    """
    rule = RIGHTS[right]
    doing = doing or right.label
    if actor is None:
        return ALLOWED if rule.installer else Decision(False, f"{right.label}须由具体人员办理")
    if rule.scope == Scope.SERVER:
        return Decision(False, f"{doing}只能在服务器上办理（{SERVER_COMMAND}）")
    if not actor.active:
        return Decision(False, "该账号已停用")
    if rule.scope == Scope.SELF:
        return ALLOWED
    if rule.scope != Scope.ANYWHERE and actor.roles & ADMIN_ROLES:
        return Decision(False, THREE_DUTIES)
    if rule.scope == Scope.ANYWHERE:
        if not actor.roles & rule.roles:
            roles = "或".join(sorted(r.label for r in rule.roles))
            return Decision(False, f"只有{roles}可以{right.label}")
        if rule.on_accounts:
            return account_decision(actor, account, role, doing)
        return ALLOWED
    if rule.scope == Scope.UNIT:
        units = {unit_id} if unit_id is not None else set()
    elif rule.scope == Scope.RECEIVING:
        units = receiving_unit_ids(incoming)
        if right == Right.VIEW_INCOMING and _is_reader(actor, incoming):
            return ALLOWED
    elif rule.scope == Scope.ISSUER:
        units = {notice.issuer_unit_id}
    else:
        if recipient_unit_ids is None:
            recipient_unit_ids = _recipient_unit_ids(notice)
        units = {notice.issuer_unit_id} | set(recipient_unit_ids)
    held = {g.role for g in actor.grants if g.unit_id in units and g.role in rule.roles}
    if not held and right == Right.VIEW_NOTICE and _may_open_an_incoming_of(actor, notice):
        return ALLOWED
    if not held:
        return Decision(False, _missing_right_message(right, rule))
    if rule.own_only and notice is not None and notice.drafter_id != actor.id:
        return Decision(False, f"只有拟稿人本人可以{right.label}")
    return ALLOWED


def account_decision(actor: User, account: User | None, role: Role | None,
                     doing: str) -> Decision:
    """Through the web nobody changes their own account, nor an administrator's, nor grants or
    revokes an administrator role."""
    if account is not None and account.id == actor.id:
        return Decision(False, f"不能在网页上{doing}自己的账号")
    if account is not None and account.roles & ADMIN_ROLES:
        return Decision(False,
                        f"管理员账号不能在网页上{doing}，请在服务器上用 {SERVER_COMMAND} 命令办理")
    if role is not None and role in ADMIN_ROLES:
        return Decision(False, f"管理员角色只能在服务器上授予或撤销（{SERVER_COMMAND} grant / revoke）")
    return ALLOWED


def receiving_unit_ids(incoming: Incoming) -> set[int]:
    """The units that act on a 收文: the unit that received it and its internal departments."""
    session = object_session(incoming)
    departments = set() if session is None else set(session.scalars(
        select(Unit.id).where(Unit.parent_id == incoming.unit_id, Unit.internal.is_(True))))
    return {incoming.unit_id} | departments


def _is_reader(actor: User, incoming: Incoming) -> bool:
    return any(c.reader_id == actor.id and c.state != CirculationState.RECALLED
               for c in incoming.circulations)


def _incomings_opened_by(actor: User):
    """The 收文 `actor` may open besides those of the units they hold a role in: every 收文 of a
    unit whose internal department they hold a business role in, and the 收文 sent to them for
    reading (传阅, not recalled) — VIEW_INCOMING's rule, as a query of 收文 ids."""
    departments = select(Unit.parent_id).where(
        Unit.id.in_(business_unit_ids(actor)), Unit.internal.is_(True))
    reading = select(Circulation.incoming_id).where(
        Circulation.reader_id == actor.id, Circulation.state != CirculationState.RECALLED)
    return select(Incoming.id).where(or_(Incoming.unit_id.in_(departments),
                                         Incoming.id.in_(reading)))


def _may_open_an_incoming_of(actor: User, notice: Notice) -> bool:
    """Whether a 收文 made from `notice` is one `actor` may open: the notice is then theirs to
    read too (its page is where the 收文's 查看来文 leads)."""
    session = object_session(notice)
    if session is None or notice.id is None:
        return False
    return session.scalar(select(Incoming.id).where(
        Incoming.notice_id == notice.id, Incoming.id.in_(_incomings_opened_by(actor))).limit(1)) \
        is not None


def _recipient_unit_ids(notice: Notice) -> set[int]:
    session = object_session(notice)
    if session is None or notice.id is None:
        return set()
    return set(session.scalars(select(Receipt.unit_id).where(Receipt.notice_id == notice.id)))


def _missing_right_message(right: Right, rule: RightRule) -> str:
    roles = "或".join(sorted(r.label for r in rule.roles))
    if right == Right.VIEW_NOTICE:
        return "您无权查看该公文：只有发文单位、受文单位的业务人员和该文收文的传阅对象可以查看"
    if right == Right.START_DRAFT:
        return "您不是该单位的拟稿人，不能以该单位名义拟稿"
    if right == Right.MANAGE_SERIES:
        return "只有发文单位的文书可以管理发文字号"
    if right == Right.VIEW_INCOMING:
        return "您无权查看该收文：只有收文单位及其内设部门的人员和传阅对象可以查看"
    if rule.scope == Scope.ISSUER:
        return f"只有发文单位的{roles}可以{right.label}"
    return f"只有本单位的{roles}可以{right.label}"


def demand(actor: User | None, right: Right, **target) -> None:
    """Raise Forbidden unless `actor` may exercise `right` (see `may`)."""
    decision = may(actor, right, **target)
    if not decision:
        raise Forbidden(decision.reason, action=right.name)


def notice_visibility(actor: User | None):
    """A WHERE clause for the notices `actor` may see, by the VIEW_NOTICE right: a business role
    in the issuing unit or in a recipient unit, or a 收文 made from the notice that the actor may
    open (a department's people, a reader it was sent to — whatever their roles). None (a server
    command) sees every notice; the three administrators none (the auditor reads the trail, which
    names notices, not their content)."""
    if actor is None:
        return true()
    if not actor.active or actor.roles & ADMIN_ROLES:
        return false()
    units = business_unit_ids(actor)
    received = select(Receipt.notice_id).where(Receipt.unit_id.in_(units))
    incoming = select(Incoming.notice_id).where(Incoming.id.in_(_incomings_opened_by(actor)),
                                                Incoming.notice_id.is_not(None))
    return or_(Notice.issuer_unit_id.in_(units), Notice.id.in_(received), Notice.id.in_(incoming))


def sees_whole_notice(actor: User | None, notice: Notice) -> bool:
    """The issuing unit (and server commands) see every unit's progress and the whole trail; a
    recipient unit sees only its own receipt and reports, and no internal drafting notes."""
    return actor is None or notice.issuer_unit_id in business_unit_ids(actor)


# ----------------------------------------------------------------------------------------------
# The transitions of the machines.

def lifecycle_of(obj) -> lifecycle.Lifecycle:
    if isinstance(obj, Notice):
        return lifecycle.NOTICE
    if isinstance(obj, Receipt):
        return lifecycle.RECEIPT
    if isinstance(obj, Report):
        return lifecycle.REPORT
    if isinstance(obj, Incoming):
        return lifecycle.INCOMING
    if isinstance(obj, Circulation):
        return lifecycle.CIRCULATION
    raise TypeError(f"no lifecycle for {type(obj).__name__}")


def scope_unit_id(obj, role: Role) -> int:
    """The unit in which `role` must be held to act on `obj`."""
    if isinstance(obj, Notice):
        return obj.issuer_unit_id
    if isinstance(obj, Incoming):  # the handler acts in the 主办 department; the rest in the unit
        return obj.lead_unit_id if role == Role.HANDLER else obj.unit_id
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
        return Decision(False, THREE_DUTIES)
    if rule.party is not None:
        if getattr(obj, rule.party) == actor.id:
            return ALLOWED
        return Decision(False, _PARTY_MESSAGES[rule.party].format(action=rule.action.label))
    held = [role for role in rule.roles if actor.holds(role, scope_unit_id(obj, role))]
    if not held:
        return Decision(False, _missing_role_message(obj, rule))
    if isinstance(obj, Notice):
        return _notice_rules(actor, obj, action, held)
    if isinstance(obj, Report):
        return _report_rules(actor, obj, action)
    if isinstance(obj, Incoming) and held == [Role.HANDLER]:
        return _named_handler_rule(actor, obj, action)
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


def _report_rules(actor: User, report: Report, action) -> Decision:
    # The same rule as signing one's own draft: a receiver who is also the issuer's 督办 does not
    # judge the report they submitted.
    if action in (ReportAction.ACCEPT, ReportAction.RETURN) and report.submitted_by_id == actor.id:
        return Decision(False, "不能审核自己上报的报告")
    return ALLOWED


def _named_handler_rule(actor: User, incoming: Incoming, action) -> Decision:
    # A 承办人 named by name handles the 收文 alone; should they leave (deactivated), the
    # department's other 承办人 take it over rather than leave it stranded.
    lead = next((a for a in incoming.assignments if a.lead), None)
    person = lead.person if lead is not None else None
    if person is not None and person.active and person.id != actor.id:
        return Decision(False, f"该收文指定由{person.display_name}承办，只有本人可以{action.label}")
    return ALLOWED


_PARTY_MESSAGES = {
    "reader_id": "只有传阅对象本人可以标记{action}",
    "sent_by_id": "只有送阅人本人可以{action}",
}


def _missing_role_message(obj, rule: lifecycle.Rule) -> str:
    roles = "或".join(sorted(r.label for r in rule.roles)) or "系统"
    if isinstance(obj, Notice):
        return f"只有发文单位的{roles}可以{rule.action.label}"
    if isinstance(obj, Incoming):
        if rule.roles == {Role.HANDLER}:
            return f"只有主办部门的承办人可以{rule.action.label}"
        return f"只有{obj.unit.name}的{roles}可以{rule.action.label}"
    if Role.RECEIVER in rule.roles:
        return f"只能由{obj.unit.name}的{roles}{rule.action.label}"
    return f"只有发文单位的{roles}可以{rule.action.label}"


def require(actor: User | None, obj, action, rule: lifecycle.Rule | None = None) -> None:
    """Raise Forbidden unless `actor` may take `action` on `obj`."""
    decision = can(actor, obj, action, rule)
    if not decision:
        raise Forbidden(decision.reason, action=getattr(action, "name", str(action)))


def available_actions(actor: User | None, obj) -> list:
    """The actions `actor` may take on `obj` now: state, route, guards and permission all allow."""
    lc = lifecycle_of(obj)
    actions = []
    for rule in lc.rules_from(obj.state):
        if rule.action in actions or (rule.when is not None and not rule.when.check(obj)):
            continue
        if not rule.roles and rule.party is None:  # system-only rows are never offered to people
            continue
        if lc.failed_guard(rule, obj, offering=True) is None and can(actor, obj, rule.action,
                                                                     rule):
            actions.append(rule.action)
    return actions
