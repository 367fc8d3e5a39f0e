"""B4: Gongwen over HTTP under gunicorn, against a bare Flask hello-world under the same settings.

Two gunicorn servers run side by side on loopback, each with the same settings (`WORKERS` workers
of class `WORKER_CLASS`, no access log): Gongwen (`wsgi:app` on a benchmark database) and the
hello-world of bench/b4_hello.py. wrk (Debian's 4.1.0) loads them in turn with `CLIENTS`
connections on `WRK_THREADS` thread(s) for `SECONDS` s per run, after a warm-up run of each; the two
pages take turns round by round, and the figures are medians across `ROUNDS` rounds:

- the inbox page: GET /inbox/ (我的待办) of 20 receivers, each logged in with a session cookie
  of their own; each inbox holds `INBOX_NOTICES` notices to sign for and as many reports due;
- acknowledging: POST /receiving/receipts/<id>/acknowledge with the form's CSRF token and the
  receipt's version, each request signing for a fresh receipt of its own (`ACK_UNITS` units, each
  with its receiver logged in, and enough notices issued to them that the plan never runs out);
  afterwards every receipt the run sent a request for is checked in the database: one left
  unsigned counts as an error, as does any response outside 2xx/3xx and any socket error.

The hello-world answers the very same requests (same wrk script, plans, cookies and bodies).
Targets: Gongwen's throughput ≥ 40% of the hello-world's, p99 ≤ 100 ms, no errors. The world is
built with tests/factories.py through the real commands, the accounts with the CHEAPEST password
profile; the logins (stdlib urllib, before any measured run, on a server with the production
profile) go through the real login form. The load
generator shares the machine's cores with both servers: on a 2-core machine wrk takes CPU from
the workers, on both sides alike.

    .venv/bin/python bench/b4_http.py             # SQLite (about 2½ minutes)
    .venv/bin/python bench/b4_http.py --postgres  # SQLite, then PostgreSQL when there is one
    .venv/bin/python bench/b4_http.py --profile   # where one worker's time goes (pyinstrument)
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, func, select, update  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from bench.harness import (  # noqa: E402
    AUDIT_KEY,
    ROOT,
    Database,
    Figure,
    Ratio,
    Section,
    main_on_sqlite,
    sqlite_database,
)
from tests.factories import add_units_with_receivers, build_world, notice_in  # noqa: E402
from workflow import passwords  # noqa: E402
from workflow.db import read_only  # noqa: E402
from workflow.models import Receipt, User  # noqa: E402
from workflow.states import NoticeState, ReceiptState  # noqa: E402

TITLE = "B4 — HTTP under gunicorn: the inbox page and acknowledging"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
SCRIPT = Path(__file__).with_name("b4_requests.lua")
USER_AGENT = "gongwen-bench"  # wrk's script sends the same (Flask-Login's session identifier)
PASSWORD = "bench-password-1"

WORKERS = 2
WORKER_CLASS = "sync"  # docs/deploy.md's choice; see there for gthread, measured against it
WORKER_OPTIONS: tuple[str, ...] = ()  # further gunicorn options of both servers
CLIENTS = 20
WRK_THREADS = 1
SECONDS = int(os.environ.get("GONGWEN_BENCH_B4_SECONDS", "8"))
WARMUP_SECONDS = 2
ROUNDS = int(os.environ.get("GONGWEN_BENCH_B4_ROUNDS", "3"))
INBOX_NOTICES = 10  # each inbox page: 10 notices to sign for, 10 reports due
ACK_UNITS = 20  # one receiver each, who signs for the unit's receipts
FIRST_RATE = 400  # requests/s assumed for acknowledging until a run has measured it
THROUGHPUT_TARGET = 0.40
P99_TARGET = 0.100  # s


# -- the world -----------------------------------------------------------------------------------

@dataclass
class Account:
    username: str
    unit_id: int
    cookie: str = ""  # the Cookie header of its logged-in session
    token: str = ""  # a CSRF token of that session


@dataclass
class World:
    """Who logs in, what there is to look at and to sign for, and a session to issue more."""

    inbox: list[Account]  # receivers whose inbox page is loaded
    signers: dict[int, Account]  # unit id → its receiver, who signs for its receipts
    notice_ids: list[int]  # the notices in the inbox receivers' inboxes
    factory: sessionmaker  # sessions on the benchmark database, for the checks
    engine: Engine
    session: Session  # the builders' session, kept to issue more notices to sign for
    builders: object  # tests.factories.World, in `session`
    issued: int = 0  # notices issued to the signers' units

    @property
    def accounts(self) -> list[Account]:
        return [*self.inbox, *self.signers.values()]

    def close(self) -> None:
        self.session.close()
        self.engine.dispose()


def build(db: Database, *, inbox_units: int = CLIENTS, ack_units: int = ACK_UNITS,
          receipts: int = 0) -> World:
    """Units with receivers, notices in the inboxes, and `receipts` receipts to sign for."""
    passwords.use_profile("CHEAPEST")  # the accounts are made here; no login is timed
    engine = db.engine()
    factory = db.session_factory(engine)
    s = factory()
    w = build_world(s, districts=1)
    inbox_ids = add_units_with_receivers(s, w, "B4I-", inbox_units)
    ack_ids = add_units_with_receivers(s, w, "B4A-", ack_units)
    s.execute(update(User).where(User.unit_id.in_(inbox_ids + ack_ids))
              .values(password_hash=passwords.hash_password(PASSWORD)))
    s.commit()
    notice_ids = [notice_in(w, NoticeState.ISSUED, main_group_ids=[], main_unit_ids=inbox_ids,
                            cc_unit_ids=[]).id for _ in range(INBOX_NOTICES)]
    s.commit()
    users = dict(s.execute(select(User.unit_id, User.username)
                           .where(User.unit_id.in_(inbox_ids + ack_ids))).all())
    s.commit()
    world = World(inbox=[Account(users[u], u) for u in inbox_ids],
                  signers={u: Account(users[u], u) for u in ack_ids},
                  notice_ids=notice_ids, factory=factory, engine=engine, session=s, builders=w)
    top_up(world, receipts)
    return world


def top_up(world: World, receipts: int) -> None:
    """Issue notices to the signers' units until at least `receipts` receipts wait to be signed
    for (notices without report requests: they only wait for 签收)."""
    missing = receipts - len(pending(world))
    units = list(world.signers)
    for i in range(-(-missing // len(units))):
        notice_in(world.builders, NoticeState.ISSUED, main_group_ids=[], main_unit_ids=units,
                  cc_unit_ids=[], requests=[])
        world.issued += 1
        if i % 20 == 19:
            world.session.commit()
    world.session.commit()


def pending(world: World) -> list[tuple[int, int, int]]:
    """(receipt id, version, unit id) of every receipt still to sign for, oldest notice first."""
    with world.factory() as s:
        read_only(s)
        return [tuple(row) for row in s.execute(
            select(Receipt.id, Receipt.version, Receipt.unit_id)
            .where(Receipt.unit_id.in_(list(world.signers)),
                   Receipt.state == ReceiptState.PENDING)
            .order_by(Receipt.notice_id, Receipt.id)).all()]


def unsigned(world: World, receipt_ids: list[int]) -> int:
    """How many of `receipt_ids` are still pending."""
    with world.factory() as s:
        read_only(s)
        count = 0
        for start in range(0, len(receipt_ids), 500):
            count += s.scalar(select(func.count()).select_from(Receipt).where(
                Receipt.id.in_(receipt_ids[start:start + 500]),
                Receipt.state == ReceiptState.PENDING))
        return count


# -- servers -------------------------------------------------------------------------------------

@dataclass
class Server:
    url: str
    pid: int  # gunicorn's master

    def workers(self) -> list[int]:
        """The worker processes: the master's children."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        with contextlib.suppress(OSError):
            return [int(p) for p in children.read_text().split()]
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.pid:
                    found.append(int(stat.parent.name))
        return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gongwen_env(db: Database, instance: Path) -> dict[str, str]:
    """The environment of a Gongwen server on `db` (production password profile)."""
    env = {k: v for k, v in os.environ.items() if k != "GONGWEN_ARGON2_PROFILE"}
    env.update(GONGWEN_INSTANCE_PATH=str(instance), DATABASE_URL=db.url,
               GONGWEN_AUDIT_KEY=AUDIT_KEY)
    return env


