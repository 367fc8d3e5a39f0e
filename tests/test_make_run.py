"""`make run` sets up, loads the demo once, prints the logins and answers on port 5000."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PORT = 5000

pytestmark = pytest.mark.slow


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def run_until_it_answers(instance: Path, timeout: float = 180) -> tuple[str, int]:
    """Start `make run`, wait until the login page answers, stop it; return output and status."""
    env = {**os.environ, "GONGWEN_INSTANCE_PATH": str(instance)}
    env.pop("GONGWEN_ARGON2_PROFILE", None)
    process = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    status, deadline = None, time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/login", timeout=5) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.5)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    return output, status


def test_make_run_serves_the_demo_on_port_5000_and_running_it_twice_is_harmless(tmp_path):
    if not port_is_free(PORT):
        if os.environ.get("CI"):
            pytest.fail(f"port {PORT} is taken in CI")
        pytest.skip(f"port {PORT} is in use on this machine (is Gongwen already running?)")
    instance = tmp_path / "instance"

    first, status = run_until_it_answers(instance)
    assert status == 200, first
    assert "cc_signatory" in first and "hrb_signatory" in first  # the logins are printed
    password_line = next(line for line in first.splitlines() if "cc_signatory" in line)
    assert (instance / "gongwen.db").exists()
    assert (instance / "audit_key").exists()  # made by init-db: the server refuses to start without

    second, status = run_until_it_answers(instance)
    assert status == 200, second
    assert password_line.strip() in second  # the same demo, not a second one
    listing = subprocess.run(
        [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "notice", "list", "--json"], cwd=ROOT,
        env={**os.environ, "GONGWEN_INSTANCE_PATH": str(instance)}, capture_output=True,
        text=True, check=True)
    # The two seeds, three more notices of the cities, and 南关区妇联's 转发 of seed 000.
    assert listing.stdout.count('"title"') == 6
