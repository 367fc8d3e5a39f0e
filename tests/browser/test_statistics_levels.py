"""The statistics page of seed 000, passed down by 南关区妇联 to its six 街道, in a real browser: the
city's 督办 reads its whole 转发 tree counted by level, at 1280 px and at 375 px, where the table
stacks and nothing scrolls sideways (test-artifacts/browser/statistics-levels-*.png)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.browser.conftest import PASSWORD, SECRETS
from tests.browser.test_seed_000_story import PHONE, Person
from tests.factories import AUDIT_KEY
from webui import create_app
from webui.extensions import db
from workflow import commands as c
from workflow import demo
from workflow.db import create_all
from workflow.models import Notice, User

# The app's day: 1 June 2016, after seed 000's deadlines, so the page has overdue units to show.
TODAY = dt.datetime(2016, 6, 1, 2, 0)


@pytest.fixture
def demo_server(tmp_path):
    """The app serving the whole demo, its notices included, on a loopback port."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'browser.db'}",
                      "SECRET_KEY": "browser-tests", "AUDIT_KEY": AUDIT_KEY,
                      "CLOCK": lambda: TODAY},
                     instance_path=str(tmp_path / "instance"))
    with app.app_context():
        create_all(db.engine)
        logins = demo.build(db.session)
        SECRETS.clear()
        SECRETS.update({row[0]: row[4] for row in logins if row[4]})
        user = db.session.scalar(select(User).where(User.username == "cc_supervisor"))
        c.set_password(db.session, None, user_id=user.id, password=PASSWORD)
        seed_000 = db.session.scalar(select(Notice.forwards_id).where(
            Notice.forwards_id.is_not(None)))
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seed_000
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


def test_the_city_supervisor_reads_the_tree_by_level_on_a_desktop_and_a_phone(
        browser, demo_server, artifacts):
    base, seed_000 = demo_server
    person = Person(browser, base, "cc_supervisor", artifacts)
    try:
        page = person.go(f"/statistics/notices/{seed_000}")
        table = page.locator("table.st-levels")
        assert table.locator("tbody tr").count() == 2
        second = table.locator("tbody tr").nth(1)
        assert "第2级" in second.inner_text() and "5/6" in second.inner_text()
        person.photograph("statistics-levels")
        page.set_viewport_size(PHONE)
        # Stacked on the phone: the head row gives way to each figure's own label.
        assert not table.locator("thead").is_visible()
        assert second.bounding_box()["width"] <= PHONE["width"]
    finally:
        person.close()
