"""The facts of who may do what, written out by hand and compared with the engine's tables.

Nothing here is read from `lifecycle.py` or `permissions.py` to decide what is right: each row is
the rule as DESIGN.md and the 条例 state it. A change to a table that these rows do not also show
is a change of the rules, and must be made here too, on purpose.
"""

from __future__ import annotations

from workflow import lifecycle
from workflow.permissions import RIGHTS, Right, Scope

# (source, action, target, roles, the engine itself may fire it, reason required, guards, branch)
NOTICE_FACTS = {
    ("DRAFT", "SUBMIT", "IN_REVIEW", frozenset({"DRAFTER"}), False, False,
     ("has_title_and_body", "has_main_recipient", "passes_rule_checks"), "route_has_review"),
    ("DRAFT", "SUBMIT", "AWAITING_SIGNOFF", frozenset({"DRAFTER"}), False, False,
     ("has_title_and_body", "has_main_recipient", "passes_rule_checks"), "route_skips_review"),
    ("IN_REVIEW", "PASS_REVIEW", "AWAITING_SIGNOFF", frozenset({"REVIEWER"}), False, False, (),
     None),
    ("IN_REVIEW", "RETURN", "DRAFT", frozenset({"REVIEWER"}), False, True, (), None),
    ("AWAITING_SIGNOFF", "RETURN", "DRAFT", frozenset({"SIGNATORY"}), False, True, (), None),
    ("IN_REVIEW", "WITHDRAW", "DRAFT", frozenset({"DRAFTER"}), False, False,
     ("nobody_has_acted",), None),
    ("AWAITING_SIGNOFF", "WITHDRAW", "DRAFT", frozenset({"DRAFTER"}), False, False,
     ("nobody_has_acted",), None),
    ("DRAFT", "CANCEL", "CANCELLED", frozenset({"DRAFTER"}), False, False, (), None),
    ("AWAITING_SIGNOFF", "SIGN", "SIGNED", frozenset({"SIGNATORY"}), False, False, (), None),
    ("SIGNED", "AMEND", "AWAITING_SIGNOFF", frozenset({"DRAFTER", "CLERK"}), False, True,
     ("has_title_and_body", "has_main_recipient", "passes_rule_checks"), None),
    ("SIGNED", "ISSUE", "ISSUED", frozenset({"CLERK"}), False, False, ("has_main_recipient",),
     None),
    ("ISSUED", "CLOSE", "CLOSED", frozenset({"SUPERVISOR"}), True, True, (), None),
    ("CLOSED", "ARCHIVE", "ARCHIVED", frozenset({"CLERK"}), False, False, (), None),
    ("REVOKED", "ARCHIVE", "ARCHIVED", frozenset({"CLERK"}), False, False, (), None),
    ("ABOLISHED", "ARCHIVE", "ARCHIVED", frozenset({"CLERK"}), False, False, (), None),
    ("ISSUED", "REVOKE", "REVOKED", frozenset({"SIGNATORY"}), False, True, (), None),
    ("CLOSED", "REVOKE", "REVOKED", frozenset({"SIGNATORY"}), False, True, (), None),
    ("ISSUED", "ABOLISH", "ABOLISHED", frozenset({"SIGNATORY"}), False, True, (), None),
    ("CLOSED", "ABOLISH", "ABOLISHED", frozenset({"SIGNATORY"}), False, True, (), None),
}

RECEIPT_FACTS = {
    ("PENDING", "ACKNOWLEDGE", "ACKNOWLEDGED", frozenset({"RECEIVER"}), False, False,
     ("notice_is_open",), None),
    ("PENDING", "REJECT", "REJECTED", frozenset({"RECEIVER"}), False, True,
     ("notice_is_issued",), None),
    # 退文处理: the issuing unit's clerk answers a return. 改发 and 补发 send the notice out again,
    # so only while it is being handled; 补发 says why the unit must handle it after all.
    ("REJECTED", "REDIRECT", "REDIRECTED", frozenset({"CLERK"}), False, False,
     ("notice_is_issued",), None),
    ("REJECTED", "RESEND", "PENDING", frozenset({"CLERK"}), False, True,
     ("notice_is_issued",), None),
    ("REJECTED", "CONFIRM_RETURN", "RETURN_CONFIRMED", frozenset({"CLERK"}), False, False,
     ("notice_is_open",), None),
    ("PENDING", "WAIVE", "WAIVED", frozenset(), True, False, (), None),
    ("PENDING", "VOID", "VOIDED", frozenset(), True, False, (), None),
}

