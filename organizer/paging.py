"""Pages of a long list: a page number from the query string, and what a page template needs.

Lists that grow with the group (the directory, the door list, the review's tables) show one
page at a time, so a page costs the same for 20 members or 2,000.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select

from organizer.extensions import db

MAX_PAGE = 100_000


def page_number(text: str | None) -> int:
    """The ?page= value: a whole number from 1; anything else means the first page."""
    if not text or not text.isdigit() or len(text) > 6:
        return 1
    return min(max(int(text), 1), MAX_PAGE)


def like_escape(text: str) -> str:
    """``text`` for a SQL LIKE pattern taken to the letter (``escape="\\"``): %, _ and \\ are not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def last_page(total: int, size: int) -> int:
    return max(1, -(-total // size))


@dataclass
class Page:
    items: list[Any]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return last_page(self.total, self.size)

    @property
    def first_index(self) -> int:
        """1-based position of the first item shown (0 for an empty list)."""
        return 0 if not self.items else (self.number - 1) * self.size + 1

    @property
    def last_index(self) -> int:
        return 0 if not self.items else self.first_index + len(self.items) - 1


def clamp(number: int, total: int, size: int) -> int:
    """A page past the end shows the last page."""
    return min(number, last_page(total, size))


def page_of(items: list, number: int, size: int) -> Page:
    """Page `number` of a list already read (a page past the end shows the last page)."""
    shown = clamp(number, len(items), size)
    start = (shown - 1) * size
    return Page(items[start:start + size], len(items), shown, size)


def counted_page(rows: Select, count: Select, values: dict, number: int, size: int) -> tuple[list[Row], int, int]:
    """Page `number` of the statement `rows`, whose last column ``total`` is `count` as a scalar
    subquery: the rows and the list's length in one statement. `count` runs alone only when the
    page holds nothing (an empty list, or a page past the end, which then shows the last page).
    Returns (the rows, the total, the page shown)."""
    def read(page: int) -> list[Row]:
        return list(db.session.execute(rows, {**values, "size": size, "skip": (page - 1) * size}).all())

    found = read(number)
    total = found[0].total if found else (db.session.scalar(count, values) or 0)
    shown = clamp(number, total, size)
    if shown != number:  # a page past the end: the last one
        found = read(shown)
    return found, total, shown
