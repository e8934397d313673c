"""Raw HTML in the tree: what its text is, never its tags.

Block HTML (scraped articles carry ``<table>`` layouts, ``<p>``/``<span>`` soup) is
parsed with lxml.html into paragraphs and tables of text runs; inline HTML is
classified: a formatting tag opens or closes a format, ``<br>`` breaks the line, a
picture is a placeholder, an element whose content is no text (``<script>``) hides
it, a comment or any other HTML element has no text, and something that is no HTML
element at all (``<if>``, ``<filter-name>``, ``<?php ... ?>``) is literal text.
Which names are HTML is the vocabulary every format shares (``present``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from ..present import (
    DROPPED_WITH_CONTENT,
    VOID_TAGS,
    is_html_tag,
    literal_pi,
    literal_tag,
    picture_text,
    remote_address,
)

FORMAT_TAGS = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "cite": "i",
    "dfn": "i",
    "var": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "sub": "sub",
    "sup": "sup",
    "code": "code",
    "kbd": "code",
    "samp": "code",
    "tt": "code",
    "mark": "mark",
}
#: the flag an element whose content is not shown sets (``<script>``, ``<style>``...)
HIDDEN = "hidden"
_TAG = re.compile(r"^<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^>]*)?)(/?)>$", re.S)
_ATTR = r"""\b{}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"""
_ALT = re.compile(_ATTR.format("alt"), re.I)
_SRC = re.compile(_ATTR.format("src"), re.I)


def _attr(pattern: re.Pattern[str], rest: str) -> str:
    m = pattern.search(rest or "")
    return html.unescape(next((g for g in m.groups() if g is not None), "")) if m else ""


def classify_inline(raw: str) -> tuple[str, str | None, Any]:
    """What an inline HTML token is: (kind, tag name, value).

    kinds: ``open``/``close`` (value: the format flag, ``HIDDEN`` or None), ``break``,
    ``image`` (value: (address, alt text)), ``text`` (value: the text to show), ``drop``.
    """
    s = raw.strip()
    if s.startswith("<!--"):
        return "drop", None, None
    if s.startswith("<![CDATA["):
        return "text", None, s[9:-3] if s.endswith("]]>") else s[9:]
    if s.startswith(("<?", "<!")):
        return "text", None, raw
    m = _TAG.match(s)
    if not m:
        return "text", None, raw
    closing, name, rest, selfclose = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
    if not is_html_tag(name):
        return "text", None, raw
    if name in ("br", "wbr"):
        return ("break", name, None) if name == "br" else ("drop", name, None)
    if name == "img":
        return ("drop", name, None) if closing else ("image", name, (_attr(_SRC, rest), _attr(_ALT, rest)))
    if closing:
        return "close", name, None
    if selfclose or name in VOID_TAGS:
        return "drop", name, None
    if name in DROPPED_WITH_CONTENT:
        return "open", name, HIDDEN
    return "open", name, FORMAT_TAGS.get(name)


# -- block HTML -----------------------------------------------------------------------

BLOCK_TAGS = frozenset(
    """
