"""The corpus: further notices (tests/workflow/notice_corpus/*.txt), each read against the fields a
careful reader wrote down for it (the .json beside it).

A .json holds every field of JSON_KEYS (the judged fields of `parse_notice(...).to_json_dict()`),
and may hold the optional keys of the corpus README ("issuers" for a joint issue, "uncertain";
"relative" / "recurring" on a request). Every field is judged strictly: "body" by its start, end,
number of paragraphs and what it must (not) contain; the 附件 by their names; each report request
by what is sent, its due date and to whom (and whether it is relative or recurring), in order;
a joint issue's issuers one by one. Keys starting with "_" are notes: "_source" says where the text
comes from, "_known_misses" names the fields the parser still gets wrong (with the reason) — those
are kept as a careful reader would write them and expected to fail (strict), so a fix shows up as
an XPASS. bench/parse_accuracy.py prints the same comparison as field-level accuracy; it takes
another folder of the same form (a held-out part) as its argument.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from workflow.notice_text import JSON_KEYS, parse_notice

CORPUS = Path(__file__).parent / "notice_corpus"
# Keys a case may add to JSON_KEYS (top level) and to a request (see the corpus README).
OPTIONAL_KEYS = {"issuers", "uncertain"}
REQUEST_KEYS = {"what", "who", "to", "deadline_text", "due_date"}
OPTIONAL_REQUEST_KEYS = {"relative", "recurring"}
SHARED_SEEDS = Path(__file__).resolve().parents[2] / "../shared/seeds"
SEED_COPIES = {"000_558bd5b5a0afaf88.txt": "seed_000_changchun_fulian.txt",
               "001_9db5362c900ad367.txt": "seed_001_harbin_fulian.txt"}


@dataclass(frozen=True)
class Case:
    """One corpus notice: its name, text and the expected fields (notes included)."""

    name: str
    text: str
    expected: dict

    @property
    def known_misses(self) -> dict[str, str]:
        return self.expected.get("_known_misses", {})


def load_cases(folder: Path = CORPUS) -> list[Case]:
    """Every .txt of the corpus with its .json, in name order."""
    return [Case(path.stem, path.read_text(encoding="utf-8"),
                 json.loads(path.with_suffix(".json").read_text(encoding="utf-8")))
            for path in sorted(folder.glob("*.txt"))]


def field_mismatches(case: Case, found: dict | None = None) -> dict[str, str]:
    """Field → what is wrong, for every field the parser does not read as expected."""
    found = found if found is not None else parse_notice(case.text).to_json_dict()
    misses = {}
    for key in JSON_KEYS:
        expected = case.expected[key]
        if key == "body":
            problems = body_problems(found["body"], expected)
            if problems:
                misses[key] = "; ".join(problems)
            continue
        if key == "report_requests":
            expected_value, found_value = requests_judged(expected), requests_judged(found[key])
        elif key == "attachments":
            expected_value, found_value = names_judged(expected), names_judged(found[key])
        elif key == "issuer" and "issuers" in case.expected:
            # A joint issue: the organs one by one, and the issuer as the text joins them.
            expected_value = (expected, case.expected["issuers"])
            found_value = (found[key], found.get("issuers"))
        else:
            expected_value, found_value = expected, found[key]
        if found_value != expected_value:
            misses[key] = (f"expected {json.dumps(expected_value, ensure_ascii=False)}, "
                           f"got {json.dumps(found_value, ensure_ascii=False)}")
    return misses


def requests_judged(requests: list[dict]) -> list[list]:
    """What a request is judged by: what is sent (the asked unit's owner words before it, "本单位",
    do not count: they name who sends, not what), to whom, the due date and its kind."""
    return [[_plain(_OWNER_RE.sub("", r["what"])), _plain(r["to"]), r["due_date"],
             bool(r.get("relative")), bool(r.get("recurring"))] for r in requests]


_OWNER_RE = re.compile(r"^本(?:单位|部门)")


def names_judged(names: list[str]) -> list[str]:
    """附件 by their names: spaces, the book-title marks around a whole name and a file's
    extension (".docx") do not count."""
    return [_FILE_EXTENSION_RE.sub("", _plain(name)) for name in names]


_FILE_EXTENSION_RE = re.compile(r"\.(?:docx?|xlsx?|pdf|zip|rar|wps|et|pptx?)$", re.IGNORECASE)


def _plain(text: str | None) -> str | None:
    if text is None:
        return None
    text = re.sub(r"\s+", "", text)
    return text[1:-1] if text.startswith("《") and text.endswith("》") and text.count("《") == 1 \
        else text


def body_problems(body: str, expected: dict) -> list[str]:
    """What is wrong with the body against its start, end, paragraphs, contains and excludes."""
    problems = []
    if not body.startswith(expected["starts_with"]):
        problems.append(f"starts {body[:40]!r}, not {expected['starts_with']!r}")
    if not body.endswith(expected["ends_with"]):
        problems.append(f"ends {body[-40:]!r}, not {expected['ends_with']!r}")
    if "paragraphs" in expected and len(body.splitlines()) != expected["paragraphs"]:
        problems.append(f"{len(body.splitlines())} paragraphs, not {expected['paragraphs']}")
    problems += [f"lacks {text!r}" for text in expected.get("contains", []) if text not in body]
    problems += [f"holds {text!r}" for text in expected.get("excludes", []) if text in body]
    return problems


def report(case: Case, misses: dict[str, str]) -> str:
    return f"{case.name}:\n" + "\n".join(f"  {field}: {what}" for field, what in misses.items())


CASES = load_cases()
KNOWN = [case for case in CASES if case.known_misses]


def test_the_corpus_has_the_two_seeds_and_at_least_eight_further_notices():
    names = [case.name for case in CASES]
    assert set(SEED_COPIES.values()) <= {f"{name}.txt" for name in names}
    assert len([n for n in names if not n.startswith("seed_")]) >= 8


def test_every_text_has_its_expected_fields_with_every_key_and_every_json_its_text():
    texts = {path.stem for path in CORPUS.glob("*.txt")}
    jsons = {path.stem for path in CORPUS.glob("*.json")}
    assert texts == jsons
    for case in CASES:
        keys = {key for key in case.expected if not key.startswith("_")}
        assert set(JSON_KEYS) <= keys <= set(JSON_KEYS) | OPTIONAL_KEYS, case.name
        assert case.expected["_source"], case.name
        assert set(case.known_misses) <= set(JSON_KEYS), case.name
        for request in case.expected["report_requests"]:
            assert REQUEST_KEYS <= set(request) <= REQUEST_KEYS | OPTIONAL_REQUEST_KEYS, case.name
            # Only ever written when so; a recurring request has no single due date.
            assert all(request[k] is True for k in OPTIONAL_REQUEST_KEYS & set(request)), case.name
            assert not (request.get("recurring") and request["due_date"]), case.name
        if "issuers" in case.expected:
            assert len(case.expected["issuers"]) > 1, case.name


def test_the_corpus_has_at_least_sixty_real_notices_read_before_the_parser_ran_on_them():
    web = [case for case in CASES
           if case.expected.get("_untuned") and case.expected["_source"].startswith("http")]
    assert len(web) >= 60


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="../shared/seeds is not beside the project")
def test_the_seed_copies_are_the_shared_seeds_unchanged():
    for original, copy in SEED_COPIES.items():
        assert (CORPUS / copy).read_bytes() == (SHARED_SEEDS / original).read_bytes()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_corpus_notice_is_read_as_a_careful_reader_would(case):
    misses = {field: what for field, what in field_mismatches(case).items()
              if field not in case.known_misses}
    assert not misses, report(case, misses)


@pytest.mark.parametrize("case", [
    pytest.param(case, id=case.name, marks=pytest.mark.xfail(
        strict=True, reason="; ".join(f"{f}: {why}" for f, why in case.known_misses.items())))
    for case in KNOWN])
def test_the_known_misses_are_read_as_a_careful_reader_would(case):
    misses = field_mismatches(case)
    known = {field: misses[field] for field in case.known_misses if field in misses}
    assert not known, report(case, known)


@pytest.mark.parametrize("case", KNOWN, ids=[case.name for case in KNOWN])
def test_each_known_miss_is_still_missed(case):
    """A field fixed while another known miss of its case remains is no longer listed as missed."""
    fixed = set(case.known_misses) - set(field_mismatches(case))
    assert not fixed, f"{case.name}: now read right: {sorted(fixed)}"
