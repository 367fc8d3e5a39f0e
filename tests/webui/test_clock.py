"""The web app's clock (`webui.clock`): the pages and commands read the day from the app's CLOCK,
never from the machine, so that the tests fix it and move it; and every view and CLI command hands
the engine that moment wherever the engine takes a `now`."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.webui.conftest import NOW, PASSWORD, make_app, set_clock
from tests.webui.receiving_fixtures import post, text
from webui import clock
from webui.extensions import db
from workflow import commands as c
from workflow.db import utcnow
from workflow.models import AuditEntry, Receipt, User

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "webui"

# Files whose engine calls still take the real time: they are being changed elsewhere, and each
# leaves this list once it hands the engine `now=clock.now()` (a test below insists). Logging in
# (webui/views/auth.py) is given the real time on purpose, as `now=utcnow()`: a phone's code and
# the throttle's delays follow the real clock, whatever day the app's business runs on.
NOT_YET: set[str] = set()


def shanghai(year, month, day, hour, minute=0) -> dt.datetime:
    """A moment given in Asia/Shanghai time, as naive UTC (8 hours earlier)."""
    return dt.datetime(year, month, day, hour, minute) - dt.timedelta(hours=8)


def task(html: str, *words: str) -> str:
    """The one inbox entry (its <li>) that mentions all of `words`."""
    found = [item for item in re.findall(r'<li class="task[^"]*">.*?</li>', html, re.S)
             if all(word in item for word in words)]
    assert len(found) == 1, html
    return found[0]


def with_password(app, username: str) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        c.set_password(db.session, None, user_id=user.id, password=PASSWORD)
        db.session.commit()


# ------------------------------------------------------------------------------------------------
# Pages and commands follow the app's clock.


@pytest.mark.parametrize(("moment", "due", "overdue"), [
    (shanghai(2016, 4, 28, 10), "还剩2天", False),
    (shanghai(2016, 4, 30, 23, 59), "今天截止", False),
    (shanghai(2016, 5, 1, 0, 1), "已逾期1天", True),  # still 4月30日 in UTC
    (NOW, "已逾期305天", True),
])
def test_the_inbox_marks_a_report_overdue_by_the_apps_clock(client, log_in, world, app,
                                                             moment, due, overdue):
    # District 1 signed for the notice; its 调研报告 is due 2016-04-30.
    set_clock(app, moment)
    log_in("receiver1")
    entry = task(text(client.get("/inbox/")), world.issued_title, "报送：调研报告")
    assert due in entry
    assert ("task-overdue" in entry) is overdue


def test_signing_for_records_the_moment_of_the_apps_clock(client, log_in, world, app):
    moment = shanghai(2016, 3, 9, 11, 30)
    set_clock(app, moment)
    with app.app_context():
        receipt = db.session.scalar(select(Receipt).where(
            Receipt.notice_id == world.only_first_id))
        receipt_id, version = receipt.id, receipt.version
    log_in("receiver1")
    response = post(client, f"/receiving/receipts/{receipt_id}/acknowledge",
                    {"expected_version": version}, page="/receiving/")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Receipt, receipt_id).acted_at == moment
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "receipt.ACKNOWLEDGE").order_by(AuditEntry.seq.desc())).first()
        assert entry.at == moment


def test_the_statistics_period_is_the_year_of_the_apps_clock(client, log_in, world, app):
    with_password(app, "supervisor")
    log_in("supervisor")
    assert "2017年1月1日 至 2017年12月31日" in text(client.get("/statistics/"))
    set_clock(app, shanghai(2016, 6, 1, 10))
    html = text(client.get("/statistics/"))
    assert "2016年1月1日 至 2016年12月31日" in html
    assert world.issued_title in html  # issued in 2016: counted in the default period


def test_a_new_series_is_offered_for_the_year_of_the_apps_clock(client, log_in, world, app):
    with_password(app, "clerk")
    set_clock(app, shanghai(2031, 1, 2, 9))
    log_in("clerk")
    field = re.search(r'<input[^>]*id="open-year"[^>]*>', text(client.get("/dispatch/numbers")))
    assert field and 'value="2031"' in field.group(0)


def test_tick_reads_the_day_from_the_apps_clock(app, world):
    set_clock(app, shanghai(2017, 3, 5, 10))  # a Sunday
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0 and "2017-03-05 不是工作日，不发送催办" in result.output


# ------------------------------------------------------------------------------------------------
# The clock itself.


def test_without_a_clock_the_app_follows_the_real_time(database_url, tmp_path):
    app = make_app(database_url, tmp_path / "instance", CLOCK=None)
    with app.app_context():
        before = utcnow()
        moment = clock.now()
        after = utcnow()
        assert clock.fixed() is None
        db.engine.dispose()
    assert before <= moment <= after and moment.tzinfo is None


def test_an_aware_clock_is_read_as_utc(app):
    app.config["CLOCK"] = lambda: dt.datetime(2016, 3, 7, 9, 0, tzinfo=dt.timezone(
        dt.timedelta(hours=8)))
    with app.app_context():
        assert clock.now() == dt.datetime(2016, 3, 7, 1, 0)
        assert clock.today() == dt.date(2016, 3, 7)
        assert clock.fixed() == dt.datetime(2016, 3, 7, 1, 0)


def test_a_clock_that_cannot_be_asked_the_time_is_refused_at_start(database_url, tmp_path):
    # As GONGWEN_CLOCK in the environment would give it: a string.
    with pytest.raises(RuntimeError, match="CLOCK 应为不带参数"):
        make_app(database_url, tmp_path / "instance", CLOCK="2016-03-07")


# ------------------------------------------------------------------------------------------------
# Every engine call from the web layer that takes `now` is given the clock's.


def _engine_names(tree: ast.Module) -> dict[str, str]:
    """Local name → dotted path of what it names in `workflow`, from the module's imports."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "workflow":
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "workflow":
                    names[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0])
    return names


