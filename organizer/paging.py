"""Pages of a long list: a page number from the query string, and what a page template needs.

Lists that grow with the group (the directory, the door list, the review's tables) show one
page at a time, so a page costs the same for 20 members or 2,000.
"""

from dataclasses import dataclass
from typing import Any

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
