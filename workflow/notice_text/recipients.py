"""主送 and 抄送 lines split into one entry per unit or collective name.

Owns: the reading a careful clerk gives a recipients line. "，" (or ",", "；") separates entries;
"、" separates names too, except inside brackets ("各县（市、区）教育局") — and a name left bare
before "、" shares the unit word of the last name: "各县（市）区、开发区妇联" is two entries,
"各县（市）区妇联" and "开发区妇联". Fixed collectives stay whole ("各省、自治区、直辖市人民政府"); a
name that begins with its own 各 stands as written ("国务院各部委、各直属机构" gives 各直属机构: no
organ is carried over). Must not: look anything up — the names are returned as the text writes
them.
"""

from __future__ import annotations

import re

from workflow.notice_text.text import close_up, split_top_level

# Words that end the name of a unit or of a collective of units. A "、"-part ending in one of these
# is a name in its own right; a part ending otherwise ("各县（市）区", "市直机关", "大专院校") is bare
# and takes the unit word of the part that closes the run. Deliberately not here: 区, 县, 市, 省,
# 机关, 院校, 乡镇 — they name places or kinds of body, not the unit written to.
UNIT_WORDS = (
    "妇女联合会", "联合会", "妇联", "妇委会", "妇工委", "女工委", "团委", "团工委", "工会",
    "人民政府", "政府", "党委", "党组", "党工委", "纪委", "管委会", "委员会", "常委会", "人大",
    "政协", "办公厅", "办公室", "厅", "局", "委", "办", "部", "处", "科", "室", "中心", "医院",
    "学校", "大学", "学院", "中学", "小学", "幼儿园", "公司", "集团", "协会", "学会", "商会",
    "研究院", "研究所", "法院", "检察院", "所", "站", "队", "馆", "单位", "部门", "机构", "组织",
    "会员", "成员", "支部", "总支", "分会", "兵团", "财务局", "小组", "中心校", "退协",
    # 群团 organs named by their short forms.
    "学联", "学生会", "青联", "侨联", "文联", "科协", "残联", "工商联",
    # Working bodies set up for a task: 督查组, 工作专班.
    "督查组", "督导组", "工作组", "检查组", "专班",
)
# The unit words that are shared over bare names, longest first so that 妇委会 wins over 会.
_SHARED_WORDS = sorted(
    ("妇女联合会", "妇联", "妇委会", "妇工委", "女工委", "团委", "团工委", "工会", "人民政府",
     "政府", "党委", "党组", "党工委", "纪委", "管委会", "文明办", "教育局", "教育行政部门", "财政局",
     "财政厅", "卫生健康委", "卫生健康局", "民政局", "人力资源社会保障局", "人社局", "公安局",
     "司法局", "科技局", "统计局", "审计局", "发展改革委", "宣传部", "组织部", "统战部", "办公室"),
    key=len, reverse=True)

# Collectives of places written with "、" that are one name for one level of government: the unit
# words after them apply to the whole list, and several unit words make several entries.
_PLACE_COLLECTIVE_RE = re.compile(
    r"^(?P<places>各?省、自治区、直辖市(?:(?:、|及)计划单列市)?(?:(?:、|及)新疆生产建设兵团)?)"
    r"(?P<rest>.+)$"
)
# Place names at the start of a name: 各区, 县（市）, 开发区, 江州市 …
_PLACE_PREFIX_RE = re.compile(r"^各?(?:[^、，,（()）]{0,10}?(?:省|市|县|区|州|盟|旗|乡|镇|街道)"
                              r"(?:[（(][^（）()]*[）)])?)+")
_PLACE_CHARACTERS = set("省市县区州盟旗乡镇")
_BARE_KINDS = {"单位", "部门", "机构", "科室", "处室", "学院", "学校", "院系"}
_LABEL_RE = re.compile(r"^(?:主\s*送|抄\s*送|抄\s*报)\s*[:：]?\s*")
_BRACKETED_TAIL_RE = re.compile(r"[（(][^（）()]*[）)]$")