@contextlib.contextmanager
def gunicorn(app: str, *, workers: int, log: Path, env: dict[str, str] | None = None,
             probe: str = "/") -> Iterator[Server]:
    """gunicorn serving `app` on a free loopback port, stopped again afterwards."""
    port = _free_port()
    command = [GUNICORN, "--chdir", str(ROOT), "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--worker-class", WORKER_CLASS, *WORKER_OPTIONS, app]
    with open(log, "ab") as out:
        process = subprocess.Popen(command, env=env or dict(os.environ), stdout=out,
                                   stderr=subprocess.STDOUT, cwd=ROOT)
    server = Server(f"http://127.0.0.1:{port}", process.pid)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn {app} exited: {log.read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(server.url + probe, timeout=5) as answer:
                    answer.read()
                if len(server.workers()) == workers:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn {app} did not answer: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- logging in ----------------------------------------------------------------------------------

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def log_in(url: str, account: Account) -> None:
    """Log in through the login form; keep the session cookie and a CSRF token of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    with opener.open(url + "/login", timeout=60) as page:
        token = _TOKEN.search(page.read().decode()).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "username": account.username,
                                   "password": PASSWORD}).encode()
    with opener.open(url + "/login", form, timeout=60) as page:  # 303 to 我的待办, followed
        landed, text = page.geturl(), page.read().decode()
    if not landed.endswith("/inbox/"):
        raise RuntimeError(f"{account.username} did not log in (landed on {landed})")
    account.token = _TOKEN.search(text).group(1)  # the logout form's, of the final session
    account.cookie = "; ".join(f"{c.name}={c.value}" for c in jar)


def log_in_all(url: str, accounts: list[Account]) -> None:
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda a: log_in(url, a), accounts))


# -- plans and wrk -------------------------------------------------------------------------------

def line(method: str, path: str, account: Account, body: str = "") -> str:
    return f"{method}\t{path}\t{account.cookie}\t{body}"


def inbox_lines(world: World) -> list[str]:
    return [line("GET", "/inbox/", a) for a in world.inbox]


def notice_lines(world: World) -> list[str]:
    return [line("GET", f"/notices/{world.notice_ids[i % len(world.notice_ids)]}", a)
            for i, a in enumerate(world.inbox)]


def ack_lines(world: World, receipts: list[tuple[int, int, int]]) -> list[str]:
    lines = []
    for receipt_id, version, unit_id in receipts:
        signer = world.signers[unit_id]
        body = urllib.parse.urlencode({"csrf_token": signer.token, "expected_version": version})
        lines.append(line("POST", f"/receiving/receipts/{receipt_id}/acknowledge", signer, body))
    return lines


@dataclass
class Plan:
    """The plan files of one wrk run: thread n (1, 2, …) sends the lines of `prefix`n.txt."""

    prefix: str
    mode: str  # "cycle" or "once"
    per_thread: list[list[str]] = field(default_factory=list)
    # Per thread, line by line: the receipt the line signs for, 0 for a line that signs nothing.
    receipts: list[list[int]] = field(default_factory=list)


def write_plan(directory: Path, name: str, lines: list[str], *, mode: str,
               receipts: list[int] | None = None, threads: int = WRK_THREADS) -> Plan:
    """Deal `lines` out to the threads' plan files; `receipts` (if any) runs beside `lines`."""
    receipts = receipts or [0] * len(lines)
    plan = Plan(str(directory / f"{name}-"), mode)
    for n in range(threads):
        mine = lines[n::threads]
        Path(f"{plan.prefix}{n + 1}.txt").write_text("\n".join(mine) + "\n", encoding="utf-8")
        plan.per_thread.append(mine)
        plan.receipts.append(receipts[n::threads])
    return plan


@dataclass
class WrkRun:
    """One wrk run: its counts and latency distribution (wrk's, in µs)."""

    raw: dict
    unsigned: int = 0  # receipts a request was sent for that are still pending afterwards

    @property
    def seconds(self) -> float:
        return self.raw["duration_us"] / 1e6

    @property
    def throughput(self) -> float:
        return self.raw["requests"] / self.seconds

    @property
    def p50(self) -> float:
        return self.raw["p50_us"] / 1e6

    @property
    def p99(self) -> float:
        return self.raw["p99_us"] / 1e6

    @property
    def socket_errors(self) -> int:
        return sum(self.raw[k] for k in ("connect", "read", "write", "timeout"))

    @property
    def errors(self) -> int:
        """Socket errors, responses outside 2xx/3xx, overruns of the plan, unsigned receipts."""
        r = self.raw
        return (self.socket_errors + r["s4"] + r["s5"] + r["other"] + r["overrun"]
                + self.unsigned)

    def describe(self) -> str:
        r = self.raw
        return (f"{self.throughput:.0f} req/s, p50 {self.p50 * 1000:.1f} ms, "
                f"p99 {self.p99 * 1000:.1f} ms, {r['requests']} responses "
                f"(2xx {r['s2']}, 3xx {r['s3']}, 4xx {r['s4']}, 5xx {r['s5']}), "
                f"socket errors {self.socket_errors}, overrun {r['overrun']}, "
                f"unsigned {self.unsigned}")


def wrk(server: Server, plan: Plan, *, seconds: float, connections: int = CLIENTS,
        limit: int = 0, mode: str | None = None) -> WrkRun:
    """Run wrk with the plan; with `limit`, end it once each thread has that many responses.

    `mode` overrides the plan's: the hello-world is sent an acknowledgement plan "cycle", since
    it signs for nothing and would otherwise run past the plan's end."""
    threads = len(plan.per_thread)
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "10s",
               "-s", str(SCRIPT), server.url, "--", plan.prefix, mode or plan.mode, str(limit)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=ROOT)
    lines = []
    if limit:
        stopped = 0
        for text in process.stdout:
            lines.append(text)
            if text.startswith("GONGWEN_LIMIT"):
                stopped += 1
                if stopped == threads:
                    process.send_signal(signal.SIGINT)
                    break
    out, err = process.communicate(timeout=seconds + 60)
    lines.append(out)
    found = [t for t in "".join(lines).splitlines() if t.startswith("GONGWEN_WRK ")]
    if process.returncode != 0 or not found:
        raise RuntimeError(f"wrk failed ({process.returncode}): {''.join(lines)} {err}")
    return WrkRun(json.loads(found[-1].removeprefix("GONGWEN_WRK ")))


