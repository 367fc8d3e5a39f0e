"""Page furniture: what a web page, a document-sharing site or a reposting puts around a notice.

Owns: `clean_lines(lines)` — the notice's own lines, without the page's banners, breadcrumbs,
column labels, 发布时间/点击数/作者 lines, metadata blocks of government sites (索引号, 发布机构,
生成日期 …), widget words (分享到, 打印, 朗读 …), reprint notices and file paths; the page's title
repeated with the site's name ("…的通知-武汉大学", "…的通知_工作进展情况_…") cut back to the title;
a table's stray bars ("… |") removed; and lines the page glued together split again: a 主送 line
glued to the 正文 ("各部门: 为…"), a 署名 and date glued to the end of a one-line 正文, a file
name glued to the 署名 ("….docx校工会"). It also keeps the page's own dates (发布时间 2021-11-05)
as hints: they are never a field, but they can settle a 成文日期 the page printed ambiguously.

Every test is on one line at a time with bounded patterns, so the work is linear in the text.
Must not: drop a line of the notice — a line is furniture only by its label or its whole shape.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from workflow.notice_text.recipients import is_unit_name, split_recipients
from workflow.notice_text.text import Line, no_spaces

# Only the page's head and tail carry furniture; a notice's body is never searched for it.
_LABELS = ("发布时间", "发布日期", "发表时间", "更新时间", "浏览次数", "浏览数", "阅读数", "点击量",
           "访问量", "点击数", "点击次数",
           "阅读次数", "浏览量", "访问次数", "信息发布者", "发布者", "发布人", "信息来源", "作者", "来源",
           "日期", "时间", "字体", "字号", "点击", "审核", "编辑", "责任编辑")
_META_RE = re.compile(
    r"[\[【]?(?:" + "|".join(_LABELS) + r")[\]】]?\s*[:：]")
# Labels of government disclosure pages' metadata blocks, at the start of a line.
_BLOCK_RE = re.compile(
    r"^(?:索\s*引\s*号|发文字号\s*[:：]|主题分类|组配分类|信息分类|体裁分类|发文机关|发文机构|发布机构|生成日期|"
    r"成文日期|发文日期|公开日期|发布日期|生效日期|生效时间|废止日期|废止时间|有\s*效\s*性|效力状态|"
    r"统一编号|文\s*号|文件编号|信息名称|名\s*称|标\s*题|内容概述|关键词|公开方式|公开类别|"
    r"法定主动公开分类|归档时间|所属机构|核心提示|导读\s*[:：])")
# A page-only label alone, with at most a short value: "浏览次数:", "点击数: 590".
_PAGE_LABEL_RE = re.compile(r"^[\[【]?(?:浏览次数|点击数|点击次数|阅读次数|浏览量|访问次数|发布者|发布人|信息发布者|"
                            r"发布时间|发布日期|发表时间|更新时间)[\]】]?\s*[:：]\s*\S{0,24}$")
# A time stamp with a word or two: "2020-02-02 20:22:29 转载".
_STAMP_RE = re.compile(r"^(?:(?:19|20)[0-9]{2}-[0-9]{1,2}-[0-9]{1,2}(?:\s+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?"
                       r"\s*[^，。,：:]{0,24}"
                       # "2010年3月4日 09:12": a 成文日期 never carries the time of day; a page does.
                       r"|(?:19|20)[0-9]{2}\s*年\s*[0-9]{1,2}\s*月\s*[0-9]{1,2}\s*日\s*[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)$")
_CRUMB_RE = re.compile(r"(?:当前的?位置|[您你](?:目前|当前|现在)?的位置|所在位置)|^首页\s*(?:>|»|＞|/)")
# Words a page's widgets and columns leave on a line of their own.
_WIDGETS = {
    "关闭", "举报", "提交", "打印", "朗读", "分享到", "分享", "购物车", "验证码", "全部评论", "用户登录",
    "微信", "手机APP", "手机版", "X", "×", "相关解读", "返回顶部", "头部", "footer底部", "通知公告",
    "公示公告", "通知通告", "公告通知", "首页", "返回按钮", "返回", "详情", "工作通知", "工会通知", "新闻动态", "通知新闻", "行政事务", "服务中心", "?", "？", "|",
    "0", "【打印正文】", "【关闭窗口】", "【打印】", "【关闭】", "网友评论", "相关新闻", "相关文档",
    "最新文档", "相关主题", "打印本页", "关闭窗口", "Baidu", "sogou", "XML 地图", "信息公开",
    ":", "：", "无标题文档", "政府文件",
}
_WIDGET_RE = re.compile(r"^(?:.{0,8}[Ll][Oo][Gg][Oo]|.{0,12}(?:设为首页|加入收藏).{0,12}|扫一扫.*|.*扫描二维码.*|分享至.*|字号\s*[:：].{0,12}|(?:【[^】【]{1,8}】?\s*)+|.*转载请.*|本文由.*|"
                        r"下载地址[:：].*|第[0-9]+页|.*版权所有.*|.*ICP备.*)$")
# A document-sharing site's own head: its blurb, then "第一篇:<title>" before the document.
_SHARING_RE = re.compile(r"^(?:简介[:：]|.*下载本文|.*会员上传)")
_FIRST_PIECE_RE = re.compile(r"^第一篇[:：]")
_PATH_RE = re.compile(r"^(?:/|https?://)\S+$")
# The site's name after the page title: "…通知-武汉大学", "…通知_栏目_网站", "…通知 |".
_KINDS = "通知|通报|意见|决定|公告|通告|报告|请示|批复|函|纪要"
# A 发文字号 glued before a page's title: "凌政办发[2020]35号…".
_NUMBER_PREFIX_RE = re.compile(r"^[^\s，。]{1,12}[〔\[［(（][0-9]{4}[〕\]］)）][0-9]{1,5}号")
_TITLE_ENDS = ("通知", "通报", "意见", "决定", "公告", "通告", "报告", "请示", "批复", "函", "纪要",
               "文件")
_TITLE_SUFFIX_RE = re.compile(rf"^(?P<title>.{{2,}}?(?:{_KINDS}))\s*(?:[-_|｜—]\s*.{{0,40}})$")
_DATE_TEXT = (r"(?:[0-9]{4}|[〇○OΟ零一二三四五六七八九]{4})\s*年\s*[0-9一二三四五六七八九十]{1,3}\s*月"
              r"\s*[0-9一二三四五六七八九十廿卅]{1,3}\s*日")
_TAIL_DATE_RE = re.compile(rf"^(?P<head>.{{20,}}?)\s+(?P<date>{_DATE_TEXT})\s*$")
_ISO_DATE_RE = re.compile(r"(?P<y>20[0-9]{2}|19[0-9]{2})(?P<sep>[-/])(?P<m>[01]?[0-9])(?P=sep)(?P<d>[0-3]?[0-9])")
_FILE_GLUED_RE = re.compile(r"^(?P<file>.+\.(?:docx?|xlsx?|pdf|zip|rar|wps|et|pptx?))"
                            r"(?P<org>[\u4e00-\u9fff（）()]{2,20})$", re.IGNORECASE)
_RECIPIENTS_GLUED_RE = re.compile(r"^(?P<head>[^。：:！？]{2,120}?)(?<![0-9])[:：](?![0-9])\s*(?P<rest>\S.*)$")
# People a notice may be addressed to, besides units.
_ROLE_RE = re.compile(r"(?:主办|承办|协办|责任|配合|参加|参赛|申报|报送|联系|牵头|组织|实施)"
                      r"(?:单位|部门|机构)$")
_PERSONS = ("教职工", "同学", "老师", "委员", "会员", "职工", "师生", "员工", "干部", "同志")


@dataclass
class Cleaned:
    """The notice's lines and the dates the page printed around it."""

    lines: list[Line]
    page_dates: list[dt.date] = field(default_factory=list)