REPORT_FACTS = {
    # A unit reports only once it has signed for the notice: a guard of the table, so that the
    # button is never offered before it would succeed.
    ("DUE", "SUBMIT", "SUBMITTED", frozenset({"RECEIVER"}), False, False,
     ("notice_is_issued", "unit_has_signed_for"), None),
    ("SUBMITTED", "ACCEPT", "ACCEPTED", frozenset({"SUPERVISOR"}), False, False,
     ("notice_is_issued",), None),
    ("SUBMITTED", "RETURN", "DUE", frozenset({"SUPERVISOR"}), False, True,
     ("notice_is_issued",), None),
    ("VOIDED", "RESEND", "DUE", frozenset(), True, False, (), None),  # a 补发 owes it again
    ("DUE", "WAIVE", "WAIVED", frozenset(), True, False, (), None),
    ("SUBMITTED", "WAIVE", "WAIVED", frozenset(), True, False, (), None),
    ("DUE", "VOID", "VOIDED", frozenset(), True, False, (), None),
    ("SUBMITTED", "VOID", "VOIDED", frozenset(), True, False, (), None),
}


def _as_facts(table: lifecycle.Lifecycle) -> set[tuple]:
    return {
        (r.source.name, r.action.name, r.dest.name, frozenset(x.name for x in r.roles), r.system,
         r.reason_required, tuple(g.name for g in r.guards), r.when.name if r.when else None)
        for r in table.rules
    }


def test_the_notice_table_is_exactly_the_rules_written_by_hand():
    assert _as_facts(lifecycle.NOTICE) == NOTICE_FACTS


def test_the_receipt_table_is_exactly_the_rules_written_by_hand():
    assert _as_facts(lifecycle.RECEIPT) == RECEIPT_FACTS


def test_the_report_table_is_exactly_the_rules_written_by_hand():
    assert _as_facts(lifecycle.REPORT) == REPORT_FACTS


def test_only_signing_for_and_marking_a_copy_read_are_idempotent():
    idempotent = {(lc.name, r.action.name) for lc in lifecycle.LIFECYCLES.values()
                  for r in lc.rules if r.idempotent}
    assert idempotent == {("receipt", "ACKNOWLEDGE"), ("circulation", "READ")}


# (roles, where they must be held, only on one's own object, server commands hold it too, a right
# over people's accounts: never one's own, an administrator's or an administrator role on the web)
BUSINESS = frozenset({"DRAFTER", "REVIEWER", "SIGNATORY", "CLERK", "RECEIVER", "SUPERVISOR",
                      "PROPOSER", "INSTRUCTOR", "HANDLER"})
