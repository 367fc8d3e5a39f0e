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
from workflow.notice_text.recipients import UNIT_WORDS, is_unit_name
from workflow.notice_text.text import FULL_WIDTH_DIGITS, split_top_level

# The verbs of sending back, two-character ones first so that 上报 wins over 报. 报 is not taken
# where it begins another word: 报名 (sign up), 报到 (turn up), 报道, 报刊, 报纸, 报告会, 报表 (a noun).
_VERB = (r"(?:上报|报送|呈报|反馈|提交|送交|寄送|发送|传真|函复|函告|报告(?!会)|上交|交至|交到|传至|协同至"
         r"|报(?=到[^，,。；]{1,16}?(?:办公室|工会|委员会|团委|妇联|局|处|科|室|部|委|会|办|中心))"
         r"|(?<!申)报(?![名到道刊纸社表告])|送(?![达])|发(?![布放展出挥生现起动文])|交(?![流通])|寄)")
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
                "成果", "案例", "台账", "进展", "文件", "函", "资料", "版", "档", "表格", "作品", "专报",
                "等", "汇总", "疫情", "图片", "简报", "证明", "收据", "申请表")
# Words after the receiver that say what the receiver does with it ("报市妇联备案").
_RECEIVER_TAIL_RE = re.compile(r"(?:备案|审核|审定|审批|汇总|存档|留存|统一报送|报备)$")
# A receiver that ends in persons' names (and their mailbox): "综合处黄文魁、王锋邮箱" → 综合处.
_UNIT_END = "|".join(sorted((re.escape(w) for w in UNIT_WORDS), key=len, reverse=True))
_UNIT_WORD_RE = re.compile(f"(?:{_UNIT_END})")
_PERSONS_TAIL_RE = re.compile(r"^[\u4e00-\u9fff]{2,3}(?:[、和][\u4e00-\u9fff]{2,3})*(?:老师)?(?:邮箱|处)?$")
# Asides in brackets that are no part of what is sent or of the receiver: "(附件1)", "(盖章)",
# "(发送至…邮箱)". Kept: places ("各县（市）区"), a weekday in a deadline, "(含)".
_ASIDE_RE = re.compile(r"[（(](?P<inner>[^（）()]{0,60})[）)]")
_KEEP_INNER_RE = re.compile(r"^(?:[市县区镇乡州盟旗局委、\s]{1,8}|\s*(?:星期|周|礼拜)[一二三四五六日天]\s*|含)$")
_LINK_WORDS_RE = re.compile(r"(?:统一|分别|一并|集中|均|及时|按时|同时|并|再|以|由|后|前|之前|于|在)+$")
_OBJECT_MARK_RE = re.compile(r"(?:将|把|填写好|填写|填报|制定|撰写|形成|准备|整理|收集|上报|报送|提交)")
_QUANTITY_RE = re.compile(r"^(?:[一两二三四五六七八九十0-9]+(?:篇|份|个|件|张|套|项))")
_OBJECT_TAIL_RE = re.compile(r"(?:打包后一起|打包后|打包|一起|汇总后|汇总|加盖公章后|盖公章后|盖章后|签字后|审核后|"
                             r"整理后|书面|[(（].*)$")
# What is sent named before who handles it: "纸质版需由各科长…签字后", "纸质稿经…盖章后".
_HANDLED_RE = re.compile(r"^(?P<x>.+?)(?:需|须|应)?(?:由|经)")
# The object marker 将, not the future 将 ("将会", "将于", "将在").
_WILL_RE = re.compile("[将把](?![会要在于对从由])")
# What comes before "后的" qualifies what is sent: "经…签字盖章后的工作总结" → 工作总结.
_QUALIFIED_RE = re.compile(r"^.*后的")
_MONTH_DAY_RE = re.compile(r"[0-9一二三四五六七八九十]{1,3}\s*月\s*[0-9一二三四五六七八九十廿卅]{1,3}\s*[日号]")
_ASKS_RE = re.compile(r"(?<![申邀])请(?![示假])|要|须|务必|应|需")
# How it is sent is not what is sent: "以电子邮件形式", "通过电子邮件", "纸质版一式两份".
_MANNER_RE = re.compile(
    r"(?:以[^，,。；]{1,8}(?:形式|方式)|以[^，,。；]{1,8}为单位|通过[^，,。；]{1,10}(?:邮件|传真|系统|平台|邮箱)"
    r"|一式[一二两三四五六七八九十0-9]+份)+$")
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
            parts, carried = _clause_requests(sentence, carried)
            if not parts:
                request = (_with_object_first(sentence) or _with_object_after(sentence)
                           or _with_timing_first(sentence))
                parts = [request] if request else []
            for what, who, to, timing in parts:
                who = who or _subject_of(sentence, what)
                if not timing or "规定" in timing:
                    timing = stated or timing
                request = _dated(_clean_object(what), who, to, timing, doc_date, doc_year)
                if request.what and request not in found:
                    found.append(request)
    return _without_repeats(found)


