"""Run every benchmark in bench/ and write bench/RESULTS.md (`make bench`).

B1, B2, B3, B5, B7 and B8 run on a SQLite file and on PostgreSQL (the throwaway server of
scripts/test-postgres.sh, or the one GONGWEN_BENCH_POSTGRES_URL names; without one, its rows say
so); B4 and B6 (HTTP under gunicorn) on SQLite; the parser's scaling figures follow as their own
section. Must not: be imported by the tests.

    .venv/bin/python bench/run.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import (  # noqa: E402
    b1_one_action,
    b2_issue,
    b3_acknowledge,
    b4_http,
    b5_queries,
    b6_memory,
    b7_tree,
    b8_download,
    parse_scaling,
)
from bench.harness import (  # noqa: E402
    RESULTS,
    Ratio,
    Section,
    as_sections,
    machine_facts,
    measure,
    postgres_database,
    postgres_server,
    postgres_version,
    print_section,
    sqlite_database,
    write_results,
)

BENCHMARKS = [
    (b1_one_action, "B1 — one action in a request-like path",
     "Open a session, load the user, acknowledge a fresh receipt (load, check, transition, audit "
     "entry), commit; against the same UPDATE + INSERT committed through the bare driver. "
     "Target ≤ 4× the floor."),
    (b2_issue, "B2 — issue to 100, 1,000 and 10,000 units",
     "`issue` of a signed notice with one report request to N units (each with a receiver), "
     "committed; against a bulk INSERT of N receipt rows through the bare driver, with the bulk "
     "INSERT of every row issue writes as a second reference. Target ≤ 2× the floor at 10,000, "
     "cost linear in N."),
    (b3_acknowledge, "B3 — acknowledge on small and large notices, and against SpiffWorkflow",
     "`acknowledge` in the request-like path of B1 on notices of 10, 50 and 10,000 receipts "
     "(flat: within 1.3× across sizes), and the same acknowledgement run by SpiffWorkflow as BPMN "
     "(a parallel multi-instance user task over 50 units), its state read, deserialized, "
     "advanced, serialized and written back in the same database per repetition (target: "
     "Gongwen ≥ 10× faster); B3' the same comparison at 500 and 5,000 recipient units, a fixed "
     "sample of acknowledgements per size."),
    (b5_queries, "B5 — the desks' reads at 100k notices and 1M receipts",
     "The inbox (a receiver's and a 督办's), the 督办's tracking list, the overdue list and the "
     "tracking matrix, each as one request reads it, on generated data of 100,000 notices "
     "(`bench/b5_generate.py`) against the newest 10,000 of the same history. Targets: p95 ≤ "
     "50 ms at 100k, the median ≤ 2× that at 10k, every statement along an index (the plans: "
     "`bench/EXPLAIN.md`)."),
    (b7_tree, "B7 — the 转发 tree at national scale",
     "A synthetic national federation (31 provinces, 333 cities, 2,800 counties, 40,000 "
     "townships) and a national notice forwarded at every level (`bench/b7_tree.py`), at 5 levels "
     "and at 4: the roll-up beside each unit on the issuer's tracking page (read from the "
     "counters the commands keep per 转发, beside the former count of every receipt and report), "
     "everything the page reads of the tree, a province's and a lowest level's roll-up, and the "
     "tree (`flask notice tree`, 转发情况) whole and one level at a time. Target: the national "
     "roll-up's p95 ≤ 50 ms on PostgreSQL. The plans: `bench/EXPLAIN.md` (B7 parts)."),
    (b8_download, "B8 — downloading the 正式文件",
     "One whole request in the web application (Flask's test client, a logged-in person): the "
     "PDF of an issued notice, its 正式文件 stored at 印发 and served as stored, against the same "
     "download of a draft of the same text (seed 000's, three pages), rendered by WeasyPrint on "
     "every download as every issued notice was before. Target: the stored file ≤ 50 ms."),
]
# Over HTTP, on SQLite only: the issue asks for both databases of the others, and a run of these
# on PostgreSQL too (`.venv/bin/python bench/b4_http.py --postgres`) takes four minutes more.
HISTORY = Path(__file__).with_name("HISTORY.md")
HTTP_BENCHMARKS = [
    (b4_http, "B4 — HTTP under gunicorn, against a Flask hello-world",
     "gunicorn with 2 sync workers on loopback, wrk with 20 connections: the inbox page and "
     "signing for receipt (each POST a fresh receipt), against a bare Flask hello-world under "
     "the same settings and load, taking turns. Targets: ≥ 40% of hello-world's throughput, "
     "p99 ≤ 100 ms, no errors."),
    (b6_memory, "B6 — a worker's memory after 10,000 requests",
     "One gunicorn worker serving the inbox page, a notice page and signing for receipt in turn; "
     "its resident memory after 100 … 10,000 requests. Target: ≤ 1.2× the figure after 100."),
]


def parse_scaling_section() -> Section:
    """The parser on pathological input at n, 2n, 4n: each doubling should about double."""
    section = Section(title="Parser scaling (workflow.notice_text.parse_notice)", unit="s")
    for name, build in parse_scaling.CASES.items():
        previous = None
        for n in parse_scaling.SIZES:
            text = build(n)
            figure = measure(f"{name}, n = {n:,}", lambda text=text: parse_scaling.parse_notice(
                text), runs=parse_scaling.RUNS, warmup=1)
            section.figures.append(figure)
            if previous is not None:
                ratio = figure.median / previous
                section.ratios.append(Ratio(f"{name}: {n:,} / {n // 2:,}", ratio,
                                            "≈ 2 (linear), < 3", ratio < 3))
            previous = figure.median
    return section


def main() -> int:
    started = time.perf_counter()
    sections: dict[str, list[Section]] = {title: [] for _, title, _ in BENCHMARKS}
    for module, title, _ in BENCHMARKS:  # each benchmark on a database of its own
        with sqlite_database() as db:
            for section in as_sections(module.run(db)):
                print_section(section)
                sections[title].append(section)
    with postgres_server() as server:
        version = postgres_version(server) if server else None
        for module, title, _ in BENCHMARKS:
            if server is None:
                sections[title].append(Section(
                    title=f"{module.TITLE} — PostgreSQL",
                    notes=["PostgreSQL is not available on this machine: not measured."]))
                continue
            with postgres_database(server) as db:
                for section in as_sections(module.run(db)):
                    print_section(section)
                    sections[title].append(section)
    for module, title, _ in HTTP_BENCHMARKS:
        with sqlite_database() as db:
            for section in as_sections(module.run(db)):
                print_section(section)
                sections[title] = [*sections.get(title, []), section]
    parsing = parse_scaling_section()
    print_section(parsing)
    parts = [(title, intro, sections[title])
             for _, title, intro in [*BENCHMARKS, *HTTP_BENCHMARKS]]
    parts.append(("Parser scaling", "`bench/parse_scaling.py`'s cases, timed by the harness.",
                  [parsing]))
    write_results(machine_facts(version), parts, elapsed=time.perf_counter() - started)
    with RESULTS.open("a", encoding="utf-8") as results:  # the fixes' record, written by hand
        results.write("\n" + HISTORY.read_text(encoding="utf-8"))
    print(f"written: {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
