"""The lifecycles as data, and the one place that drives the `transitions` library.

Owns: the transition tables of the five machines (notice, receipt, report; a 收文 inside the unit
that received it, and one reader's copy of it in circulation): for every action the source state,
the target state, who may fire it (roles, or the person the row names), whether a reason is required, the guards (named
pure functions of the row, each with the message shown when it fails), the branch conditions of a
route, and the cascades an action carries to child rows. Builds one `transitions.Machine` per
table, once, with `model=None`, and fires events statelessly on a loaded row.

Must not: touch the database, check who the actor is (permissions.py), or write audit entries
(commands._advance). `transitions` callbacks do nothing but set the state: the library does not
roll back, so every side effect lives in the caller's transaction.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from transitions import Machine, MachineError

from workflow import checks
from workflow.errors import InvalidState
from workflow.states import INCOMING_OPEN as STILL_OPEN
from workflow.states import (
    CirculationAction as CA,
)
from workflow.states import (
    CirculationState as CS,
)
from workflow.states import (
    IncomingAction as IA,
)
from workflow.states import (
    IncomingKind,
    RecipientKind,
    Role,
)
from workflow.states import (
    IncomingState as IS,
)
from workflow.states import (
    NoticeAction as NA,
)
from workflow.states import (
    NoticeState as NS,
)
from workflow.states import (
    ReceiptAction as RA,
)
from workflow.states import (
    ReceiptState as RS,
)
from workflow.states import (
    ReportAction as PA,
)
from workflow.states import (
    ReportState as PS,
)


@dataclass(frozen=True)
class Guard:
    """A condition that must hold for an action; `message` tells the user why it does not."""

    name: str
    check: Callable[[object], bool]
    message: str
    holds: str = ""  # what must be true, for the documentation
    # Judged on what the action itself supplies (the kind chosen at 拟办, the 办理结果 written at
    # 办结): the button is offered without it, and the action is refused until it is given.
    supplied: bool = False


@dataclass(frozen=True)
class Cascade:
    """An action's effect on child rows: children in `sources` of `scope` move to `dest`.

    scope: "notice" (every child of the notice), "main" (children of 主送 units only),
    "unit" (the children of the acting row's notice and unit).
    """

    child: str  # "receipt" or "report"
    action: enum.Enum
    sources: tuple
    dest: enum.Enum
    scope: str


@dataclass(frozen=True)
class Rule:
    """One row of a transition table."""

    action: enum.Enum
    source: enum.Enum
    dest: enum.Enum
    roles: frozenset[Role] = frozenset()
    system: bool = False  # the engine itself (auto-close, the tick) may fire it
    reason_required: bool = False
    guards: tuple[Guard, ...] = ()
    when: Guard | None = None  # a route's branch: this row applies only when it holds
    cascades: tuple[Cascade, ...] = ()
    idempotent: bool = False  # firing it again in the target state is a no-op, not an error
    # Instead of a role: the person the row names in this field acts ("reader_id": the reader
    # marks their own copy read; "sent_by_id": whoever sent it recalls or waives it).
    party: str | None = None


# ----------------------------------------------------------------------------------------------
# Guards and branch conditions: pure functions of a loaded row.

def _route_has_review(notice) -> bool:
    return bool(notice.issuer.review_required)


def _route_skips_review(notice) -> bool:
    return not notice.issuer.review_required


def _nobody_has_acted(notice) -> bool:
    # The drafter's submit is the last thing that happened: no reviewer or signatory has acted.
    return notice.last_action == NA.SUBMIT


def _has_main_recipient(notice) -> bool:
    return any(a.kind == RecipientKind.MAIN for a in notice.addressees)


def _has_title_and_body(notice) -> bool:
    return bool((notice.title or "").strip()) and bool((notice.body or "").strip())


def _passes_rule_checks(notice) -> bool:
    return not checks.has_errors(checks.check_notice(notice))


def _parent_notice_is_open(child) -> bool:
    return child.notice.state in (NS.ISSUED, NS.CLOSED)


def _parent_notice_is_issued(child) -> bool:
    return child.notice.state == NS.ISSUED


def _unit_has_signed_for(report) -> bool:
    return report.receipt is not None and report.receipt.state == RS.ACKNOWLEDGED


ROUTE_HAS_REVIEW = Guard("route_has_review", _route_has_review, "本单位的发文流程含核稿",
                         "发文单位的流程含核稿")
ROUTE_SKIPS_REVIEW = Guard("route_skips_review", _route_skips_review, "本单位的发文流程不经核稿",
                           "发文单位的流程不经核稿")
NOBODY_HAS_ACTED = Guard(
    "nobody_has_acted", _nobody_has_acted, "已有人处理该公文，不能撤回",
    "提交后尚无人处理"
)
HAS_MAIN_RECIPIENT = Guard(
    "has_main_recipient", _has_main_recipient, "主送机关不能为空：请至少选择一个主送单位或单位组",
    "有主送机关"
)
HAS_TITLE_AND_BODY = Guard(
    "has_title_and_body", _has_title_and_body, "标题和正文不能为空", "标题和正文齐全"
)
PASSES_RULE_CHECKS = Guard(
    "passes_rule_checks", _passes_rule_checks,
    "规范检查发现错误，请先按“规范检查”中的提示修改，再提交", "规范检查无错误"
)
NOTICE_IS_OPEN = Guard(
    "notice_is_open", _parent_notice_is_open, "该公文已撤销、废止或归档，不能再办理",
    "公文已印发或已办结"
)
NOTICE_IS_ISSUED = Guard(
    "notice_is_issued", _parent_notice_is_issued, "该公文已办结、撤销或废止，不能再办理",
    "公文处于已印发状态"
)
UNIT_HAS_SIGNED_FOR = Guard(
    "unit_has_signed_for", _unit_has_signed_for, "请先签收该公文，再上报报告",
    "本单位已签收该公文"
)

# The 收文 machine's guards. An Incoming row carries its unit, kind, assignments, circulations
# and (through Gongwen) its unit's reports on the notice.

def _reading_skips_instruction(incoming) -> bool:
    return incoming.kind == IncomingKind.TO_READ and not incoming.unit.reading_needs_instruction


def _goes_to_instruction(incoming) -> bool:
    return not _reading_skips_instruction(incoming)


def _is_to_handle(incoming) -> bool:
    return incoming.kind == IncomingKind.TO_HANDLE


def _is_to_read(incoming) -> bool:
    return incoming.kind == IncomingKind.TO_READ


def _has_kind(incoming) -> bool:
    return incoming.kind is not None


def _handler_named(incoming) -> bool:
    return incoming.kind != IncomingKind.TO_HANDLE or incoming.lead_unit_id is not None


def _deadline_within_source(incoming) -> bool:
    # The unit's own deadline leaves time to answer the source's earliest report deadline.
    dues = [r.request.due_date for r in incoming.reports if r.request.due_date is not None]
    return incoming.deadline is None or not dues or incoming.deadline <= min(dues)


def _readers_done(incoming) -> bool:
    return not any(c.required and c.state == CS.PENDING for c in incoming.circulations)


def _reply_in(incoming) -> bool:
    # 答复: every report the source asks of this unit has gone up (or no longer is owed).
    return not any(r.state == PS.DUE for r in incoming.reports)


def _result_recorded(incoming) -> bool:
    return bool((incoming.result or "").strip())


def _incoming_open(circulation) -> bool:
    return circulation.incoming.state in STILL_OPEN


def _incoming_not_archived(circulation) -> bool:
    return circulation.incoming.state != IS.ARCHIVED


READING_SKIPS_INSTRUCTION = Guard(
    "reading_skips_instruction", _reading_skips_instruction, "本单位的阅件不经批办",
    "阅件且本单位的阅件不经批办")
GOES_TO_INSTRUCTION = Guard(
    "goes_to_instruction", _goes_to_instruction, "本单位的收文须经领导批办",
    "办件，或本单位的阅件须经批办")
IS_TO_HANDLE = Guard("is_to_handle", _is_to_handle, "该收文不是办件", "办件")
IS_TO_READ = Guard("is_to_read", _is_to_read, "该收文不是阅件", "阅件")
HAS_KIND = Guard("has_kind", _has_kind, "请选择办件或阅件", "已定为办件或阅件", supplied=True)
HANDLER_NAMED = Guard(
    "handler_named", _handler_named, "办件必须指定主办部门", "办件已指定主办部门", supplied=True)
DEADLINE_WITHIN_SOURCE = Guard(
    "deadline_within_source", _deadline_within_source,
    "办理时限不能晚于来文要求的上报时限", "办理时限不晚于来文的上报时限", supplied=True)
READERS_DONE = Guard(
    "readers_done", _readers_done, "还有必须阅知的人员未阅，请催阅或由传阅人免阅后再办结",
    "必阅人员均已阅或已免阅")
REPLY_IN = Guard(
    "reply_in", _reply_in, "来文要求上报的报告尚未上报，请先上报再办结", "来文要求的报告已上报")
RESULT_RECORDED = Guard(
    "result_recorded", _result_recorded, "办结前请填写办理结果", "已填写办理结果", supplied=True)
INCOMING_OPEN = Guard(
    "incoming_open", _incoming_open, "该收文已办结，传阅不能再更改", "收文尚未办结")
INCOMING_NOT_ARCHIVED = Guard(
    "incoming_not_archived", _incoming_not_archived, "该收文已归档", "收文尚未归档")

# ----------------------------------------------------------------------------------------------
# The tables.

_OUTSTANDING_REPORTS = (PS.DUE, PS.SUBMITTED)

_WAIVE_OUTSTANDING = (
    Cascade("receipt", RA.WAIVE, (RS.PENDING,), RS.WAIVED, "main"),
    Cascade("report", PA.WAIVE, _OUTSTANDING_REPORTS, PS.WAIVED, "notice"),
)
_VOID_OUTSTANDING = (
    Cascade("receipt", RA.VOID, (RS.PENDING,), RS.VOIDED, "notice"),
    Cascade("report", PA.VOID, _OUTSTANDING_REPORTS, PS.VOIDED, "notice"),
)

D, R, S, C, V = Role.DRAFTER, Role.REVIEWER, Role.SIGNATORY, Role.CLERK, Role.SUPERVISOR

NOTICE_RULES: tuple[Rule, ...] = (
    Rule(NA.SUBMIT, NS.DRAFT, NS.IN_REVIEW, frozenset({D}),
         guards=(HAS_TITLE_AND_BODY, HAS_MAIN_RECIPIENT, PASSES_RULE_CHECKS),
         when=ROUTE_HAS_REVIEW),
    Rule(NA.SUBMIT, NS.DRAFT, NS.AWAITING_SIGNOFF, frozenset({D}),
         guards=(HAS_TITLE_AND_BODY, HAS_MAIN_RECIPIENT, PASSES_RULE_CHECKS),
         when=ROUTE_SKIPS_REVIEW),
    Rule(NA.PASS_REVIEW, NS.IN_REVIEW, NS.AWAITING_SIGNOFF, frozenset({R})),
    Rule(NA.RETURN, NS.IN_REVIEW, NS.DRAFT, frozenset({R}), reason_required=True),
    Rule(NA.RETURN, NS.AWAITING_SIGNOFF, NS.DRAFT, frozenset({S}), reason_required=True),
    Rule(NA.WITHDRAW, NS.IN_REVIEW, NS.DRAFT, frozenset({D}), guards=(NOBODY_HAS_ACTED,)),
    Rule(NA.WITHDRAW, NS.AWAITING_SIGNOFF, NS.DRAFT, frozenset({D}), guards=(NOBODY_HAS_ACTED,)),
    Rule(NA.CANCEL, NS.DRAFT, NS.CANCELLED, frozenset({D})),
    Rule(NA.SIGN, NS.AWAITING_SIGNOFF, NS.SIGNED, frozenset({S})),
    Rule(NA.AMEND, NS.SIGNED, NS.AWAITING_SIGNOFF, frozenset({D, C}), reason_required=True,
         guards=(HAS_TITLE_AND_BODY, HAS_MAIN_RECIPIENT, PASSES_RULE_CHECKS)),
    Rule(NA.ISSUE, NS.SIGNED, NS.ISSUED, frozenset({C}), guards=(HAS_MAIN_RECIPIENT,)),
    Rule(NA.CLOSE, NS.ISSUED, NS.CLOSED, frozenset({V}), system=True, reason_required=True,
         cascades=_WAIVE_OUTSTANDING),
    Rule(NA.ARCHIVE, NS.CLOSED, NS.ARCHIVED, frozenset({C}),
         cascades=(Cascade("receipt", RA.WAIVE, (RS.PENDING,), RS.WAIVED, "notice"),)),
    Rule(NA.ARCHIVE, NS.REVOKED, NS.ARCHIVED, frozenset({C})),
    Rule(NA.ARCHIVE, NS.ABOLISHED, NS.ARCHIVED, frozenset({C})),
    Rule(NA.REVOKE, NS.ISSUED, NS.REVOKED, frozenset({S}), reason_required=True,
         cascades=_VOID_OUTSTANDING),
    Rule(NA.REVOKE, NS.CLOSED, NS.REVOKED, frozenset({S}), reason_required=True,
         cascades=_VOID_OUTSTANDING),
    Rule(NA.ABOLISH, NS.ISSUED, NS.ABOLISHED, frozenset({S}), reason_required=True,
         cascades=_VOID_OUTSTANDING),
    Rule(NA.ABOLISH, NS.CLOSED, NS.ABOLISHED, frozenset({S}), reason_required=True,
         cascades=_VOID_OUTSTANDING),
)

RECEIPT_RULES: tuple[Rule, ...] = (
    Rule(RA.ACKNOWLEDGE, RS.PENDING, RS.ACKNOWLEDGED, frozenset({Role.RECEIVER}),
         guards=(NOTICE_IS_OPEN,), idempotent=True),
    Rule(RA.REJECT, RS.PENDING, RS.REJECTED, frozenset({Role.RECEIVER}), reason_required=True,
         guards=(NOTICE_IS_ISSUED,),
         cascades=(Cascade("report", PA.VOID, _OUTSTANDING_REPORTS, PS.VOIDED, "unit"),)),
    # 退文处理: the issuing unit's clerk (the receipt's issuer, `permissions.scope_unit_id`)
    # closes the loop a return opened. 改发 and 补发 send something out, so only while the notice
    # is being handled; agreeing with a return also after a supervisor closed the notice.
    Rule(RA.REDIRECT, RS.REJECTED, RS.REDIRECTED, frozenset({C}), guards=(NOTICE_IS_ISSUED,)),
    Rule(RA.RESEND, RS.REJECTED, RS.PENDING, frozenset({C}), reason_required=True,
         guards=(NOTICE_IS_ISSUED,),
         cascades=(Cascade("report", PA.RESEND, (PS.VOIDED,), PS.DUE, "unit"),)),
    Rule(RA.CONFIRM_RETURN, RS.REJECTED, RS.RETURN_CONFIRMED, frozenset({C}),
         guards=(NOTICE_IS_OPEN,)),
    # Fired only as cascades of a notice action (in bulk); listed so the table is complete.
    Rule(RA.WAIVE, RS.PENDING, RS.WAIVED, system=True),
    Rule(RA.VOID, RS.PENDING, RS.VOIDED, system=True),
)

REPORT_RULES: tuple[Rule, ...] = (
    Rule(PA.SUBMIT, PS.DUE, PS.SUBMITTED, frozenset({Role.RECEIVER}),
         guards=(NOTICE_IS_ISSUED, UNIT_HAS_SIGNED_FOR)),
    Rule(PA.ACCEPT, PS.SUBMITTED, PS.ACCEPTED, frozenset({V}), guards=(NOTICE_IS_ISSUED,)),
    Rule(PA.RETURN, PS.SUBMITTED, PS.DUE, frozenset({V}), reason_required=True,
         guards=(NOTICE_IS_ISSUED,)),
    Rule(PA.RESEND, PS.VOIDED, PS.DUE, system=True),  # carried by the receipt's 补发
    Rule(PA.WAIVE, PS.DUE, PS.WAIVED, system=True),
    Rule(PA.WAIVE, PS.SUBMITTED, PS.WAIVED, system=True),
    Rule(PA.VOID, PS.DUE, PS.VOIDED, system=True),
    Rule(PA.VOID, PS.SUBMITTED, PS.VOIDED, system=True),
)


PROPOSER, INSTRUCTOR, HANDLER = Role.PROPOSER, Role.INSTRUCTOR, Role.HANDLER
_PROPOSAL_GUARDS = (HAS_KIND, HANDLER_NAMED, DEADLINE_WITHIN_SOURCE)

INCOMING_RULES: tuple[Rule, ...] = (
    Rule(IA.PROPOSE, IS.REGISTERED, IS.PROPOSED, frozenset({PROPOSER}),
         guards=_PROPOSAL_GUARDS, when=GOES_TO_INSTRUCTION),
    Rule(IA.PROPOSE, IS.REGISTERED, IS.IN_HAND, frozenset({PROPOSER}),
         guards=_PROPOSAL_GUARDS, when=READING_SKIPS_INSTRUCTION),
    Rule(IA.INSTRUCT, IS.PROPOSED, IS.IN_HAND, frozenset({INSTRUCTOR}),
         guards=(HANDLER_NAMED, DEADLINE_WITHIN_SOURCE)),
    Rule(IA.RETURN, IS.PROPOSED, IS.REGISTERED, frozenset({INSTRUCTOR}), reason_required=True),
    Rule(IA.FINISH, IS.IN_HAND, IS.DONE, frozenset({HANDLER}), when=IS_TO_HANDLE,
         guards=(RESULT_RECORDED, READERS_DONE, REPLY_IN)),
    Rule(IA.FINISH, IS.IN_HAND, IS.DONE, frozenset({PROPOSER}), when=IS_TO_READ,
         guards=(READERS_DONE,)),
    Rule(IA.ARCHIVE, IS.DONE, IS.ARCHIVED, frozenset({Role.RECEIVER, C})),
)

CIRCULATION_RULES: tuple[Rule, ...] = (
    Rule(CA.READ, CS.PENDING, CS.READ, party="reader_id", guards=(INCOMING_NOT_ARCHIVED,),
         idempotent=True),
    Rule(CA.RECALL, CS.PENDING, CS.RECALLED, party="sent_by_id", guards=(INCOMING_OPEN,)),
    Rule(CA.WAIVE, CS.PENDING, CS.WAIVED, party="sent_by_id", reason_required=True,
         guards=(INCOMING_OPEN,)),
)


@dataclass
class Lifecycle:
    """One machine: its states, its table, and a `transitions.Machine` built once from them."""

    name: str
    label: str
    states: type[enum.Enum]
    actions: type[enum.Enum]
    initial: enum.Enum
    rules: tuple[Rule, ...]
    machine: Machine = field(init=False, repr=False)

    def __post_init__(self):
        self.machine = Machine(
            model=None,
            states=list(self.states),
            initial=self.initial,
            transitions=[self._transition(rule) for rule in self.rules],
            auto_transitions=False,
            send_event=True,
            model_attribute="state",
        )

    @staticmethod
    def _transition(rule: Rule) -> dict:
        # Only a route's branch is a condition of the machine: it picks which of two rows with
        # the same action and source applies. The guards were judged once already by the caller
        # (`failed_guard`, which names the one that failed); judging them again here would run
        # each guard's queries twice per transition.
        conditions = [_condition(rule.when)] if rule.when is not None else []
        return {
            "trigger": rule.action.name,
            "source": rule.source,
            "dest": rule.dest,
            "conditions": conditions,
        }

    def rules_from(self, state) -> list[Rule]:
        """Every row of the table whose source is `state`."""
        return [r for r in self.rules if r.source == state]

    def rule_for(self, row, action) -> Rule:
        """The row of the table that `action` takes from `row`'s state, or InvalidState."""
        for rule in self.rules:
            if rule.action == action and rule.source == row.state and (
                rule.when is None or rule.when.check(row)
            ):
                return rule
        if any(r.action == action and r.dest == row.state and r.idempotent for r in self.rules):
            return next(r for r in self.rules if r.action == action and r.idempotent)
        raise InvalidState(
            f"该{self.label}{row.state.label}，不能{action.label}",
            state=row.state.name, action=action.name,
        )

    def failed_guard(self, rule: Rule, row, *, offering: bool = False) -> Guard | None:
        """The first guard of `rule` that does not hold for `row`, if any. When `offering` the
        action (a button), the guards on what the action itself supplies are not judged yet."""
        return next((g for g in rule.guards
                     if not (offering and g.supplied) and not g.check(row)), None)

    def fire(self, row, action) -> None:
        """Move `row` by `action` through the machine, whose guards the caller has judged
        (`failed_guard`). The row is never left attached to the machine."""
        try:
            fired = self.machine.events[action.name].trigger(row)
        except MachineError as error:  # state not a source of the action
            raise InvalidState(f"该{self.label}{row.state.label}，不能{action.label}") from error
        if not fired:  # a condition failed: never a silent no-op
            raise InvalidState(f"该{self.label}{row.state.label}，现在不能{action.label}")


def _condition(guard: Guard) -> Callable:
    def condition(event) -> bool:
        return guard.check(event.model)

    condition.__name__ = guard.name
    return condition


NOTICE = Lifecycle("notice", "公文", NS, NA, NS.DRAFT, NOTICE_RULES)
RECEIPT = Lifecycle("receipt", "收文", RS, RA, RS.PENDING, RECEIPT_RULES)
REPORT = Lifecycle("report", "报告", PS, PA, PS.DUE, REPORT_RULES)
INCOMING = Lifecycle("incoming", "收文", IS, IA, IS.REGISTERED, INCOMING_RULES)
CIRCULATION = Lifecycle("circulation", "传阅件", CS, CA, CS.PENDING, CIRCULATION_RULES)
LIFECYCLES = {lc.name: lc for lc in (NOTICE, RECEIPT, REPORT, INCOMING, CIRCULATION)}


def to_mermaid(lifecycle: Lifecycle) -> str:
    """The state picture of a lifecycle as a Mermaid diagram, generated from its table."""
    lines = ["stateDiagram-v2", f"    [*] --> {lifecycle.initial.name}"]
    for state in lifecycle.states:
        lines.append(f"    {state.name} : {state.name} {state.label}")
    labels: dict[tuple, list[str]] = {}
    for rule in lifecycle.rules:
        key = (rule.source, rule.dest, rule.action)
        if rule.when is not None:
            labels.setdefault(key, []).append(rule.when.holds)
        else:
            labels.setdefault(key, [])
    for (source, dest, action), branches in labels.items():
        label = action.label + (f"（{'；或'.join(branches)}）" if branches else "")
        lines.append(f"    {source.name} --> {dest.name} : {label}")
    return "\n".join(lines)


def to_dot(lifecycle: Lifecycle, current=None) -> str:
    """The state picture as Graphviz DOT, with `current` (a state) highlighted."""
    lines = [
        f'digraph "{lifecycle.name}" {{',
        '  rankdir=LR; node [shape=box, style="rounded", fontname="Noto Sans CJK SC"];',
        '  edge [fontname="Noto Sans CJK SC", fontsize=10];',
    ]
    for state in lifecycle.states:
        extra = ', style="rounded,filled", fillcolor="#c62828", fontcolor="white"' \
            if state == current else ""
        lines.append(f'  {state.name} [label="{state.label}"{extra}];')
    for rule in lifecycle.rules:
        lines.append(f'  {rule.source.name} -> {rule.dest.name} [label="{rule.action.label}"];')
    lines.append("}")
    return "\n".join(lines)
