"""A first look at the demo on the day it is loaded: 我的待办 of the 督办 and of a 收文员, at 1280 and
375 px, shows work a few days late, not years.

The demo is built as on Thursday 2026-12-03 and served with the clock at 10:00 that day. By hand
(see tests/test_demo_dates.py): 长春's unsigned receipts are 9 days late, the first report request
3 days, the 调研报告 has 15 days left; 哈尔滨's unsigned receipts are 6 days late.
"""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from werkzeug.serving import make_server

from tests.browser.conftest import PASSWORD
from tests.browser.test_seed_000_story import Person
from tests.factories import AUDIT_KEY
from webui import create_app
from webui.extensions import db
from workflow import commands as c
from workflow import demo
from workflow.db import create_all
from workflow.models import User

TODAY = dt.date(2026, 12, 3)
MORNING = dt.datetime(2026, 12, 3, 2, 0)  # 10:00 in Asia/Shanghai
LATE = re.compile(r"已逾期(\d+)天")


@pytest.fixture
def demo_server(tmp_path):
    """The whole demo, notices and all, served on a loopback port on the morning it was built."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.db'}",
                      "SECRET_KEY": "browser-tests", "AUDIT_KEY": AUDIT_KEY,
                      "CLOCK": lambda: MORNING},
                     instance_path=str(tmp_path / "instance"))
    with app.app_context():
        create_all(db.engine)
        demo.build(db.session, today=TODAY)
        for username in ("cc_supervisor", "erdao"):  # neither needs a second factor
            user = db.session.query(User).filter_by(username=username).one()
            c.set_password(db.session, None, user_id=user.id, password=PASSWORD)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


def days_late(text: str) -> set[int]:
    return {int(days) for days in LATE.findall(text)}


def test_the_supervisors_and_a_receivers_desk_show_days_late_not_years(
        browser, demo_server, artifacts):
    supervisor = Person(browser, demo_server, "cc_supervisor", artifacts)
    text = supervisor.go("/").inner_text("main")
    assert days_late(text) == {9, 3}
    supervisor.photograph("demo-first-look-supervisor")
    supervisor.close()

    receiver = Person(browser, demo_server, "erdao", artifacts)
    text = receiver.go("/").inner_text("main")
    assert days_late(text) == {9, 3}
    assert "关于认真学习宣传贯彻落实市委党的群团工作会议精神的通知" in text
    receiver.photograph("demo-first-look-receiver")
    receiver.close()
