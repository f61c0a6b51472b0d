"""HTML, parsed once into one tree and walked in document order: the title and h1 to h6 give the section path,
table rows become `a | b | c` lines, list items their own blocks; scripts, styles and templates are dropped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from bs4 import BeautifulSoup
from bs4.element import Comment, Declaration, Doctype, NavigableString, PageElement, ProcessingInstruction, Tag

from processing.blocks import Block, BlockKind, table_row
from processing.readers.headings import HeadingPath
from processing.readers.long_text import MAX_BLOCK_CHARS, cut_at_whitespace

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
DROPPED = frozenset({"script", "style", "template", "noscript", "head", "svg", "math", "iframe", "object"})
# Elements that end the text before them and start a new block; any other element is inline.
BLOCK_ELEMENTS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog", "div",
        "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hr", "html", "legend",
        "li", "main", "nav", "ol", "p", "pre", "section", "summary", "ul",
    }
)  # fmt: skip
NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)


def read_html(path: Path) -> Iterator[Block]:
    """Blocks of an HTML page in document order. The bytes go to the parser as they are, so a page's own
    `<meta charset>` or byte order mark decides its encoding."""
    return html_blocks(path.read_bytes())


def html_blocks(markup: bytes | str, title: str | None = None, *, title_heading: bool = True) -> Iterator[Block]:
    """Blocks of the HTML page `markup` in document order, under its title: the page's own `<title>`, or
    `title` when given (an EPUB chapter's from the book's table of contents, an email's subject), the page's
    first heading then being left out when it only repeats that title. The title is a heading block of its
    own unless `title_heading` is false."""
    soup = BeautifulSoup(markup, "html.parser")
    repeated = title
    if title is None:
        title_tag = soup.find("title")
        title = " ".join(title_tag.get_text(" ").split()) if isinstance(title_tag, Tag) else ""
    headings = HeadingPath((title,) if title else ())
    if title and title_heading:
        yield Block(title, BlockKind.HEADING, None, headings.path)
    yield from _walk(soup, headings, repeated)


def _walk(soup: BeautifulSoup, headings: HeadingPath, repeated: str | None) -> Iterator[Block]:
    # An explicit stack, not recursion: a page nested thousands of elements deep must not overflow.
    inline: list[str] = []
    kinds: list[BlockKind] = [BlockKind.PARAGRAPH]
    stack: list[PageElement | str] = list(reversed(list(soup.children)))

    def flush() -> Iterator[Block]:
        text = " ".join("".join(inline).split())
        inline.clear()
        for piece in cut_at_whitespace(text, MAX_BLOCK_CHARS):
            yield Block(piece, kinds[-1], None, headings.path)

    while stack:
        node = stack.pop()
        if isinstance(node, str) and not isinstance(node, NavigableString):
            # The marker pushed after a block element's children: its text ends here.
            yield from flush()
            kinds.pop()
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, NOT_TEXT):
                inline.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name in DROPPED:
            continue
        if name in HEADINGS:
            yield from flush()
            heading = " ".join(node.get_text(" ").split())
            if heading and heading == repeated and headings.path == headings.root:
                continue
            if heading:
                yield Block(heading, BlockKind.HEADING, None, headings.enter(HEADINGS[name], heading))
            continue
        if name == "tr":
            yield from flush()
            cells = [cell.get_text(" ") for cell in node.find_all(["td", "th"], recursive=False)]
            if any(cell.strip() for cell in cells):
                for piece in cut_at_whitespace(table_row(cells), MAX_BLOCK_CHARS):
                    yield Block(piece, BlockKind.TABLE, None, headings.path)
            continue
        if name == "br":
            inline.append(" ")
            continue
        if name in BLOCK_ELEMENTS:
            yield from flush()
            kinds.append(BlockKind.LIST_ITEM if name in {"li", "dt", "dd"} else kinds[-1])
            stack.append("end")
        stack.extend(reversed(list(node.children)))
    yield from flush()
