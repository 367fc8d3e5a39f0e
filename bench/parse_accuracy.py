"""Field-level accuracy of `parse_notice` over the seeds and the corpus.

Reads every tests/workflow/notice_corpus/*.txt (the two seeds are copied there) — or every .txt of
the folder given as argument (a held-out part of the same form) — against its .json, the same
comparison as tests/workflow/test_notice_corpus.py, and prints per field how many notices it reads
right (correct/total and percent) and the overall figure, on all cases and on the cases marked
"_untuned" (expected values written before the parser ever ran on them, not changed after),
then every miss (--quiet leaves them out). A measurement, not a test: it always exits 0.

    .venv/bin/python bench/parse_accuracy.py [FOLDER] [--quiet]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.workflow.test_notice_corpus import CORPUS, field_mismatches, load_cases  # noqa: E402
from workflow.notice_text import JSON_KEYS, parse_notice  # noqa: E402


def table(cases, misses_by_case) -> list[str]:
    lines = [f"{'field':<16} {'correct':>9} {'percent':>8}"]
    right_all = total_all = 0
    for key in JSON_KEYS:
        right = sum(1 for case in cases if key not in misses_by_case[case.name])
        total = len(cases)
        right_all += right
        total_all += total
        lines.append(f"{key:<16} {right:>4}/{total:<4} {100 * right / total:>7.1f}%")
    lines.append(f"{'overall':<16} {right_all:>4}/{total_all:<4} "
                 f"{100 * right_all / total_all:>7.1f}%")
    return lines


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    quiet = "--quiet" in sys.argv[1:]
    folder = Path(args[0]) if args else CORPUS
    cases = load_cases(folder)
    misses_by_case = {}
    for case in cases:
        try:
            found = parse_notice(case.text).to_json_dict()
            misses_by_case[case.name] = field_mismatches(case, found)
        except Exception as error:  # a crash counts as every field wrong, and is shown
            misses_by_case[case.name] = {key: f"crashed: {error!r}" for key in JSON_KEYS}
    seeds = sum(1 for case in cases if case.name.startswith("seed_"))
    print(f"parse_notice field accuracy on {folder} — {len(cases)} notices ({seeds} seeds, "
          f"{len(cases) - seeds} corpus), {len(JSON_KEYS)} fields each\n")
    print("\n".join(table(cases, misses_by_case)))
    untuned = [case for case in cases if case.expected.get("_untuned")]
    if untuned:
        print(f"\nuntuned cases only ({len(untuned)}: expected values written before the parser "
              "ran on them and not changed after)")
        print("\n".join(table(untuned, misses_by_case)))
    if quiet:
        return 0
    print("\nmisses:")
    any_miss = False
    for case in cases:
        for field, what in misses_by_case[case.name].items():
            any_miss = True
            known = " (known)" if field in case.known_misses else ""
            print(f"  {case.name} · {field}{known}: {what}")
    if not any_miss:
        print("  none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
