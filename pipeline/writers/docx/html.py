"""Raw HTML in the tree: what its text is, never its tags.

Block HTML (scraped articles carry ``<table>`` layouts, ``<p>``/``<span>`` soup) is
parsed with lxml.html into paragraphs and tables of text runs; inline HTML is
classified: a formatting tag opens or closes a format, ``<br>`` breaks the line, a
comment or any other HTML element has no text, and something that is no HTML
element at all (``<if>``, ``<filter-name>``, ``<?php ... ?>``) is literal text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

FORMAT_TAGS = {
    "b": "b", "strong": "b", "i": "i", "em": "i", "cite": "i", "dfn": "i", "var": "i",
    "u": "u", "ins": "u", "s": "s", "strike": "s", "del": "s", "sub": "sub", "sup": "sup",
    "code": "code", "kbd": "code", "samp": "code", "tt": "code", "mark": "mark",
}
HTML_ELEMENTS = frozenset("""
a abbr acronym address applet area article aside audio b base basefont bdi bdo big blink
blockquote body br button canvas caption center cite code col colgroup data datalist dd del
details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form frame
frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend
li link main map mark marquee math menu meta meter nav nobr noframes noscript object ol
optgroup option output p param picture pre progress q rp rt ruby s samp script search section
select slot small source span strike strong style sub summary sup svg table tbody td template
textarea tfoot th thead time title tr track tt u ul var video wbr section center
""".split())
_TAG = re.compile(r"^<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^>]*)?)(/?)>$", re.S)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def classify_inline(raw: str) -> tuple[str, str | None, str | None]:
    """What an inline HTML token is: (kind, tag name, value).

    kinds: ``open``/``close`` (value: the format flag or None), ``break``,
    ``text`` (value: the text to show), ``drop``.
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
    if name not in HTML_ELEMENTS:
        return "text", None, raw
    if name in ("br", "wbr"):
        return ("break", name, None) if name == "br" else ("drop", name, None)
    if name == "img":
        a = _ALT.search(rest or "")
        alt = next((g for g in a.groups() if g), "") if a else ""
        return ("text", name, f"[{alt}]") if alt.strip() else ("drop", name, None)
    if closing:
        return "close", name, None
    if selfclose:
        return "drop", name, None
    return "open", name, FORMAT_TAGS.get(name)


# -- block HTML -----------------------------------------------------------------------

BLOCK_TAGS = frozenset("""
address article aside blockquote body center dd details dialog dir div dl dt fieldset
figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html li main menu
nav ol p pre section summary ul caption legend
""".split())
SKIP_TAGS = frozenset({"script", "style", "template", "head", "title", "meta", "link", "noscript"})


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
    def __init__(self) -> None:
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


def parse_block(raw: str) -> list[Para | Table]:
    """Paragraphs and tables of text from a block of HTML."""
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
    c = _Collector()
    _walk(root, c, frozenset(), None, False)
    c.flush()
    return c.out


def _walk(el: Any, c: _Collector, fmt: frozenset[str], href: str | None, pre: bool) -> None:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag in SKIP_TAGS or not isinstance(el.tag, str):  # comments, processing instructions
        if el.tail:
            c.add(el.tail, fmt, href, pre)
        return
    if tag == "table":
        c.flush()
        c.out.append(_table(el, fmt))
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
        alt = (el.get("alt") or "").strip()
        if alt:
            c.add(f"[{alt}]", inner, inner_href, inner_pre)
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


def _table(el: Any, fmt: frozenset[str]) -> Table:
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
            c = _Collector()
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
