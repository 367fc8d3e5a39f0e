"""The words of a report request: which verbs send, which nouns are things sent, how a receiver,
what is sent and the time of sending are read off a clause.

Owns: the vocabulary (`VERB_RE`, `SENT_THINGS`, the manner, link and aside patterns) and the small
readers `requests` puts together — `receiver_and_rest` (a unit, a unit's named persons, an e-mail
address, a person after 至), `object_before`/`object_in`/`clean_object` (what is sent, without its
time, manner and afterthoughts), `timing_text` (recurring, dated, relative or vague), `asker` and
`owner_and_thing` (who is asked). Must not: decide what a request is (that is `requests`), or
guess — a part the words do not give is None or empty. Every pattern is bounded (`WINDOW`).
"""

from __future__ import annotations

import re

from workflow.notice_text.dates import (
    DAY_RE,
    DEADLINE_RE,
    GLUED_DEADLINE_RE,
    RECURRING_RE,
    RELATIVE_RE,
    VAGUE_RE,
    find_deadline,
)
from workflow.notice_text.recipients import UNIT_WORDS, is_unit_name
from workflow.notice_text.text import FULL_WIDTH_DIGITS, split_top_level

# The verbs of sending back, two-character ones first so that 上报 wins over 报. 报 is not taken
# where it begins another word: 报名 (sign up), 报到 (turn up), 报道, 报刊, 报纸, 报告会, 报表 (a noun).
_VERB = (r"(?:上报|报送|呈报|反馈|提交|送交|寄送|发送|传真|函复|函告|函报|报告(?!会)|上交|交至|交到|传至|协同至"
         r"|报(?=到[^，,。；]{1,16}?(?:办公室|工会|委员会|团委|妇联|局|处|科|室|部|委|会|办|中心|馆))"
         r"|(?<!申)报(?![名到道刊纸社表告])|送(?![达])|发(?![布放展出挥生现起动文言])|交(?![流通])|寄)")
VERB_RE = re.compile(_VERB)
TOWARDS = "至到给"
# Instructions to pass the notice on, not to report back.
PASS_ON_RE = re.compile("转发|转达|转至|转告|传达|印发给|分发")
# Words between the asker and the deadline or object ("请各单位务必于…").
_LINKS_RE = re.compile(r"(?:请|务必|必须|须|需|需要|要|应|应当|一律|统一|并|同时|于|在|由)+$")
_LEADING_LINKS_RE = re.compile(r"^(?:请|由)")
# What is sent is a document or an account of something; a bare "送" of goods is not a report.
SENT_THINGS = ("报告", "材料", "情况", "总结", "表", "名单", "方案", "清单", "数据", "信息", "建议",
                "意见", "计划", "回执", "统计", "说明", "汇报", "经验", "做法", "稿", "照片", "视频",
                "成果", "案例", "台账", "进展", "文件", "函", "资料", "版", "档", "表格", "作品", "专报",
                "汇总", "措施", "疫情", "图片", "简报", "证明", "收据", "申请表", "档案", "人员", "复印件", "原件", "小结")
# Words after the receiver that say what the receiver does with it ("报市妇联备案").
_RECEIVER_TAIL_RE = re.compile(r"(?:统一|汇总|审核|审定|审批|备案|存档|留存|报备)[^，,。；]{0,12}$")
# A receiver that ends in persons' names (and their mailbox): "综合处黄文魁、王锋邮箱" → 综合处.
_UNIT_END = "|".join(sorted((re.escape(w) for w in UNIT_WORDS), key=len, reverse=True))
_UNIT_WORD_RE = re.compile(f"(?:{_UNIT_END})")
_PERSONS_TAIL_RE = re.compile(r"^[\u4e00-\u9fff]{2,3}(?:[、和][\u4e00-\u9fff]{2,3})*(?:老师|同志)?"
                              r"(?:[\u4e00-\u9fff]{0,6}?(?:邮箱|信箱)|处)?$")
