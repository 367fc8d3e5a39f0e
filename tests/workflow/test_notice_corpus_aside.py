"""The held-out corpus (tests/workflow/notice_corpus_aside/): real notices written down by someone
who did not write the reader, never used to tune it — the honest measure of `parse_notice`.

Only two things are asserted here: that every notice of it is written down in full (so that the
measure counts every field), and that the reader does not fall back below the accuracy it had
when the corpus was first measured with it. The issue's target (≥ 90% of fields; ≥ 85% to call
it done) is reported by `bench/parse_accuracy.py tests/workflow/notice_corpus_aside`, not
asserted: tuning the reader until a test on this corpus passes would make it one more working
corpus.
"""

from __future__ import annotations

from pathlib import Path

from tests.workflow.test_notice_corpus import field_mismatches, load_cases
from workflow.notice_text import JSON_KEYS

ASIDE = Path(__file__).parent / "notice_corpus_aside"
# Measured 2026-12-03 on all 30 notices: 69.5% before the reader's rework, 83.1% after it.
FLOOR = 0.80


def test_every_held_out_notice_is_written_down_in_full():
    cases = load_cases(ASIDE)
    assert len(cases) >= 24
    for case in cases:
        missing = [key for key in JSON_KEYS if key not in case.expected]
        assert missing == [], f"{case.name} lacks {missing}"
        assert case.expected.get("_source", "").startswith("http"), case.name


def test_the_reader_reads_the_held_out_notices_no_worse_than_when_first_measured():
    cases = load_cases(ASIDE)
    right = sum(len(JSON_KEYS) - len(field_mismatches(case)) for case in cases)
    assert right / (len(cases) * len(JSON_KEYS)) >= FLOOR
