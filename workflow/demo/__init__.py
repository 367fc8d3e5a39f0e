"""The demo world: the two federations of the seed notices, their units and groups, users for every
role, and both seed notices carried through the real engine.

Owns: demo data only. Every change goes through workflow.commands, with `now` set to the day it
would have happened. Passwords are generated here, at build time, and returned to the caller to
print: none is written in the repository.

When it happens. The demo's working life — drafting, review, signing, issuing, receipts, reports,
reminders, the 收文 inside the units, the due dates of report requests and of 收文 — lies in the
two weeks before the week it is built (`today`: the app's today for `flask --app wsgi demo`, a
fixed day in the tests), its due dates around that day. Dated in 2016, every card of a first look
said "已逾期3869天"; dated now, the first look is a working federation's. Seed 000 is issued on the
Thursday two weeks back (签收期限 the Tuesday after), seed 001 and 南关's 转发 on the Tuesday of last
week (签收期限 that Friday); seed 000's first report request is due on the Monday of this week, its
调研报告 on the Friday two weeks on. So, built on Monday to Sunday of a week, the unsigned receipts
are 6–12 (长春) and 3–9 (哈尔滨) days late, the first report request 0–6 days, the 调研报告 still
ahead, nothing a month late (tests/test_demo_dates.py counts a Thursday by hand). Every step
moves by whole weeks (timeline.py): it keeps its weekday and hour, none falls on a Saturday or
Sunday, none after the week before the day it is built. A public holiday is not avoided (the
engine allows work on one; a demo built near one shows it). The story itself — who signed for
what, who reported, what was returned — is the same whatever the day.

Their numbers. The engine numbers a notice in the series of the year it is issued (one place,
workflow/commands/dispatch.py), as an office does: the year in a 发文字号 is the year of issue. The
seeds are issued in the demo in recent weeks, so they are 长妇通字〔<that year>〕4号 and
哈妇发〔<that year>〕9号: the serials 4 and 9 are kept by opening each series there
(`open_series`, a real, audited command for an office that starts mid-year), the years are not.
Numbering them 〔2016〕 and 〔2015〕 would print a 2016 number over a 成文日期 of this year on the
same page, and would need the one command that allocates numbers to take a year other than the
issue's — a door no office needs for a notice it signs and issues today, and a demo-only one the
engine must not have. The seeds keep their own dates in their texts (the meeting of 3月2日, the
deadlines 3月31日 and 4月30日 written in seed 000's body): those are the originals' words; the
report requests' due dates are the demo's, in the weeks around the day it is built.

Those who need a second factor (the three administrators and the signatories) are enrolled here
as a person would be — a login, then the first code — on the demo's first day, with a secret
generated at build time and returned with the password, so that whoever runs the demo can add it
to an authenticator app (or ask `flask --app wsgi demo --code USERNAME` for the current code).
"""

from __future__ import annotations

import datetime as dt
import secrets
from importlib import resources

from sqlalchemy.orm import Session

from workflow import commands as c
from workflow import second_factor
from workflow.commands.accounts import ENROL
from workflow.db import utcnow
from workflow.deadlines import local_date
from workflow.demo import cascade
from workflow.demo import offices as o
from workflow.demo.timeline import FRI, MON, THU, TUE, WED, Timeline, month_day
from workflow.models import Unit, User
from workflow.settings import login_policy
from workflow.states import Role

CHANGCHUN_COUNTIES = ["南关区", "宽城区", "朝阳区", "二道区", "绿园区", "双阳区", "九台区",
                      "农安县", "榆树市", "德惠市"]
CHANGCHUN_ZONES = ["长春经济技术开发区", "长春高新技术产业开发区", "长春净月高新技术产业开发区",
                   "长春汽车经济技术开发区"]
CHANGCHUN_ORGANS = ["中共长春市委机关", "长春市人民政府机关", "长春市教育局", "长春市卫生和计划生育委员会"]
CHANGCHUN_COLLEGES = ["长春大学", "长春师范大学", "长春工程学院", "长春职业技术学院"]

HARBIN_COUNTIES = ["道里区", "南岗区", "道外区", "平房区", "松北区", "香坊区", "呼兰区", "阿城区",
                   "双城区", "依兰县", "方正县", "宾县", "巴彦县", "木兰县", "通河县", "延寿县",
                   "尚志市", "五常市"]