def clean_lines(lines: list[Line]) -> Cleaned:
    """The lines without page furniture, glued lines split; the page's dates kept as hints."""
    page_dates: list[dt.date] = []
    first = next((i for i, line in enumerate(lines[:60]) if _FIRST_PIECE_RE.match(line.text)), None)
    if first is not None:  # a document-sharing page: the document starts after "第一篇:…"
        lines = lines[first + 1:]
    kept: list[Line] = []
    for index, line in enumerate(lines):
        text = line.text.strip("|｜ •·").strip()
        edge = index < 40 or index >= len(lines) - 15
        if not text:
            continue
        if edge and _is_furniture(text):
            page_dates.extend(_iso_dates(text))
            continue
        suffix = _TITLE_SUFFIX_RE.match(text) if index < 40 and len(text) < 120 else None
        if suffix and not re.search("[。，,]", text):
            text = suffix["title"]
            if _is_furniture(text):  # "工会通知-老网站文章备份": a column's name and the site's
                continue
        kept.append(Line(text, line.indented))
    return Cleaned(_drop_repeated_titles(_split_glued(kept)), page_dates)


def _is_furniture(text: str) -> bool:
    if text in _WIDGETS or no_spaces(text).rstrip(":：") in _WIDGETS:
        return True
    if len(text) > 160:
        return False
    if _PAGE_LABEL_RE.match(text) or _STAMP_RE.match(text):
        return True
    if _CRUMB_RE.search(text) or _BLOCK_RE.match(text) or _WIDGET_RE.match(text):
        return True
    if _SHARING_RE.match(text) or _PATH_RE.match(text):
        return True
    # "发布时间:2018-03-09 浏览次数: 3777": labels of the page, not a sentence of the notice.
    labels = _META_RE.findall(text)
    if labels and "。" not in text and (len(labels) >= 2 or _ISO_DATE_RE.search(text)
                                         or text.startswith(("作者", "来源", "发布者", "信息发布者"))):
        return True
    return False


