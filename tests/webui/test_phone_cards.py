"""The tables that turn into cards on a phone (class table-cards): every cell of a row says which
column it is (data-label) or is the card's head, title or an empty line hidden there; the long
sections of the notice page fold (<details class="fold-phone">); the matrix keeps its 催办 and
report columns as labelled lines. The look at 375 px is shown in tests/browser."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser

import pytest

from tests.system_parts import require
from tests.webui.receiving_fixtures import text
from tests.webui.test_clock import with_password

# The classes that stand for a cell without a label of its own.
UNLABELLED = {"card-head", "card-title", "card-empty"}


class _Cards(HTMLParser):
    """The body and foot cells of every table.table-cards: (table's classes, cell tag, attrs)."""

    def __init__(self):
        super().__init__()
        self.tables: list[str] = []  # classes of the open tables, innermost last
        self.part = ""  # thead / tbody / tfoot of the innermost table
        self.cells: list[tuple[str, str, dict]] = []
        self.folds: list[str] = []  # classes of every <details>

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append(attrs.get("class") or "")
        elif tag in ("thead", "tbody", "tfoot"):
            self.part = tag
        elif tag == "details":
            self.folds.append(attrs.get("class") or "")
        elif tag in ("td", "th") and self.tables and "table-cards" in self.tables[-1] \
                and self.part in ("tbody", "tfoot"):
            self.cells.append((self.tables[-1], tag, attrs))

    def handle_endtag(self, tag):
        if tag == "table" and self.tables:
            self.tables.pop()


def _parse(html: str) -> _Cards:
    parser = _Cards()
    parser.feed(html)
    return parser


def _unlabelled(cells) -> list[str]:
    return [f"{table}: <{tag} {attrs}>" for table, tag, attrs in cells
            if "data-label" not in attrs and not UNLABELLED & set((attrs.get("class") or "").split())]


@pytest.fixture
def supervisor(client, log_in, world, app):
    with_password(app, "supervisor")
    log_in("supervisor")
    return client


@pytest.mark.parametrize("path", ["/notices/", "/notices/{issued}", "/tracking/{issued}",
                                  "/statistics/?from=2016-01-01&to=2016-12-31"])
def test_every_cell_of_a_card_table_names_its_column_or_heads_the_card(supervisor, world, path):
    html = text(supervisor.get(path.format(issued=world.issued_id)))
    cards = _parse(html)
    assert cards.cells, f"no card table on {path}"
    assert _unlabelled(cards.cells) == []


def test_the_matrix_on_a_phone_keeps_the_remind_and_report_columns_as_labelled_lines(supervisor,
                                                                                    world):
    cards = _parse(text(supervisor.get(f"/tracking/{world.issued_id}")))
    labels = [attrs.get("data-label") for _table, _tag, attrs in cards.cells]
    # Three districts and the province (抄送): each row has 已读, 签收, the 调研报告 of the
    # request (a dash for the province, which owes none) and 催办, under the unit's name.
    for label in ("已读", "签收", "调研报告", "催办"):
        assert labels.count(label) == 4, (label, labels)
    heads = [(tag, attrs) for _t, tag, attrs in cards.cells
             if "card-head" in (attrs.get("class") or "")]
    assert [tag for tag, _attrs in heads] == ["th"] * 4


def test_the_notice_pages_long_sections_fold_on_a_phone(supervisor, world):
    cards = _parse(text(supervisor.get(f"/notices/{world.issued_id}")))
    # 签收情况, 上报情况 and 办理记录, each under its own summary; and the facts of the box
    # that comes first on a phone (its summary shown only there).
    assert cards.folds.count("fold-phone") == 3
    assert cards.folds.count("fold-phone fold-quiet") == 1
    labels = {attrs.get("data-label") for _t, _tag, attrs in cards.cells}
    assert {"类别", "状态", "报送内容", "截止日期", "报送至"} <= labels


def test_the_lifecycle_picture_opens_alone_full_screen(supervisor, world):
    require(shutil.which("dot") is not None, "Graphviz (dot) is not installed: no picture")
    html = text(supervisor.get(f"/notices/{world.issued_id}"))
    svg = "/notices/lifecycle/notice.svg?state=ISSUED"
    assert f'<a class="lifecycle-open" href="{svg}"><img class="lifecycle-picture" src="{svg}"' in html
    response = supervisor.get(svg)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