HARBIN_ORGANS = ["中共哈尔滨市委机关", "哈尔滨市人民政府机关", "哈尔滨市教育局"]
HARBIN_MEMBERS = ["哈尔滨市女企业家协会", "哈尔滨市女律师协会", "哈尔滨市女科技工作者协会"]

HEILONGJIANG = "黑龙江省妇女联合会"
JILIN = "吉林省妇女联合会"


def body(name: str) -> str:
    return resources.files("workflow.demo").joinpath(name).read_text(encoding="utf-8").strip()


class _Builder:
    def __init__(self, session: Session, timeline: Timeline):
        self.s = session
        self.t = timeline
        self.logins: list[tuple[str, str, str, str, str]] = []
        self.units: dict[str, Unit] = {}

    def unit(self, name, **kw) -> Unit:
        self.units[name] = c.create_unit(self.s, None, name=name, **kw)
        return self.units[name]

    def units_under(self, parent: Unit, names: list[str], suffix: str, prefix: str = "") -> list[Unit]:
        made = []
        for name in names:
            # District names are prefixed with the city (two cities may share a district name).
            full = f"{prefix}{name}{suffix}" if name.endswith("区") and prefix else f"{name}{suffix}"
            made.append(self.unit(full, parent_id=parent.id))
        return made

    def group(self, owner: Unit, name: str, members: list[Unit]):
        return c.create_group(self.s, None, owner_unit_id=owner.id, name=name,
                              member_ids=[u.id for u in members])

    def user(self, username: str, name: str, unit: Unit, *roles: Role, title: str = "") -> User:
        password = secrets.token_urlsafe(9)
        user = c.create_user(self.s, None, username=username, display_name=name, unit_id=unit.id,
                             password=password, email=f"{username}@example.org")
        for role in roles:
            c.grant_role(self.s, None, user_id=user.id, role=role, unit_id=unit.id)
        # Unit · post (where one is given) · roles: a vice chair who only reads has no role.
        where = " · ".join(p for p in (unit.name, title, "、".join(r.label for r in roles)) if p)
        self.logins.append((username, name, where, password, self._enrol(user, password)))
        return user

    def grant(self, user: User, role: Role, unit: Unit) -> None:
        """A further role for a person already made; they enrol a second factor now if this
        role needs one and they had none (the printed list says so, and gives the secret)."""
        c.grant_role(self.s, None, user_id=user.id, role=role, unit_id=unit.id)
        self.s.flush()
        self.s.expire(user, ["grants"])
        for index, (username, name, where, password, secret) in enumerate(self.logins):
            if username == user.username:
                self.logins[index] = (username, name, f"{where}；{unit.name}{role.label}",
                                      password, secret or self._enrol(user, password))

    def _enrol(self, user: User, password: str) -> str:
        """The secret of the person's authenticator app, or "" for one who needs none."""
        if not login_policy(self.s).needs_second_factor(user):
            return ""
        # The demo's first day: any code shown later is later, so none is taken for one used.
        moment = self.t.first_day()
        login = c.log_in(self.s, username=user.username, password=password, now=moment)
        assert login.then == ENROL, "a demo person who needs a second factor has none yet"
        secret = login.user.totp_secret
        c.confirm_enrolment(self.s, user_id=user.id, now=moment,
                            code=second_factor.code_at(secret, second_factor.time_step(moment)))
        return secret