def _iso_dates(text: str) -> list[dt.date]:
    dates = []
    for match in _ISO_DATE_RE.finditer(text):
        try:
            dates.append(dt.date(int(match["y"]), int(match["m"]), int(match["d"])))
        except ValueError:
            continue
    return dates


def _drop_repeated_titles(lines: list[Line]) -> list[Line]:
    """A page prints its title, then the notice prints it again: keep the notice's own (the last
    of a run of the same text in the head). The page's may be the end of the notice's, or carry
    the number before it ("凌政办发[2020]35号凌海市推进…的通知" above "…办公室关于印发凌海市推进
    …" over three lines)."""
    head = [no_spaces(_NUMBER_PREFIX_RE.sub("", line.text)) for line in lines[:40]]
    drop: set[int] = set()
    for index, key in enumerate(head):
        if len(key) < 6 or not key.endswith(_TITLE_ENDS):
            continue
        for span in range(1, 5):
            following = "".join(head[index + 1:index + 1 + span])
            if index + span < len(head) and following.endswith(key):
                drop.add(index)
                break
        # The page's title, its labels ("主题:", "时限:" …), then the notice's own title.
        if index not in drop and key in head[index + 1:index + 12]:
            drop.add(index)
    kept = []
    for index, line in enumerate(lines):
        number = _NUMBER_PREFIX_RE.match(line.text) if index in drop else None
        if number:  # the page's title goes; the number it carried is the notice's
            kept.append(Line(number.group(), line.indented))
        elif index not in drop:
            kept.append(line)
    return kept


