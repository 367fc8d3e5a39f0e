"""The second held-out corpus (tests/workflow/notice_corpus_heldout/): real notices written down by
hand by people who never worked on the reader, and never used to tune it.

Two things are asserted here: that every notice of it is written down in full, so that a
measure on it counts every field; and that the reader never falls below the issue's floor of 85%
of fields on it. How well `parse_notice` reads it, field by field, is reported by
`bench/parse_accuracy.py tests/workflow/notice_corpus_heldout`. The floor is a guard against a
change that reads the working corpus better and real notices worse; it is not a target to tune
to — a reader tuned until a test on these notices passed would make them one more working corpus.
"""

from __future__ import annotations

from pathlib import Path

from tests.workflow.test_notice_corpus import field_mismatches, load_cases
from workflow.notice_text import JSON_KEYS

HELDOUT = Path(__file__).parent / "notice_corpus_heldout"
# Measured 2026-12-03 on all 49 notices: 82.1% with the reader as it stood, 87.8% after its
# rework on the working corpus (which this folder never saw). The floor:
FLOOR = 0.85


def test_every_held_out_notice_is_written_down_in_full():
    texts = {path.stem for path in HELDOUT.glob("*.txt")}
    expectations = {path.stem for path in HELDOUT.glob("*.json")}
    assert texts == expectations
    cases = load_cases(HELDOUT)
    assert len(cases) >= 40
    for case in cases:
        missing = [key for key in JSON_KEYS if key not in case.expected]
        assert missing == [], f"{case.name} lacks {missing}"
        assert case.expected.get("_source", "").startswith("http"), case.name


def test_the_reader_reads_at_least_the_floor_of_the_held_out_fields():
    cases = load_cases(HELDOUT)
    right = sum(len(JSON_KEYS) - len(field_mismatches(case)) for case in cases)
    assert right / (len(cases) * len(JSON_KEYS)) >= FLOOR