RIGHT_FACTS = {
    "VIEW_NOTICE": (BUSINESS, "CONCERNED", False, True, False),
    "START_DRAFT": (frozenset({"DRAFTER"}), "UNIT", False, False, False),
    "EDIT_DRAFT": (frozenset({"DRAFTER"}), "ISSUER", True, False, False),
    "MANAGE_SERIES": (frozenset({"CLERK"}), "UNIT", False, False, False),
    "REMIND": (frozenset({"SUPERVISOR"}), "ISSUER", False, True, False),
    "SET_REMIND_INTERVAL": (frozenset({"SUPERVISOR"}), "ISSUER", False, False, False),
    "CLOSE_BY_HAND": (frozenset({"SUPERVISOR"}), "ISSUER", False, False, False),
    "HANDLE_RETURN": (frozenset({"CLERK"}), "ISSUER", False, False, False),
    "MANAGE_UNITS": (frozenset({"ADMIN"}), "ANYWHERE", False, True, False),
    "MANAGE_USERS": (frozenset({"ADMIN"}), "ANYWHERE", False, True, True),
    "MANAGE_CALENDAR": (frozenset({"ADMIN"}), "ANYWHERE", False, True, False),
    "SET_SEAL": (frozenset({"ADMIN"}), "ANYWHERE", False, True, False),
    "GRANT_ROLES": (frozenset({"SECURITY_OFFICER"}), "ANYWHERE", False, True, True),
    "RESET_PASSWORDS": (frozenset({"SECURITY_OFFICER"}), "ANYWHERE", False, True, True),
    "SET_LOGIN_POLICY": (frozenset({"SECURITY_OFFICER"}), "ANYWHERE", False, True, False),
    "READ_AUDIT_TRAIL": (frozenset({"AUDITOR"}), "ANYWHERE", False, True, False),
    # Any account reads its own notifications (the query asks for the owner).
    "READ_OWN_NOTIFICATIONS": (frozenset(), "SELF", False, False, False),
    # Any account keeps what it typed into a form and has not saved (only its own).
    "KEEP_TYPED_WORK": (frozenset(), "SELF", False, False, False),
    # Only the operator on the server: nobody through the web.
    "SET_PASSWORD": (frozenset(), "SERVER", False, True, False),
    "RESET_SECOND_FACTOR": (frozenset(), "SERVER", False, True, False),
    # 收文办理, inside the receiving unit and its internal departments.
    "REGISTER_INCOMING": (frozenset({"RECEIVER"}), "UNIT", False, False, False),
    "VIEW_REGISTER": (frozenset({"RECEIVER", "PROPOSER", "INSTRUCTOR", "CLERK"}), "UNIT", False,
                      False, False),
    "VIEW_INCOMING": (BUSINESS, "RECEIVING", False, True, False),
    "CIRCULATE": (frozenset({"PROPOSER", "INSTRUCTOR", "HANDLER"}), "RECEIVING", False, False,
                  False),
    "REMIND_READERS": (frozenset({"PROPOSER", "INSTRUCTOR", "HANDLER"}), "RECEIVING", False,
                       False, False),
    "FORWARD": (frozenset({"DRAFTER"}), "UNIT", False, False, False),
    # The units' signing keys: the security officer's duty, or the operator's on the server.
    "MANAGE_SIGNING_KEYS": (frozenset({"SECURITY_OFFICER"}), "ANYWHERE", False, True, False),
    # Checking a file one holds: any account.
    "VERIFY_DOCUMENT": (frozenset(), "SELF", False, True, False),
}


def test_every_right_beyond_the_machines_is_named_with_the_roles_written_by_hand():
    table = {right.name: (frozenset(r.name for r in rule.roles), rule.scope.name, rule.own_only,
                          rule.installer, rule.on_accounts)
             for right, rule in RIGHTS.items()}
    assert table == RIGHT_FACTS
    assert set(RIGHTS) == set(Right)


def test_no_business_right_is_held_by_an_administrator_duty_and_no_duty_right_by_business():
    administrators = {"ADMIN", "SECURITY_OFFICER", "AUDITOR"}
    for name, (roles, scope, *_) in RIGHT_FACTS.items():
        if scope in ("SELF", "SERVER"):
            assert roles == frozenset(), name
        elif scope == "ANYWHERE":
            assert roles <= administrators, name
        else:
            assert not roles & administrators, name
    assert {s.name for s in Scope} == {"ISSUER", "UNIT", "CONCERNED", "ANYWHERE", "SELF",
                                       "SERVER", "RECEIVING"}


def test_the_machines_judge_only_a_routes_branch_and_leave_the_guards_to_the_choke_point():
    """A guard is judged once per transition, by `_advance` (which names the one that failed);
    the machine's only condition is the branch that picks between two rows of one action."""
    conditions = {}
    for lc in lifecycle.LIFECYCLES.values():
        for name, event in lc.machine.events.items():
            for source, transitions in event.transitions.items():
                for t in transitions:
                    names = tuple(c.func.__name__ for c in t.conditions)
                    if names:  # two rows of one action to one state: both branches
                        key = (lc.name, name, source, t.dest)
                        conditions[key] = conditions.get(key, ()) + names
    assert conditions == {
        ("notice", "SUBMIT", "DRAFT", "IN_REVIEW"): ("route_has_review",),
        ("notice", "SUBMIT", "DRAFT", "AWAITING_SIGNOFF"): ("route_skips_review",),
        ("incoming", "PROPOSE", "REGISTERED", "PROPOSED"): ("goes_to_instruction",),
        ("incoming", "PROPOSE", "REGISTERED", "IN_HAND"): ("reading_skips_instruction",),
        ("incoming", "FINISH", "IN_HAND", "DONE"): ("is_to_handle", "is_to_read"),
    }