def check_signed(world: World, plan: Plan, run: WrkRun, *, connections: int = CLIENTS) -> WrkRun:
    """Count the receipts the run sent a request for that are still unsigned.

    When wrk stops, each connection's last request may be cut off (made but not written, or
    written and then closed on): the last `connections` requests of each thread are not
    counted, whatever the server did with them. Every earlier one must have signed."""
    sent = run.raw["sent_by_thread"]
    asked = [rid for mine, n in zip(plan.receipts, sent, strict=True)
             for rid in mine[:max(0, n - connections)] if rid]
    # The requests still queued when wrk stopped are answered by the server afterwards.
    before, deadline = None, time.monotonic() + 10
    while (left := unsigned(world, asked)) != before and time.monotonic() < deadline:
        before = left
        time.sleep(0.3)
    run.unsigned = left
    return run


# -- B4 ------------------------------------------------------------------------------------------

@dataclass
class Side:
    """One side's runs of one request kind, round by round."""

    label: str
    runs: list[WrkRun] = field(default_factory=list)

    def throughput(self) -> float:
        return statistics.median(r.throughput for r in self.runs)

    def figures(self) -> list[Figure]:
        return [Figure(f"{self.label}: p50 latency", [r.p50 for r in self.runs]),
                Figure(f"{self.label}: p99 latency", [r.p99 for r in self.runs])]


