"""Crashes: a writer killed with SIGKILL fifty times in the middle of its work — and, on
PostgreSQL, the database server itself killed and restarted while writers run. Afterwards every
invariant holds (`workflow.invariants.check`: states against receipts and reports, the registers,
the audit trail replayed), the audit chain verifies, and no serial is lost or doubled: a killed
transaction takes its serial with it, since the series counter is written in that very
transaction, so the serials used are exactly 1 … the counter, with no void register needed.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from tests import system_parts
from tests.concurrency import assert_everything_holds
from tests.concurrency.processes import Killable
from tests.factories import at, build_world
from workflow import commands as c
from workflow.db import create_all, make_engine, make_session_factory
from workflow.invariants.notices import NOT_YET_ISSUED
from workflow.models import Notice, NumberSeries, Receipt, RoleGrant, VoidedNumber
from workflow.states import NoticeState as NS
from workflow.states import ReceiptState as RS
from workflow.states import Role

ROOT = Path(__file__).resolve().parents[2]
KILLS = 25  # while issuing, and again while signing for receipt
SERVER_KILLS = 3


# ------------------------------------------------------------------------------------------------
# The writers: one transaction after another, as requests would, until killed.

def _issue_next(session, clerk_id: int) -> bool:
    notice_id = session.scalar(select(Notice.id).where(Notice.state == NS.SIGNED)
                               .order_by(Notice.id).limit(1))
    if notice_id is None:
        return False
    c.issue(session, clerk_id, notice_id=notice_id, now=at(1))
    return True


def _acknowledge_next(session, receivers: dict[int, int]) -> bool:
    row = session.execute(select(Receipt.id, Receipt.unit_id).where(Receipt.state == RS.PENDING)
                          .order_by(Receipt.id).limit(1)).first()
    if row is None:
        return False
    c.acknowledge(session, receivers[row.unit_id], receipt_id=row.id, now=at(2))
    return True


def write_until_killed(sessions, progress, work: str, actor, resilient: bool = False) -> None:
    """Issue the next signed notice, or sign for the next pending receipt, again and again.

    `resilient`: a transaction that fails for want of the database (the server was killed) is
    counted and tried again, as the next request would be, until the server is back.
    """
    step = {"issue": _issue_next, "acknowledge": _acknowledge_next}[work]
    progress.ready()
    while True:
        progress.begin()
        try:
            with sessions() as s:
                did = step(s, actor)
                s.commit()
        except DBAPIError:
            if not resilient:
                raise
            progress.failed()
            time.sleep(0.1)
            continue
        if did:
            progress.committed()
        else:
            progress.rolled_back()
            time.sleep(0.01)  # nothing left to do: wait to be killed


class Supply:
    """The parent's stock of work for the writers: signed notices, sent to the three districts and
    copied to the province, asking for no report (signing for the last 主送 receipt closes one).
    Topped up between the writers' lives, so that a writer never runs out while it lives."""

    LOW, BATCH = 40, 60

    def __init__(self, session_factory):
        self.session_factory = session_factory
        with session_factory() as s:
            world = build_world(s, review_required=False)
            self.drafter, self.signatory = world.drafter.id, world.signatory.id
            self.clerk, self.group, self.cc = world.clerk.id, world.group.id, world.cc_unit.id
            self.receivers = dict(s.execute(select(RoleGrant.unit_id, RoleGrant.user_id)
                                            .where(RoleGrant.role == Role.RECEIVER)).all())
            s.commit()
        self.made = 0

    def make(self, n: int, *, issued: bool = False) -> None:
        with self.session_factory() as s:
            for _ in range(n):
                self.made += 1
                notice = c.create_draft(s, self.drafter, title=f"关于第{self.made}项工作的通知",
                                        body="请各区妇联抓好落实。", main_group_ids=[self.group],
                                        cc_unit_ids=[self.cc], now=at(0))
                c.submit(s, self.drafter, notice_id=notice.id, now=at(0.1))
                c.sign(s, self.signatory, notice_id=notice.id, opinion="同意印发", now=at(0.3))
                if issued:
                    c.issue(s, self.clerk, notice_id=notice.id, now=at(1))
            s.commit()

    def top_up(self, work: str) -> None:
        """Enough signed notices (to issue) or pending receipts (to sign for) for a writer."""
        with self.session_factory() as s:
            if work == "issue":
                left = s.scalar(select(func.count()).select_from(Notice).where(
                    Notice.state == NS.SIGNED))
            else:
                left = s.scalar(select(func.count()).select_from(Receipt).where(
                    Receipt.state == RS.PENDING))
            s.rollback()
        if left < self.LOW:
            self.make(self.BATCH, issued=work == "acknowledge")