def split_recipients(line: str) -> list[str]:
    """The entries of a 主送 or 抄送 line (label and final colon or full stop removed)."""
    text = _LABEL_RE.sub("", close_up(line)).rstrip("：:。.;；，,")
    entries: list[str] = []
    for group in split_top_level(text, "，,；;"):
        entries.extend(_split_group(group))
    return entries


def is_unit_name(name: str) -> bool:
    """Whether the name ends with a unit word (brackets at the end ignored: 财政厅（局）)."""
    bare = _BRACKETED_TAIL_RE.sub("", name)
    return bare.endswith(UNIT_WORDS)


def _split_group(group: str) -> list[str]:
    collective = _PLACE_COLLECTIVE_RE.match(group)
    if collective:
        places = collective["places"]
        return [places + name for name in split_top_level(collective["rest"], "、")]
    # "各企事业单位妇委会及有关团体会员": two names joined by 及 (each a unit's name).
    parts = [piece for part in split_top_level(group, "、") for piece in _split_and(part)]
    if len(parts) <= 1:  # one name, or nothing but separators
        return parts
    # Single characters ("市政府各委、办、局") are abbreviations of one collective, not names;
    # so is a bare kind of body after "全校各部门" ("全校各部门、单位"). After a plain "各…"
    # it is a name of its own: "各二级学院、处室" is 各二级学院 and 处室.
    # A single place ("各市、州、直管市…住建委") is a name like the others.
    if any(len(part) < 2 and part not in _PLACE_CHARACTERS for part in parts) or (
            parts[0].startswith(("全", "校内")) and any(p in _BARE_KINDS for p in parts[1:])):
        return [group]
    if _shares_leading_words(parts):
        return [group]
    shared = _unit_word(parts[-1])
    named = []
    for index, part in enumerate(parts):
        # A bare name takes the unit word of the next name that has one ("市直机关、各企事业单位
        # 妇委会" → 市直机关妇委会), else the last name's.
        following = next((w for later in parts[index + 1:] if (w := _unit_word(later))), None) or shared
        named.append(part if is_unit_name(part) or following is None else part + following)
    return named


def _shares_leading_words(parts: list[str]) -> bool:
    """"区属各中小学校、幼儿园", "各县市区委、人民政府": a second name that is only a kind of body,
    after a first with leading words of its own (a place or "X属各", more than a bare 各), shares
    them — one collective, kept whole."""
    if len(parts) != 2:
        return False
    first, kind = parts[0], _BRACKETED_TAIL_RE.sub("", parts[1])
    place = _PLACE_PREFIX_RE.match(first)
    qualified = (place is not None and len(place.group().lstrip("各")) > 0
                 and place.end() < len(first)) or re.search("[属直]各", first) is not None
    return qualified and (kind in UNIT_WORDS or kind in _BARE_KINDS)


def _unit_word(name: str) -> str | None:
    """The unit word a bare name before this one shares: what follows its place names
    ("县（市）人力资源和社会保障局" → 人力资源和社会保障局, "武当山旅游经济特区管委会…办公室" → all
    after 特区), else a word we know at its end (妇联, 教育局 …)."""
    place = _PLACE_PREFIX_RE.match(name)
    rest = name[place.end():] if place else ""
    if len(rest) >= 2 and is_unit_name(rest) and not rest.startswith(("直", "属", "各")):
        return rest  # (not "市直各单位": 市直 is no place before a unit word)
    return next((w for w in _SHARED_WORDS if name.endswith(w) and name != w), None)


def _split_and(part: str) -> list[str]:
    """"X及Y": two names when each is a unit's name, or when X is only a place that takes Y's
    unit word ("各市、州及有关县(市)农业局")."""
    pieces = part.split("及")
    if len(pieces) == 2 and all(len(p) >= 2 and is_unit_name(p) for p in pieces):
        return pieces
    if (len(pieces) == 2 and _PLACE_PREFIX_RE.fullmatch(pieces[0]) and is_unit_name(pieces[1])
            and _unit_word(pieces[1])):
        return pieces
    return [part]