address article aside blockquote body center dd details dialog dir div dl dt fieldset
figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html li main menu
nav ol p pre section summary ul caption legend
""".split()
)


@dataclass
class Segment:
    """A piece of text with its formatting flags and link."""

    text: str
    fmt: frozenset[str] = frozenset()
    href: str | None = None


@dataclass
class Para:
    items: list[Segment | None] = field(default_factory=list)  # None: a line break
    pre: bool = False

    def text(self) -> str:
        return "".join(s.text for s in self.items if s is not None)


@dataclass
class Cell:
    paras: list[Para]
    header: bool = False
    colspan: int = 1
    rowspan: int = 1


@dataclass
class Table:
    rows: list[list[Cell]]


class _Collector:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.out: list[Para | Table] = []
        self.current = Para()

    def flush(self) -> None:
        p = self.current
        # trim collapsible whitespace at the paragraph's edges
        if not p.pre:
            while p.items and p.items[0] is not None and not p.items[0].text.strip():
                p.items.pop(0)
            while p.items and (p.items[-1] is None or not p.items[-1].text.strip()):
                p.items.pop()
            if p.items and p.items[0] is not None:
                p.items[0].text = p.items[0].text.lstrip()
            if p.items and p.items[-1] is not None:
                p.items[-1].text = p.items[-1].text.rstrip()
        if any(s is not None and s.text for s in p.items):
            self.out.append(p)
        self.current = Para()

    def add(self, text: str, fmt: frozenset[str], href: str | None, pre: bool) -> None:
        if not text:
            return
        if not pre:
            text = re.sub(r"[ \t\r\n\f]+", " ", text)
            last = next((s for s in reversed(self.current.items) if s is not None), None)
            if last is not None and last.text.endswith(" ") and text.startswith(" "):
                text = text[1:]
        else:
            self.current.pre = True
        if text:
            self.current.items.append(Segment(text, fmt, href))


def parse_block(raw: str, lang: str = "en") -> list[Para | Table]:
    """Paragraphs and tables of text from a block of HTML (``lang``: of the words
    that stand for a picture)."""
    import lxml.html
    from lxml import etree

    stripped = raw.strip()
    if stripped.startswith("<![CDATA["):  # character data: text as it stands
        inner = stripped[9:-3] if stripped.endswith("]]>") else stripped[9:]
        return [Para([Segment(inner.strip("\n"))], pre=True)] if inner.strip() else []
    try:
        root = lxml.html.fragment_fromstring(raw, create_parent="div")
    except (etree.ParserError, ValueError):
        text = re.sub(r"<[^>]*>", " ", raw)
        return [Para([Segment(" ".join(text.split()))])] if text.strip() else []
    c = _Collector(lang)
    _walk(root, c, frozenset(), None, False)
    c.flush()
    return c.out


def _walk(el: Any, c: _Collector, fmt: frozenset[str], href: str | None, pre: bool) -> None:
    from lxml import etree

    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if isinstance(el, etree._ProcessingInstruction):  # <?php ... ?>: text, as it was written
        c.add(literal_pi(el), fmt, href, pre)
    if tag in DROPPED_WITH_CONTENT or not isinstance(el.tag, str):  # comments too
        if el.tail:
            c.add(el.tail, fmt, href, pre)
        return
    if not is_html_tag(tag):  # no HTML at all: the tags are text, as their reader saw them
        c.add(literal_tag(tag, list(el.attrib.items())), fmt, href, pre)
        if el.text:
            c.add(el.text, fmt, href, pre)
        for child in el:
            _walk(child, c, fmt, href, pre)
        if len(el) or el.text:
            c.add(literal_tag(tag, [], end=True), fmt, href, pre)
        if el.tail:
            c.add(el.tail, fmt, href, pre)
        return
    if tag == "table":
        c.flush()
        c.out.append(_table(el, fmt, c.lang))
        c.flush()
        if el.tail:
            c.add(el.tail, fmt, href, pre)
        return
    block = tag in BLOCK_TAGS
    if block:
        c.flush()
    inner = fmt
    if tag in FORMAT_TAGS:
        inner = fmt | {FORMAT_TAGS[tag]}
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "th"):
        inner = inner | {"b"}
    inner_href = el.get("href") if tag == "a" and el.get("href") else href
    inner_pre = pre or tag == "pre"
    if tag == "br":
        c.current.items.append(None)
    elif tag == "img":
        src = (el.get("src") or "").strip()
        remote = remote_address(src)
        label, alt = picture_text((el.get("alt") or "").strip(), c.lang, read=remote)
        linked = remote and inner_href is None
        # in print the label stays a link (in the PDF) without the screen's "view online"
        c.add(label + alt, inner, link_address(src) if linked else inner_href, inner_pre)
    elif tag == "li":
        parent = el.getparent()
        if parent is not None and parent.tag == "ol":
            c.add(f"{list(parent).index(el) + 1}. ", inner, None, inner_pre)
        else:
            c.add("• ", inner, None, inner_pre)
    if el.text:
        c.add(el.text, inner, inner_href, inner_pre)
    for child in el:
        _walk(child, c, inner, inner_href, inner_pre)
    if block:
        c.flush()
    elif tag in ("td", "th"):
        c.add(" ", fmt, href, pre)
    if el.tail:
        c.add(el.tail, fmt, href, pre)


def _table(el: Any, fmt: frozenset[str], lang: str) -> Table:
    rows: list[list[Cell]] = []
    for tr in el.iter("tr"):
        # rows of nested tables belong to their own table
        owner = next((a for a in tr.iterancestors("table")), None)
        if owner is not el:
            continue
        cells = []
        for td in tr:
            if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                continue
            c = _Collector(lang)
            header = td.tag.lower() == "th"
            cell_fmt = fmt | {"b"} if header else fmt
            if td.text:
                c.add(td.text, cell_fmt, None, False)
            for child in td:
                _walk(child, c, cell_fmt, None, False)
            c.flush()
            paras = [p for p in c.out if isinstance(p, Para)]
            # a nested table's text is kept as paragraphs of the cell
            for sub in (p for p in c.out if isinstance(p, Table)):
                for row in sub.rows:
                    text = " ".join(cell_text(cell) for cell in row).strip()
                    if text:
                        paras.append(Para([Segment(text)]))
            cells.append(Cell(paras, header, _int(td.get("colspan")), _int(td.get("rowspan"))))
        if cells:
            rows.append(cells)
    return Table(rows)


def cell_text(cell: Cell) -> str:
    return " ".join(p.text() for p in cell.paras)


def _int(value: str | None) -> int:
    try:
        return max(1, min(int(str(value).strip()), 1000))
    except (TypeError, ValueError):
        return 1


def link_address(src: str) -> str:
    """An address as a link target: ``//host/x`` is ``https://host/x``."""
    src = src.strip()
    return "https:" + src if src.startswith("//") else src
