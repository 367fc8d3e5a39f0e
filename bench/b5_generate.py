"""B5's data set: years of a federation's notices, written straight into the tables.

Going through the commands for 100,000 notices would take hours, so this module writes the rows
the commands would have written — through the bare driver (sqlite3 executemany; COPY through
psycopg on PostgreSQL) — after simulating, notice by notice, what the engine does with them:

- the organisation: a province federation and 13 city federations that issue (each with a
  drafter, reviewer, signatory, clerk, 督办 and receiver), 156 district federations, 2,808
  township federations, 320 organ committees (妇委会), each with its receiver; the unit groups
  the issuers address (各市妇联, 各县（市）区妇联, 各乡镇（街道）妇联 …);
- the notices, 40 a working day going back from `NOW` (10,000 ≈ one year; 100,000 ≈ ten years):
  addressed to one to four units, to a group of a dozen, to two groups, and now and then to
  hundreds of units (one planted, open, to 489 units); with none, one or two report requests;
- what happened to each, simulated on a per-notice seeded random stream: each 主送 unit signs for
  it (most within a day, a few late, very few never) or returns it as misdirected; it submits its
  reports (most before the due date, some late, some returned and resubmitted); the supervisor
  accepts them; the notice closes by itself when the last 主送 unit is complete, or the
  supervisor closes it after weeks with what is outstanding waived, or the year-end sweep closes
  it; it is archived in January; a few are revoked (撤销) or abolished (废止); a few 抄送 units
  never sign. Receipts, reports and notices carry the states, versions, times and people that
  those steps leave (`issue`, `acknowledge`, `reject`, `submit_report`, `return_report`,
  `accept_report`, `close`, `archive`, `revoke`, `abolish` and their cascades);
- the registers: one number series per (issuer, year), its serials used without gaps and a few
  voided in the void register; archive codes with their counters; reminders (催办) for units
  that were late.

Notice k (counted back from the newest) is drawn from its own seeded stream, so the 10,000-notice
set is the newest tenth of the 100,000-notice set: the same present, a shorter history.

Not written: audit entries and notifications (no query of B5 reads them). `flask --app wsgi
check` (workflow/invariants/) therefore finds every state change without its audit entry — the
replay of the trail cannot pass without a trail — but its checks of notices, receipts, reports,
number series and archive codes find nothing: `--check` runs them on a generated set.

    .venv/bin/python bench/b5_generate.py [--notices 10000] [--check]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import math
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import Database  # noqa: E402
from workflow.calendar import package_says  # noqa: E402
from workflow.commands.archive import archive_code  # noqa: E402
from workflow.docnumber import format_number  # noqa: E402
from workflow.settings import DEADLINE_DEFAULTS  # noqa: E402

SEED = 20261120
PER_DAY = 40  # notices issued a working day, across all issuers
UTC_OFFSET = dt.timedelta(hours=8)  # Asia/Shanghai: no daylight saving in these years
NOW_LOCAL = dt.datetime(2026, 11, 20, 18, 30)  # a Friday evening
NOW = NOW_LOCAL - UTC_OFFSET  # naive UTC, as the engine stores times
TODAY = NOW_LOCAL.date()
CITIES, DISTRICTS_PER_CITY, TOWNS_PER_DISTRICT = 13, 12, 18
PROVINCE_ORGANS, CITY_ORGANS = 60, 20
BIG_NOTICE_K = 80  # the planted notice to several hundred units: two working days old, open
NUMERALS = "一二三四五六七八九十"
INF = math.inf

TOPICS = [
    "开展“三八”国际妇女节系列活动", "做好妇女儿童权益保障工作", "开展家庭教育指导服务",
    "推荐全国三八红旗手", "开展巾帼建功活动", "做好妇联基层组织建设", "加强妇女议事会建设",
    "开展最美家庭评选", "做好春节期间走访慰问", "开展反家庭暴力宣传", "报送妇女工作统计数据",
    "开展女性创业就业培训", "做好“两癌”免费检查", "举办妇联干部培训班", "开展儿童关爱服务",
    "加强网上妇联建设", "做好年度工作总结", "开展妇女法律援助", "做好防汛救灾妇女工作",
    "开展巾帼志愿服务", "推进家庭文明建设", "开展母亲节主题活动", "做好妇联信访工作",
    "开展“巾帼心向党”主题教育", "报送妇女儿童发展规划监测数据", "开展乡村振兴巾帼行动",
]
REPORTS = ["调研报告", "活动总结", "统计报表", "推荐材料", "工作情况", "典型案例"]
REPORT_TEXTS = [
    "我会按照通知要求认真组织实施，现将有关情况报告如下：一、基本情况……二、主要做法……"
    "三、存在问题……四、下一步打算……",
    "现将本单位开展情况报送如下，请审阅。",
    "按要求报送相关材料，统计数据见附表，如有不妥请指正。",
    "我会高度重视，召开专题会议部署，各项工作已按时完成，具体情况如下……",
]
CHANNEL_MESSAGE = "请尽快办理：{number} {title}"


# ------------------------------------------------------------------------------------------------
# Times.

def _local(moment: dt.datetime) -> dt.datetime:
    return moment + UTC_OFFSET


def _ts(moment: dt.datetime | None) -> str | None:
    """A timestamp as SQLAlchemy stores it on SQLite (and PostgreSQL reads from COPY)."""
    return None if moment is None else moment.isoformat(" ", "microseconds")


def _day(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _working_days_back(count: int) -> list[dt.date]:
    """`count` working days going back from TODAY (today first), as the engine counts them."""
    days, day = [], TODAY
    while len(days) < count:
        if package_says(day):
            days.append(day)
        day -= dt.timedelta(days=1)
    return days


def _add_working_days(day: dt.date, n: int) -> dt.date:
    """`workflow.calendar.add_working_days` with no overrides stored (the generated database)."""
    while n > 0:
        day += dt.timedelta(days=1)
        if package_says(day):
            n -= 1
    return day


def _end_of(day: dt.date) -> dt.datetime:
    """17:30 local time on `day`, in UTC: when a deadline on that day is missed."""
    return dt.datetime.combine(day, dt.time(17, 30)) - UTC_OFFSET


# ------------------------------------------------------------------------------------------------
# The organisation.

@dataclass
class Org:
    units: list[tuple] = field(default_factory=list)
    groups: list[tuple] = field(default_factory=list)
    members: list[tuple] = field(default_factory=list)
    users: list[tuple] = field(default_factory=list)
    grants: list[tuple] = field(default_factory=list)
    province: int = 0
    cities: list[int] = field(default_factory=list)
    issuers: dict[int, dict] = field(default_factory=dict)  # unit → codes, staff, groups, pools
    receiver: dict[int, int] = field(default_factory=dict)  # unit → its receiver's user id
    group_members: dict[int, list[int]] = field(default_factory=dict)


def _city_name(c: int) -> str:
    return f"示范省第{c + 1:02d}市"


def build_org() -> Org:
    org = Org()
    created = _ts(dt.datetime(2016, 1, 4, 1, 0))
    next_unit = iter(range(1, 10**6))

    def unit(name, parent, doc_code=None, org_code=None, short=None) -> int:
        uid = next(next_unit)
        org.units.append((uid, name, short, parent, doc_code, org_code, True))
        return uid

    org.province = unit("示范省妇女联合会", None, "示省妇发", "SFL", "省妇联")
    org.cities = [unit(f"{_city_name(c)}妇女联合会", org.province,
                       f"示{NUMERALS[c] if c < 10 else '十' + NUMERALS[c - 10]}妇发", f"C{c + 1:02d}",
                       f"{_city_name(c)[3:]}妇联")
                  for c in range(CITIES)]
    districts = {city: [unit(f"{_city_name(c)}第{d + 1:02d}区妇女联合会", city)
                        for d in range(DISTRICTS_PER_CITY)]
                 for c, city in enumerate(org.cities)}
    province_organs = [unit(f"省直机关第{i + 1:02d}妇委会", org.province)
                       for i in range(PROVINCE_ORGANS)]
    city_organs = {city: [unit(f"{_city_name(c)}市直机关第{i + 1:02d}妇委会", city)
                          for i in range(CITY_ORGANS)]
                   for c, city in enumerate(org.cities)}
    towns = {}
    for c, city in enumerate(org.cities):
        towns[city] = []
        for d, district in enumerate(districts[city]):
            towns[city] += [unit(f"{_city_name(c)}第{d + 1:02d}区第{t + 1:02d}乡镇（街道）妇联",
                                 district) for t in range(TOWNS_PER_DISTRICT)]

    next_group = iter(range(1, 10**6))

    def group(owner, name, member_ids) -> int:
        gid = next(next_group)
        org.groups.append((gid, owner, name))
        members = sorted(member_ids)
        org.members += [(gid, u) for u in members]
        org.group_members[gid] = members
        return gid

    all_districts = [d for city in org.cities for d in districts[city]]
    all_city_organs = [o for city in org.cities for o in city_organs[city]]
    p = org.province
    org.issuers[p] = {
        "groups": {
            "cities": group(p, "各市妇联", org.cities),
            "districts": group(p, "各县（市）区妇联", all_districts),
            "organs": group(p, "省直机关妇委会", province_organs),
            "city_organs": group(p, "各市直机关妇委会", all_city_organs),
        },
        "singles": org.cities + province_organs,
        "organs": province_organs,
    }
    for city in org.cities:
        org.issuers[city] = {
            "groups": {
                "districts": group(city, "各区县妇联", districts[city]),
                "towns": group(city, "各乡镇（街道）妇联", towns[city]),
                "organs": group(city, "市直机关妇委会", city_organs[city]),
            },
            "singles": districts[city] + city_organs[city],
            "organs": city_organs[city],
        }

    next_user = iter(range(1, 10**6))

    def user(username, display, unit_id, role) -> int:
        uid = next(next_user)
        org.users.append((uid, username, display, unit_id, None, None, True, 1, False, created))
        org.grants.append((len(org.grants) + 1, uid, role, unit_id))
        return uid

    for issuer in [org.province, *org.cities]:
        staff = {role: user(f"u{issuer}-{role.lower()}", f"{role.lower()}{issuer}", issuer, role)
                 for role in ("DRAFTER", "REVIEWER", "SIGNATORY", "CLERK", "SUPERVISOR")}
        org.issuers[issuer]["staff"] = staff
    for uid, *_ in org.units:
        org.receiver[uid] = user(f"u{uid}-receiver", f"收文员{uid}", uid, "RECEIVER")
    return org


# ------------------------------------------------------------------------------------------------
# One notice: who it goes to, and what happened to it up to NOW.

def _recipients(rng: random.Random, org: Org, issuer: int, big: bool):
    """(addressee entries as (kind, unit, group), 主送 units, 抄送 units), as `issue` expands."""
    spec = org.issuers[issuer]
    g = spec["groups"]
    r = rng.random()
    if issuer == org.province:
        if big:
            entries = [("MAIN", None, g[k]) for k in ("cities", "districts", "organs",
                                                      "city_organs")]
        elif r < 0.55:
            entries = [("MAIN", u, None) for u in rng.sample(spec["singles"], rng.randint(1, 4))]
        elif r < 0.92:
            entries = [("MAIN", None, g["cities"])]
        elif r < 0.98:
            entries = [("MAIN", None, g["cities"])] + [
                ("MAIN", u, None) for u in rng.sample(spec["organs"], rng.randint(2, 6))]
        elif r < 0.995:
            entries = [("MAIN", None, g["districts"]), ("CC", None, g["cities"])]
        else:
            entries = [("MAIN", None, g[k]) for k in ("cities", "districts", "organs",
                                                      "city_organs")]
    else:
        cc = [("CC", org.province, None)]
        if r < 0.55:
            entries = [("MAIN", u, None) for u in rng.sample(spec["singles"], rng.randint(1, 4))]
        elif r < 0.933:
            entries = [("MAIN", None, g["districts"])] + cc
        elif r < 0.993:
            entries = [("MAIN", None, g["districts"]), ("MAIN", None, g["organs"])] + cc
        else:
            entries = [("MAIN", None, g["towns"]), ("MAIN", None, g["districts"])] + cc

    def expand(kind):
        units = []
        for k, u, grp in entries:
            if k == kind:
                units += [u] if u is not None else org.group_members[grp]
        return list(dict.fromkeys(units))

    main = [u for u in expand("MAIN") if u != issuer]
    cc = [u for u in expand("CC") if u not in set(main) and u != issuer]
    return entries, main, cc


def _expo(rng: random.Random, mean_days: float) -> float:
    return rng.expovariate(1 / mean_days)


@dataclass
class Counters:
    notice: int = 0
    addressee: int = 0
    request: int = 0
    party: int = 0
    receipt: int = 0
    report: int = 0
    reminder: int = 0


@dataclass
class Rows:
    notice: list = field(default_factory=list)
    addressee: list = field(default_factory=list)
    report_request: list = field(default_factory=list)
    report_request_party: list = field(default_factory=list)
    receipt: list = field(default_factory=list)
    report: list = field(default_factory=list)
    reminder: list = field(default_factory=list)

    def tables(self):
        return [(name, getattr(self, name)) for name in (
            "notice", "addressee", "report_request", "report_request_party", "receipt", "report",
            "reminder")]

    def clear(self):
        for _, rows in self.tables():
            rows.clear()


@dataclass
class Registers:
    serials: Counter = field(default_factory=Counter)  # (issuer, year) → last serial
    voided: list = field(default_factory=list)  # (issuer, year, serial)
    items: Counter = field(default_factory=Counter)  # (issuer, year, retention) → last item


@dataclass
class Facts:
    """What the benchmark needs to know of the generated set."""

    notices: int = 0
    issued: int = 0
    receipts: int = 0
    reports: int = 0
    states: Counter = field(default_factory=Counter)
    main_received: Counter = field(default_factory=Counter)  # unit → 主送 receipts
    open_by_issuer: dict = field(default_factory=dict)  # issuer → [(notice id, receipts, reqs)]
    big_notice_id: int = 0


def _days(moment_days: float, t0: dt.datetime) -> dt.datetime:
    return t0 + dt.timedelta(days=moment_days)


def _notice(k: int, slot: dt.datetime, org: Org, ids: Counters, rows: Rows, regs: Registers,
            facts: Facts, body_pool: list[str]) -> None:
    """Simulate notice k (k = 0 is the newest) and append the rows it leaves."""
    rng = random.Random(SEED * 1_000_003 + k)
    big = k == BIG_NOTICE_K
    issuer = org.province if big or rng.random() < 0.2 else org.cities[rng.randrange(CITIES)]
    spec = org.issuers[issuer]
    staff = spec["staff"]
    entries, main, cc = _recipients(rng, org, issuer, big)
    u = rng.random()
    urgency = "VERY_URGENT" if u < 0.03 else "URGENT" if u < 0.15 else "NORMAL"
    title = f"关于{TOPICS[rng.randrange(len(TOPICS))]}的通知"
    body = body_pool[rng.randrange(len(body_pool))]
    t0 = slot  # the issue moment (or, for a notice still in the office, its last step)
    created = t0 - dt.timedelta(days=rng.uniform(1, 6))
    ids.notice += 1
    nid = ids.notice
    facts.notices += 1

    for kind, unit_id, group_id in entries:
        ids.addressee += 1
        rows.addressee.append((ids.addressee, nid, kind, unit_id, group_id))
    issued_on = _local(t0).date()
    n_requests = 1 if big else (0 if (r := rng.random()) < 0.3 else 1 if r < 0.85 else 2)
    requests = []  # (id, due date, reporting units)
    for position in range(1, n_requests + 1):
        ids.request += 1
        due = None if rng.random() < 0.1 else issued_on + dt.timedelta(days=rng.randint(5, 30))
        if big:
            due = _add_working_days(issued_on, 10)
        what = REPORTS[rng.randrange(len(REPORTS))]
        to_whom = "省妇联办公室" if issuer == org.province else "市妇联办公室"
        rows.report_request.append((ids.request, nid, position, what, _day(due), to_whom))
        reporters = main
        if len(main) >= 3 and rng.random() < 0.08:
            reporters = rng.sample(main, len(main) // 2)
            for unit_id in reporters:
                ids.party += 1
                rows.report_request_party.append((ids.party, ids.request, unit_id, None))
        requests.append((ids.request, due, reporters))

    # A few of the newest are still in the office; a few drafts anywhere were cancelled.
    early = None
    if k < 3 * PER_DAY and rng.random() < 0.25:
        early = rng.choice(["DRAFT", "IN_REVIEW", "AWAITING_SIGNOFF", "SIGNED"])
    elif rng.random() < 0.003:
        early = "CANCELLED"
    if early is not None:
        steps = {"DRAFT": [], "IN_REVIEW": ["SUBMIT"], "AWAITING_SIGNOFF": ["SUBMIT", "PASS_REVIEW"],
                 "SIGNED": ["SUBMIT", "PASS_REVIEW", "SIGN"], "CANCELLED": ["CANCEL"]}[early]
        signed = early == "SIGNED"
        rows.notice.append(_notice_row(
            nid, issuer, staff, title, body, urgency, spec, early, steps[-1] if steps else None,
            1 + len(steps), created, t0, signed_at=t0 if signed else None))
        facts.states[early] += 1
        return

    # Issued: the number, the receipts, the reports.
    facts.issued += 1
    year = issued_on.year
    if rng.random() < 0.002:  # a number voided by the clerk before this issue: skipped
        regs.serials[issuer, year] += 1
        regs.voided.append((issuer, year, regs.serials[issuer, year], staff["CLERK"], t0))
    regs.serials[issuer, year] += 1
    serial = regs.serials[issuer, year]
    code = _code(org, issuer)
    number = format_number(code, year, serial)
    receipt_due = _add_working_days(issued_on, {
        "VERY_URGENT": DEADLINE_DEFAULTS.very_urgent_days,
        "URGENT": DEADLINE_DEFAULTS.urgent_days,
        "NORMAL": DEADLINE_DEFAULTS.normal_days}[urgency])
    receipt_late = (_end_of(receipt_due) - t0).total_seconds() / 86400

    # What each 主送 unit does, in days after the issue (INF: never).
    acts = {}  # unit → ("ACK"|"REJECT", time)
    for unit_id in main:
        r = rng.random()
        if r < 0.003:
            acts[unit_id] = ("REJECT", 0.05 + _expo(rng, 1))
        elif r < 0.008:
            acts[unit_id] = ("ACK", INF)
        elif r < 0.15:
            acts[unit_id] = ("ACK", 0.05 + _expo(rng, 4))
        else:
            acts[unit_id] = ("ACK", 0.02 + _expo(rng, 0.6))
    # Each report: [(event, time)], events SUBMIT, RETURN, SUBMIT, ACCEPT in order.
    events = {}
    for request_id, due, reporters in requests:
        deadline = (_end_of(due) - t0).total_seconds() / 86400 if due else None
        for unit_id in reporters:
            what, acked = acts[unit_id]
            if what == "REJECT" or acked == INF:
                events[request_id, unit_id] = []
                continue
            r = rng.random()
            if r < 0.01:
                submit = INF
            elif deadline is None:
                submit = acked + _expo(rng, 5)
            elif r < 0.78 and deadline > acked:
                submit = rng.uniform(acked, deadline)
            else:
                submit = max(acked, deadline or acked) + _expo(rng, 6)
            trail = [("SUBMIT", submit)]
            if submit < INF and rng.random() < 0.06:
                back = submit + 0.1 + _expo(rng, 1)
                trail += [("RETURN", back), ("SUBMIT", back + 0.2 + _expo(rng, 2))]
            last = trail[-1][1]
            accept = INF if rng.random() < 0.005 else last + 0.05 + _expo(rng, 1.5)
            trail.append(("ACCEPT", accept))
            events[request_id, unit_id] = trail
    cc_acks = {unit_id: INF if rng.random() < 0.02 else 0.02 + _expo(rng, 1) for unit_id in cc}

    # When the notice ends: complete (closes by itself), closed by the supervisor, swept at the
    # year's end; revoked or abolished now and then; archived in January.
    done = max([t for _, t in acts.values()]
               + [trail[-1][1] for trail in events.values() if trail], default=0.0)
    latest_due = max([receipt_late] + [(_end_of(d) - t0).total_seconds() / 86400
                                       for _, d, _ in requests if d], default=receipt_late)
    patience = latest_due + rng.uniform(20, 40) if rng.random() < 0.85 else INF
    sweep = (dt.datetime(year, 12, 31, 18, 0) - UTC_OFFSET - t0).total_seconds() / 86400
    archive_at = (dt.datetime(year + 1, 1, 10, 10, 0) - UTC_OFFSET - t0).total_seconds() / 86400
    now = (NOW - t0).total_seconds() / 86400
    auto = done <= min(patience, sweep)
    closing = done if auto else min(patience, sweep)
    ending, end_kind = INF, None
    r = rng.random()
    if not big and r < 0.004:
        ending, end_kind = rng.uniform(1, 40), "REVOKE"
    elif not big and r < 0.007:
        ending, end_kind = rng.uniform(5, 200), "ABOLISH"
    if ending >= archive_at:
        ending, end_kind = INF, None
    closed = closing <= now and closing < ending
    ended = ending <= now
    archived = archive_at <= now and (closed and not ended or ended and rng.random() < 0.5)
    stop = min(closing, ending, now)  # nothing a 主送 unit does counts after this
    cc_stop = min(ending, archive_at if archived else INF, now)

    steps = [("SUBMIT", None), ("PASS_REVIEW", None), ("SIGN", None), ("ISSUE", 0.0)]
    if closed:
        steps.append(("CLOSE", closing))
    if ended:
        steps.append((end_kind, ending))
    if archived:
        steps.append(("ARCHIVE", archive_at))
    state = ("ARCHIVED" if archived else {"REVOKE": "REVOKED", "ABOLISH": "ABOLISHED"}[end_kind]
             if ended else "CLOSED" if closed else "ISSUED")
    facts.states[state] += 1
    last_action, last_time = steps[-1]
    retention = item = archive = None
    if archived:
        retention = "Y10" if (r := rng.random()) < 0.7 else "Y30" if r < 0.95 else "PERMANENT"
        regs.items[issuer, year, retention] += 1
        item = regs.items[issuer, year, retention]
        archive = archive_code(year, _retention(retention), org.units[issuer - 1][5], item)
    end_time = _days(ending, t0) if ended else None
    rows.notice.append(_notice_row(
        nid, issuer, staff, title, body, urgency, spec, state, last_action, 1 + len(steps),
        created, _days(last_time, t0), signed_at=t0 - dt.timedelta(hours=rng.uniform(2, 30)),
        issued=(t0, issued_on, code, year, serial, number, receipt_due),
        closed_at=_days(closing, t0) if closed else None,
        archived=(_days(archive_at, t0), archive, retention) if archived else None,
        ended=(end_time, end_kind == "REVOKE",
               _local(end_time).date() if end_kind == "ABOLISH" and ended else None)))

    # Receipts: 主送 first, then 抄送, as `issue` writes them.
    receiver = org.receiver
    overdue_units = set()
    for unit_id in main:
        ids.receipt += 1
        what, when = acts[unit_id]
        if when <= stop:
            state_, version = ("ACKNOWLEDGED" if what == "ACK" else "REJECTED"), 2
            acted, by = _ts(_days(when, t0)), receiver[unit_id]
            reason = "误送：非本单位业务范围" if what == "REJECT" else None
        else:
            acted = by = reason = None
            state_, version = "PENDING", 1
            if closed and closing <= ending:
                state_, version = "WAIVED", 2
            elif ended:
                state_, version = "VOIDED", 2
        if when > receipt_late and receipt_late < stop:
            overdue_units.add(unit_id)
        rows.receipt.append((ids.receipt, nid, unit_id, "MAIN", state_, version, acted, by,
                             reason))
    for unit_id in cc:
        ids.receipt += 1
        when = cc_acks[unit_id]
        if when <= cc_stop:
            state_, version, acted, by = "ACKNOWLEDGED", 2, _ts(_days(when, t0)), receiver[unit_id]
        else:
            acted = by = None
            state_, version = "PENDING", 1
            if ended:
                state_, version = "VOIDED", 2
            elif archived:
                state_, version = "WAIVED", 2
        rows.receipt.append((ids.receipt, nid, unit_id, "CC", state_, version, acted, by, None))
    facts.receipts += len(main) + len(cc)
    if k < 10_000:  # the busiest unit of the present, the same in every set
        for unit_id in main:
            facts.main_received[unit_id] += 1

    # Reports: per request, per reporting unit.
    supervisor = staff["SUPERVISOR"]
    for request_id, due, reporters in requests:
        deadline = (_end_of(due) - t0).total_seconds() / 86400 if due else INF
        for unit_id in reporters:
            ids.report += 1
            what, when = acts[unit_id]
            state_, version = "DUE", 1
            text = submitted = submitted_by = reviewed = reviewed_by = reason = None
            if what == "REJECT" and when <= stop:
                state_, version = "VOIDED", 2
            else:
                for event, moment in events[request_id, unit_id]:
                    if moment > stop:
                        break
                    version += 1
                    if event == "SUBMIT":
                        state_, reason = "SUBMITTED", None
                        text = REPORT_TEXTS[(unit_id + request_id) % len(REPORT_TEXTS)]
                        submitted, submitted_by = _ts(_days(moment, t0)), receiver[unit_id]
                    elif event == "RETURN":
                        state_, reason = "DUE", "请补充具体数据"
                        reviewed, reviewed_by = _ts(_days(moment, t0)), supervisor
                    else:
                        state_ = "ACCEPTED"
                        reviewed, reviewed_by = _ts(_days(moment, t0)), supervisor
                if state_ in ("DUE", "SUBMITTED"):
                    if closed and closing <= ending:
                        state_, version = "WAIVED", version + 1
                    elif ended:
                        state_, version = "VOIDED", version + 1
                trail = events[request_id, unit_id]
                first_submit = trail[0][1] if trail else INF
                if first_submit > deadline and deadline < stop:
                    overdue_units.add(unit_id)
            rows.report.append((ids.report, nid, request_id, unit_id, state_, version, text,
                                submitted, submitted_by, reviewed, reviewed_by, reason))
    facts.reports += sum(len(reporters) for _, _, reporters in requests)

    # 催办: the supervisor reminded the units that were late, two days after the deadline.
    remind_at = min([receipt_late] + [(_end_of(d) - t0).total_seconds() / 86400
                                      for _, d, _ in requests if d]) + 2
    if remind_at < stop:
        message = CHANNEL_MESSAGE.format(number=number, title=title)
        for unit_id in sorted(overdue_units):
            ids.reminder += 1
            rows.reminder.append((ids.reminder, nid, unit_id, supervisor,
                                  _ts(_days(remind_at, t0)), "app", message, None))
    if state == "ISSUED":
        facts.open_by_issuer.setdefault(issuer, []).append(
            (nid, len(main) + len(cc), len(requests)))
    if big:
        facts.big_notice_id = nid


def _retention(name: str):
    from workflow.states import Retention

    return Retention[name]


def _code(org: Org, issuer: int) -> str:
    return org.units[issuer - 1][4]


NOTICE_COLUMNS = (
    "id", "issuer_unit_id", "drafter_id", "kind", "title", "body", "urgency", "direction",
    "series_code", "state", "last_action", "version", "signatory_id", "sign_opinion", "signed_at",
    "signed_on", "doc_year", "doc_serial", "doc_number", "issued_at", "issued_on", "issued_by_id",
    "receipt_due_on", "remind_every_days", "closed_at", "archived_at", "archive_code",
    "retention", "ended_at", "void_from_start", "effective_until", "created_at", "updated_at")


def _notice_row(nid, issuer, staff, title, body, urgency, spec, state, last_action, version,
                created, updated, *, signed_at=None, issued=None, closed_at=None, archived=None,
                ended=None) -> tuple:
    code = year = serial = number = issued_at = issued_on = issued_by = receipt_due = None
    if issued is not None:
        issued_at, issued_on, code, year, serial, number, receipt_due = issued
        issued_by = staff["CLERK"]
    archived_at, archive, retention = archived or (None, None, None)
    ended_at, void, until = ended or (None, False, None)
    return (
        nid, issuer, staff["DRAFTER"], "通知", title, body, urgency, "DOWNWARD", code, state,
        last_action, version, staff["SIGNATORY"] if signed_at else None,
        "同意印发" if signed_at else None, _ts(signed_at),
        _day(_local(signed_at).date()) if signed_at else None, year, serial, number,
        _ts(issued_at), _day(issued_on), issued_by, _day(receipt_due), None, _ts(closed_at),
        _ts(archived_at), archive, retention, _ts(ended_at), void, _day(until), _ts(created),
        _ts(updated))


COLUMNS = {
    "unit": ("id", "name", "short_name", "parent_id", "doc_code", "org_code", "review_required"),
    "unit_group": ("id", "owner_unit_id", "name"),
    "unit_group_member": ("group_id", "unit_id"),
    "user_account": ("id", "username", "display_name", "unit_id", "email", "password_hash",
                     "active", "session_generation", "must_change_password", "created_at"),
    "role_grant": ("id", "user_id", "role", "unit_id"),
    "notice": NOTICE_COLUMNS,
    "addressee": ("id", "notice_id", "kind", "unit_id", "group_id"),
    "report_request": ("id", "notice_id", "position", "what", "due_date", "to_whom"),
    "report_request_party": ("id", "request_id", "unit_id", "group_id"),
    "receipt": ("id", "notice_id", "unit_id", "kind", "state", "version", "acted_at",
                "acted_by_id", "reason"),
    "report": ("id", "notice_id", "request_id", "unit_id", "state", "version", "text",
               "submitted_at", "submitted_by_id", "reviewed_at", "reviewed_by_id",
               "return_reason"),
    "reminder": ("id", "notice_id", "unit_id", "by_user_id", "at", "channel", "message",
                 "dedupe_key"),
    "number_series": ("id", "issuer_unit_id", "code", "year", "start_serial", "next_serial"),
    "voided_number": ("id", "series_id", "serial", "reason", "voided_by_id", "voided_at"),
    "archive_counter": ("id", "unit_id", "year", "retention", "next_item"),
}


# ------------------------------------------------------------------------------------------------
# Writing.

class _Writer:
    """Bulk rows into one database: sqlite3 executemany, or COPY through psycopg."""

    def __init__(self, db: Database):
        self.db = db
        self.conn = db.bare()
        self.sqlite = db.name == "SQLite"
        if self.sqlite:
            self.conn.execute("PRAGMA cache_size = -262144")  # this connection only
            # The rows refer to each other by construction; `--check` runs the foreign key check.
            self.conn.execute("PRAGMA foreign_keys = OFF")
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            # Likewise the foreign keys' triggers, as pg_restore --disable-triggers does: they
            # would take most of the load's time. It takes a superuser (the throwaway server's
            # user is one); without that right the rows are checked as they come.
            try:
                self.conn.execute("SET session_replication_role = replica")
            except Exception:  # noqa: BLE001 (any refusal: load with the triggers)
                self.conn.rollback()

    def write(self, table: str, rows: list[tuple]) -> None:
        if not rows:
            return
        columns = COLUMNS[table]
        names = ", ".join(columns)
        if self.sqlite:
            marks = ", ".join("?" * len(columns))
            self.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            return
        with self.conn.cursor() as cursor, cursor.copy(
                f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def finish(self) -> None:
        if self.sqlite:
            self.conn.execute("COMMIT")
        else:
            with self.conn.cursor() as cursor:
                for table, columns in COLUMNS.items():
                    if "id" in columns:
                        cursor.execute(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
            self.conn.execute("RESET session_replication_role")
            self.conn.commit()
            # What autovacuum does shortly after a load this size: the planner's statistics, and
            # the visibility map that lets an index-only scan skip the table.
            self.conn.autocommit = True
            self.conn.execute("VACUUM ANALYZE")
        self.conn.close()


@dataclass
class Generated:
    """A generated data set: its size, how long it took, and the ids the benchmark acts with."""

    notices: int
    receipts: int
    reports: int
    rows: int
    seconds: float
    states: dict
    inbox_receiver_id: int  # the receiver of the unit that receives the most notices (主送)
    inbox_unit: str
    supervisor_id: int  # the province federation's 督办
    big_notice_id: int  # open, to several hundred units
    big_notice_units: int
    typical_notice_id: int  # open, to about a dozen units, one report request
    typical_notice_units: int
    open_notices: int  # of the supervisor's unit


def _bodies() -> list[str]:
    root = Path(__file__).resolve().parents[1] / "workflow" / "demo"
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(root.glob("seed_*_body.txt")))
    rng = random.Random(SEED)
    pool = []
    for _ in range(60):
        length = rng.randint(300, 1500)
        start = rng.randrange(max(1, len(text) - length))
        pool.append(text[start:start + length])
    return pool


def generate(db: Database, notices: int, *, chunk: int = 5_000) -> Generated:
    """Write `notices` notices (the newest `notices` of the one history) into the empty `db`."""
    started = time.perf_counter()
    gc_was = gc.isenabled()
    gc.disable()  # millions of tuples that live until written: the collector only slows it
    try:
        org = build_org()
        writer = _Writer(db)
        total = 0
        for table in ("unit", "unit_group", "unit_group_member", "user_account", "role_grant"):
            rows = getattr(org, {"unit": "units", "unit_group": "groups",
                                 "unit_group_member": "members", "user_account": "users",
                                 "role_grant": "grants"}[table])
            writer.write(table, rows)
            total += len(rows)
        days = _working_days_back(notices // PER_DAY + 2)
        ids, rows, regs, facts = Counters(), Rows(), Registers(), Facts()
        bodies = _bodies()
        for k in range(notices - 1, -1, -1):  # the oldest first: ids and serials ascend in time
            day = days[k // PER_DAY]
            minutes = 17 * 60 - (k % PER_DAY) * (480 // PER_DAY) - (k * 7919 % 11)
            slot = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60)) - UTC_OFFSET
            _notice(k, slot, org, ids, rows, regs, facts, bodies)
            if k % chunk == 0:
                for table, table_rows in rows.tables():
                    writer.write(table, table_rows)
                    total += len(table_rows)
                rows.clear()
        series, voided, counters = _registers(org, regs)
        for table, table_rows in (("number_series", series), ("voided_number", voided),
                                  ("archive_counter", counters)):
            writer.write(table, table_rows)
            total += len(table_rows)
        writer.finish()
    finally:
        if gc_was:
            gc.enable()
    supervisor_unit = org.province
    open_notices = facts.open_by_issuer.get(supervisor_unit, [])
    typical = max((n for n in open_notices if 10 <= n[1] <= 20 and n[2] == 1),
                  key=lambda n: n[0])
    busiest = max(facts.main_received, key=lambda u: (facts.main_received[u], -u))
    return Generated(
        notices=facts.notices, receipts=facts.receipts, reports=facts.reports, rows=total,
        seconds=time.perf_counter() - started, states=dict(facts.states),
        inbox_receiver_id=org.receiver[busiest], inbox_unit=org.units[busiest - 1][1],
        supervisor_id=org.issuers[supervisor_unit]["staff"]["SUPERVISOR"],
        big_notice_id=facts.big_notice_id,
        big_notice_units=next(n[1] for n in open_notices if n[0] == facts.big_notice_id),
        typical_notice_id=typical[0], typical_notice_units=typical[1],
        open_notices=len(open_notices))


def _registers(org: Org, regs: Registers):
    series, index = [], {}
    for (issuer, year), last in sorted(regs.serials.items()):
        series.append((len(series) + 1, issuer, _code(org, issuer), year, 1, last + 1))
        index[issuer, year] = len(series)
    voided = [(i, index[issuer, year], serial, "印制错误，作废", clerk, _ts(at))
              for i, (issuer, year, serial, clerk, at) in enumerate(regs.voided, start=1)]
    counters = [(i, unit, year, retention, last + 1)
                for i, ((unit, year, retention), last) in enumerate(sorted(regs.items.items()),
                                                                     start=1)]
    return series, voided, counters


# ------------------------------------------------------------------------------------------------
# Running it alone: generate, say what was made, optionally run the invariants on it.

def _check(db: Database) -> None:
    """The invariant checks that do not need the audit trail, and the full check's count."""
    from workflow import invariants
    from workflow.db import read_snapshot
    from workflow.invariants.facts import Facts
    from workflow.invariants.notices import notices
    from workflow.invariants.registers import archive_codes, series

    if db.name == "SQLite":
        conn = db.bare()
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        conn.close()
        print(f"foreign key check: {len(broken)} rows refer to nothing", broken[:5])
    engine = db.engine()
    with db.session_factory(engine)() as session:
        read_snapshot(session)
        facts = Facts(session)
        found = {"notices, receipts, reports": notices(facts),
                 "number series": series(session, facts),
                 "archive codes": archive_codes(session, facts)}
        for what, problems in found.items():
            print(f"check of {what}: {len(problems)} problems")
            for problem in problems[:10]:
                print("   ", problem)
    with db.session_factory(engine)() as session:
        problems = invariants.check(session)
        print(f"the full check (with the replay of the absent audit trail): {len(problems)} "
              "problems, e.g.", problems[:1])
    engine.dispose()


def main() -> int:
    from bench.harness import sqlite_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    with sqlite_database() as db:
        made = generate(db, args.notices)
        print(made)
        if args.check:
            _check(db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