def _resolve(path: str):
    """The object at a dotted path: a module, or an attribute of one."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            found = getattr(found, part, None)
        return found
    return None


def _dotted(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *parts]
    return None


def calls_without_now(source: str) -> list[tuple[int, str]]:
    """(line, callee) of each call to an engine function that takes `now` and is not given it."""
    tree = ast.parse(source)
    names = _engine_names(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        parts = _dotted(node.func)
        if not parts or parts[0] not in names:
            continue
        target = _resolve(".".join([names[parts[0]], *parts[1:]]))
        if not callable(target) or inspect.isclass(target):
            continue
        try:
            takes_now = "now" in inspect.signature(target).parameters
        except (TypeError, ValueError):
            continue
        if takes_now and "now" not in [k.arg for k in node.keywords]:
            found.append((node.lineno, ".".join(parts)))
    return found


def test_every_engine_call_of_the_web_layer_that_takes_now_is_given_the_clocks():
    missing = [f"{path.relative_to(ROOT)}:{line} {callee}"
               for path in sorted(WEB.rglob("*.py"))
               if str(path.relative_to(ROOT)) not in NOT_YET
               for line, callee in calls_without_now(path.read_text(encoding="utf-8"))]
    assert missing == []
    still = {name for name in NOT_YET if calls_without_now((ROOT / name).read_text("utf-8"))}
    assert still == NOT_YET  # a file done leaves the list


def test_the_check_would_see_an_engine_call_without_now():
    source = ("from workflow import commands\nfrom workflow.queries import inbox as q\n"
              "from workflow.commands.receiving import acknowledge\nimport subprocess\n"
              "commands.sign(s, a, notice_id=1)\nq.inbox(s, a)\nacknowledge(s, a, receipt_id=2)\n"
              "commands.sign(s, a, notice_id=1, now=clock.now())\nsubprocess.run(['dot'])\n"
              "q.KINDS.get('x')\n")
    assert sorted(calls_without_now(source)) == [
        (5, "commands.sign"), (6, "q.inbox"), (7, "acknowledge")]