def assert_no_serial_lost_or_doubled(session_factory) -> int:
    """The serials in use are exactly 1 … the counter's last; returns how many."""
    with session_factory() as s:
        serials = sorted(s.scalars(select(Notice.doc_serial).where(
            Notice.doc_serial.is_not(None))))
        next_serial = s.scalar(select(NumberSeries.next_serial)) or 1
        assert serials == list(range(1, next_serial))
        assert s.scalar(select(func.count()).select_from(VoidedNumber)) == 0
        assert s.scalar(select(func.count()).select_from(Notice).where(
            Notice.state.not_in(NOT_YET_ISSUED))) == len(serials)
        s.rollback()
    return len(serials)


def _until_committed(writer: Killable, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while writer.progress.commits < 1:
        writer.fail_on_error()
        assert time.monotonic() < deadline, "the writer committed nothing in a minute"
        time.sleep(0.005)


def kill_again_and_again(database_url, tmp_path, supply: Supply, work: str, rng):
    """KILLS short lives of a writer, each ended by SIGKILL after a random moment of work.
    Returns (kills that landed inside a transaction, transactions committed)."""
    actor = supply.clerk if work == "issue" else supply.receivers
    inside = commits = 0
    for round_ in range(KILLS):
        supply.top_up(work)
        writer = Killable(database_url, write_until_killed, work, actor,
                          errors=tmp_path / f"{work}-{round_}.txt")
        try:
            writer.wait_until_ready()
            if round_ % 5 == 0:
                # Every fifth life is let commit once before its random moment: on a loaded
                # machine a whole transaction can outlast every random moment of the others.
                _until_committed(writer)
            time.sleep(rng.uniform(0.005, 0.2))
            inside += writer.kill()
            commits += writer.progress.commits
        finally:
            writer.stop()
    return inside, commits


@pytest.mark.slow
def test_a_writer_killed_fifty_times_mid_transaction_loses_and_doubles_nothing(
        database_url, engine, session_factory, tmp_path):
    supply = Supply(session_factory)
    engine.dispose()
    rng = random.Random(20160307)

    inside, commits = kill_again_and_again(database_url, tmp_path, supply, "issue", rng)
    assert commits > 0
    assert inside >= KILLS // 5, f"only {inside} of {KILLS} kills landed inside a transaction"
    # A kill between the commit and the writer's count of it is a commit not counted.
    assert commits <= assert_no_serial_lost_or_doubled(session_factory) <= commits + inside
    assert_everything_holds(session_factory)

    inside, commits = kill_again_and_again(database_url, tmp_path, supply, "acknowledge", rng)
    assert commits > 0
    assert inside >= KILLS // 5, f"only {inside} of {KILLS} kills landed inside a transaction"
    with session_factory() as s:
        acknowledged = s.scalar(select(func.count()).select_from(Receipt).where(
            Receipt.state == RS.ACKNOWLEDGED))
        assert commits <= acknowledged <= commits + inside
        s.rollback()
    assert_everything_holds(session_factory)


# ------------------------------------------------------------------------------------------------
# The PostgreSQL server itself killed.

def _postmaster(server_dir: Path) -> int:
    """The pid of the postmaster whose files are in `server_dir`."""
    return int((server_dir / "data" / "postmaster.pid").read_text().splitlines()[0])


def _ppid(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _children(pid: int) -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
            and _ppid(int(p.name)) == pid]


def _server_script(command: str, server_dir: Path, port: int) -> str:
    """Run scripts/test-postgres.sh for the server in `server_dir` on `port`; its output."""
    env = {**os.environ, "GONGWEN_PG_DIR": str(server_dir), "GONGWEN_PG_PORT": str(port)}
    done = subprocess.run(["bash", str(ROOT / "scripts" / "test-postgres.sh"), command], env=env,
                          check=True, capture_output=True, text=True, timeout=180)
    return done.stdout.strip()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_server():
    """A PostgreSQL server of this test's own (the one it kills): (url, its folder, its port).

    Not the suite's server: other tests (and other test processes) go on using that one."""
    system_parts.require(bool(shutil.which("pg_ctl") or list(Path("/usr/lib/postgresql").glob(
        "*/bin/pg_ctl"))), "PostgreSQL's programs are not installed: apt-get install postgresql")
    server_dir, port = Path(f"/tmp/gongwen-pg-killed-{os.getpid()}"), _free_port()
    url = _server_script("start", server_dir, port)
    try:
        yield url, server_dir, port
    finally:
        _server_script("stop", server_dir, port)


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} (waited {timeout} s)"
        time.sleep(0.05)


