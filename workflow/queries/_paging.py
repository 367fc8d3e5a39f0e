"""Paging a list: which page of how many, clamped, and the links either side.

Owns: `page_bounds` (the page asked for, kept within 1..pages, and the row offset) and
`PageLinks`, the previous/next a page's template shows. Must not: run a query.
"""

from __future__ import annotations

import math


def page_bounds(total: int, page: int, per_page: int) -> tuple[int, int, int]:
    """(page, pages, offset): the page asked for within 1..pages (at least one page)."""
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    return page, pages, (page - 1) * per_page


class PageLinks:
    """For a page dataclass with `page` and `pages`: is there a page before it, after it?"""

    page: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages
