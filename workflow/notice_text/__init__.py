"""Reading a notice (text → fields): `parse_notice(text)` gives a frozen `ParsedNotice`.

Owns: turning the plain text of a 公文 — as extracted from a PDF, a Word file or a web page, with
their artefacts (letter-spaced headers, titles and paragraphs broken over lines and pages, stray
spaces, half-width punctuation) — into the fields a clerk would copy off it: 发文机关, 发文字号 (read
with `workflow.docnumber`), 签发人, 标题, 文种, 主送, 抄送, 成文日期, 印发机关和印发日期, 附件, 报送要求 and
the 正文. Split by concern:

- `text`: lines as extracted, letter-spacing, stray spaces;
- `furniture`: what a web page puts around a notice (banners, breadcrumbs, metadata), removed;
- `layout`: where each element of the notice sits, from the top (版头, 标题, 主送);
- `closing`: the end of it (附件说明, 署名, 成文日期, 版记);
- `recipients`: 主送/抄送 lines into names;
- `dates`: dates in Arabic or Chinese numerals, deadlines and their year;
- `body`: the 正文 joined back into paragraphs;
- `requests`: the report requests in the 正文, put together from `words` (verbs, things sent,
  receivers, times);
- `parse`: the whole, `ParsedNotice` and its JSON form — the issuing organs one by one and the
  fields read on weak evidence ("uncertain") included;
- `incoming`: a 来文's registration fields (`read_incoming`), 紧急程度 and 密级 included.

Must not: touch the database, import the web layer, or guess — a field the text does not give is
None (or empty). Pure functions of their arguments; standard library and `workflow` only.
"""

from workflow.notice_text.incoming import IncomingFields, read_incoming
from workflow.notice_text.parse import (
    EXTRA_KEYS,
    JSON_KEYS,
    ParsedNotice,
    PrintedNumber,
    parse_notice,
)
from workflow.notice_text.requests import ReportRequest

__all__ = ["EXTRA_KEYS", "JSON_KEYS", "IncomingFields", "ParsedNotice", "PrintedNumber", "ReportRequest",
           "parse_notice", "read_incoming"]