def run(db: Database) -> Section:
    started = time.perf_counter()
    world = build(db, receipts=FIRST_RATE * WARMUP_SECONDS * 2 + CLIENTS)
    setup = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="gongwen-b4-") as tmp:
        tmp = Path(tmp)
        env = gongwen_env(db, tmp / "instance")
        with gunicorn("wsgi:app", workers=WORKERS, env=env, log=tmp / "gongwen.log",
                      probe="/login") as gongwen, \
                gunicorn("bench.b4_hello:app", workers=WORKERS, log=tmp / "hello.log") as hello:
            began = time.perf_counter()
            log_in_all(gongwen.url, world.accounts)
            logins = time.perf_counter() - began
            inbox_plan = write_plan(tmp, "inbox", inbox_lines(world), mode="cycle")
            sides = {key: (Side(f"hello-world, {what}"), Side(f"Gongwen, {what}"))
                     for key, what in (("inbox", "GET /inbox/"),
                                       ("ack", "POST …/acknowledge"))}
            rates = []  # of acknowledging so far: the next plan is twice the fastest long

            def ack_plan(name: str, seconds: float) -> Plan:
                nonlocal setup
                began = time.perf_counter()
                top_up(world, int(max(rates or [FIRST_RATE]) * seconds * 2) + CLIENTS)
                setup += time.perf_counter() - began
                receipts = pending(world)
                return write_plan(tmp, name, ack_lines(world, receipts), mode="once",
                                  receipts=[r[0] for r in receipts])

            def both(key: str, seconds: float, name: str, *, peer_first: bool):
                plan = inbox_plan if key == "inbox" else ack_plan(name, seconds)
                runs = {}
                for side in ("peer", "ours") if peer_first else ("ours", "peer"):
                    if side == "peer":  # it signs for nothing: the plan never runs out
                        runs[side] = wrk(hello, plan, seconds=seconds, mode="cycle")
                    else:
                        runs[side] = wrk(gongwen, plan, seconds=seconds)
                if key == "ack":
                    check_signed(world, plan, runs["ours"])
                    rates.append(runs["ours"].throughput)
                return runs["peer"], runs["ours"]

            for key in sides:  # warm-up: both servers, both kinds, not counted
                both(key, WARMUP_SECONDS, f"warmup-{key}", peer_first=True)
            for n in range(ROUNDS):
                for key, (peer_side, our_side) in sides.items():
                    peer, ours = both(key, SECONDS, f"{key}-{n}", peer_first=n % 2 == 0)
                    peer_side.runs.append(peer)
                    our_side.runs.append(ours)
                    print(f"  round {n + 1} {key}: hello-world {peer.describe()}; "
                          f"Gongwen {ours.describe()}", flush=True)
    world.close()
    return section(db, sides, setup=setup, logins=logins, issued=world.issued,
                   elapsed=time.perf_counter() - started, accounts=len(world.accounts))


