"""The path of headings above the text being read, as every structured format gives it."""

from __future__ import annotations


class HeadingPath:
    """Headings seen so far and still open: a heading closes every heading of its level or deeper.

    A skipped level (a level-1 heading, then a level-3 one) leaves no empty title in the path.
    """

    def __init__(self, root: tuple[str, ...] = ()) -> None:
        self.root = root
        self._open: list[tuple[int, str]] = []

    def enter(self, level: int, title: str) -> tuple[str, ...]:
        """Open a heading of `level` (1 is outermost) and return the path that ends with it."""
        while self._open and self._open[-1][0] >= level:
            self._open.pop()
        if title:
            self._open.append((level, title))
        return self.path

    @property
    def path(self) -> tuple[str, ...]:
        return self.root + tuple(title for _, title in self._open)