# Asides in brackets that are no part of what is sent or of the receiver: "(附件1)", "(盖章)",
# "(发送至…邮箱)". Kept: places ("各县（市）区"), a weekday in a deadline, "(含)".
ASIDE_RE = re.compile(r"[（(](?P<inner>[^（）()]{0,60})[）)]")
KEEP_INNER_RE = re.compile(r"^(?:[市县区镇乡州盟旗局委、\s]{1,8}|\s*(?:星期|周|礼拜)[一二三四五六日天]\s*|含)$")
_LINK_WORDS_RE = re.compile(r"(?:统一|分别|一并|集中|均|及时|按时|同时|并|再|以|由|后|提前|前|之前|于|在|请)+$")
_OBJECT_MARK_RE = re.compile(r"(?:将|把|填写好|填写|填报|制定|撰写|形成|准备|整理|收集|出具|导入|公示|上报|报送|提交|做好)")
_QUANTITY_RE = re.compile(r"^(?:[一两二三四五六七八九十0-9]+(?:[-—~～至到][一两二三四五六七八九十0-9]+)?"
                          r"(?:篇|份|个|件|张|套|项))")
_OBJECT_TAIL_RE = re.compile(r"(?:打包后一起|打包后|打包|一起|汇总后|汇总|加盖公章后|盖公章后|盖章后|签字后|审核后|"
                             r"整理后|书面|[(（].*)$")
# What is sent named before who handles it: "纸质版需由各科长…签字后", "纸质稿经…盖章后".
_HANDLED_RE = re.compile(r"^(?P<x>.+?)(?:(?:需|须|应)(?:由|经)?|由|经)")
# The object marker 将, not the future 将 ("将会", "将于", "将在").
WILL_RE = re.compile("[将把](?![会要在于对从由])")
# What comes before "后的" qualifies what is sent: "经…签字盖章后的工作总结" → 工作总结.
_QUALIFIED_RE = re.compile(r"^.*后的")
MONTH_DAY_RE = re.compile(r"[0-9一二三四五六七八九十]{1,3}\s*月\s*[0-9一二三四五六七八九十廿卅]{1,3}\s*[日号]")
ASKS_RE = re.compile(r"(?<![申邀])请(?![示假])|要|须|务必|应|需")
# How it is sent is not what is sent: "以电子邮件形式", "通过电子邮件", "纸质版一式两份".
MANNER_RE = re.compile(
    r"(?:以[^，,。；]{1,8}(?:形式|方式)|以[^，,。；]{1,8}为单位|通过[^，,。；]{0,10}(?:邮件|传真|系统|平台|邮箱|网)"
    r"|一式[一二两三四五六七八九十0-9]+份)+$")
# A request is said in few words: who, deadline, object, verb and receiver fit in this many
# characters either side of 将, and a sentence with more 将 than this is not read further. The
# bounds keep the search linear on any input.
WINDOW = 120
MOST_MARKERS = 8
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def is_thing(text: str) -> bool:
    """Whether the words name something sent (a 《title》 counts by what it names)."""
    stripped = text.rstrip("》”\"'")
    stripped = stripped[:-1] if stripped.endswith("等") else stripped  # "方案、材料等"
    return (stripped.endswith(SENT_THINGS)
            and not re.match("(?:以免|以便|避免|防止|如有|若有|遇有|如遇|确有|有(?!关)|如|发现|对|安排|做好|开展|组织|加强|认真)", text))


# A place before the receiver: a building and a room ("行政楼1A209", "主楼804室").
_PLACE_RE = re.compile(r"^[\u4e00-\u9fff]{1,8}?[楼栋座馆](?:[0-9A-Za-z][0-9A-Za-z\-－]{1,7}(?:室|房间)?"
                       r"|[一二三四五六七八九十0-9]{1,2}[楼层])")
# A person after the unit, where it is handed in: "内科护理教研室李霞老师处" → the 教研室.
_PERSON_AT_END_RE = re.compile(r"(?:老师|同志)处?$")
_ROOM_AT_END_RE = re.compile(r"(?:[一二三四五六七八九十0-9]{1,2}[楼层]|[0-9A-Za-z][0-9A-Za-z\-]{1,7}(?:室|房间)?)$")


def _without_person(text: str) -> str:
    """The unit before a person's name and title at the end, if there is one, else the text."""
    title = _PERSON_AT_END_RE.search(text)
    if title:
        for size in (1, 2, 3):  # the name: a surname alone ("张老师"), or two or three characters,
            # maybe after a floor or room
            unit = _ROOM_AT_END_RE.sub("", text[:title.start() - size])
            if len(unit) >= 2 and is_unit_name(unit):
                return unit
    return text


