"""A real browser against a real server: Playwright driving Debian's Chromium.

The server is the application itself (werkzeug's threaded server in this process) on a free
loopback port, over a SQLite file holding the demo's units and people with known passwords, on a
fixed clock (`NOW`), so that no page depends on the day the tests run. Those who need a second
factor were enrolled by the demo with a secret it returns; `SECRETS` keeps them, and a test
computes the code of the moment with pyotp, as the person's phone would (the second factor
follows the real time, whatever the app's clock says).
Without /usr/bin/chromium the browser tests are skipped with the reason — and fail in CI, where
`.ci/run` installs it.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.factories import AUDIT_KEY
from webui import create_app
from webui.extensions import db
from workflow import commands as c
from workflow import demo
from workflow.db import create_all
from workflow.models import User

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "browser-test-9"
# The server's today: 2016-03-07 10:00 in Asia/Shanghai, the day seed 000 was drafted.
NOW = dt.datetime(2016, 3, 7, 2, 0)

SECRETS: dict[str, str] = {}  # username → the second-factor secret the demo enrolled
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


def _require_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(tmp_path):
    """The app serving a fresh demo world (units and people, no notices) on a loopback port."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'browser.db'}",
                      "SECRET_KEY": "browser-tests", "AUDIT_KEY": AUDIT_KEY,
                      "CLOCK": lambda: NOW},
                     instance_path=str(tmp_path / "instance"))
    with app.app_context():
        create_all(db.engine)
        logins = demo.build(db.session, with_notices=False)
        SECRETS.clear()
        SECRETS.update({row[0]: row[4] for row in logins if row[4]})
        for user in db.session.query(User).all():
            c.set_password(db.session, None, user_id=user.id, password=PASSWORD)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
