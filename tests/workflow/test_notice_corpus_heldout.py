"""The second held-out corpus (tests/workflow/notice_corpus_heldout/): real notices written down by
hand by people who never worked on the reader, and never used to tune it.

Only one thing is asserted here: that every notice of it is written down in full, so that a
measure on it counts every field. How well `parse_notice` reads it is reported by
`bench/parse_accuracy.py tests/workflow/notice_corpus_heldout` and deliberately not asserted:
a test that the reader had to pass on these notices would turn them into one more working corpus.
"""

from __future__ import annotations

from pathlib import Path

from tests.workflow.test_notice_corpus import load_cases
from workflow.notice_text import JSON_KEYS

HELDOUT = Path(__file__).parent / "notice_corpus_heldout"


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
