"""规范检查: a draft checked against the rules of 条例 and GB/T 9704 (docs: gongwen-rules.md).

Owns: the findings — each an error (blocks 提交 and 送签, through the lifecycle guard
`passes_rule_checks`) or a warning (shown, never blocks), naming the rule, the place and the fix.
Works on a loaded notice (`check_notice`) or on plain field values (`check_fields`).

Must not: query the database, change anything, or refuse on its own: the lifecycle decides.

Levels, and why:
- error: what the rules require and a reader of the paper would take for a defect of the document
  itself — a 发文字号 of this notice not in the 9704 form, a 通知 with no 主送, a 密级 marked in
  the title or the body (涉密不上网: the engine refuses a 密级 field, so a classified text pasted in
  must not get through either).
- warning: everything else — a date with leading zeros, a title lacking 机关名称 / 关于…的 / 文种
  (real titles often lack the organ's name, seed 000 among them), the 附件说明 form, an important
  下行文 not 抄送 to the direct superior (条例 says "应当", a judgement the drafter makes), numbers of
  other documents cited in a variant form, 上行文 checks, heading numbers. 签发人 is set by the
  signatory when signing, so an unsigned 上行文 gets a warning (on the sheet and in the editor)
  saying that the 签发人 will be printed, rather than an error that could never be cured by the
  drafter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import takewhile

from workflow.checks_forward import ForwardSource, PassedDown, check_forward
from workflow.docnumber import find_numbers, format_number, parse_number
from workflow.errors import InvalidInput
from workflow.states import Direction, Urgency

ERROR = "error"
WARNING = "warning"

# 条例第八条's list of 文种; used to tell "the title ends in another 文种" from "no 文种 at all".
KINDS = ("决议", "决定", "命令", "令", "公报", "公告", "通告", "意见", "通知", "通报", "报告",
         "请示", "批复", "议案", "函", "纪要")

_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# A date written with Arabic numerals: optional year, month, day.
_DATE_RE = re.compile(r"(?:(?P<year>\d{4})\s*年\s*)?(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日")
# A 密级 marking as printed at the top of a document: 秘密★1年, 机密, 密级：绝密.
_SECRECY_RE = re.compile(r"^(?:密\s*级\s*[：:]?\s*)?(?P<level>绝\s*密|机\s*密|秘\s*密)"
                         r"(?:\s*[★☆*＊].*|\s*[：:].*)?$")
_SECRECY_LINE_MAX = 20  # a marking is a short line of its own, not a sentence about secrets
_ATTACHMENT_HEAD_RE = re.compile(r"^附\s*件\s*[：:]\s*(?P<rest>.*)$")
_ATTACHMENT_ITEM_RE = re.compile(r"^(?P<num>\d{1,2})\s*(?P<sep>[.．、,，:：)）])\s*(?P<name>.*)$")
_TRAILING_PUNCT = "。，、；：,.;:！!？?"
_WRONG_HEADING_RE = re.compile(r"^(?P<num>\d+)\s*、")


@dataclass(frozen=True)
class Finding:
    """One finding of the check: how bad, which rule, where, and what to do."""

    level: str  # "error" or "warning"
    rule: str  # the rule and its source, e.g. "GB/T 9704 7.2.5 发文字号"
    field: str  # the element: 标题, 主送, 正文 第3段, 附件说明 …
    message: str  # what is wrong and how to fix it

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    @property
    def level_label(self) -> str:
        return "错误" if self.is_error else "提示"


def has_errors(findings: Iterable[Finding]) -> bool:
    """Does any finding block submission?"""
    return any(f.is_error for f in findings)


def check_notice(notice) -> list[Finding]:
    """Check a loaded notice (its addressees, issuer, attachments and signatory are read)."""
    issuer = notice.issuer
    parent = issuer.parent if issuer is not None else None
    return check_fields(
        title=notice.title, body=notice.body, kind=notice.kind,
        direction=notice.direction, urgency=notice.urgency,
        issuer_names=[n for n in (issuer.name, issuer.short_name) if n] if issuer else [],
        superior=parent.name if parent is not None else None,
        series_code=notice.series_code, doc_number=notice.doc_number,
        main_recipients=[a.name for a in notice.main_addressees],
        cc_recipients=[a.name for a in notice.cc_addressees],
        attachments=[a.filename for a in notice.attachments],
        signatory=notice.signatory.display_name if notice.signatory is not None else None,
        forwarding=_forwarding(notice),
    )


def _forwarding(notice):
    """What the 转发 rules look at, if `notice` forwards another."""
    source = notice.forwards
    if source is None:
        return None
    original = source
    while original.forwards is not None and original.forwards.id != notice.id:
        original = original.forwards
    dues = {r.id: r.due_date for r in source.report_requests}
    return (ForwardSource(source.title, original.title, source.doc_number),
            [PassedDown(r.position, r.due_date, dues.get(r.source_request_id))
             for r in notice.report_requests if r.source_request_id is not None])


def check_fields(*, title: str | None, body: str | None, kind: str | None = "通知",
                 direction: Direction | None = Direction.DOWNWARD,
                 urgency: Urgency | None = Urgency.NORMAL,
                 issuer_names: Sequence[str] = (), superior: str | None = None,
                 series_code: str | None = None, doc_number: str | None = None,
                 main_recipients: Sequence[str] = (), cc_recipients: Sequence[str] = (),
                 attachments: Sequence[str] = (), signatory: str | None = None,
                 forwarding: tuple[ForwardSource, Sequence[PassedDown]] | None = None
                 ) -> list[Finding]:
    """Check a notice given as plain values: errors first, then warnings, each in paper order."""
    title = (title or "").strip()
    kind = (kind or "通知").strip()
    lines = [line.strip() for line in (body or "").splitlines() if line.strip()]
    findings: list[Finding] = []
    findings += _check_secrecy(title, lines)
    findings += _check_doc_number(series_code, doc_number, lines)
    findings += _check_title(title, kind, issuer_names)
    findings += _check_recipients(kind, direction, urgency, superior, main_recipients,
                                  cc_recipients, signatory)
    findings += _check_dates(title, lines)
    findings += _check_headings(lines)
    findings += _check_attachments(lines, attachments)
    if forwarding is not None:
        source, passed_down = forwarding
        findings += check_forward(Finding, title=title, body=body or "", source=source,
                                  requests=passed_down, error=ERROR, warning=WARNING)
    return sorted(findings, key=lambda f: (not f.is_error, _order(f.field)))


# The elements in the order they stand on paper; a paragraph of the body by its number.
_FIELD_ORDER = ("机关代字", "发文字号", "签发人", "标题", "主送", "正文", "报送要求", "附件说明", "抄送")
_PARAGRAPH_RE = re.compile(r"第(\d+)段")


def _order(field: str) -> tuple[int, int]:
    rank = next((i for i, name in enumerate(_FIELD_ORDER) if field.startswith(name)),
                len(_FIELD_ORDER))
    paragraph = _PARAGRAPH_RE.search(field)
    return rank, int(paragraph.group(1)) if paragraph else 0


def _place(index: int) -> str:
    return f"正文 第{index + 1}段"


# ----------------------------------------------------------------------------------------------
# The rules.

RULE_SECRECY = "条例第九条 密级（涉密不上网）"
RULE_NUMBER = "GB/T 9704 7.2.5 发文字号"
RULE_TITLE = "条例第九条 标题"
RULE_MAIN = "条例第九条 主送机关"
RULE_CC_SUPERIOR = "条例第十六条 重要下行文抄送上级"
RULE_UPWARD_MAIN = "条例第十五条 上行文主送一个机关"
RULE_SIGNER = "条例第九条 签发人"
RULE_DATE = "GB/T 9704 7.3.5 日期不编虚位"
RULE_HEADING = "GB/T 9704 7.3.3 结构层次序数"
RULE_ATTACHMENT = "GB/T 9704 7.3.4 附件说明"


def _check_secrecy(title: str, lines: list[str]) -> list[Finding]:
    found = []
    for field, text in [("标题", title)] + [(_place(i), line) for i, line in enumerate(lines)]:
        compact = "".join(text.split())
        match = _SECRECY_RE.match(compact) if len(compact) <= _SECRECY_LINE_MAX else None
        if match is None and field == "标题":
            match = re.match(r"^(绝密|机密|秘密)[★☆]", compact)
        if match:
            level = "".join(match.group(1).split())
            found.append(Finding(ERROR, RULE_SECRECY, field,
                                 f"标注了密级“{level}”。涉密公文不得在本系统中处理，"
                                 "请删除该标注；确属涉密的，请按保密规定线下办理"))
    return found


def _check_doc_number(series_code: str | None, doc_number: str | None,
                      lines: list[str]) -> list[Finding]:
    found = []
    if series_code:
        try:
            format_number(series_code, 2000, 1)
        except InvalidInput as error:
            found.append(Finding(ERROR, RULE_NUMBER, "机关代字",
                                 f"{error}。机关代字只写代字本身，如“哈妇发”，年份和序号印发时自动编排"))
    if doc_number:
        found += _own_number(doc_number, "发文字号")
    for index, line in enumerate(lines):
        compact = "".join(line.split())
        if _looks_like_a_number_line(compact):
            # A line that is nothing but a number is this notice's own, pasted with the header.
            found += _own_number(line, _place(index))
            continue
        for number in find_numbers(line):
            if number.normalized not in compact:
                own = doc_number and _normalized_or_none(doc_number) == number.normalized
                found.append(Finding(
                    ERROR if own else WARNING, RULE_NUMBER, _place(index),
                    f"发文字号应写作“{number.normalized}”：年份用六角括号〔〕，"
                    "序号不加“第”、不编虚位"))
    return found


def _looks_like_a_number_line(compact: str) -> bool:
    if not compact or len(compact) > 30 or not compact.endswith("号"):
        return False
    return _normalized_or_none(compact) is not None or bool(
        re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]+[〔\[［(（【﹝〖]\d+[〕\]］)）】﹞〗]第?\d+号", compact))


def _normalized_or_none(text: str) -> str | None:
    try:
        return parse_number(text).normalized
    except InvalidInput:
        return None


def _own_number(text: str, field: str) -> list[Finding]:
    text = text.strip()
    try:
        normalized = parse_number(text).normalized
    except InvalidInput as error:
        return [Finding(ERROR, RULE_NUMBER, field,
                        f"{error}。发文字号应为“机关代字〔年份〕序号号”，如“哈妇发〔2015〕9号”")]
    if normalized != text:
        return [Finding(ERROR, RULE_NUMBER, field,
                        f"“{text}”应写作“{normalized}”：年份写全并用六角括号〔〕，"
                        "序号不加“第”、不编虚位")]
    return []


# Quotation marks one level down: double ↔ single (GB/T 15834: 外层双引号，内层单引号).
_ONE_LEVEL_DOWN = str.maketrans({"“": "‘", "”": "’", "‘": "“", "’": "”"})


def quoted(text: str) -> str:
    """`text` in “ ” as a hint cites it: quotation marks inside it go one level down, so that a
    title reading 关于学习“五好”家庭的通知 is cited “…关于学习‘五好’家庭的通知”; straight quotes a
    typist used in pairs count as double ones."""
    text = re.sub(r'"([^"]*)"', r"“\1”", text)
    return f"“{text.translate(_ONE_LEVEL_DOWN)}”"


def _check_title(title: str, kind: str, issuer_names: Sequence[str]) -> list[Finding]:
    if not title:
        return []  # the lifecycle's own guard says 标题不能为空
    found = []
    if not title.endswith(kind):
        other = next((k for k in sorted(KINDS, key=len, reverse=True) if title.endswith(k)), None)
        hint = f"，而不是“{other}”" if other and other != kind else ""
        found.append(Finding(WARNING, RULE_TITLE, "标题",
                             f"标题应以文种“{kind}”结尾{hint}；请修改标题或文种"))
    head, sep, rest = title.partition("关于")
    if not sep or "的" not in rest:
        found.append(Finding(WARNING, RULE_TITLE, "标题",
                             f"标题应由“机关名称＋关于……的＋{kind}”构成，"
                             f"如“哈尔滨市妇联关于认真学习贯彻……精神的{kind}”"))
    elif not head.strip():
        name = issuer_names[0] if issuer_names else "发文机关名称"
        found.append(Finding(WARNING, RULE_TITLE, "标题",
                             f"标题宜冠以发文机关名称，如{quoted(name + title)}"))
    return found


def _check_recipients(kind: str, direction, urgency, superior: str | None,
                      main: Sequence[str], cc: Sequence[str],
                      signatory: str | None) -> list[Finding]:
    found = []
    if kind == "通知" and not main:
        found.append(Finding(ERROR, RULE_MAIN, "主送",
                             "通知须有主送机关：请至少选择一个主送单位或单位组"))
    important = urgency in (Urgency.URGENT, Urgency.VERY_URGENT)
    if direction == Direction.DOWNWARD and important and superior and superior not in cc:
        found.append(Finding(WARNING, RULE_CC_SUPERIOR, "抄送",
                             f"{urgency.label}下行文属重要行文，应同时抄送发文机关的直接上级机关"
                             f"“{superior}”；请在抄送中加入"))
    if direction == Direction.UPWARD:
        if len(main) > 1:
            found.append(Finding(WARNING, RULE_UPWARD_MAIN, "主送",
                                 f"上行文原则上只主送一个上级机关（现为{len(main)}个）；"
                                 "其他机关请改为抄送"))
        if not signatory:
            found.append(Finding(WARNING, RULE_SIGNER, "签发人",
                                 "上行文应当标注签发人姓名：尚未签发，签发后以签发人姓名标注；"
                                 "上行文应由主要负责人签发"))
    return found


def _check_dates(title: str, lines: list[str]) -> list[Finding]:
    found = []
    for field, text in [("标题", title)] + [(_place(i), line) for i, line in enumerate(lines)]:
        for match in _DATE_RE.finditer(text.translate(_FULL_WIDTH_DIGITS)):
            month, day = match["month"], match["day"]
            written = text[match.start():match.end()]  # as typed: the mapping is 1:1
            if month.startswith("0") or day.startswith("0"):
                right = (f"{match['year']}年" if match["year"] else "") + \
                    f"{int(month)}月{int(day)}日"
                found.append(Finding(WARNING, RULE_DATE, field,
                                     f"日期“{written}”应写作“{right}”：月、日不编虚位"))
            elif not _date_exists(match["year"], int(month), int(day)):
                found.append(Finding(WARNING, RULE_DATE, field,
                                     f"日期“{written}”不存在，请核对"))
    return found


def _date_exists(year: str | None, month: int, day: int) -> bool:
    try:
        dt.date(int(year) if year else 2016, month, day)  # 2016: a leap year, so 2月29日 stands
    except ValueError:
        return False
    return True


def _check_headings(lines: list[str]) -> list[Finding]:
    found = []
    for index, line in enumerate(lines):
        match = _WRONG_HEADING_RE.match(line)
        if match:
            found.append(Finding(WARNING, RULE_HEADING, _place(index),
                                 f"第三层序数应写作“{match['num']}.”（阿拉伯数字加下脚点），"
                                 f"不是“{match['num']}、”"))
    return found


def document_names(filenames: Iterable[str]) -> list[str]:
    """The documents attached, by name: a file's name without its extension, each once — the
    same 附件 uploaded as PDF and as Word is one 附件 in the 附件说明."""
    return list(dict.fromkeys(_stem(name) for name in filenames))


def _check_attachments(lines: list[str], attachments: Sequence[str]) -> list[Finding]:
    attachments = document_names(attachments)
    head = next((i for i, line in enumerate(lines) if _ATTACHMENT_HEAD_RE.match(line)), None)
    if head is None:
        if attachments:
            names = "".join(f"{i}.{n}" for i, n in enumerate(attachments, 1)) \
                if len(attachments) > 1 else attachments[0]
            return [Finding(WARNING, RULE_ATTACHMENT, "附件说明",
                            f"有{len(attachments)}个附件，正文之后应有附件说明，"
                            f"如“附件：{names[:40]}”")]
        return []
    found = []
    items = [_ATTACHMENT_HEAD_RE.match(lines[head])["rest"]] + list(
        takewhile(_ATTACHMENT_ITEM_RE.match, lines[head + 1:]))
    items = [item for item in items if item.strip()]
    place = f"附件说明（{_place(head)}）"
    if not attachments:
        found.append(Finding(WARNING, RULE_ATTACHMENT, place,
                             "正文有附件说明，但草稿没有上传附件：请上传附件或删去附件说明"))
    elif len(items) != len(attachments):
        found.append(Finding(WARNING, RULE_ATTACHMENT, place,
                             f"附件说明列出{len(items)}个附件，已上传{len(attachments)}个，请核对"))
    for item in items:
        match = _ATTACHMENT_ITEM_RE.match(item)
        name = match["name"] if match else item
        if match and match["sep"] not in (".", "．"):
            found.append(Finding(WARNING, RULE_ATTACHMENT, place,
                                 f"附件序号应写作“{match['num']}.”，"
                                 f"不是“{match['num']}{match['sep']}”"))
        if name.rstrip() and name.rstrip()[-1] in _TRAILING_PUNCT:
            found.append(Finding(WARNING, RULE_ATTACHMENT, place,
                                 f"附件名称“{name.strip()}”后不加标点符号"))
    return found


def _stem(filename: str) -> str:
    return filename.rsplit(".", 1)[0] if "." in filename else filename
