"""Every endpoint, every role: who may use each page, and what everybody else gets.

The table below lists every endpoint of `app.url_map`; an endpoint missing from it fails the test,
so a new page cannot arrive without its access rule. For each endpoint and each person:
- an anonymous visitor is sent to the login page;
- a person whose role the table names gets the page (GET: 200) or has the action taken up
  (POST: neither 403 nor 404 — the engine may still refuse the action itself, with a message);
- anybody else gets 403 (wrong desk) or 404 (an object they may not know about);
- the staff of another federation, holding the very same roles there, get 403 or 404 on every
  object page: no data of another unit leaks.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.factories import at, build_world, notice_in, receipts_of, reports_of, table_rows
from tests.webui.conftest import csrf_token, give_password, post_login
from webui.extensions import db
from workflow import commands as c
from workflow.attachments import AttachmentStore
from workflow.models import Incoming, Notice, User
from workflow.states import NoticeState, Role

ANONYMOUS = "anonymous"
BUSINESS = {"drafter", "reviewer", "signatory", "clerk", "supervisor", "receiver1", "cc_receiver"}
ADMINS = {"admin", "security", "auditor"}
EVERYONE = BUSINESS | ADMINS
OTHERS = {"other_drafter", "other_reviewer", "other_signatory", "other_clerk", "other_supervisor",
          "other_receiver"}  # the same roles in another federation
LOGGED_IN = EVERYONE | OTHERS
PERSONS = sorted(EVERYONE) + sorted(OTHERS)
# Whose view of the issued notice's page is recorded as their first reading: the people of its
# recipient units (district 1's receiver and the 抄送 unit's), nobody of the issuer.
FIRST_READERS = {"receiver1", "cc_receiver"}
VERIFY_CODE = "routes-test-code"


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # with {placeholders} filled from the objects below
    allowed: frozenset[str]
    object_page: bool = False  # names one unit's object: other federations must not see it
    expect: int = 200  # what an allowed person gets (the home and login pages redirect)


def R(method, path, allowed, object_page=False, expect=200):  # noqa: N802 (a table reads better short)
    return Route(method, path, frozenset(allowed), object_page, expect)


TABLE = {
    "static": R("GET", "/static/gongwen.css", LOGGED_IN | {ANONYMOUS}),
    "auth.login": R("GET", "/login", {ANONYMOUS}),  # the logged-in are sent home (302)
    "auth.logout": R("POST", "/logout", LOGGED_IN),
    "auth.password": R("GET", "/password", LOGGED_IN),
    # 继续使用 before the idle logout: anyone logged in notes their own activity.
    "auth.keep_alive": R("POST", "/session/keep-alive", LOGGED_IN, expect=204),
    # The steps after the password: without a password step just passed, back to the login.
    "auth.second_factor": R("GET", "/login/code", {ANONYMOUS}, expect=303),
    "auth.enrol": R("GET", "/login/enrol", {ANONYMOUS}, expect=303),
    "notices.root": R("GET", "/", LOGGED_IN, expect=302),  # to the person's first desk
    "notices.index": R("GET", "/notices/", LOGGED_IN),
    "notices.show": R("GET", "/notices/{issued}", BUSINESS, True),
    "notices.attachment": R("GET", "/notices/attachments/{issued_attachment}",
                            BUSINESS, True),
    "notices.lifecycle_picture": R("GET", "/notices/lifecycle/notice.svg", LOGGED_IN),
    # 打印 (GB/T 9704): the print view and its downloads, for whoever may see the notice page.
    "notices.print_view": R("GET", "/notices/{issued}/print", BUSINESS, True),
    "notices.print_pdf": R("GET", "/notices/{issued}/print.pdf", BUSINESS, True),
    "notices.print_docx": R("GET", "/notices/{issued}/print.docx", BUSINESS, True),
    # 验证: anyone logged in checks a file they hold; the page a 正式文件's QR code opens is
    # reached by its secret code, by anyone logged in (it shows what the file itself says).
    "verify.index": R("GET", "/verify/", LOGGED_IN),
    "verify.notice": R("GET", "/verify/{issued}/{verify_code}", LOGGED_IN),
    # notifications: the list behind the bell, opening one (one's own only), marking all read.
    # Notification 1 is the reviewer's: the first submit in `objects` tells them.
    "notifications.index": R("GET", "/notifications/", BUSINESS | OTHERS),
    "notifications.open": R("POST", "/notifications/1/open", {"reviewer"}, True),
    "notifications.read_all": R("POST", "/notifications/read-all", BUSINESS | OTHERS),
    # deadlines and reminders: the calendar page, a notice's reminder interval.
    "calendar.index": R("GET", "/admin/calendar/", {"admin"}),
    "calendar.set_day": R("POST", "/admin/calendar/days", {"admin"}),
    "calendar.remove_day": R("POST", "/admin/calendar/days/remove", {"admin"}),
    "calendar.policy": R("POST", "/admin/calendar/policy", {"admin"}),
    "tracking.set_remind_interval": R("POST", "/tracking/{issued}/remind-interval",
                                      {"supervisor"}, True),
    # 统计 (statistics): supervisors and leaders; the matrix export is the tracking desk's.
    "statistics.index": R("GET", "/statistics/", {"supervisor", "signatory"}),
    "statistics.units_export": R("GET", "/statistics/units.xlsx", {"supervisor", "signatory"}),
    "statistics.notice": R("GET", "/statistics/notices/{issued}", {"supervisor", "signatory"},
                           True),
    "statistics.matrix_export": R("GET", "/statistics/notices/{issued}/matrix.xlsx",
                                  {"supervisor"}, True),
    "inbox.index": R("GET", "/inbox/", BUSINESS),
    "drafting.index": R("GET", "/drafting/", {"drafter"}),
    "drafting.new": R("GET", "/drafting/new", {"drafter"}),
    "drafting.import_text": R("GET", "/drafting/import", {"drafter"}),
    "drafting.edit": R("GET", "/drafting/{draft}", {"drafter"}, True),
    "drafting.submit": R("POST", "/drafting/{draft}/submit", {"drafter"}, True),
    "drafting.withdraw": R("POST", "/drafting/{in_review}/withdraw", {"drafter"}, True),
    "drafting.cancel": R("POST", "/drafting/{draft}/cancel", {"drafter"}, True),
    "drafting.remove_attachment": R(
        "POST", "/drafting/{draft}/attachments/{draft_attachment}/remove", {"drafter"}, True),
    "drafting.amend": R("GET", "/drafting/{signed}/amend", {"drafter", "clerk"}, True),
    # The autosave of what is typed: only into a form the person may open (their own draft,
    # their unit's signed notice to amend, their unit's report); discarding touches nothing but the person's own kept input.
    "autosave.draft_new": R("POST", "/autosave/drafts/new?unit={issuer}", {"drafter"}, True),
    "autosave.draft": R("POST", "/autosave/drafts/{draft}", {"drafter"}, True),
    "autosave.amend": R("POST", "/autosave/amend/{signed}", {"drafter", "clerk"}, True),
    "autosave.report": R("POST", "/autosave/reports/{report}", {"receiver1"}, True),
    "autosave.discard": R("POST", "/autosave/discard", LOGGED_IN),
    "signoff.index": R("GET", "/signoff/", {"reviewer", "signatory"}),
    "signoff.sheet": R("GET", "/signoff/{in_review}", {"reviewer", "signatory"}, True),
    "signoff.pass_review": R("POST", "/signoff/{in_review}/pass-review", {"reviewer"}, True),
    "signoff.return_": R("POST", "/signoff/{in_review}/return", {"reviewer", "signatory"}, True),
    "signoff.sign": R("POST", "/signoff/{awaiting}/sign", {"signatory"}, True),
    "signoff.revoke": R("POST", "/signoff/{issued}/revoke", {"signatory"}, True),
    "signoff.abolish": R("POST", "/signoff/{issued}/abolish", {"signatory"}, True),
    "dispatch.index": R("GET", "/dispatch/", {"clerk"}),
    "dispatch.confirm": R("GET", "/dispatch/{signed}/issue", {"clerk"}, True),
    "dispatch.issue": R("POST", "/dispatch/{signed}/issue", {"clerk"}, True),
    "dispatch.archive": R("POST", "/dispatch/{closed}/archive", {"clerk"}, True),
    "dispatch.numbers": R("GET", "/dispatch/numbers", {"clerk"}),
    # 退文处理: a notice district 2 returned as misdirected, answered by the issuing clerk.
    "dispatch.returned": R("GET", "/dispatch/returns/{returned}", {"clerk"}, True),
    "dispatch.redirect_return": R("POST", "/dispatch/returns/{returned}/redirect", {"clerk"},
                                  True),
    "dispatch.resend_return": R("POST", "/dispatch/returns/{returned}/resend", {"clerk"}, True),
    "dispatch.confirm_return": R("POST", "/dispatch/returns/{returned}/confirm", {"clerk"},
                                 True),
    "dispatch.open_series": R("POST", "/dispatch/numbers/series", {"clerk"}),
    "dispatch.void_number": R("POST", "/dispatch/numbers/void", {"clerk"}),
    "receiving.index": R("GET", "/receiving/", {"receiver1", "cc_receiver"}),
    "receiving.acknowledge": R("POST", "/receiving/receipts/{receipt}/acknowledge",
                               {"receiver1"}, True),
    "receiving.reject": R("POST", "/receiving/receipts/{receipt}/reject", {"receiver1"}, True),
    "receiving.report": R("GET", "/receiving/reports/{report}", {"receiver1"}, True),
    "receiving.report_summary": R("GET", "/receiving/reports/{report}/summary.xlsx",
                                  {"receiver1"}, True),
    "receiving.attachment": R("GET", "/receiving/attachments/{report_attachment}",
                              {"receiver1"}, True),
    "receiving.remove_report_attachment": R(
        "POST", "/receiving/reports/{report}/attachments/{report_attachment}/remove",
        {"receiver1"}, True),
    # 收文办理: the register is read by the 收文员 (and the 文书, who archives) of their own unit;
    # a 收文 and every action on it by the people of its unit (the engine then judges the
    # action: receiver1 holds no 拟办 or 批办 role, and is refused in Chinese) — never by the
    # issuer's staff nor another unit's.
    "incoming.index": R("GET", "/incoming/", {"receiver1", "cc_receiver", "clerk"}),
    "incoming.export": R("GET", "/incoming/export.xlsx", {"receiver1", "cc_receiver", "clerk"}),
    "incoming.register": R("GET", "/incoming/register", {"receiver1", "cc_receiver"}),
    "incoming.show": R("GET", "/incoming/{incoming}", {"receiver1"}, True),
    "incoming.print_pdf": R("GET", "/incoming/{incoming}/print.pdf", {"receiver1"}, True),
    # The 来文's file: the world's 收文 came through Gongwen and has none (an allowed person's
    # 404 is tested in test_incoming_pages).
    "incoming.file": R("GET", "/incoming/{incoming}/files/source", {"receiver1"}, True,
                       expect=404),
    "incoming.propose": R("POST", "/incoming/{incoming}/propose", {"receiver1"}, True),
    "incoming.instruct": R("POST", "/incoming/{incoming}/instruct", {"receiver1"}, True),
    "incoming.return_": R("POST", "/incoming/{incoming}/return", {"receiver1"}, True),
    "incoming.circulate": R("POST", "/incoming/{incoming}/circulate", {"receiver1"}, True),
    "incoming.forward": R("POST", "/incoming/{incoming}/forward", {"receiver1"}, True),
    "incoming.remind_readers": R("POST", "/incoming/{incoming}/remind-readers", {"receiver1"},
                                 True),
    "incoming.finish": R("POST", "/incoming/{incoming}/finish", {"receiver1"}, True),
    "incoming.archive": R("POST", "/incoming/{incoming}/archive", {"receiver1"}, True),
    "incoming.read_copy": R("POST", "/incoming/{incoming}/copies/{circulation}/read",
                            {"receiver1"}, True),
    "incoming.recall_copy": R("POST", "/incoming/{incoming}/copies/{circulation}/recall",
                              {"receiver1"}, True),
    "incoming.waive_copy": R("POST", "/incoming/{incoming}/copies/{circulation}/waive",
                             {"receiver1"}, True),
    "tracking.index": R("GET", "/tracking/", {"supervisor"}),
    "tracking.overdue": R("GET", "/tracking/overdue", {"supervisor"}),
    "tracking.matrix": R("GET", "/tracking/{issued}", {"supervisor"}, True),
    "tracking.tree": R("GET", "/tracking/{issued}/tree", {"supervisor"}, True),
    "tracking.remind": R("POST", "/tracking/{issued}/remind", {"supervisor"}, True),
    "tracking.close": R("POST", "/tracking/{issued}/close", {"supervisor"}, True),
    "tracking.report": R("GET", "/tracking/reports/{submitted_report}", {"supervisor"}, True),
    "tracking.report_summary": R("GET", "/tracking/reports/{submitted_report}/summary.xlsx",
                                 {"supervisor"}, True),
    "tracking.accept": R("POST", "/tracking/reports/{submitted_report}/accept",
                         {"supervisor"}, True),
    "tracking.return_report": R("POST", "/tracking/reports/{submitted_report}/return",
                                {"supervisor"}, True),
    "tracking.attachment": R("GET", "/tracking/attachments/{report_attachment}",
                             {"supervisor"}, True),
    "admin.index": R("GET", "/admin/", ADMINS),
    "admin.units": R("GET", "/admin/units", {"admin"}),
    "admin.unit": R("GET", "/admin/units/{unit}", {"admin"}),
    "admin.create_unit": R("POST", "/admin/units", {"admin"}),
    "admin.update_unit": R("POST", "/admin/units/{unit}", {"admin"}),
    "admin.groups": R("GET", "/admin/groups", {"admin"}),
    "admin.group": R("GET", "/admin/groups/{group}", {"admin"}),
    "admin.create_group": R("POST", "/admin/groups", {"admin"}),
    "admin.update_group": R("POST", "/admin/groups/{group}", {"admin"}),
    "admin.users": R("GET", "/admin/users", {"admin"}),
    "admin.create_user": R("POST", "/admin/users", {"admin"}),
    "admin.deactivate_user": R("POST", "/admin/users/{user}/deactivate", {"admin"}),
    "admin.set_email": R("POST", "/admin/users/{user}/email", {"admin"}),
    "admin.reactivate_user": R("POST", "/admin/users/{user}/reactivate", {"admin"}),
    "admin.roles": R("GET", "/admin/roles", {"security"}),
    "admin.grant_role": R("POST", "/admin/roles/grant", {"security"}),
    "admin.revoke_role": R("POST", "/admin/roles/revoke", {"security"}),
    "admin.reset_password": R("POST", "/admin/roles/password", {"security"}),
    "admin.policy": R("GET", "/admin/policy", {"security"}),
    "admin.audit": R("GET", "/admin/audit", {"auditor"}),
    "admin.verify": R("POST", "/admin/audit/verify", {"auditor"}),
}


@pytest.fixture
def objects(app, tmp_path):
    """One federation with an object in every state, and a second federation with its own staff."""
    with app.app_context():
        s = db.session
        w = build_world(s)
        other = c.create_unit(s, None, name="邻市妇女联合会", doc_code="邻妇发")
        other_district = c.create_unit(s, None, name="邻市第1区妇联", parent_id=other.id)
        people = dict(w.users)
        for role, unit in ((Role.DRAFTER, other), (Role.REVIEWER, other), (Role.SIGNATORY, other),
                           (Role.CLERK, other), (Role.SUPERVISOR, other),
                           (Role.RECEIVER, other_district)):
            name = f"other_{role.name.lower()}"
            user = c.create_user(s, None, username=name, display_name=name, unit_id=unit.id)
            c.grant_role(s, None, user_id=user.id, role=role, unit_id=unit.id)
            people[name] = user
        store = AttachmentStore(tmp_path / "files")
        draft = notice_in(w, NoticeState.DRAFT)
        draft_file = c.add_attachment(s, w.drafter, notice_id=draft.id,
                                      stored=store.save(io.BytesIO(b"draft"), "草稿附件.txt",
                                                            session=s))
        with_file = notice_in(w, NoticeState.DRAFT)
        issued_file = c.add_attachment(s, w.drafter, notice_id=with_file.id,
                                       stored=store.save(io.BytesIO(b"notice"), "名单.txt",
                                                             session=s))
        c.submit(s, w.drafter, notice_id=with_file.id, now=at(0.1))
        c.pass_review(s, w.reviewer, notice_id=with_file.id, now=at(0.2))
        c.sign(s, w.signatory, notice_id=with_file.id, opinion="同意", now=at(0.3))
        issued = c.issue(s, w.clerk, notice_id=with_file.id, now=at(1))
        receipt = next(r for r in receipts_of(w, issued) if r.unit_id == w.districts[0].id)
        c.acknowledge(s, w.receiver1, receipt_id=receipt.id, now=at(1.2))
        returned = next(r for r in receipts_of(w, issued) if r.unit_id == w.districts[1].id)
        c.reject(s, w.receiver2, receipt_id=returned.id, reason="不属于本区", now=at(1.2))
        report = next(r for r in reports_of(w, issued) if r.unit_id == w.districts[0].id)
        c.submit_report(s, w.receiver1, report_id=report.id, text="报告正文", now=at(1.5),
                        attachments=[store.save(io.BytesIO(b"report"), "报告附件.txt",
                                                           session=s)])
        # Signing for it registered the notice in district 1's 收文登记簿; its 办公室主任 sends
        # it to receiver1 to read.
        incoming = s.scalar(select(Incoming).where(Incoming.receipt_id == receipt.id))
        office_head = c.create_user(s, None, username="office_head", display_name="办公室主任",
                                    unit_id=w.districts[0].id)
        c.grant_role(s, None, user_id=office_head.id, role=Role.PROPOSER,
                     unit_id=w.districts[0].id)
        copy = c.circulate(s, office_head, incoming_id=incoming.id, reader_ids=[w.receiver1.id],
                           now=at(1.3))[0]
        ids = {
            "incoming": incoming.id, "circulation": copy.id,
            "draft": draft.id, "draft_attachment": draft_file.id,
            "in_review": notice_in(w, NoticeState.IN_REVIEW).id,
            "awaiting": notice_in(w, NoticeState.AWAITING_SIGNOFF).id,
            "signed": notice_in(w, NoticeState.SIGNED).id,
            "issued": issued.id, "issued_attachment": issued_file.id, "closed": notice_in(w, NoticeState.CLOSED).id,
            "receipt": receipt.id, "report": report.id, "submitted_report": report.id,
            "returned": returned.id,
            "report_attachment": report.attachments[0].id if report.attachments else 0,
            "unit": w.districts[1].id, "issuer": w.issuer.id, "group": w.group.id, "user": w.receiver2.id,
            "verify_code": VERIFY_CODE,
        }
        # The code its 正式文件's QR code would carry (the file itself is made on first download).
        s.execute(update(Notice).where(Notice.id == issued.id).values(verify_code=VERIFY_CODE))
        for user in people.values():
            give_password(s, user.id)
        s.commit()
        app.extensions["gongwen_attachments"] = store
        return ids


# A complete, well-formed submission for any form: the shape checks pass and the engine is asked.
# The version is stale on purpose: whoever may act is told "已被他人处理", and nothing changes.
FORM = {"expected_version": "999", "version": "999", "reason": "理由", "opinion": "同意",
        "text": "报告", "retention": "Y10", "channel": "app", "message": "请办理",
        "confirm": "y", "title": "标题", "body": "正文", "kind": "通知", "urgency": "NORMAL",
        "code": "示妇发", "year": "2016", "serial": "99", "start_serial": "1", "role": "DRAFTER",
        "name": "单位", "display_name": "某人", "username": "someone", "password": "password-123",
        "new_password": "password-456", "max_failures": "5", "lock_minutes": "15",
        "idle_minutes": "30"}


def _request(client, route: Route, path: str, token: str):
    if route.method == "GET":
        return client.get(path)
    return client.post(path, data={**FORM, "csrf_token": token})


def _logged_in(app, person: str):
    client = app.test_client()
    if person != ANONYMOUS:
        response = post_login(client, person)
        assert response.status_code == 303, f"{person} could not log in"
    return client


def test_every_endpoint_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(TABLE) == set(), "endpoints without an access rule"
    assert set(TABLE) - endpoints == set(), "rules for endpoints that do not exist"


@pytest.mark.slow
@pytest.mark.parametrize("person", [ANONYMOUS, *PERSONS])
def test_each_person_reaches_exactly_the_pages_their_roles_allow(app, objects, person):
    client = _logged_in(app, person)
    token = csrf_token(client, "/login" if person == ANONYMOUS else "/password")
    before = _rows(app)
    wrong = []
    for endpoint, route in TABLE.items():
        path = route.path.format(**objects)
        if route.method == "POST" and person in route.allowed:
            continue  # taking the action is each desk's own test; here: who is turned away
        response = _request(client, route, path, token)
        status = response.status_code
        if person == ANONYMOUS and ANONYMOUS not in route.allowed:
            ok = status in (302, 303) and "/login" in response.location
        elif person in route.allowed:
            ok = status == route.expect
        elif endpoint in ("auth.login", "auth.second_factor", "auth.enrol"):
            ok = status == 302  # already logged in: sent home
        elif person.startswith("other_") and route.object_page:
            ok = status in (403, 404)
        elif person.startswith("other_"):
            ok = status in (403, 404) or _same_desk_elsewhere(person, route)
        else:
            ok = status in (403, 404)
        if not ok:
            wrong.append(f"{route.method} {path} ({endpoint}) → {status}")
        if endpoint == "auth.logout" and person != ANONYMOUS:
            client = _logged_in(app, person)
            token = csrf_token(client, "/password")
    assert wrong == [], f"{person}:\n" + "\n".join(wrong)
    # No page read and no action refused changed a single row (logging out again is a POST) —
    # but a recipient's first view of a notice, which records that they have read it (已读).
    after = _rows(app)
    expected = dict(before["counts"])
    if person in FIRST_READERS:
        expected["notice_reading"] += 1
        expected["audit_entry"] += 1
    if person in TABLE["notices.print_pdf"].allowed:
        # The first download of an issued notice issued before files were kept makes its
        # 正式文件, once: one audit entry (its file is in the store, not in a table).
        expected["audit_entry"] += 1
    assert after["counts"] == expected, {
        k: (expected[k], v) for k, v in after["counts"].items() if expected[k] != v}
    assert {**after, "counts": None} == {**before, "counts": None}


def _rows(app) -> dict:
    with app.app_context():
        return table_rows(lambda: Session(db.engine))


def _same_desk_elsewhere(person: str, route: Route) -> bool:
    """Another federation's clerk may open the dispatch desk — their own desk, not ours."""
    return person.replace("other_", "") in route.allowed or (
        person == "other_receiver" and "receiver1" in route.allowed)


def test_no_person_of_another_federation_sees_a_word_of_our_notices(app, objects):
    with app.app_context():
        title = db.session.get(User, 1) and "关于开展调研的通知"
    for person in [p for p in PERSONS if p.startswith("other_")]:
        client = _logged_in(app, person)
        for endpoint, route in TABLE.items():
            if route.method != "GET" or not route.object_page:
                continue
            body = client.get(route.path.format(**objects)).get_data(as_text=True)
            assert title not in body, f"{person} saw our notice on {endpoint}"
        for page in ("/notices/", "/inbox/", "/signoff/", "/dispatch/", "/tracking/",
                     "/receiving/", "/incoming/", "/drafting/", "/tracking/overdue"):
            assert title not in client.get(page).get_data(as_text=True), f"{person} on {page}"