def receiver_and_rest(text: str) -> tuple[str | None, str]:
    """The receiver at the start of `text` and what follows it ("校工会参赛名单" → 校工会,
    参赛名单): a unit, a unit's named persons (the unit counts), an e-mail address, or after
    至/给 a person's name."""
    explicit = text[:1] in TOWARDS
    text = text[:WINDOW].lstrip(TOWARDS)
    segment = re.split(r"[，,。；;]", text, maxsplit=1)[0]
    email = EMAIL_RE.search(segment)
    if email:
        return email.group(), ""
    head = _RECEIVER_TAIL_RE.sub("", re.split(r"[（(：:]", segment, maxsplit=1)[0].strip())
    place = _PLACE_RE.match(head)
    if place and is_unit_name(_without_person(head[place.end():])):
        head = head[place.end():]  # "行政楼1A209团委办公室": where the 团委办公室 is, then the unit
    head = _without_person(head)
    if not head or VERB_RE.match(head) or len(head) > 24 or re.search("[0-9０-９]+月|[将把于]", head):
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
        if rest.endswith(SENT_THINGS) and not VERB_RE.match(rest):
            return prefix, rest
    if explicit and (re.fullmatch(r"[\u4e00-\u9fff]{2,4}", head)
                     or re.fullmatch(r"[\u4e00-\u9fff]{2,8}(?:人员|同志|老师)", head)):
        return head, ""  # 至/给 a person, or persons named by their role ("发给列席旁听人员")
    return None, ""


def object_before(before: str) -> str | None:
    """What is sent, named before the verb: after 将/把, or the words left once the asker, the
    time and the links are taken off ("电子版于5月5日前" → 电子版)."""
    marks = list(WILL_RE.finditer(before))
    if marks:
        return clean_object(before[marks[-1].end():]) or None
    text = _QUALIFIED_RE.sub("", clean_object(before))
    handled = _HANDLED_RE.match(text)
    if handled and is_thing(handled["x"]):
        text = handled["x"]
    marks = [m for m in _OBJECT_MARK_RE.finditer(text) if m.group() not in "将把"]
    if marks and is_thing(clean_object(text[marks[-1].end():])):
        # "请出具书面说明经…审批后送交财务处": what 出具/填写… names is what is sent.
        return clean_object(text[marks[-1].end():])
    return text if text and is_thing(text) and not ASKS_RE.search(text) else None


def object_in(clause: str) -> tuple[str | None, bool]:
    """An object a later clause sends, and whether it was marked (after 将/把/填写/制定…) or is
    only the noun the clause opens with ("纸质材料一式两份由…审核后")."""
    marks = [m for m in _OBJECT_MARK_RE.finditer(clause)
             if m.group() not in "将把" or WILL_RE.match(clause, m.start())]
    if marks:
        thing = clean_object(clause[marks[-1].end():])
        if thing and is_thing(thing):
            return thing, marks[-1].group() not in ("上报", "报送", "提交")
    whole = clean_object(clause)
    if len(whole) <= 30 and is_thing(whole) and not re.search("[由经在将把于请包]", whole):
        return whole, False  # the clause is the thing ("需要移交的档案")
    lead = re.match(r"^(?P<x>[^，,由经在将把于请包]{1,30}?(?:" + "|".join(SENT_THINGS) + "))", clause)
    thing = clean_object(lead["x"]) if lead else None
    if thing:  # "决定对全区…受灾情况进行调查": the organ's decision names what, not the 决定
        thing = re.sub(r"^(?:现|特)?决定(?:对|就|将)?", "", thing)
    return (thing, False) if thing and is_thing(thing) else (None, False)


def clean_object(text: str | None) -> str:
    """What is sent without the time, the manner, quantities and afterthoughts around it."""
    if not text:
        return ""
    text = MANNER_RE.sub("", text.strip())
    handled = _HANDLING_TAIL_RE.sub("", text)
    if handled != text and is_thing(handled):
        text = handled  # "修改意见经负责人签字并盖章后": the 修改意见
    for pattern in (RECURRING_RE, DEADLINE_RE, DAY_RE, GLUED_DEADLINE_RE, RELATIVE_RE, VAGUE_RE):
        found = list(pattern.finditer(text))
        if found and found[-1].end() >= len(text) - 6:
            text = text[:found[-1].start()]
    text = _LINK_WORDS_RE.sub("", _OBJECT_TAIL_RE.sub("", text.strip()))
    text = re.sub(r"(》)(?:纸质版|电子版|纸质稿|电子稿)$", r"\1", text)  # 《年报》纸质版: the 年报
    text = re.sub(r"^(?:请|于|在|由|并|同时|要|须|务必|另|再)+", "", text)
    text = _QUANTITY_RE.sub("", _LINK_WORDS_RE.sub("", text.strip()))
    return _without_form(text.strip("，,、 "))


