"""The benchmarks' common ground: timing, the databases they run on, the machine, RESULTS.md.

Owns: `measure()` (a callable timed N times after warm-up: median, min, max), the benchmark
databases (a SQLite file in WAL mode made through `workflow.db.make_engine`, and a database of its
own on a PostgreSQL server, dropped afterwards) with a bare-driver connection to each for the
floors, the facts about the machine and the pinned versions, and the Markdown of RESULTS.md.
Must not: be imported by the tests, or change what it measures (no engine code lives here).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from workflow import audit  # noqa: E402
from workflow.db import create_all, make_engine, make_session_factory  # noqa: E402

# A benchmark writes the audit trail as any process of the product does, under a key of its own.
AUDIT_KEY = "gongwen-benchmarks-audit-key-not-a-secret-0123456789"
audit.use_key(AUDIT_KEY)

RESULTS = ROOT / "bench" / "RESULTS.md"
PINNED = ("SQLAlchemy", "psycopg", "transitions", "Flask-SQLAlchemy")
BENCH_DATABASE = f"gongwen_bench_{os.getpid()}"  # one per run: runs may overlap


# -- timing ------------------------------------------------------------------------------------

@dataclass
class Figure:
    """One measured figure: every repetition's time in seconds."""

    label: str
    times: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def max(self) -> float:
        return max(self.times)

    def percentile(self, q: float) -> float:
        """The q-th percentile (0–100) of the times, by the nearest-rank method."""
        ordered = sorted(self.times)
        rank = max(1, -(-len(ordered) * q // 100))  # ceil(n·q/100), at least 1
        return ordered[int(rank) - 1]


def measure(label: str, fn: Callable[[], object], *, runs: int, warmup: int = 3) -> Figure:
    """Call `fn` `warmup` times untimed, then `runs` times timed, one call per timing.

    The collector runs between calls, never inside one, so a collection pause lands on no figure.
    """
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        finally:
            gc.enable()
    return Figure(label, times)


def interleaved(pairs: list[tuple[str, Callable[[], object]]], *, runs: int,
                warmup: int = 3) -> list[Figure]:
    """Measure several callables taking turns, so that a noisy moment on a shared machine falls
    on all of them alike and their ratio stays honest.

    Each round starts one place further on, so every callable takes every place in the round
    equally often (with a fixed order, the call after one that drops many objects ran 1–2 ms
    slower, whichever it was). The objects left from the set-up are frozen out of the collector
    meanwhile: the collection run between timings would otherwise walk them each time.
    """
    for _ in range(warmup):
        for _, fn in pairs:
            fn()
    figures = [Figure(label, []) for label, _ in pairs]
    gc.collect()
    gc.freeze()
    try:
        for round_ in range(runs):
            for i in range(len(pairs)):
                k = (round_ + i) % len(pairs)
                label, fn = pairs[k]
                figures[k].times.extend(measure(label, fn, runs=1, warmup=0).times)
    finally:
        gc.unfreeze()
    return figures


# -- results -----------------------------------------------------------------------------------

@dataclass
class Ratio:
    """A ratio of two medians measured in the same run, set against its target."""

    label: str
    value: float
    target: str
    met: bool | None  # None: no target, shown for information


@dataclass
class Section:
    """One benchmark on one database: its figures, its ratios, and notes."""

    title: str
    figures: list[Figure] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unit: str = "ms"  # how the figures are shown
    p95: bool = False  # whether a p95 column is shown beside the median


def _shown(seconds: float, unit: str) -> str:
    return f"{seconds * 1000:.3f}" if unit == "ms" else f"{seconds:.4f}"


def section_markdown(section: Section) -> str:
    lines = [f"### {section.title}", ""]
    if section.figures:
        u = section.unit
        p95_head, p95_rule = (f" p95 {u} |", "---:|") if section.p95 else ("", "")
        lines += [f"| figure | median {u} |{p95_head} min {u} | max {u} | runs |",
                  f"|---|---:|{p95_rule}---:|---:|---:|"]
        for f in section.figures:
            p95 = f" {_shown(f.percentile(95), u)} |" if section.p95 else ""
            lines.append(f"| {f.label} | {_shown(f.median, u)} |{p95} "
                         f"{_shown(f.min, u)} | {_shown(f.max, u)} | {len(f.times)} |")
        lines.append("")
    if section.ratios:
        lines += ["| ratio | value | target | met |", "|---|---:|---|---|"]
        for r in section.ratios:
            met = "—" if r.met is None else ("yes" if r.met else "**no**")
            lines.append(f"| {r.label} | {r.value:.2f} | {r.target} | {met} |")
        lines.append("")
    lines += [f"- {note}" for note in section.notes]
    if section.notes:
        lines.append("")
    return "\n".join(lines)


def print_section(section: Section) -> None:
    print(section_markdown(section), flush=True)


def write_results(facts: dict[str, str], parts: list[tuple[str, str, list[Section]]],
                  *, elapsed: float, path: Path = RESULTS) -> None:
    """Write RESULTS.md: the machine and versions, then per benchmark its intro and sections."""
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`bench/run.py`); do not edit by hand. Figures are medians of "
        "repeated runs on a shared machine: read the ratios (both sides measured in the same "
        "run, taking turns), not the absolute times.",
        "",
        "## Machine",
        "",
        "| fact | value |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in facts.items()]
    lines += ["", f"The whole run took {elapsed:.0f} s.", ""]
    for heading, intro, sections in parts:
        lines += [f"## {heading}", "", intro, ""]
        lines += [section_markdown(s) for s in sections]
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


# -- the machine -------------------------------------------------------------------------------

def _cpu() -> tuple[str, int]:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return model, os.cpu_count() or 0


def machine_facts(postgres_version: str | None) -> dict[str, str]:
    model, count = _cpu()
    facts = {
        "date (UTC)": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "CPU": model,
        "CPUs": str(count),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL server": postgres_version or "not available",
    }
    for name in PINNED:
        try:
            facts[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            facts[name] = "not installed"
    return facts


# -- databases ---------------------------------------------------------------------------------

@dataclass
class Database:
    """A freshly created, empty benchmark database: the engine's URL and a bare connection."""

    name: str  # "SQLite" or "PostgreSQL"
    url: str

    def engine(self, **kwargs):
        return make_engine(self.url, **kwargs)

    def session_factory(self, engine):
        return make_session_factory(engine)

    def bare(self):
        """A connection through the driver alone, set up as the application sets up its own."""
        if self.name == "SQLite":
            conn = sqlite3.connect(make_url(self.url).database, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            return conn
        import psycopg

        return psycopg.connect(make_url(self.url).set(drivername="postgresql")
                               .render_as_string(hide_password=False))

    def begin(self, conn) -> None:
        """Open a write transaction on a bare connection as the application does."""
        if self.name == "SQLite":
            conn.execute("BEGIN IMMEDIATE")
        # psycopg opens one itself with the first statement

    @property
    def placeholder(self) -> str:
        return "?" if self.name == "SQLite" else "%s"


@contextlib.contextmanager
def sqlite_database() -> Iterator[Database]:
    with tempfile.TemporaryDirectory(prefix="gongwen-bench-") as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        create_all(engine)
        engine.dispose()
        yield Database("SQLite", url)


@contextlib.contextmanager
def postgres_database(server_url: str, name: str = BENCH_DATABASE) -> Iterator[Database]:
    """A database `name` of the benchmarks' own on the server `server_url` names (any database URL
    of that server), dropped afterwards."""
    base = make_url(server_url)
    url = base.set(database=name).render_as_string(hide_password=False)
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        engine = make_engine(url)
        create_all(engine)
        engine.dispose()
        yield Database("PostgreSQL", url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_version(server_url: str) -> str:
    engine = make_engine(server_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SHOW server_version"))
    finally:
        engine.dispose()


@contextlib.contextmanager
def postgres_server() -> Iterator[str | None]:
    """A PostgreSQL server's URL, or None when there is none.

    GONGWEN_BENCH_POSTGRES_URL names a running server; otherwise the throwaway server of
    scripts/test-postgres.sh is used — started here and stopped afterwards unless it was already
    running (then it is left as it was found).
    """
    given = os.environ.get("GONGWEN_BENCH_POSTGRES_URL")
    if given:
        yield given
        return
    script = ["bash", str(ROOT / "scripts" / "test-postgres.sh")]
    was_running = _answers()
    started = subprocess.run([*script, "start"], capture_output=True, text=True, check=False)
    if started.returncode != 0:
        print(f"PostgreSQL not available: {started.stderr.strip()}", file=sys.stderr)
        yield None
        return
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        if not was_running:
            subprocess.run([*script, "stop"], capture_output=True, check=False)


def _answers() -> bool:
    """Whether the throwaway server is already up (then someone else started it)."""
    import socket

    port = int(os.environ.get("GONGWEN_PG_PORT", "54329"))
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


def as_sections(result: Section | list[Section]) -> list[Section]:
    """A benchmark's `run` returns one Section or several."""
    return result if isinstance(result, list) else [result]


def main_on_both(run: Callable[[Database], Section | list[Section]]) -> int:
    """A benchmark script's main: `run` on SQLite, then on PostgreSQL when there is one."""
    with sqlite_database() as db:
        for section in as_sections(run(db)):
            print_section(section)
    with postgres_server() as server:
        if server is None:
            print("PostgreSQL: not available, not measured.")
            return 0
        with postgres_database(server) as db:
            for section in as_sections(run(db)):
                print_section(section)
    return 0


def main_on_sqlite(run: Callable[[Database], Section | list[Section]], argv: list[str]) -> int:
    """A main for a benchmark measured on SQLite by default, on both databases with --postgres."""
    if "--postgres" in argv:
        return main_on_both(run)
    with sqlite_database() as db:
        for section in as_sections(run(db)):
            print_section(section)
    return 0
