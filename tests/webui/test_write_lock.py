"""A web request holds SQLite's write lock only for its command: loading the user, checking the
form, and anything refused before the command neither take the lock nor wait for it; the command
waits for it and then does its work. (The lock itself: tests/workflow/test_db_writelock.py.)"""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager

import pytest

from tests.webui.conftest import csrf_token
from tests.webui.receiving_fixtures import district, receipt_of
from tests.writelocks import lock_file

pytestmark = pytest.mark.sqlite_only  # PostgreSQL locks rows, not the database


@contextmanager
def write_lock_held_elsewhere(database_url: str):
    """Another writer holds the queue's lock, as a second worker in the middle of a command."""
    fd = os.open(lock_file(database_url), os.O_RDONLY | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def in_background(request) -> tuple[threading.Thread, list]:
    answers: list = []
    thread = threading.Thread(target=lambda: answers.append(request()), daemon=True)
    thread.start()
    return thread, answers


def _acknowledge(client, receipt_id: int, token: str, version):
    return client.post(f"/receiving/receipts/{receipt_id}/acknowledge",
                       data={"csrf_token": token, "expected_version": version},
                       headers={"Referer": "http://localhost/receiving/"})


def test_a_post_refused_by_its_form_neither_takes_nor_waits_for_the_write_lock(
        client, log_in, world, app, database_url):
    log_in("receiver2")
    receipt = receipt_of(app, world.issued_id, district(2))
    token = csrf_token(client, "/receiving/")
    with write_lock_held_elsewhere(database_url):
        thread, answers = in_background(lambda: _acknowledge(client, receipt.id, token, "一"))
        thread.join(30)
        assert not thread.is_alive(), "the refused request waited for another writer's lock"
    assert answers[0].status_code == 303
    assert receipt_of(app, world.issued_id, district(2)).state == "PENDING"


def test_a_post_waits_for_the_write_lock_at_its_command_and_then_does_it(
        client, log_in, world, app, database_url):
    log_in("receiver2")
    receipt = receipt_of(app, world.issued_id, district(2))
    token = csrf_token(client, "/receiving/")
    with write_lock_held_elsewhere(database_url):
        thread, answers = in_background(
            lambda: _acknowledge(client, receipt.id, token, receipt.version))
        thread.join(1)
        assert thread.is_alive(), "the command did not wait for the writer holding the lock"
    thread.join(30)
    assert not thread.is_alive()
    assert answers[0].status_code == 303
    assert receipt_of(app, world.issued_id, district(2)).state == "ACKNOWLEDGED"