def section(db: Database, sides: dict[str, tuple[Side, Side]], *, setup: float, logins: float,
            issued: int, elapsed: float, accounts: int) -> Section:
    figures, ratios, notes = [], [], []
    for key, (peer, ours) in sides.items():
        figures += peer.figures() + ours.figures()
        share = ours.throughput() / peer.throughput()
        what = "inbox page" if key == "inbox" else "acknowledging"
        ratios.append(Ratio(f"{what}: throughput / hello-world's", share,
                            f"≥ {THROUGHPUT_TARGET:.2f}", share >= THROUGHPUT_TARGET))
        p99 = statistics.median(r.p99 for r in ours.runs)
        ratios.append(Ratio(f"{what}: p99 / 100 ms", p99 / P99_TARGET, "≤ 1 (p99 ≤ 100 ms)",
                            p99 <= P99_TARGET))
        errors = sum(r.errors for r in ours.runs)
        ratios.append(Ratio(f"{what}: errors (all rounds)", errors, "0", errors == 0))
        for side in (peer, ours):
            per_round = ", ".join(f"{r.throughput:.0f}" for r in side.runs)
            notes.append(f"{side.label}: median {side.throughput():.0f} requests/s "
                         f"(rounds: {per_round}); errors {sum(r.errors for r in side.runs)}.")
    notes += [
        f"gunicorn {WORKERS} workers, worker class {WORKER_CLASS}"
        f"{' ' + ' '.join(WORKER_OPTIONS) if WORKER_OPTIONS else ''}, on loopback, no access "
        f"log; wrk {WRK_THREADS} thread, {CLIENTS} connections, {SECONDS} s per run after a "
        f"{WARMUP_SECONDS} s warm-up of each; {ROUNDS} rounds, hello-world and Gongwen taking "
        "turns (which goes first alternates); figures are medians across rounds.",
        f"The machine has {os.cpu_count()} cores, shared by both servers' workers and wrk: the "
        "load generator competes with the server.",
        f"Inbox: {CLIENTS} receivers, each inbox {INBOX_NOTICES} notices to sign for and "
        f"{INBOX_NOTICES} reports due. Acknowledging: {ACK_UNITS} receivers, each POST signing "
        "for a fresh receipt (wrk gives each thread, not each connection, its own list); errors "
        "count socket errors, responses outside 2xx/3xx and receipts a request was sent for "
        "that stayed unsigned.",
        "Where a worker's time goes: `.venv/bin/python bench/b4_http.py --profile` "
        "(pyinstrument in one sync worker under the same load).",
        f"Set-up {setup:.0f} s (world and {issued} notices to {ACK_UNITS} units to sign for), "
        f"{accounts} logins {logins:.0f} s (production password profile on the server: each "
        f"login re-hashes the CHEAPEST hash the accounts were made with); the whole benchmark "
        f"{elapsed:.0f} s.",
    ]
    return Section(title=f"{TITLE} — {db.name}", figures=figures, ratios=ratios, notes=notes)


