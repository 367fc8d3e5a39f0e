"""报送要求: the sentences of the 正文 that ask units to send something back.

Owns: finding, in the tidied body, the requests a clerk would enter as report requests — what is to
be sent, by whom, to whom, by when — in the forms notices use:

- "请<who>于<deadline>将<what>上报<to>" (and 在/要/须, 报送/报/报至/发送至/反馈 …),
- "请<who><deadline>报送<what>(至<to>)",
- "<what>请于<deadline>报送<to>",
- "<who>的<what>随后报<to>", "<what>于<deadline>前报送<to>" (in a sentence that asks: 要/须 …).

Who is asked, when the clause does not say, is the subject of the sentence ("各单位要…，…报告请…").

Not requests: instructions to pass the notice on ("请转发至…", "传达到…"), dates of events or ranges
("7月6日至7日", "定于5月8日召开"), and reporting "when something happens" with nothing named to send
("遇有重大突发事件，要按规定及时报告"). Must not: invent — a part the sentence does not say is None.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from workflow.notice_text.body import HEADING_RE
from workflow.notice_text.dates import (
    DEADLINE_RE,
    VAGUE_RE,
    deadline_words,
    due_date,
    find_deadline,
)
from workflow.notice_text.recipients import is_unit_name
from workflow.notice_text.text import FULL_WIDTH_DIGITS, split_top_level

# The verbs of sending back, two-character ones first so that 上报 wins over 报. 报 is not taken
# where it begins another word: 报名 (sign up), 报到 (turn up), 报道, 报刊, 报纸, 报告会, 报表 (a noun).
_VERB = (r"(?:上报|报送|呈报|反馈|提交|送交|寄送|发送|传真|函复|函告|报告(?!会)|报(?![名到道刊纸社表告])"
         r"|送(?![达])|发(?![布放展出挥生现起动文])|交(?![流通])|寄)")
_VERB_RE = re.compile(_VERB)
_TOWARDS = "至到给"
# Instructions to pass the notice on, not to report back.
_PASS_ON_RE = re.compile("转发|转达|转至|转告|传达|印发给|分发")
# Words between the asker and the deadline or object ("请各单位务必于…").
_LINKS_RE = re.compile(r"(?:请|务必|必须|须|需|需要|要|应|应当|一律|统一|并|同时|于|在|由)+$")
_LEADING_LINKS_RE = re.compile(r"^(?:请|由)")
# What is sent is a document or an account of something; a bare "送" of goods is not a report.
_SENT_THINGS = ("报告", "材料", "情况", "总结", "表", "名单", "方案", "清单", "数据", "信息", "建议",
                "意见", "计划", "回执", "统计", "说明", "汇报", "经验", "做法", "稿", "照片", "视频",
                "成果", "案例", "台账", "进展", "文件", "函", "资料")
# Words after the receiver that say what the receiver does with it ("报市妇联备案").
_RECEIVER_TAIL_RE = re.compile(r"(?:备案|审核|审定|审批|汇总|存档|留存|统一报送)$")
# How it is sent is not what is sent: "以电子邮件形式", "通过电子邮件", "纸质版一式两份".
_MANNER_RE = re.compile(
    r"(?:以[^，,。；]{1,8}(?:形式|方式)|通过[^，,。；]{1,8}(?:邮件|传真|系统|平台)"
    r"|(?:纸质版|电子版|纸质稿|电子稿|原件|复印件)?(?:一式[一二两三四五六七八九十0-9]+份)"
    r"|纸质版|电子版)+$")
# A request is said in few words: who, deadline, object, verb and receiver fit in this many
# characters either side of 将, and a sentence with more 将 than this is not read further. The
# bounds keep the search linear on any input.
_WINDOW = 120
_MOST_MARKERS = 8
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class ReportRequest:
    """One thing the notice asks recipients to send back, as far as the sentence says."""

    what: str
    who: str | None
    to: str | None
    deadline_text: str | None
    due_date: dt.date | None
    relative: bool = False  # the due date counts from the notice's date ("收到通知后5个工作日内")
    recurring: bool = False  # asked again and again ("每季度末"): no single due date

    def to_json_dict(self) -> dict:
        """The request as JSON-ready values (the date as YYYY-MM-DD); "relative" and "recurring"
        only when so."""
        found = {"what": self.what, "who": self.who, "to": self.to,
                 "deadline_text": self.deadline_text,
                 "due_date": self.due_date.isoformat() if self.due_date else None}
        if self.relative:
            found["relative"] = True
        if self.recurring:
            found["recurring"] = True
        return found


def find_requests(body: str, doc_date: dt.date | None, doc_year: int | None) -> list[ReportRequest]:
    """Every report request in the body, in order."""
    found = []
    for sentence in split_top_level(body.replace("\n", "。"), "。！？!?；;"):
        sentence = HEADING_RE.sub("", sentence)  # "三、市直机关团工委的…": the number is no part
        if _PASS_ON_RE.search(sentence):
            continue
        request = (_with_object_first(sentence) or _with_object_after(sentence)
                   or _with_timing_first(sentence))
        if request is None:
            continue
        what, who, to, before = request
        who = who or _subject_of(sentence, what)
        found.append(_dated(what, who, to, before, doc_date, doc_year))
    return found


def _with_object_first(sentence: str):
    """"…将<what>(deadline)(vague)<verb><to>": the object fronted with 将 or 把."""
    for marker in list(re.finditer("[将把]", sentence))[:_MOST_MARKERS]:
        before = sentence[max(0, marker.start() - _WINDOW):marker.start()]
        after = sentence[marker.end():marker.end() + _WINDOW]
        after = split_top_level(after, "，,")[0] if after else ""
        for verb in reversed(_verbs(after)):
            to = _receiver(after[verb.end():])
            what = after[:verb.start()]
            if to is None or not what:
                continue
            what, tail = _split_trailing_timing(what)
            if not what:
                continue
            scope = _asking_clauses(before)
            return what, _asker(scope), to, scope + tail
    return None


def _with_object_after(sentence: str):
    """"请<who><deadline><verb><what>(至<to>)" or "<what>请<deadline><verb><to>"."""
    for clause in _short_clauses(sentence):
        ask = re.search("请|务必|须|要", clause)
        if ask is None:
            continue
        for verb in _verbs(clause, ask.end()):
            if not (find_deadline(clause[:verb.start()]) or VAGUE_RE.search(clause[:verb.start()])
                    or verb.group() in ("上报", "报送", "提交", "呈报")):
                continue
            rest = clause[verb.end():]
            head = clause[:ask.start()]
            towards = re.search(f"[{_TOWARDS}]", rest)
            if towards and towards.start() > 0:
                what, to = rest[:towards.start()], _receiver(rest[towards.start():])
            elif (to := _receiver(rest)) is not None:
                what = head
            else:
                what, to = rest, None
            what = what.strip()
            if not what or not what.endswith(_SENT_THINGS):
                continue
            who = _asker(clause[:verb.start()]) if what != head else None
            return what, who, to, clause[:verb.start()]
    return None


def _with_timing_first(sentence: str):
    """"<who>的<what>随后报<to>", "<what>于<deadline>报送<to>": no 请 or 将, but the time of sending
    right before the verb — in a sentence that asks (要/请/须) or with a vague time."""
    asks = re.search("请|要|须|务必|应", sentence) is not None
    for clause in _short_clauses(sentence):
        timings = [*VAGUE_RE.finditer(clause)]
        if asks:
            timings += [*DEADLINE_RE.finditer(clause.translate(FULL_WIDTH_DIGITS))]
        for timing in timings:
            verb = _VERB_RE.match(clause, timing.end())
            to = _receiver(clause[verb.end():]) if verb else None
            head = re.sub("(?:于|在)$", "", clause[:timing.start()])
            if to is None or not head:
                continue
            who, what = _owner_and_thing(_MANNER_RE.sub("", head))
            if what.endswith(_SENT_THINGS):
                return what, who, to, clause[timing.start():timing.end()]
    return None


def _owner_and_thing(text: str) -> tuple[str | None, str]:
    """"各单位确定的联络员名单" → ("各单位", "联络员名单"): a unit named before 的 owns the thing."""
    for mark in re.finditer("的", text):
        owner = re.sub("(?:确定|推荐|形成|报送|上报|填写|撰写)$", "", text[:mark.start()])
        if owner and is_unit_name(owner) and mark.end() < len(text):
            return owner, text[mark.end():]
    return None, text


def _subject_of(sentence: str, what: str) -> str | None:
    """The units a sentence is addressed to when the request clause names none: "各单位要…，
    自查报告请于…" — the subject of the sentence's first clause, if it is a unit and 要/须/应 follow."""
    match = re.match(r"^(?P<who>各[^，,、。；]{1,20}?)(?:要|须|应|务必|需)", sentence)
    if match and is_unit_name(match["who"]) and what not in match["who"]:
        return match["who"]
    return None