def build(session: Session, *, today: dt.date | None = None, with_notices: bool = True
          ) -> list[tuple[str, str, str, str, str]]:
    """Build the demo in `session` (not committed), its working life in the weeks before `today`
    (by default the real today in Beijing). Returns, for each person, (username, name, roles,
    password, second-factor secret or "").

    `with_notices=False` builds only the units, groups and people (a world in which a test can
    draft the seed notices itself).
    """
    t = Timeline(today or local_date(utcnow()))
    b = _Builder(session, t)
    s = session

    # ---- 长春市妇联 and the units its seed notice addresses ----------------------------------
    jilin = b.unit(JILIN, short_name="省妇联")
    cc = b.unit("长春市妇女联合会", short_name="长春市妇联", parent_id=jilin.id,
                doc_code="长妇通字", org_code="CCFL", review_required=True)
    cc_counties = b.units_under(cc, CHANGCHUN_COUNTIES, "妇联", prefix="长春市")
    cc_zones = b.units_under(cc, CHANGCHUN_ZONES, "妇联")
    cc_organs = b.units_under(cc, CHANGCHUN_ORGANS, "妇委会")
    cc_colleges = b.units_under(cc, CHANGCHUN_COLLEGES, "妇委会")
    g_counties = b.group(cc, "各县（市）区妇联", cc_counties)
    g_zones = b.group(cc, "开发区妇联", cc_zones)
    g_organs = b.group(cc, "市直机关妇委会", cc_organs)
    g_colleges = b.group(cc, "大专院校妇委会", cc_colleges)

    # ---- 哈尔滨市妇联 -------------------------------------------------------------------------
    heilongjiang = b.unit(HEILONGJIANG, short_name="省妇联")
    hrb = b.unit("哈尔滨市妇女联合会", short_name="哈尔滨市妇联", parent_id=heilongjiang.id,
                 doc_code="哈妇发", org_code="HEBFL", review_required=True)
    hrb_publicity = b.unit("哈尔滨市妇联宣传部", short_name="市妇联宣传部", parent_id=hrb.id)
    hrb_counties = b.units_under(hrb, HARBIN_COUNTIES, "妇联", prefix="哈尔滨市")
    hrb_organs = b.units_under(hrb, HARBIN_ORGANS, "妇委会")
    hrb_members = [b.unit(name, parent_id=hrb.id) for name in HARBIN_MEMBERS]
    h_counties = b.group(hrb, "各区县（市）妇联", hrb_counties)
    h_organs = b.group(hrb, "市直妇委会", hrb_organs)
    h_members = b.group(hrb, "市妇联团体会员", hrb_members)

    # ---- people ---------------------------------------------------------------------------------
    b.user("admin", "王敏", cc, Role.ADMIN)
    b.user("security", "李静", cc, Role.SECURITY_OFFICER)
    b.user("auditor", "赵蕾", cc, Role.AUDITOR)
    cc_drafter = b.user("cc_drafter", "刘洋", cc, Role.DRAFTER)
    cc_reviewer = b.user("cc_reviewer", "陈红", cc, Role.REVIEWER)
    cc_signatory = b.user("cc_signatory", "孙丽华", cc, Role.SIGNATORY)
    cc_clerk = b.user("cc_clerk", "周婷", cc, Role.CLERK)
    cc_supervisor = b.user("cc_supervisor", "吴秀梅", cc, Role.SUPERVISOR)
    cc_receivers = [
        b.user("nanguan", "郑晓燕", cc_counties[0], Role.RECEIVER),
        b.user("kuancheng", "王丽", cc_counties[1], Role.RECEIVER),
        b.user("chaoyang", "张欣", cc_counties[2], Role.RECEIVER),
        b.user("jingkai", "高雪", cc_zones[0], Role.RECEIVER),
        b.user("ccu", "马玉兰", cc_colleges[0], Role.RECEIVER),
    ]
    hrb_drafter = b.user("hrb_drafter", "徐丹", hrb_publicity, Role.DRAFTER)
    # The publicity department drafts, the federation issues: the drafter holds the role there.
    c.grant_role(s, None, user_id=hrb_drafter.id, role=Role.DRAFTER, unit_id=hrb.id)
    hrb_reviewer = b.user("hrb_reviewer", "曹颖", hrb, Role.REVIEWER)
    hrb_signatory = b.user("hrb_signatory", "杨杰", hrb, Role.SIGNATORY)
    hrb_clerk = b.user("hrb_clerk", "韩梅", hrb, Role.CLERK)
    hrb_supervisor = b.user("hrb_supervisor", "冯倩", hrb, Role.SUPERVISOR)
    hrb_receivers = [
        b.user("daoli", "林晓红", hrb_counties[0], Role.RECEIVER),
        b.user("nangang", "何静", hrb_counties[1], Role.RECEIVER),
        b.user("daowai", "罗敏", hrb_counties[2], Role.RECEIVER),
        b.user("nvqiye", "谢芳", hrb_members[0], Role.RECEIVER),
    ]
    offices = o.staff(b, b.units)
    nanguan_office = offices["nanguan"]
    streets = cascade.streets(b, nanguan_office.unit, drafter=nanguan_office.handler,
                              chair=nanguan_office.chair, clerk=cc_receivers[0],
                              supervisor=nanguan_office.office)
    s.flush()
    if not with_notices:
        return b.logins

    # ---- seed 000: 长妇通字〔year〕4号, two report requests ------------------------------------
    # Numbered in the series of the year it is issued (the engine's rule), from 4 as the real one.
    c.open_series(s, cc_clerk, issuer_unit_id=cc.id, code="长妇通字",
                  year=t.day(-2, THU).year, start_serial=4, now=t.first_day())
    study_due, research_due = t.day(0, MON), t.day(2, FRI)
    n0 = c.create_draft(
        s, cc_drafter, now=t.at(-2, MON, 10),
        title="关于认真学习宣传贯彻落实市委党的群团工作会议精神的通知",
        body=body("seed_000_body.txt"),
        main_group_ids=[g_counties.id, g_zones.id, g_organs.id, g_colleges.id],
        cc_unit_ids=[jilin.id],
        report_requests=[
            {"what": "学习贯彻落实会议精神情况", "due_date": study_due,
             "to_whom": "市妇联", "from_group_ids": [g_counties.id, g_zones.id]},
            {"what": "调研报告", "due_date": research_due, "to_whom": "市妇联",
             "from_group_ids": [g_counties.id, g_zones.id]},
        ],
    )
    c.submit(s, cc_drafter, notice_id=n0.id, now=t.at(-2, MON, 15))
    c.pass_review(s, cc_reviewer, notice_id=n0.id, opinion="文字已核，请领导签发",
                  now=t.at(-2, TUE, 9, 30))
    c.sign(s, cc_signatory, notice_id=n0.id, opinion="同意印发", now=t.at(-2, WED, 16))
    c.issue(s, cc_clerk, notice_id=n0.id, now=t.at(-2, THU, 9))
    receipts0 = _receipts_by_unit(s, n0.id)
    # One a working day from the day of issue: 1, 25, 97 and 121 hours after it.
    for receiver, (week, weekday) in zip(cc_receivers[:4], [(-2, THU), (-2, FRI), (-1, MON),
                                                            (-1, TUE)], strict=True):
        c.acknowledge(s, receiver, receipt_id=receipts0[receiver.unit_id],
                      now=t.at(week, weekday, 10))
    reports0 = _reports_by_unit(s, n0.id)
    first = reports0[(cc_counties[0].id, 0)]
    c.submit_report(s, cc_receivers[0], report_id=first,
                    text=f"南关区妇联于{month_day(t.day(-1, TUE))}召开专题会议传达学习会议精神，"
                         "并在全区妇联系统部署宣传贯彻工作。",
                    now=t.at(-1, WED, 14))
    c.accept_report(s, cc_supervisor, report_id=first, opinion="情况清楚，予以采纳",
                    now=t.at(-1, THU, 10))
    c.submit_report(s, cc_receivers[1], report_id=reports0[(cc_counties[1].id, 0)],
                    text="宽城区妇联已组织全区妇联干部集中学习会议精神。",
                    now=t.at(-1, THU, 16))
    c.remind(s, cc_supervisor, notice_id=n0.id, channel="phone",
             message=f"请于{month_day(study_due)}前上报学习贯彻落实会议精神情况",
             now=t.at(-1, THU, 9))
    # Inside the recipients (收文办理): 南关 to 办结, 宽城 half-way, 朝阳 only registered.
    nanguan = cc_counties[0]
    o.seed_000_at_nanguan(s, offices["nanguan"], receipt_id=receipts0[nanguan.id],
                          research_report_id=reports0[(nanguan.id, 1)],
                          receiver=cc_receivers[0], streets=streets, t=t)
    o.seed_000_at_kuancheng(s, offices["kuancheng"], receipt_id=receipts0[cc_counties[1].id], t=t)
    o.external_at_nanguan(s, cc_receivers[0], nanguan, t=t)

    # ---- seed 001: 哈妇发〔year〕9号, signed by 杨杰 ---------------------------------------------
    c.open_series(s, hrb_clerk, issuer_unit_id=hrb.id, code="哈妇发",
                  year=t.day(-1, TUE).year, start_serial=9, now=t.first_day())
    n1 = c.create_draft(
        s, hrb_drafter, issuer_unit_id=hrb.id, now=t.at(-2, WED, 10),
        title="哈尔滨市妇联关于认真学习贯彻中央党的群团工作会议精神的通知",
        body=body("seed_001_body.txt"),
        main_group_ids=[h_counties.id, h_organs.id, h_members.id],
        cc_unit_ids=[heilongjiang.id],
        report_requests=[
            {"what": "学习贯彻情况", "due_date": None, "to_whom": "市妇联宣传部",
             "from_group_ids": [h_counties.id]},
        ],
    )
    c.submit(s, hrb_drafter, notice_id=n1.id, now=t.at(-2, THU, 9))
    c.pass_review(s, hrb_reviewer, notice_id=n1.id, now=t.at(-2, FRI, 11))
    c.sign(s, hrb_signatory, notice_id=n1.id, opinion="同意", now=t.at(-1, TUE, 10))
    c.issue(s, hrb_clerk, notice_id=n1.id, now=t.at(-1, TUE, 15))
    receipts1 = _receipts_by_unit(s, n1.id)
    for receiver, weekday in zip(hrb_receivers[:3], (WED, THU, FRI), strict=True):
        c.acknowledge(s, receiver, receipt_id=receipts1[receiver.unit_id],
                      now=t.at(-1, weekday, 9))
    reports1 = _reports_by_unit(s, n1.id)
    daoli = reports1[(hrb_counties[0].id, 0)]
    c.submit_report(s, hrb_receivers[0], report_id=daoli,
                    text="道里区妇联通过专题学习、专题研讨等方式学习贯彻会议精神，情况如下……",
                    now=t.at(-1, FRI, 10))
    c.accept_report(s, hrb_supervisor, report_id=daoli, now=t.at(-1, FRI, 15))
    o.seed_001_at_daoli(s, offices["daoli"], receipt_id=receipts1[hrb_counties[0].id], t=t)

    # ---- work in progress, so that every desk has something to show -------------------------
    year = t.day(-1, WED).year
    in_review = c.create_draft(
        s, cc_drafter, now=t.at(-1, WED, 9),
        title=f"关于开展{year}年“最美家庭”寻找活动的通知",
        body=f"为深入推进家庭文明建设，市妇联决定在全市开展{year}年“最美家庭”寻找活动。",
        main_group_ids=[g_counties.id, g_zones.id],
        report_requests=[{"what": "“最美家庭”推荐材料", "due_date": t.day(8, FRI),
                          "to_whom": "市妇联"}],
    )
    c.submit(s, cc_drafter, notice_id=in_review.id, now=t.at(-1, WED, 10))
    awaiting = c.create_draft(
        s, hrb_drafter, issuer_unit_id=hrb.id, now=t.at(-1, MON, 9),
        title="哈尔滨市妇联关于做好“巾帼建功促发展”工程有关工作的通知",
        body="为落实市妇联年度工作部署，现就实施“巾帼建功促发展”工程有关工作通知如下。",
        main_group_ids=[h_counties.id],
    )
    c.submit(s, hrb_drafter, notice_id=awaiting.id, now=t.at(-1, MON, 10))
    c.pass_review(s, hrb_reviewer, notice_id=awaiting.id, now=t.at(-1, TUE, 10))
    c.create_draft(
        s, cc_drafter, now=t.at(-1, FRI, 9),
        title="关于举办全市妇联干部培训班的通知",
        body=f"经研究，市妇联定于{t.day(4, MON).month}月举办全市妇联干部培训班。",
        main_group_ids=[g_counties.id], cc_unit_ids=[jilin.id],
    )
    s.flush()
    return b.logins


def _receipts_by_unit(session: Session, notice_id: int) -> dict[int, int]:
    from workflow import queries

    return {r.unit_id: r.id for r in queries.receipts(session, notice_id)}


def _reports_by_unit(session: Session, notice_id: int) -> dict[tuple[int, int], int]:
    """(unit id, request position − 1) → report id."""
    from workflow import queries

    positions = {}
    result = {}
    for report in queries.reports(session, notice_id):
        index = positions.setdefault(report.request_id, len(positions))
        result[(report.unit_id, index)] = report.id
    return result