# -- profiling a worker -------------------------------------------------------------------------

PROFILE_HOOKS = """
from pyinstrument import Profiler

_profiler = Profiler(interval=0.0005)


def post_worker_init(worker):  # the app is loaded: what follows is serving requests
    _profiler.start()


def worker_exit(server, worker):
    _profiler.stop()
    with open({out!r}, "w", encoding="utf-8") as file:
        file.write(_profiler.output_text(unicode=True, color=False, show_all={show_all!r}))
"""


def profile(db: Database, *, seconds: float = 10, show_all: bool = False) -> dict[str, str]:
    """Where a worker's time goes: one sync worker under pyinstrument (started once the app is
    loaded, stopped when the worker exits), loaded by wrk with each of B4's two plans in turn, on
    a server of its own each. Returns pyinstrument's text per plan."""
    world = build(db, receipts=FIRST_RATE * int(seconds))
    reports = {}
    with tempfile.TemporaryDirectory(prefix="gongwen-b4-profile-") as tmp:
        tmp = Path(tmp)
        env = gongwen_env(db, tmp / "instance")
        # Logged in on a server of their own: the sessions (signed cookies) hold on the next.
        with gunicorn("wsgi:app", workers=WORKERS, env=env, log=tmp / "gongwen.log",
                      probe="/login") as server:
            log_in_all(server.url, world.accounts)
        for key in ("inbox", "ack"):
            out = tmp / f"{key}.txt"
            hooks = tmp / f"hooks-{key}.py"
            hooks.write_text(PROFILE_HOOKS.format(out=str(out), show_all=show_all))
            global WORKER_OPTIONS
            saved, WORKER_OPTIONS = WORKER_OPTIONS, (*WORKER_OPTIONS, "--config", str(hooks))
            try:
                with gunicorn("wsgi:app", workers=1, env=env, log=tmp / "gongwen.log",
                              probe="/login") as server:
                    if key == "inbox":
                        plan = write_plan(tmp, key, inbox_lines(world), mode="cycle")
                    else:
                        receipts = pending(world)
                        plan = write_plan(tmp, key, ack_lines(world, receipts), mode="once",
                                          receipts=[r[0] for r in receipts])
                    result = wrk(server, plan, seconds=seconds)
                    print(f"  profiled {key}: {result.describe()}", flush=True)
            finally:
                WORKER_OPTIONS = saved
            reports[key] = out.read_text(encoding="utf-8")
    world.close()
    return reports


def main() -> int:
    if "--profile" in sys.argv[1:]:
        import importlib.util

        # A tool for finding where the time goes, not a dependency of the project or its tests.
        if importlib.util.find_spec("pyinstrument") is None:
            print("--profile needs pyinstrument in the project's environment: "
                  ".venv/bin/pip install pyinstrument", file=sys.stderr)
            return 2
        with sqlite_database() as db:
            for key, text in profile(db, show_all="--all" in sys.argv[1:]).items():
                print(f"==== {key}\n{text}")
        return 0
    return main_on_sqlite(run, sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