def _short_clauses(sentence: str) -> list[str]:
    """The sentence's clauses that are short enough to be a request (long ones are not read)."""
    return [clause for clause in split_top_level(sentence, "，,") if len(clause) <= _WINDOW]


def _verbs(text: str, start: int = 0) -> list[re.Match]:
    """The sending verbs in the text that are not inside brackets (an aside is not the request)."""
    depth = [0]
    for ch in text:
        depth.append(depth[-1] + (1 if ch in "（(" else -1 if ch in "）)" else 0))
    return [verb for verb in _VERB_RE.finditer(text, start) if depth[verb.start()] <= 0]


def _receiver(text: str) -> str | None:
    """Who receives, from the words after the verb: a unit, "我部"-style, or an e-mail address."""
    text = text[:_WINDOW].lstrip(_TOWARDS)
    text = re.split(r"[（(，,。；;：:]", text, maxsplit=1)[0].strip()
    email = _EMAIL_RE.search(text)
    if email:
        return email.group()
    text = _RECEIVER_TAIL_RE.sub("", text)
    if not text or _VERB_RE.search(text[:2]):
        return None
    if is_unit_name(text) or re.fullmatch("我[部委局厅办会处室司校院]", text):
        return text
    return None


def _split_trailing_timing(what: str) -> tuple[str, str]:
    """Take a deadline or vague word off the end of the object: "报告于5月1日前" → "报告" (and a
    manner of sending: "值班表以电子邮件形式" → "值班表")."""
    what = _MANNER_RE.sub("", what)
    vague = re.search(f"(?:{VAGUE_RE.pattern})$", what)
    if vague:
        return what[:vague.start()], vague.group()
    deadline = find_deadline(what)
    if deadline and deadline.end() == len(what):
        head = re.sub(r"(?:于|在)$", "", what[:deadline.start()])
        return head, what[deadline.start():]
    return what, ""