def _kill_and_restart_the_server(server_dir: Path, port: int, writers: list[Killable]) -> None:
    """SIGKILL the postmaster while the writers write, start it again, see them carry on."""
    def commits_since(before: list[int], n: int):
        return lambda: all(w.progress.commits >= b + n
                           for w, b in zip(writers, before, strict=True))

    _wait_for(commits_since([w.progress.commits for w in writers], 2), 60,
              "the writers did not get going")
    time.sleep(random.uniform(0.01, 0.1))
    postmaster = _postmaster(server_dir)
    backends = _children(postmaster)
    errors = [w.progress.errors for w in writers]
    os.kill(postmaster, signal.SIGKILL)
    # Its backends end by themselves when they notice; a new server cannot start before.
    _wait_for(lambda: not any(Path(f"/proc/{b}").exists() for b in backends), 60,
              "the killed server's backends did not end")
    _wait_for(lambda: all(w.progress.errors > e for w, e in zip(writers, errors, strict=True)),
              30, "the writers did not notice that the server was gone")
    before = [w.progress.commits for w in writers]
    _server_script("start", server_dir, port)
    # The writers carry on by themselves once the server is back.
    _wait_for(commits_since(before, 2), 90, "the writers did not recover after the restart")


@pytest.mark.slow
@pytest.mark.postgres_only  # the database server is killed: SQLite has none
def test_after_the_postgresql_server_is_killed_and_restarted_every_invariant_holds(
        own_server, tmp_path):
    database_url, server_dir, port = own_server
    engine = make_engine(database_url, pool_pre_ping=True)
    create_all(engine)
    session_factory = make_session_factory(engine)
    supply = Supply(session_factory)
    supply.make(10, issued=True)
    supply.make(60)
    engine.dispose()

    writers = []
    try:
        writers = [
            Killable(database_url, write_until_killed, "issue", supply.clerk, True,
                     errors=tmp_path / "issue.txt"),
            Killable(database_url, write_until_killed, "acknowledge", supply.receivers, True,
                     errors=tmp_path / "acknowledge.txt"),
        ]
        for writer in writers:
            writer.wait_until_ready()
        for _ in range(SERVER_KILLS):
            supply.top_up("issue")
            engine.dispose()  # the parent's connections die with the server
            _kill_and_restart_the_server(server_dir, port, writers)
        for writer in writers:
            writer.kill()
    finally:
        for writer in writers:
            writer.stop()
        _server_script("start", server_dir, port)  # whatever happened: back up for the checks
        engine.dispose()

    assert_no_serial_lost_or_doubled(session_factory)
    assert_everything_holds(session_factory)
