"""报送要求: the sentences of the 正文 that ask units to send something back.

Owns: finding, in the tidied body, the requests a clerk would enter as report requests — what is to
be sent, by whom, to whom, by when — and putting the words (`words`) together. A sentence is read
clause by clause (`_clause_requests`): a clause that sends (a verb and its receiver) takes what it
sends from itself ("将<what>", "<what>于<deadline>报送", "报送<what>至<to>", "报<to><what>",
"向<to>报送<what>") or from the clause or sentence before ("填写《…》，于…前发送至…"), and its
deadline from itself, the clauses before, or the request before in the same sentence (two channels:
"…前将电子版发送至…，纸质版送至…"). The older whole-sentence shapes remain a fallback. Deadlines:
"X月X日（星期五）前", "下班前", "中午12点前", "截止"; a day without 前 ("于9月20日交"); figures that
lost 年/月; relative ones ("今天", "明天上午", "本周四前", "收到通知后5个工作日内") computed from the
成文日期 and marked `relative`; recurring ones ("每季度末", "每月25日前") kept as words, `recurring`,
with no date; a deadline the notice states apart ("截止时间为…", a paragraph that is only a
deadline) dates the requests that say none ("在规定时间内").

Not requests: instructions to pass the notice on ("请转发至…", "传达到…"), dates of events or ranges
("7月6日至7日", "定于5月8日召开"), conditions and procedures ("如有特殊情况，需报…审批"), reporting
to leaders with nothing named, and sentences that neither ask (请/要/须…) nor give a time. Must not:
invent — a part the sentence does not say is None.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from workflow.notice_text.body import HEADING_RE
from workflow.notice_text.dates import (
    DAY_RE,
    DEADLINE_RE,
    GLUED_DEADLINE_RE,
    RECURRING_RE,
    RELATIVE_RE,
    VAGUE_RE,
    day_due,
    deadline_words,
    due_date,
    find_deadline,
    glued_due,
    relative_due,
)
from workflow.notice_text.recipients import is_unit_name
from workflow.notice_text.text import FULL_WIDTH_DIGITS, split_top_level
from workflow.notice_text.words import (
    ASIDE_RE,
    ASKS_RE,
    EMAIL_RE,
    KEEP_INNER_RE,
    MANNER_RE,
    MONTH_DAY_RE,
    MOST_MARKERS,
    PASS_ON_RE,
    SENT_THINGS,
    TOWARDS,
    VERB_RE,
    WILL_RE,
    WINDOW,
    asker,
    asking_clauses,
    clean_object,
    is_thing,
    object_before,
    object_in,
    owner_and_thing,
    receiver,
    receiver_and_rest,
    split_trailing_timing,
    timing_text,
    verbs,
)

# A time of reporting stated after what is reported: "上报时间为…", "X上报时间调整为…前".
# The issuer's side naming itself as the one who sends: a step of its own, not a request.
_ISSUER_ITSELF = {"学校", "我校", "本校", "我处", "本处", "我局", "本局", "我办", "本办", "我委", "我院", "我部"}
_LATER_RE = re.compile(r"^(?P<what>[^，,。]{1,20}?)(?P<when>随后|稍后|另行)(?:送达|报送|寄送|送交|寄达|报来)$")
_ENDS_SENDING_RE = re.compile(r"(?:上报|报送|提交|提报|报备|报)$")
_REPORT_TIME_RE = re.compile(r"^(?:其中)?(?P<what>[^，,]{0,40}?)(?:上报|报送|提交|报名)(?:截止)?时间"
                             r"(?:调整)?为(?P<time>.{2,40})$")


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
    """Every report request in the body, in order. A deadline the notice states on its own
    ("截止时间为…", a paragraph that is only a deadline) dates the requests that say none; with
    no date of its own, a deadline takes its year from the dates the text writes."""
    stated = _stated_deadline(body)
    if doc_date is None and doc_year is None:
        doc_year = _year_written(body)
    found: list[ReportRequest] = []
    for paragraph in body.split("\n"):
        carried = None  # what a sentence names for the next to send ("认真填写《…》。由…报…")
        for sentence in split_top_level(paragraph, "。！？!?"):
            sentence = _prepare(HEADING_RE.sub("", sentence))  # "三、…": the number is no part
            if not sentence:
                continue
            incoming = carried
            parts, carried = _clause_requests(sentence, carried, bool(stated))
            if carried is incoming:
                carried = None  # named for the next sentence only, not for any after it
            if not parts:
                request = (_with_object_first(sentence) or _with_object_after(sentence)
                           or _with_timing_first(sentence))
                parts = [request] if request else []
            for what, who, to, timing in parts:
                if who in _ISSUER_ITSELF:
                    continue  # the issuer's own step, asked of no one
                who = who or _subject_of(sentence, what)
                if not timing or "规定" in timing:
                    timing = stated or timing
                request = _dated(clean_object(what), who, to, timing, doc_date, doc_year)
                if request.what and request not in found:
                    found.append(request)
    return _without_repeats(found)


def _year_written(body: str) -> int | None:
    """The year of the last full date the text writes ("即日起至2018年11月30日")."""
    digits = body.translate(FULL_WIDTH_DIGITS)
    years = re.findall(r"((?:19|20)[0-9]{2})\s*年\s*[0-9]{1,2}\s*月", digits) \
        or re.findall(r"((?:19|20)[0-9]{2})\s*年", digits)
    return int(years[-1]) if years else None


_LABEL_RE = re.compile(r"^(?P<label>[^，,。：:]{1,12}?(?:要求|方式|时间|办法|途径))\s*[:：]")


def _prepare(sentence: str) -> str:
    """The sentence as requests are read in it: clauses passing the notice on dropped ("现将…
    转发给你们"), asides in brackets dropped (an e-mail address after 邮箱 kept)."""
    # "纸质版提交要求：2月19日前交至…": the label is a clause of its own (it may name what is sent).
    sentence = _LABEL_RE.sub(r"\g<label>，", sentence)
    clauses = [c for c in split_top_level(sentence, "，,；;") if not PASS_ON_RE.search(c)]
    text = "，".join(clauses)

    def aside(match: re.Match) -> str:
        inner = match["inner"]
        if KEEP_INNER_RE.match(inner):
            return match.group()
        email = EMAIL_RE.search(inner)
        if email and text[max(0, match.start() - 2):match.start()].endswith(("邮箱", "信箱")):
            return email.group()
        return ""

    return ASIDE_RE.sub(aside, text)


def _clause_requests(sentence: str, carried: str | None,
                     dated_apart: bool = False) -> tuple[list[tuple], str | None]:
    """The requests of a sentence read clause by clause: a clause that sends (a verb and its
    receiver) takes what it sends from itself or from the clauses before ("填写《…》，于…前发送
    至…"; an object after 将 or 填写 is kept over a mere noun), its deadline from itself, the
    clauses before it, or the request before it ("…前将电子版发送至…，纸质版送至…"). A sentence
    that neither asks (请/要/须…) nor gives a time asks for nothing. Returns the requests and the
    object left for the next sentence."""
    found: list[tuple] = []
    strong = False
    strong_at = -9
    pending = last = ""
    asks = False
    for index, clause in enumerate(split_top_level(sentence, "，,")):
        if len(clause) > WINDOW:
            carried, strong, pending = None, False, ""
            continue
        asks = asks or ASKS_RE.search(clause) is not None
        hit = _sending(clause)
        stated = _REPORT_TIME_RE.match(clause)
        if hit is None and stated:
            # "年报数据…逐级上报，上报时间为2月18日" / "其中X上报时间调整为…前": no receiver named.
            what = clean_object(stated["what"]) or carried
            if what and is_thing(what):
                found.append((what, None, None, stated["time"]))
                last, pending, carried = stated["time"], "", what
            continue
        later = _LATER_RE.match(clause) if hit is None else None
        if later and is_thing(clean_object(later["what"])):
            # "纸质版随后送达": sent later, to the receiver the request before names, if any.
            found.append((clean_object(later["what"]), None, None, later["when"]))
            continue
        if hit is None and WILL_RE.search(clause) and _ENDS_SENDING_RE.search(clause):
            # "…于10月9日前将返校情况通过系统提报": sent with a deadline, no receiver named.
            marks = list(WILL_RE.finditer(clause))
            what = clean_object(_ENDS_SENDING_RE.sub("", clause[marks[-1].end():]))
            timing = timing_text(clause[:marks[-1].start()]) or pending
            if what and is_thing(what) and find_deadline(timing or ""):
                found.append((what, asker(clause[:marks[-1].start()]), None, timing))
                last, pending, carried = timing, "", what
                continue
        if hit is None:
            thing, marked = object_in(clause)
            # An elaboration right after "将<X>，" ("包括…材料") does not replace X.
            if thing and (marked or not strong or index - strong_at > 1):
                carried, strong = thing, marked
                strong_at = index if marked else strong_at
            pending = timing_text(clause) or pending
            continue
        start, to, after = hit
        if found and found[-1][2] and clause.startswith("由" + found[-1][2]):
            continue  # "…报区督查组，由区督查组综合后向区政府汇报": the receiver's own step
        before = clause[:start]
        own = object_before(before)
        what = (clean_object(after) if is_thing(clean_object(after)) else "") \
            or (carried if strong and not WILL_RE.search(before) else own) or own or carried
        timing = timing_text(before) or pending or last
        # (A notice that states its deadline apart asks in its items without 请: "填写《…》，
        # 并传真至…".)
        if not what or not is_thing(what) or not (timing or asks or dated_apart):
            continue
        marks = list(WILL_RE.finditer(before))
        who = asker(before[:marks[-1].start()] if marks else before)
        if who in _ISSUER_ITSELF:
            continue  # "9月30日，学校将数据网上报省教育厅": the issuer's own step, asked of no one
        if who is None:
            who, what = owner_and_thing(what)
        found.append((what, who, to, timing))
        last, pending, carried, strong = timing, "", what, False
    if found and pending and not found[-1][3]:
        # "…书面报校工会，并附照片，于3月13日以前传校工会": the time comes after the request.
        found[-1] = (*found[-1][:3], pending)
    return found, carried


def _sending(clause: str):
    """Where a clause sends something: (position of the verb, receiver, words after the
    receiver), or None. "报送<what>至<to>" gives the words between as what is sent."""
    # "向市总工会推荐优秀案例": nominating to a unit is sending it what is named.
    toward = re.search(r"向(?P<to>[^，,。向]{2,30}?)(?:报送|报告|提交|汇报|反馈|上报|推荐|提供|报)(?P<rest>.*)$",
                       clause)
    if toward:
        to, _ = receiver_and_rest(toward["to"])
        if to:
            return toward.start(), to, toward["rest"]
    for verb in verbs(clause):
        rest = clause[verb.end():]
        towards = re.search(f"[{TOWARDS}]", rest)
        if towards and towards.start() > 0:  # "报送电子版至邮箱…": what, then the receiver
            to, _ = receiver_and_rest(rest[towards.start():])
            if to:
                return verb.start(), to, rest[:towards.start()]
        explicit = verb.group().endswith(tuple(TOWARDS))  # 传至, 交到: a person may follow
        to, after = receiver_and_rest(("至" if explicit else "") + rest)
        if to:
            return verb.start(), to, after
    return None


_DEADLINE_LABEL_RE = re.compile(r"^(?:完成|报送|上报|提交)?(?:时间|期限|时限)\s*[:：]\s*")


def _stated_deadline(body: str) -> str:
    """A deadline the notice states apart from any request: "截止时间为…", "报送时间：…", or a
    paragraph that is only a deadline (under a heading "一、报送时间")."""
    for paragraph in body.split("\n"):
        # "一、时间：4月15日前": a heading that is only the deadline, under its label.
        text = _DEADLINE_LABEL_RE.sub("", HEADING_RE.sub("", paragraph.strip()))
        labelled = re.search(r"(?:截止|报送|上报|提交|申报|报名)(?:时间|日期)\s*(?:为|[:：])?\s*(?P<t>.{4,40})$",
                             text)
        candidate = labelled["t"] if labelled else text if len(text) <= 40 else ""
        if not candidate:
            continue
        deadline = DEADLINE_RE.fullmatch(candidate.translate(FULL_WIDTH_DIGITS).rstrip("。"))
        if deadline or labelled and MONTH_DAY_RE.search(candidate.translate(FULL_WIDTH_DIGITS)):
            return candidate.rstrip("。")
    return ""


def _same_receiver(one: str | None, other: str | None) -> bool:
    return bool(one and other and (one.startswith(other) or other.startswith(one)))


def _without_repeats(found: list[ReportRequest]) -> list[ReportRequest]:
    """A request said twice — once with its day, once again "in time" — is one request."""
    kept = []
    for request in found:
        if request.due_date is None and request.to and "指定" in request.to and any(
                other.due_date for other in found):
            continue  # "及时发到指定邮箱": the one named with its day above
        if request.due_date is None and not request.recurring and any(
                other.due_date and _same_receiver(other.to, request.to) and (
                    other.what in request.what or request.what in other.what)
                for other in found):
            continue
        kept.append(request)
    return kept


def _with_object_first(sentence: str):
    """"…将<what>(deadline)(vague)<verb><to>": the object fronted with 将 or 把."""
    # "评比活动将从…遴选出…并上报校团委": 将 before 从/对/会… says what will be done, not what is sent.
    for marker in list(WILL_RE.finditer(sentence))[:MOST_MARKERS]:
        before = sentence[max(0, marker.start() - WINDOW):marker.start()]
        after = sentence[marker.end():marker.end() + WINDOW]
        after = split_top_level(after, "，,")[0] if after else ""
        for verb in reversed(verbs(after)):
            to = receiver(after[verb.end():])
            what = after[:verb.start()]
            if to is None or not what:
                continue
            what, tail = split_trailing_timing(what)
            if not what:
                continue
            scope = asking_clauses(before)
            return what, asker(scope), to, scope + tail
    return None


def _with_object_after(sentence: str):
    """"请<who><deadline><verb><what>(至<to>)" or "<what>请<deadline><verb><to>"."""
    for clause in _short_clauses(sentence):
        ask = re.search("请|务必|须|要", clause)
        if ask is None:
            continue
        for verb in verbs(clause, ask.end()):
            if not (find_deadline(clause[:verb.start()]) or VAGUE_RE.search(clause[:verb.start()])
                    or verb.group() in ("上报", "报送", "提交", "呈报")):
                continue
            rest = clause[verb.end():]
            head = clause[:ask.start()]
            towards = re.search(f"[{TOWARDS}]", rest)
            if towards and towards.start() > 0:
                what, to = rest[:towards.start()], receiver(rest[towards.start():])
            elif (to := receiver(rest)) is not None:
                what = head
            else:
                what, to = rest, None
            what = what.strip()
            if not what or not what.endswith(SENT_THINGS):
                continue
            who = asker(clause[:verb.start()]) if what != head else None
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
            verb = VERB_RE.match(clause, timing.end())
            to = receiver(clause[verb.end():]) if verb else None
            head = re.sub("(?:于|在)$", "", clause[:timing.start()])
            if to is None or not head:
                continue
            who, what = owner_and_thing(MANNER_RE.sub("", head))
            if is_thing(what):
                return what, who, to, clause[timing.start():timing.end()]
    return None


def _subject_of(sentence: str, what: str) -> str | None:
    """The units a sentence is addressed to when the request clause names none: "各单位要…，
    自查报告请于…" — the subject of the sentence's first clause, if it is a unit and 要/须/应 follow."""
    match = re.match(r"^(?P<who>各[^，,、。；]{1,20}?)(?:要|须|应|务必|需)", sentence)
    if match and is_unit_name(match["who"]) and what not in match["who"]:
        return match["who"]
    return None


def _short_clauses(sentence: str) -> list[str]:
    """The sentence's clauses that are short enough to be a request (long ones are not read)."""
    return [clause for clause in split_top_level(sentence, "，,") if len(clause) <= WINDOW]


def _dated(what, who, to, timing_text, doc_date, doc_year) -> ReportRequest:
    timing_text = timing_text or ""
    recurring = RECURRING_RE.search(timing_text)
    if recurring:
        return ReportRequest(what, who, to, timing_text, None, recurring=True)
    digits = timing_text.translate(FULL_WIDTH_DIGITS)
    deadline = find_deadline(timing_text)
    if deadline:
        return ReportRequest(what, who, to, deadline_words(deadline, timing_text),
                             due_date(deadline, doc_date, doc_year))
    glued = GLUED_DEADLINE_RE.search(digits)
    if glued:
        return ReportRequest(what, who, to, timing_text, glued_due(glued, doc_date, doc_year))
    day = DAY_RE.search("于" + digits if not digits.startswith(("于", "在")) else digits)
    if day:
        return ReportRequest(what, who, to, timing_text, day_due(day, doc_date, doc_year))
    relative = RELATIVE_RE.search(timing_text)
    if relative:
        return ReportRequest(what, who, to, timing_text, relative_due(relative, doc_date),
                             relative=True)
    vague = VAGUE_RE.search(timing_text)
    return ReportRequest(what, who, to, vague.group() if vague else (timing_text or None), None)
