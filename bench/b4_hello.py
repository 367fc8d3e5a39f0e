"""B4's peer: a bare Flask hello-world, served by gunicorn exactly as B4 serves Gongwen.

Every path answers GET and POST with the same 13 bytes and status 200: no template, no session, no
database, no CSRF, no security headers. B4 sends it the very requests it sends Gongwen (the same
wrk script, plans, cookies and form bodies), so what differs between the two runs is only what the
application does with them. Must not: be imported by the tests.

    .venv/bin/gunicorn --chdir . --workers 2 bench.b4_hello:app
"""

from __future__ import annotations

from flask import Flask

TITLE = "B4's peer — a bare Flask hello-world"

app = Flask(__name__)


@app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
@app.route("/<path:path>", methods=["GET", "POST"])
def hello(path: str) -> str:
    return "Hello, World!"