def _year_written(body: str) -> int | None:
    """The year of the last full date the text writes ("即日起至2018年11月30日")."""
    years = re.findall(r"((?:19|20)[0-9]{2})\s*年\s*[0-9]{1,2}\s*月", body.translate(FULL_WIDTH_DIGITS))
    return int(years[-1]) if years else None


def _prepare(sentence: str) -> str:
    """The sentence as requests are read in it: clauses passing the notice on dropped ("现将…
    转发给你们"), asides in brackets dropped (an e-mail address after 邮箱 kept)."""
    clauses = [c for c in split_top_level(sentence, "，,；;") if not _PASS_ON_RE.search(c)]
    text = "，".join(clauses)

    def aside(match: re.Match) -> str:
        inner = match["inner"]
        if _KEEP_INNER_RE.match(inner):
            return match.group()
        email = _EMAIL_RE.search(inner)
        if email and text[max(0, match.start() - 2):match.start()].endswith(("邮箱", "信箱")):
            return email.group()
        return ""

    return _ASIDE_RE.sub(aside, text)


def _clause_requests(sentence: str, carried: str | None) -> tuple[list[tuple], str | None]:
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
        if len(clause) > _WINDOW:
            carried, strong, pending = None, False, ""
            continue
        asks = asks or _ASKS_RE.search(clause) is not None
        hit = _sending(clause)
        if hit is None:
            thing, marked = _object_in(clause)
            # An elaboration right after "将<X>，" ("包括…材料") does not replace X.
            if thing and (marked or not strong or index - strong_at > 1):
                carried, strong = thing, marked
                strong_at = index if marked else strong_at
            pending = _timing_text(clause) or pending
            continue
        start, to, after = hit
        before = clause[:start]
        own = _object_before(before)
        what = (_clean_object(after) if _is_thing(_clean_object(after)) else "") \
            or (carried if strong and not _WILL_RE.search(before) else own) or own or carried
        timing = _timing_text(before) or pending or last
        if not what or not _is_thing(what) or not (timing or asks):
            continue
        marks = list(_WILL_RE.finditer(before))
        who = _asker(before[:marks[-1].start()] if marks else before)
        if who is None:
            who, what = _owner_and_thing(what)
        found.append((what, who, to, timing))
        last, pending, carried, strong = timing, "", what, False
    return found, carried


def _is_thing(text: str) -> bool:
    """Whether the words name something sent (a 《title》 counts by what it names)."""
    stripped = text.rstrip("》”\"'")
    return (stripped.endswith(_SENT_THINGS)
            and not re.match("(?:如有|若有|遇有|如遇|如|安排|做好|开展|组织|加强|认真)", text))


def _sending(clause: str):
    """Where a clause sends something: (position of the verb, receiver, words after the
    receiver), or None. "报送<what>至<to>" gives the words between as what is sent."""
    toward = re.search(r"向(?P<to>[^，,。向]{2,30}?)(?:报送|报告|提交|汇报|反馈|上报|报)(?P<rest>.*)$",
                       clause)
    if toward:
        to, _ = _receiver_and_rest(toward["to"])
        if to:
            return toward.start(), to, toward["rest"]
    for verb in _verbs(clause):
        rest = clause[verb.end():]
        towards = re.search(f"[{_TOWARDS}]", rest)
        if towards and towards.start() > 0:  # "报送电子版至邮箱…": what, then the receiver
            to, _ = _receiver_and_rest(rest[towards.start():])
            if to:
                return verb.start(), to, rest[:towards.start()]
        explicit = verb.group().endswith(tuple(_TOWARDS))  # 传至, 交到: a person may follow
        to, after = _receiver_and_rest(("至" if explicit else "") + rest)
        if to:
            return verb.start(), to, after
    return None


def _receiver_and_rest(text: str) -> tuple[str | None, str]:
    """The receiver at the start of `text` and what follows it ("校工会参赛名单" → 校工会,
    参赛名单): a unit, a unit's named persons (the unit counts), an e-mail address, or after
    至/给 a person's name."""
    explicit = text[:1] in _TOWARDS
    text = text[:_WINDOW].lstrip(_TOWARDS)
    segment = re.split(r"[，,。；;]", text, maxsplit=1)[0]
    email = _EMAIL_RE.search(segment)
    if email:
        return email.group(), ""
    head = _RECEIVER_TAIL_RE.sub("", re.split(r"[（(：:]", segment, maxsplit=1)[0].strip())
    if not head or _VERB_RE.match(head) or len(head) > 24 or re.search("[0-9０-９]+月|[将把于]", head):
        return None, ""
    if (is_unit_name(head) and "的" not in head and "、" not in head
            or re.fullmatch("我[部委局厅办会处室司校院]", head)):
        return head, ""
    for unit in _UNIT_WORD_RE.finditer(head):
        prefix, rest = head[:unit.end()], head[unit.end():]
        if not rest or not is_unit_name(prefix) or "的" in head or prefix.startswith("本"):
            continue
        if _PERSONS_TAIL_RE.match(rest):
            return prefix, ""
        if rest.endswith(_SENT_THINGS) and not _VERB_RE.match(rest):
            return prefix, rest
    if explicit and re.fullmatch(r"[\u4e00-\u9fff]{2,4}", head):
        return head, ""
    return None, ""


