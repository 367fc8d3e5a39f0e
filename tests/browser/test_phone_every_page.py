"""Every page each role of the demo reaches, on a 375 px phone, in a real browser.

The whole demo world (both seed notices carried through the engine, the 收文 of four offices, the
转发 to 南关's 街道, drafts waiting at each desk) is served on a clock just after its last event.
One person of every role logs in and walks the site as a person would: from the desks of the top
bar, following the links of each page (one or two pages of each kind, no downloads). On every page,
at 375 px:

- nothing scrolls sideways (the document is no wider than the screen);
- every visible control a person taps — a link, a button, a field, a fold-out, the label of a tick
  box — is at least 44 × 44 px, a fingertip (a link inside a running sentence is exempt, as in
  WCAG 2.5.8); the failure names the element and its size;
- axe-core (shipped inside the axe-playwright-python package, nothing fetched at run time) finds
  no "serious" or "critical" violation.

Every page is photographed at 375 and 1280 px in test-artifacts/browser/phone/.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import Counter
from urllib.parse import urlsplit

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_seed_000_story import DESKTOP, PHONE
from tests.factories import AUDIT_KEY
from webui import create_app
from webui.extensions import db
from workflow import commands as c
from workflow import demo
from workflow.db import create_all
from workflow.deadlines import local_date
from workflow.models import UnitGroup, User

pytestmark = pytest.mark.slow

# 2026-12-03 10:00 in Beijing, a Thursday: the demo is built with its working life in the weeks
# before this day, as `make run` builds it on the day it is run.
NOW = dt.datetime(2026, 12, 3, 2, 0)
MIN_TAP = 44
SHOTS = ARTIFACTS / "phone"

# One person for every role the demo gives, and the role-less reader of a 收文; with the pages
# (by kind) the walk must reach from that person's desks — beside /password and /verify/, which
# everyone reaches.
PEOPLE = {
    "admin": ("系统管理员", ["/admin/", "/admin/units", "/admin/units/N", "/admin/groups",
                        "/admin/groups/N", "/admin/users", "/admin/calendar/"]),
    "security": ("安全管理员", ["/admin/roles", "/admin/policy"]),
    "auditor": ("审计管理员", ["/admin/audit"]),
    "cc_drafter": ("拟稿人", ["/inbox/", "/drafting/", "/drafting/new", "/drafting/import",
                           "/drafting/N", "/notices/", "/notices/N", "/notifications/"]),
    "cc_reviewer": ("核稿人", ["/signoff/", "/signoff/N"]),
    "cc_signatory": ("签发人", ["/signoff/", "/statistics/", "/statistics/notices/N"]),
    "cc_clerk": ("文书", ["/dispatch/", "/dispatch/N/issue", "/dispatch/numbers", "/incoming/"]),
    "cc_supervisor": ("督办", ["/inbox/", "/tracking/", "/tracking/N", "/tracking/N/tree",
                             "/tracking/overdue", "/tracking/reports/N", "/statistics/",
                             "/statistics/notices/N", "/notices/N", "/notifications/"]),
    "chaoyang": ("收文员", ["/receiving/", "/incoming/", "/incoming/N"]),
    "nanguan": ("收文员、南关的文书", ["/receiving/", "/receiving/reports/N", "/incoming/register",
                                 "/dispatch/"]),
    "nanguan_office": ("拟办人、南关的督办", ["/incoming/N", "/tracking/N"]),
    "nanguan_chair": ("批办领导、南关的签发人", ["/incoming/N", "/signoff/"]),
    "nanguan_xcb": ("承办人、南关的拟稿人", ["/incoming/N", "/drafting/"]),
    "kuancheng_vice1": ("副主席（无角色，有待阅）", ["/inbox/", "/incoming/N", "/notices/N"]),
    "ng_ziqiang": ("街道收文员", ["/receiving/", "/notices/N"]),
    "hrb_drafter": ("两个单位的拟稿人", ["/drafting/", "/drafting/new"]),
}
EVERYONE = ["/login", "/password", "/verify/"]

# Pages of a kind seen per person: the notice page of a draft and of an issued notice differ.
PER_KIND = 2
MOST_PAGES = 45
# Not pages to look at on a phone: files, the log-out, and the GB/T 9704 print view, which is an
# A4 sheet by design (its PDF is what a phone opens).
SKIP = re.compile(r"\.(pdf|docx|xlsx|csv|svg|zip|png)$|/attachments/|/files/|/print$|/logout")

# Links shown to a person that answer with an error, each one a point of issue 15 worked on
# elsewhere: remove the entry when its page answers.

_TARGETS = """(min) => {
  const label = e => {
    let s = e.tagName.toLowerCase();
    if (e.id) s += '#' + e.id;
    for (const c of e.classList) s += '.' + c;
    if (e.getAttribute('name')) s += `[name="${e.getAttribute('name')}"]`;
    return s;
  };
  const where = e => {
    const parts = [];
    for (let x = e; x && x !== document.body && parts.length < 3; x = x.parentElement) {
      parts.unshift(label(x));
    }
    return parts.join(' > ');
  };
  // A link inside a running sentence (text of its own around it in the same block) is exempt.
  const inSentence = a => {
    if (getComputedStyle(a).display !== 'inline') return false;
    let block = a.parentElement;
    while (block && getComputedStyle(block).display === 'inline') block = block.parentElement;
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    let own = '';
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.parentElement.closest('a, button')) own += n.textContent;
    }
    return own.replace(/[\\s·、，。：；|/›>（）()]/g, '').length >= 4;
  };
  const targets = new Set();
  for (const e of document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (e.matches('input[type=checkbox], input[type=radio]')) {
      const byFor = e.id && document.querySelector(`label[for="${CSS.escape(e.id)}"]`);
      targets.add(e.closest('label') || byFor || e);
    } else {
      targets.add(e);
    }
  }
  const small = [];
  for (const e of targets) {
    const r = e.getBoundingClientRect();
    if (!e.getClientRects().length || r.width <= 1 || r.height <= 1) continue;  // not shown
    if (getComputedStyle(e).visibility === 'hidden') continue;
    if (e.tagName === 'A' && inSentence(e)) continue;
    if (r.width < min - 0.5 || r.height < min - 0.5) {
      const text = (e.innerText || e.value || e.getAttribute('aria-label') || '').trim()
        .replace(/\\s+/g, ' ').slice(0, 24);
      small.push(`${where(e)} «${text}» ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
  }
  return small;
}"""

_OVERFLOW = "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The full demo, served on a loopback port; returns (base url, {username: (password,
    second-factor secret)})."""
    where = tmp_path_factory.mktemp("phone")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{where / 'demo.db'}",
                      "SECRET_KEY": "phone-tests", "AUDIT_KEY": AUDIT_KEY,
                      "CLOCK": lambda: NOW},
                     instance_path=str(where / "instance"))
    with app.app_context():
        create_all(db.engine)
        logins = demo.build(db.session, today=local_date(NOW))
        _signed_notice(db.session)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", {row[0]: (row[3], row[4]) for row in logins}
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


def _signed_notice(session) -> None:
    """A notice signed and waiting to be issued: the demo has none, and the 文书's confirmation
    page (登记印发) is a desk page too."""
    people = {u.username: u for u in session.scalars(select(User).where(User.username.in_(
        ("cc_drafter", "cc_reviewer", "cc_signatory"))))}
    group = session.scalar(select(UnitGroup).where(UnitGroup.name == "开发区妇联"))
    notice = c.create_draft(session, people["cc_drafter"], now=NOW - dt.timedelta(days=3),
                            title="关于做好2016年“三八”红旗手推荐工作的通知",
                            body="请各开发区妇联按要求推荐“三八”红旗手人选。",
                            main_group_ids=[group.id])
    c.submit(session, people["cc_drafter"], notice_id=notice.id, now=NOW - dt.timedelta(days=3))
    c.pass_review(session, people["cc_reviewer"], notice_id=notice.id, now=NOW - dt.timedelta(days=2))
    c.sign(session, people["cc_signatory"], notice_id=notice.id, opinion="同意",
           now=NOW - dt.timedelta(days=1))


def _log_in(page, base: str, username: str, password: str, secret: str, *, axe: Axe
            ) -> tuple[list[str], list[str]]:
    """Log in on the phone; the login pages on the way are looked at too: returns them and their
    faults."""
    page.goto(f"{base}/login")
    pages, faults = ["/login"], _look_at(page, username, "/login", axe)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name=re.compile("登")).click()
    page.wait_for_load_state()
    if page.url.endswith("/login/code"):
        pages.append("/login/code")
        faults += _look_at(page, username, "/login/code", axe)
        page.get_by_label("验证码").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="验证").click()
        page.wait_for_load_state()
    assert "/login" not in page.url, f"{username} could not log in"
    return pages, faults


def _kind(path: str) -> str:
    """/notices/12 and /notices/13 are one kind of page."""
    return re.sub(r"\d+", "N", path)


def _links(page, base: str) -> list[str]:
    hrefs = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != base or SKIP.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _name(path: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "-", path).strip("-") or "root"


def _look_at(page, username: str, path: str, axe: Axe) -> list[str]:
    """The faults of the page open at phone width; photographs it at both widths."""
    faults = []
    overflow = page.evaluate(_OVERFLOW)
    if overflow > 1:
        wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .slice(0, 3).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.'))""")
        faults.append(f"scrolls sideways by {overflow}px (widest: {', '.join(wide)})")
    faults += [f"small target {t}" for t in page.evaluate(_TARGETS, MIN_TAP)]
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            nodes = "; ".join(" ".join(n["target"]) for n in violation["nodes"][:3])
            faults.append(f"axe {violation['impact']} {violation['id']}: {nodes}")
    name = f"{username}-{_name(path)}"
    page.screenshot(path=SHOTS / f"{name}-375.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=SHOTS / f"{name}-1280.png", full_page=True)
    page.set_viewport_size(PHONE)
    return [f"{path}: {fault}" for fault in faults]


@pytest.mark.parametrize("username", list(PEOPLE))
def test_every_page_a_role_reaches_fits_a_phone_and_a_fingertip(browser, demo_server, username):
    base, logins = demo_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    axe = Axe()
    visited, faults = _log_in(page, base, username, *logins[username], axe=axe)

    queue = [urlsplit(page.url).path]
    seen, kinds = set(), Counter()
    while queue and len(visited) < MOST_PAGES:
        path = queue.pop(0)
        kind = _kind(path.split("?")[0])
        if path in seen or kinds[kind] >= PER_KIND or ("?" in path and kinds[kind]):
            continue
        seen.add(path)
        response = page.goto(base + path)
        if response.status >= 400:
            faults.append(f"{path}: answered {response.status} to a link the person was shown")
            continue
        kinds[kind] += 1
        visited.append(path)
        faults += _look_at(page, username, path, axe)
        queue += [p for p in _links(page, base) if p not in seen]
    context.close()
    (SHOTS / f"{username}-pages.txt").write_text("\n".join(visited) + "\n", encoding="utf-8")

    role, expected = PEOPLE[username]
    missed = set(EVERYONE + expected) - {_kind(p.split("?")[0]) for p in visited}
    assert not missed, f"{username} ({role}) never reached {sorted(missed)}; visited {visited}"
    assert not faults, f"{username} ({role}) visited {len(visited)} pages:\n" + \
        "\n".join(visited) + "\n\nFaults:\n" + "\n".join(faults)