def _asking_clauses(before: str) -> str:
    """The words that belong to the request: from the clause with the last 请 (else the last
    clause) up to the object — so a date earlier in the sentence is not taken for the deadline."""
    clauses = split_top_level(before, "，,")
    if not clauses:
        return ""
    start = max((i for i, c in enumerate(clauses) if "请" in c), default=len(clauses) - 1)
    return "".join(clauses[start:])


def _asker(clause: str) -> str | None:
    """The units asked, from the words before the object: "请各地妇联在3月31日前" → "各地妇联"."""
    ask = clause.rfind("请")
    if ask >= 0:
        clause = clause[ask + 1:]
    deadline = find_deadline(clause)
    if deadline:
        clause = clause[:deadline.start()]
    vague = VAGUE_RE.search(clause)
    if vague:
        clause = clause[:vague.start()]
    clause = _LINKS_RE.sub("", _LEADING_LINKS_RE.sub("", clause.strip())).strip()
    return clause if clause and is_unit_name(clause) else None


def _dated(what, who, to, timing_text, doc_date, doc_year) -> ReportRequest:
    deadline = find_deadline(timing_text)
    if deadline:
        return ReportRequest(what, who, to, deadline_words(deadline, timing_text),
                             due_date(deadline, doc_date, doc_year))
    vague = VAGUE_RE.search(timing_text)
    return ReportRequest(what, who, to, vague.group() if vague else None, None)