def _object_before(before: str) -> str | None:
    """What is sent, named before the verb: after 将/把, or the words left once the asker, the
    time and the links are taken off ("电子版于5月5日前" → 电子版)."""
    marks = list(_WILL_RE.finditer(before))
    if marks:
        return _clean_object(before[marks[-1].end():]) or None
    text = _QUALIFIED_RE.sub("", _clean_object(before))
    handled = _HANDLED_RE.match(text)
    if handled and _is_thing(handled["x"]):
        text = handled["x"]
    return text if text and _is_thing(text) and not _ASKS_RE.search(text) else None


def _object_in(clause: str) -> tuple[str | None, bool]:
    """An object a later clause sends, and whether it was marked (after 将/把/填写/制定…) or is
    only the noun the clause opens with ("纸质材料一式两份由…审核后")."""
    marks = [m for m in _OBJECT_MARK_RE.finditer(clause)
             if m.group() not in "将把" or _WILL_RE.match(clause, m.start())]
    if marks:
        thing = _clean_object(clause[marks[-1].end():])
        if thing and _is_thing(thing):
            return thing, marks[-1].group() not in ("上报", "报送", "提交")
    lead = re.match(r"^(?P<x>[^，,由经在将把于请包]{1,30}?(?:" + "|".join(_SENT_THINGS) + "))", clause)
    thing = _clean_object(lead["x"]) if lead else None
    return (thing, False) if thing and _is_thing(thing) else (None, False)


def _clean_object(text: str | None) -> str:
    """What is sent without the time, the manner, quantities and afterthoughts around it."""
    if not text:
        return ""
    text = _MANNER_RE.sub("", text.strip())
    for pattern in (RECURRING_RE, DEADLINE_RE, DAY_RE, GLUED_DEADLINE_RE, RELATIVE_RE, VAGUE_RE):
        found = list(pattern.finditer(text))
        if found and found[-1].end() >= len(text) - 6:
            text = text[:found[-1].start()]
    text = _LINK_WORDS_RE.sub("", _OBJECT_TAIL_RE.sub("", text.strip()))
    text = re.sub(r"(》)(?:纸质版|电子版|纸质稿|电子稿)$", r"\1", text)  # 《年报》纸质版: the 年报
    text = re.sub(r"^(?:请|于|在|由|并|同时|要|须|务必|另|再)+", "", text)
    text = _QUANTITY_RE.sub("", _LINK_WORDS_RE.sub("", text.strip()))
    return text.strip("，,、 ")


def _timing_text(text: str) -> str:
    """The words giving the time of sending in a clause: recurring, dated, relative or vague."""
    recurring = RECURRING_RE.search(text)
    if recurring:
        end = re.search(r"(?:前|末|底|内)", text[recurring.end():recurring.end() + 16])
        stop = recurring.end() + (end.end() if end else 0)
        return text[recurring.start():stop]
    for pattern in (DEADLINE_RE, GLUED_DEADLINE_RE, DAY_RE):
        found = list(pattern.finditer(text.translate(FULL_WIDTH_DIGITS)))
        if found:
            return "".join(text[found[-1].start():found[-1].end()].split()).lstrip("于在")
    relative = RELATIVE_RE.search(text)
    if relative:
        tail = re.match(r"[^，,。；]{0,8}?(?:前|内)", text[relative.end():])
        return text[relative.start():relative.end() + (tail.end() if tail else 0)]
    vague = re.search(VAGUE_RE.pattern + "|规定", text)
    return vague.group() if vague else ""


def _stated_deadline(body: str) -> str:
    """A deadline the notice states apart from any request: "截止时间为…", "报送时间：…", or a
    paragraph that is only a deadline (under a heading "一、报送时间")."""
    for paragraph in body.split("\n"):
        text = paragraph.strip()
        labelled = re.search(r"(?:截止|报送|上报|提交|申报|报名)(?:时间|日期)\s*(?:为|[:：])?\s*(?P<t>.{4,40})$",
                             text)
        candidate = labelled["t"] if labelled else text if len(text) <= 40 else ""
        if not candidate:
            continue
        deadline = DEADLINE_RE.fullmatch(candidate.translate(FULL_WIDTH_DIGITS).rstrip("。"))
        if deadline or labelled and _MONTH_DAY_RE.search(candidate.translate(FULL_WIDTH_DIGITS)):
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