# The form it is sent in is no part of what is sent: "推荐材料电子版和纸质版" is the 推荐材料.
_FORMS = r"(?:电子版|纸质版|电子稿|纸质稿|电子文档|纸质材料|扫描件|复印件|原件|word版|Word版|PDF版|pdf版)"
_FORM_TAIL_RE = re.compile(rf"的?{_FORMS}(?:(?:和|及|与|、|或)的?{_FORMS})*$")
# Who handles it before it is sent, and how: "意见建议经负责人签字后", "…以书面形式通过各乡镇人大".
_HANDLING_TAIL_RE = re.compile(r"(?:(?:需|须|应)?(?:由|经)[^，,。；]{1,30}?后|以[^，,。；]{1,10}(?:形式|方式)"
                               r"|通过[^，,。；]{1,16})+$")


# The asked unit's own ("本单位上半年总结", "本部门完成任务的情况"): the thing is named without it.
_OWNER_RE = re.compile(r"^本(?:单位|部门|系统|地区|校|院|系|级)(?!的)")


def _without_form(text: str) -> str:
    """The thing without the owner words before it and the form and handling after it, when a
    thing is left."""
    owned = _OWNER_RE.sub("", text)
    if owned != text and is_thing(owned) and len(owned) >= 2:
        text = owned
    for pattern in (_HANDLING_TAIL_RE, _FORM_TAIL_RE):
        shorter = pattern.sub("", text)
        if shorter != text and is_thing(shorter) and len(shorter) >= 2:
            text = shorter
    return text


def timing_text(text: str) -> str:
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


def owner_and_thing(text: str) -> tuple[str | None, str]:
    """"各单位确定的联络员名单" → ("各单位", "联络员名单"): a unit named before 的 owns the thing."""
    for mark in re.finditer("的", text):
        owner = re.sub("(?:确定|推荐|形成|报送|上报|填写|撰写)$", "", text[:mark.start()])
        # (Not "本单位的…": the asked unit's own thing, named whole.)
        if owner and is_unit_name(owner) and not owner.startswith("本") and mark.end() < len(text):
            return owner, text[mark.end():]
    return None, text


def verbs(text: str, start: int = 0) -> list[re.Match]:
    """The sending verbs in the text that are not inside brackets (an aside is not the request)."""
    depth = [0]
    for ch in text:
        depth.append(depth[-1] + (1 if ch in "（(" else -1 if ch in "）)" else 0))
    return [verb for verb in VERB_RE.finditer(text, start) if depth[verb.start()] <= 0]


def receiver(text: str) -> str | None:
    """Who receives, from the words after the verb: a unit, "我部"-style, or an e-mail address."""
    text = text[:WINDOW].lstrip(TOWARDS)
    text = re.split(r"[（(，,。；;：:]", text, maxsplit=1)[0].strip()
    email = EMAIL_RE.search(text)
    if email:
        return email.group()
    text = _RECEIVER_TAIL_RE.sub("", text)
    if not text or VERB_RE.search(text[:2]):
        return None
    if is_unit_name(text) or re.fullmatch("我[部委局厅办会处室司校院]", text):
        return text
    return None


def split_trailing_timing(what: str) -> tuple[str, str]:
    """Take a deadline or vague word off the end of the object: "报告于5月1日前" → "报告" (and a
    manner of sending: "值班表以电子邮件形式" → "值班表")."""
    what = MANNER_RE.sub("", what)
    vague = re.search(f"(?:{VAGUE_RE.pattern})$", what)
    if vague:
        return what[:vague.start()], vague.group()
    deadline = find_deadline(what)
    if deadline and deadline.end() == len(what):
        head = re.sub(r"(?:于|在)$", "", what[:deadline.start()])
        return head, what[deadline.start():]
    return what, ""


def asking_clauses(before: str) -> str:
    """The words that belong to the request: from the clause with the last 请 (else the last
    clause) up to the object — so a date earlier in the sentence is not taken for the deadline."""
    clauses = split_top_level(before, "，,")
    if not clauses:
        return ""
    start = max((i for i, c in enumerate(clauses) if "请" in c), default=len(clauses) - 1)
    return "".join(clauses[start:])


def asker(clause: str) -> str | None:
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
