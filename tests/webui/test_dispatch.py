"""The 登记印发 desk: signed notices to issue, the confirmation with the series, the next number
and the expanded recipients, issuing itself, archiving, and the number register."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tests.factories import at
from tests.webui import outgoing_fixtures
from tests.webui.conftest import NOW
from tests.webui.outgoing_fixtures import flashes, notice_row, post_form, text
from webui.extensions import db
from workflow import commands as c
from workflow.models import NumberSeries, Receipt, User, VoidedNumber
from workflow.states import NoticeState, Retention

desks = outgoing_fixtures.desks


def _year() -> int:
    return NOW.year  # the app's clock


def _series(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(select(NumberSeries.code, NumberSeries.year,
                                         NumberSeries.next_serial)
                                  .order_by(NumberSeries.id)).all()


def _as_clerk(app, call) -> None:
    with app.app_context():
        clerk = db.session.scalar(select(User).where(User.username == "clerk"))
        call(db.session, clerk)
        db.session.commit()


# ------------------------------------------------------------------------------------------------
# The desk.


def test_the_clerk_sees_signed_notices_to_issue_and_ended_ones_to_archive(client, log_in, desks):
    log_in("clerk")
    html = text(client.get("/dispatch/"))
    assert "关于已签发的通知" in html and f'href="/dispatch/{desks.signed}/issue"' in html
    assert "关于已办结的通知" in html and f'action="/dispatch/{desks.closed}/archive"' in html
    assert "关于已印发的通知" not in html  # still running: not to be archived
    assert "他市的已签发稿件" not in html


def test_someone_without_the_clerk_role_may_not_open_the_dispatch_desk(client, log_in, desks):
    log_in("signatory")
    assert client.get("/dispatch/").status_code == 403
    assert client.get("/dispatch/numbers").status_code == 403
    assert client.get(f"/dispatch/{desks.signed}/issue").status_code == 403


# ------------------------------------------------------------------------------------------------
# Confirming and issuing.


def test_the_confirmation_shows_the_series_the_next_number_and_the_expanded_recipients(
        client, log_in, app, desks):
    log_in("clerk")
    before = _series(app)
    html = text(client.get(f"/dispatch/{desks.signed}/issue"))
    year = _year()
    assert f"示妇发〔{year}〕" in html
    assert f"示妇发〔{year}〕1号" in html  # the first of the year: nothing issued yet this year
    for unit in ("示范市第1区妇联", "示范市第2区妇联", "示范市第3区妇联", "示范省妇女联合会"):
        assert unit in html
    assert "共 <strong>4</strong> 个：主送 3 个，抄送 1 个" in html
    assert "确认印发，分发 4 个单位" in html
    assert _series(app) == before  # looking reserves nothing


def test_the_next_number_skips_a_voided_serial(client, log_in, app, desks):
    year = _year()
    _as_clerk(app, lambda s, clerk: c.open_series(
        s, clerk, issuer_unit_id=desks.issuer_id, code="示妇发", year=year, start_serial=7))
    _as_clerk(app, lambda s, clerk: c.void_number(
        s, clerk, issuer_unit_id=desks.issuer_id, code="示妇发", year=year, serial=7,
        reason="印制错误"))
    log_in("clerk")
    assert f"示妇发〔{year}〕8号" in text(client.get(f"/dispatch/{desks.signed}/issue"))


def test_a_notice_not_yet_signed_offers_no_issue_button(client, log_in, desks):
    log_in("clerk")
    html = text(client.get(f"/dispatch/{desks.awaiting}/issue"))
    assert "不能登记印发" in html  # not signed yet: no button
    assert f'action="/dispatch/{desks.awaiting}/issue"' not in html


def test_the_clerk_of_another_unit_gets_404_for_the_confirmation(client, log_in, desks):
    log_in("other_clerk")
    response = client.get(f"/dispatch/{desks.signed}/issue")
    assert response.status_code == 404 and "关于已签发的通知" not in text(response)


def test_issuing_numbers_the_notice_and_sends_it_to_every_unit(client, log_in, app, desks):
    log_in("clerk")
    page = f"/dispatch/{desks.signed}/issue"
    response = post_form(client, page, page)
    assert response.status_code == 303
    assert response.location.endswith(f"/notices/{desks.signed}")
    n = notice_row(app, desks.signed)
    assert n.state == NoticeState.ISSUED and n.doc_number == f"示妇发〔{_year()}〕1号"
    with app.app_context():
        units = set(db.session.scalars(select(Receipt.unit_id).where(
            Receipt.notice_id == desks.signed)))
    assert units == {*desks.district_ids, desks.cc_unit_id}
    assert any(n.doc_number in m for m in flashes(client))


def test_the_confirmation_reopened_after_issuing_shows_the_number_the_notice_got(
        client, log_in, app, desks):
    log_in("clerk")
    page = f"/dispatch/{desks.signed}/issue"
    assert post_form(client, page, page).status_code == 303
    html = text(client.get(page))
    year = _year()
    assert f"示妇发〔{year}〕1号" in html  # the number it got …
    assert f"示妇发〔{year}〕2号" not in html and "将编文号" not in html  # … not the next one
    assert f'action="/dispatch/{desks.signed}/issue"' not in html


def test_issuing_a_page_someone_changed_meanwhile_is_already_handled(client, log_in, app, desks):
    log_in("clerk")
    page = f"/dispatch/{desks.signed}/issue"
    stale = notice_row(app, desks.signed).version
    drafter = log_in("drafter", on=app.test_client())
    amend = f"/drafting/{desks.signed}/amend"
    post_form(drafter, amend, amend, {
        "title": "关于已签发的通知（更正）", "reason": "更正标题", "kind": "通知",
        "urgency": "NORMAL", "direction": "DOWNWARD", "secrecy": "无",
        "main_group_ids": str(desks.group_id), "cc_unit_ids": str(desks.cc_unit_id),
        "body": "请各区妇联开展调研。", "report_requests-0-what": "调研报告",
        "report_requests-0-due_date": "2099-12-31", "report_requests-0-to_whom": "市妇联"})
    response = post_form(client, page, page, {"expected_version": stale})
    assert response.status_code == 303
    # Told what happened meanwhile: the drafter changed it after sign-off.
    assert any(m.startswith("drafter已于") and "签发后修改该公文" in m for m in flashes(client))
    assert notice_row(app, desks.signed).doc_number is None


def test_a_clerk_of_another_unit_may_not_issue_our_notice(client, log_in, app, desks):
    log_in("other_clerk")
    response = post_form(client, "/dispatch/", f"/dispatch/{desks.signed}/issue",
                         {"expected_version": notice_row(app, desks.signed).version})
    assert response.status_code == 403
    assert notice_row(app, desks.signed).state == NoticeState.SIGNED


# ------------------------------------------------------------------------------------------------
# Archiving.


def test_the_clerk_archives_a_closed_notice_under_a_retention_period(client, log_in, app, desks):
    log_in("clerk")
    action = f"/dispatch/{desks.closed}/archive"
    response = post_form(client, "/dispatch/", action, {"retention": "Y30"})
    assert response.status_code == 303
    n = notice_row(app, desks.closed)
    assert n.state == NoticeState.ARCHIVED and n.retention == Retention.Y30
    assert n.archive_code.startswith("2016-D30-SFL-")


def test_archiving_without_a_retention_period_is_refused(client, log_in, app, desks):
    log_in("clerk")
    post_form(client, "/dispatch/", f"/dispatch/{desks.closed}/archive", {"retention": ""})
    assert any("归档必须选择保管期限" in m for m in flashes(client))
    assert notice_row(app, desks.closed).state == NoticeState.CLOSED


# ------------------------------------------------------------------------------------------------
# The number register.


def test_the_register_lists_the_series_with_the_next_number_and_the_void_numbers(
        client, log_in, app, desks):
    _as_clerk(app, lambda s, clerk: c.void_number(
        s, clerk, issuer_unit_id=desks.issuer_id, code="示妇发", year=2016, serial=5,
        reason="套印失误作废", now=at(2)))
    log_in("clerk")
    html = text(client.get("/dispatch/numbers"))
    assert "示妇发〔2016〕3号" in html  # two were issued in 2016
    assert "示妇发〔2016〕5号" in html and "套印失误作废" in html and "2016-03-09 09:00" in html


def test_the_clerk_opens_a_series_at_a_starting_serial(client, log_in, app, desks):
    log_in("clerk")
    response = post_form(client, "/dispatch/numbers", "/dispatch/numbers/series", {
        "issuer_unit_id": str(desks.issuer_id), "code": "示妇发", "year": "2030",
        "start_serial": "12"}, version=False)
    assert response.status_code == 303
    assert ("示妇发", 2030, 12) in _series(app)
    assert "示妇发〔2030〕12号" in text(client.get("/dispatch/numbers"))


def test_opening_a_series_that_exists_is_refused_with_its_next_serial(client, log_in, app, desks):
    log_in("clerk")
    post_form(client, "/dispatch/numbers", "/dispatch/numbers/series", {
        "issuer_unit_id": str(desks.issuer_id), "code": "示妇发", "year": "2016",
        "start_serial": "1"}, version=False)
    assert any("系列已经存在" in m for m in flashes(client))


def test_a_serial_that_is_not_a_number_is_named_in_chinese(client, log_in, app, desks):
    log_in("clerk")
    before = _series(app)
    post_form(client, "/dispatch/numbers", "/dispatch/numbers/series", {
        "issuer_unit_id": str(desks.issuer_id), "code": "示妇发", "year": "2030",
        "start_serial": "十二"}, version=False)
    assert any("起始顺序号必须是整数" in m for m in flashes(client))
    assert _series(app) == before


def test_the_clerk_voids_an_unused_number_with_a_reason(client, log_in, app, desks):
    log_in("clerk")
    series = f"{desks.issuer_id}:2016:示妇发"
    post_form(client, "/dispatch/numbers", "/dispatch/numbers/void",
              {"series": series, "serial": "9", "reason": ""}, version=False)
    assert any("作废发文字号必须说明理由" in m for m in flashes(client))
    post_form(client, "/dispatch/numbers", "/dispatch/numbers/void",
              {"series": series, "serial": "2", "reason": "重复"}, version=False)
    assert any("已经使用或已作废" in m for m in flashes(client))
    response = post_form(client, "/dispatch/numbers", "/dispatch/numbers/void",
                         {"series": series, "serial": "9", "reason": "预留号作废"}, version=False)
    assert response.status_code == 303
    with app.app_context():
        assert db.session.execute(select(VoidedNumber.serial, VoidedNumber.reason)).all() == [
            (9, "预留号作废")]


def test_a_clerk_may_not_void_another_units_number(client, log_in, app, desks):
    log_in("other_clerk")
    response = post_form(client, "/dispatch/numbers", "/dispatch/numbers/void", {
        "series": f"{desks.issuer_id}:2016:示妇发", "serial": "9", "reason": "试图作废"},
        version=False)
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalars(select(VoidedNumber)).all() == []


def test_the_register_of_another_unit_shows_none_of_our_series(client, log_in, desks):
    log_in("other_clerk")
    html = text(client.get("/dispatch/numbers"))
    assert "示妇发" not in html and "他市妇女联合会" in html


def test_a_due_date_already_past_is_named_before_issuing(client, log_in, app, desks):
    with app.app_context():
        drafter = db.session.scalar(select(User).where(User.username == "drafter"))
        signatory = db.session.scalar(select(User).where(User.username == "signatory"))
        reviewer = db.session.scalar(select(User).where(User.username == "reviewer"))
        s = db.session
        n = c.create_draft(s, drafter, title="过期的通知", body="正文。",
                           main_group_ids=[desks.group_id],
                           report_requests=[{"what": "总结", "due_date": dt.date(2016, 4, 1)}])
        c.submit(s, drafter, notice_id=n.id)
        c.pass_review(s, reviewer, notice_id=n.id)
        c.sign(s, signatory, notice_id=n.id, opinion="同意")
        s.commit()
        notice_id = n.id
    log_in("clerk")
    html = text(client.get(f"/dispatch/{notice_id}/issue"))
    assert "现在不能印发" in html and "截止日期2016年4月1日早于印发日期" in html