def _split_glued(lines: list[Line]) -> list[Line]:
    out: list[Line] = []
    prose = False  # once the 正文 has begun, a "名称:" line is a label of it, not the 主送
    for index, line in enumerate(lines):
        text = line.text
        if index < 40 and not prose:
            title = _TITLE_GLUED_RE.match(text)
            pieces = ([title["title"], *_split_recipients(title["rest"])] if title
                      else _split_recipients(text))
        else:
            pieces = [text]
        prose = prose or (len(pieces) == 1 and re.search("[。，,；;]", text) is not None)
        if index >= len(lines) - 8:
            pieces = [*pieces[:-1], *_split_tail(pieces[-1])]
        out.extend(Line(piece, line.indented) for piece in pieces)
    return out


# "关于开会的通知 各科室: 请…": a page that ran the title, the 主送 and the 正文 into one line.
_TITLE_GLUED_RE = re.compile(r"^(?P<title>[^\s，。：:,]{0,40}?关于[^\s，。：:,]{2,60}?(?:" + _KINDS + r"))\s+"
                             r"(?P<rest>[^\s：:]{2,120}?[:：]\s*\S.*)$")


def _split_recipients(text: str) -> list[str]:
    """"各部门: 为不断深化…" → the 主送 line and the 正文 after it. A label before a title
    ("摘要:…的通知", a site's words before the page title) is dropped: the title stays."""
    match = _RECIPIENTS_GLUED_RE.match(text)
    if match and "关于" in match["rest"] and match["rest"].rstrip().endswith(_TITLE_ENDS) \
            and len(match["rest"]) <= 80 and "。" not in match["rest"]:
        return [match["rest"].strip()]
    if match is None or len(match["rest"]) < 10 or not looks_like_recipients(match["head"]):
        return [text]
    if _ROLE_RE.search(match["head"]):  # "主办单位:图书馆": a label, not the 主送
        return [text]
    return [f"{match['head']}:", match["rest"]]


_PREPOSITION_RE = re.compile(r"^(?:根据|按照|依据|依照|为了|对于|关于|通过|由于|鉴于|结合|围绕)")


def looks_like_recipients(text: str) -> bool:
    """A 主送 line: names of units or collectives (or of people written to), no sentence."""
    if not text or re.search("[。！？!?；;]", text) or len(text) > 160:
        return False
    entries = split_recipients(text)
    if not entries or any(len(e) > 30 or re.search("[0-9]|[于将把请要须]", e) for e in entries):
        return False
    # A sentence's opening words ("根据上级有关部门、…的意见建议："): a preposition starts no name,
    # and a long entry with 的 is a phrase, not a unit.
    if any(_PREPOSITION_RE.match(e) or len(e) > 12 and "的" in e for e in entries):
        return False
    named = sum(1 for e in entries if is_unit_name(e) or e.startswith("各")
                or e.endswith(_PERSONS))
    return named * 2 >= len(entries) and not re.search("(?:通知|如下|决定|要求)$", text)


def _split_tail(text: str) -> list[str]:
    """The end of a glued page: "… 附件:X 学院工会 2017年3月21日" and "….docx校工会"."""
    glued = _FILE_GLUED_RE.match(text)
    if glued and is_unit_name(glued["org"]):
        return [glued["file"], glued["org"]]
    tail = _TAIL_DATE_RE.match(text)
    if tail is None:
        return [text]
    head, date = tail["head"], tail["date"]
    pieces = [date]
    # The 署名 after a space, or right after the 正文's last full stop ("特此通知。校工会").
    organ = re.search(r"(?:\s|(?<=[。！!]))(?P<org>[^\s，,。：:]{2,20})$", head)
    if organ and is_unit_name(organ["org"]):
        pieces.insert(0, organ["org"])
        head = head[:organ.start()].rstrip()
    note = re.search(r"\s(?P<note>附\s*件\s*[:：].*)$", head)
    if note:
        pieces.insert(0, note["note"])
        head = head[:note.start()].rstrip()
    return [head, *pieces]
