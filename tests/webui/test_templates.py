"""Every template writes a form's hidden guards, a document's urgency and a field's errors through
the shared macros of _forms.html, never by hand; every view shows a refused form one way."""
import re
from pathlib import Path

import pytest

WEBUI = Path(__file__).resolve().parents[2] / "webui"
TEMPLATES = WEBUI / "templates"
SHARED = TEMPLATES / "_forms.html"
EVERY_TEMPLATE = sorted(p for p in TEMPLATES.rglob("*.html") if p != SHARED)


def _name(path):
    return str(path.relative_to(TEMPLATES))


def test_the_templates_are_found():
    names = {_name(p) for p in EVERY_TEMPLATE}
    assert "base.html" in names
    assert "drafting/edit.html" in names
    assert len(names) > 60


@pytest.mark.parametrize("path", EVERY_TEMPLATE, ids=_name)
def test_a_template_writes_no_csrf_input_by_hand(path):
    assert not re.search(r'name="csrf_token"', path.read_text())


@pytest.mark.parametrize("path", EVERY_TEMPLATE, ids=_name)
def test_a_template_writes_no_version_input_by_hand(path):
    assert not re.search(r'name="expected_version"', path.read_text())


@pytest.mark.parametrize("path", EVERY_TEMPLATE, ids=_name)
def test_a_template_shows_urgency_only_through_the_badge(path):
    text = path.read_text()
    assert "fw-urgency" not in text
    assert not re.search(r'class="urgency\b', text)


def test_the_shared_macros_write_the_guards_and_the_badge():
    text = SHARED.read_text()
    assert 'name="csrf_token"' in text
    assert 'name="expected_version"' in text
    assert 'class="urgency urgency-' in text


def test_the_stylesheet_keeps_one_urgency_style():
    css = (TEMPLATES.parent / "static" / "gongwen.css").read_text()
    assert "fw-urgency" not in css
    assert ".urgency {" in css


@pytest.mark.parametrize("path", EVERY_TEMPLATE, ids=_name)
def test_a_template_leaves_a_fields_errors_to_the_shared_macro(path):
    assert not re.search(r"\{%-?\s*for\b[^%]*\.errors", path.read_text())


def test_the_shared_macro_says_a_fields_errors_as_an_alert():
    text = SHARED.read_text()
    assert '<p class="field-error" role="alert">' in text


def test_a_refused_form_is_shown_one_way_every_view_goes_through_refused_form_or_its_page():
    """A form posted from another page goes back with every message flashed (errors.refused_form);
    a form with a page of its own is shown again with each message beside its field. No view
    picks messages out of a form by hand."""
    by_hand = re.compile(r"form\.errors\.values\(\)|first_error|flash_errors|form_errors\[")
    offenders = [f"{path.relative_to(WEBUI)}:{number}"
                 for path in sorted((WEBUI / "views").rglob("*.py"))
                 for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                 if by_hand.search(line)]
    assert offenders == []
