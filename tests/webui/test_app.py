"""The application shell: security headers, error pages, configuration in layers."""

from __future__ import annotations

import os
import stat

import pytest

from tests.factories import AUDIT_KEY
from tests.webui.conftest import make_app
from webui.extensions import db
from workflow.errors import Conflict, Forbidden, InvalidState


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/login", "/notices/", "/no-such-page", "/static/gongwen.css"])
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "same-origin"


def test_an_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "找不到页面" in _text(response)


def test_a_missing_notice_is_a_calm_page_naming_what_was_not_found_without_its_id(client, log_in,
                                                                                  world):
    log_in("drafter")
    response = client.get("/notices/987654")
    html = _text(response)
    assert response.status_code == 404
    assert "找不到该公文，或您无权查看" in html
    # What the page says (its <main>); the hidden idle-logout dialog links back to this address.
    said = html[html.index("<main"):html.index("</main>")]
    assert "987654" not in said and "编号为" not in said
    assert 'class="error-code"' not in html and ">404<" not in html
    assert 'href="/"' in html  # a way on: home, whatever desks the person has


def test_a_conflict_page_shows_no_status_digits(refusing_app):
    response = refusing_app.test_client().post("/refuse/conflict")
    html = _text(response)
    assert response.status_code == 409
    assert ">409<" not in html and "操作冲突" not in html and "已被他人处理" in html


def test_a_wrong_method_is_a_chinese_405(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert "请求方式不允许" in _text(response)


def test_an_unexpected_error_shows_a_chinese_page_without_a_traceback(database_url, tmp_path):
    app = make_app(database_url, tmp_path / "instance", PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/boom")
    html = _text(response)
    assert response.status_code == 500
    assert "系统出错" in html
    assert "Traceback" not in html and "secret internal detail" not in html
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.fixture
def refusing_app(database_url, tmp_path):
    """An app with routes that raise the engine's refusals, as a command would."""
    app = make_app(database_url, tmp_path / "instance", WTF_CSRF_ENABLED=False)

    @app.route("/refuse/<kind>", methods=["GET", "POST"])
    def refuse(kind):
        raise {"state": InvalidState("该公文已经签发，不能再修改"),
               "forbidden": Forbidden("只有发文单位的文书可以登记印发"),
               "conflict": Conflict()}[kind]

    with app.app_context():
        from workflow.db import create_all
        create_all(db.engine)
    return app


def test_a_refused_form_is_sent_back_with_the_engines_message(refusing_app):
    client = refusing_app.test_client()
    response = client.post("/refuse/state", headers={"Referer": "http://localhost/login"})
    assert response.status_code == 303 and response.location.endswith("/login")
    assert "该公文已经签发，不能再修改" in _text(client.get("/login"))


def test_a_refusal_without_a_page_to_return_to_shows_the_message(refusing_app):
    client = refusing_app.test_client()
    response = client.post("/refuse/conflict", headers={"Referer": "https://evil.example/x"})
    assert response.status_code == 409
    assert "已被他人处理，请刷新后重试" in _text(response)


def test_a_forbidden_action_is_a_403_with_the_engines_reason(refusing_app):
    response = refusing_app.test_client().get("/refuse/forbidden")
    assert response.status_code == 403
    assert "只有发文单位的文书可以登记印发" in _text(response)


def test_a_generated_secret_key_is_kept_in_the_instance_folder_for_the_owner_only(
        database_url, tmp_path):
    instance = tmp_path / "instance"
    first = make_app(database_url, instance, SECRET_KEY=None)
    second = make_app(database_url, instance, SECRET_KEY=None)
    key_file = instance / "secret_key"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) >= 64
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_the_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    from webui import create_app

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("GONGWEN_SQLALCHEMY_DATABASE_URI", raising=False)
    app = create_app({"SECRET_KEY": "test", "AUDIT_KEY": AUDIT_KEY}, instance_path=str(tmp_path / "inst"))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'gongwen.db'}"
    assert (tmp_path / "inst").is_dir()


def test_configuration_comes_in_layers(tmp_path, monkeypatch):
    from webui import create_app

    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        "LOGIN_MAX_FAILURES = 3\nLOGIN_LOCK_MINUTES = 60\nSESSION_COOKIE_SECURE = True\n")
    monkeypatch.setenv("GONGWEN_LOGIN_LOCK_MINUTES", "30")
    monkeypatch.setenv("GONGWEN_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.db'}")
    monkeypatch.setenv("GONGWEN_AUDIT_KEY", "an-audit-key-from-the-environment-0123")
    app = create_app({"LOGIN_MAX_FAILURES": 4}, instance_path=str(instance))

    assert app.config["WTF_CSRF_TIME_LIMIT"] == 8 * 3600  # the default
    assert app.config["SESSION_COOKIE_SECURE"] is True  # instance/config.py
    assert app.config["LOGIN_LOCK_MINUTES"] == 30  # the environment, parsed
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["AUDIT_KEY"] == "an-audit-key-from-the-environment-0123"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'from-env.db'}"
    assert app.config["LOGIN_MAX_FAILURES"] == 4  # the test mapping, last
    assert not (instance / "secret_key").exists()


def test_html_pages_are_not_kept_in_the_browser_cache(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"


@pytest.mark.sqlite_only
def test_a_get_request_reads_without_taking_the_write_lock(app, client, log_in, world):
    """SQLite: GET begins DEFERRED (readers never wait for a writer); POST begins IMMEDIATE at
    its first write (loading the user before it took no lock)."""
    from sqlalchemy import event

    from tests.webui.conftest import csrf_token

    with app.app_context():
        engine = db.engine
    log_in("drafter")
    token = csrf_token(client, "/notices/")
    begun = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(_conn, _cursor, statement, *_args):
        if statement.startswith("BEGIN"):
            begun.append(statement)

    client.get("/notices/")
    assert begun == ["BEGIN DEFERRED"]
    begun.clear()
    client.get("/notices/999999")  # the refusal rolls back; the error page still only reads
    assert set(begun) == {"BEGIN DEFERRED"}
    begun.clear()
    client.post("/logout", data={"csrf_token": token})
    assert begun == ["BEGIN IMMEDIATE"]


@pytest.mark.parametrize("given", ["postgres://u:p@db.example:5432/gongwen",
                                   "postgresql://u:p@db.example:5432/gongwen"])
def test_a_plain_postgresql_database_url_is_given_the_psycopg_driver(given, tmp_path, monkeypatch):
    from webui import create_app

    monkeypatch.setenv("DATABASE_URL", given)
    app = create_app({"SECRET_KEY": "test", "AUDIT_KEY": AUDIT_KEY}, instance_path=str(tmp_path / "inst"))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://u:p@db.example:5432/gongwen")
    with app.app_context():
        assert db.engine.dialect.driver == "psycopg"
