"""Block tokens to paragraphs and tables, in the body, a footnote or a table cell.

Paragraph styles by context: body text (``Body Text`` / ``Body Text First
Indent``), ``Quote`` inside block quotes, ``Footnote Text`` in notes, ``Compact``
in table cells; list items ``List Bullet`` / ``List Number`` with real numbering,
their further paragraphs ``List Continue`` at the item's indent; code ``Source
Code`` (one paragraph per block, lines kept with their spaces).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from lxml.etree import SubElement

from ...tree import inline_text
from ..present import (
    ZERO_WIDTH_SPACE,
    break_opportunities,
    caption,
    figure_pictures,
    is_caption_after_picture,
    table_parts,
    task_box,
)
from ..visitor import SKIP_NODE, TreeVisitor
from .context import Heading
from .fields import bookmark, hyperlink
from .html import Para, Table, parse_block
from .inline import Inline
from .numbering import num_pr
from .ooxml import qn
from .styles import body_style_name, heading_style_name
from .xml import E, Element, add_text, put, spacing, val

_PPR, _PSTYLE, _VAL = qn("w:pPr"), qn("w:pStyle"), qn("w:val")

Token = dict[str, Any]
# Left indents (twips) the paragraph styles carry, kept when a context adds its own.
STYLE_LEFT = {"Quote": 567, "Source Code": 113}


@dataclass(frozen=True)
class Ctx:
    para_style: str | None = None  # style of plain paragraphs; None: body text
    indent: int = 0  # extra left indent, twips
    list_depth: int = 0
    quote_depth: int = 0
    where: str = "body"  # body | note | cell


class Blocks(TreeVisitor):
    """How each block looks in Word: paragraphs, tables, lists, in ``container``."""

    def __init__(self, build: Any, part: Any, container: Element):
        super().__init__(build.doc)
        self.build = build
        self.part = part
        self.container = container
        self._anchor = container.find(qn("w:sectPr")) if container.tag == qn("w:body") else None
        #: the context of the blocks being written, innermost last
        self._ctx: list[Ctx] = [Ctx()]
        #: the lists being written: (numbering id, level, item style, context of the items' blocks)
        self._lists: list[tuple[int, int, str | None, Ctx]] = []
        #: the last block written is a table: the next paragraph keeps a space from it
        self._after_table = False
        #: the last block written is a figure: the next paragraph may be its caption
        self._after_picture = False

    @property
    def ctx(self) -> Ctx:
        return self._ctx[-1]

    # -- output -------------------------------------------------------------------
    def add(self, el: Element) -> Element:
        self._after_table = self._after_picture = False
        if self._anchor is not None:
            self._anchor.addprevious(el)
        else:
            self.container.append(el)
        return el

    def para(self, style: str | None, ctx: Ctx, *props: Element) -> Element:
        p = E("w:p")
        sid = self.build.sid(style) if style else None
        if not props and not ctx.indent and not self._after_table:  # most paragraphs: a style
            if sid:
                SubElement(SubElement(p, _PPR), _PSTYLE, {_VAL: sid})
            return self.add(p)
        pp = E("w:pPr", None, val("w:pStyle", sid), *props) if sid else E("w:pPr", None, *props)
        if self._after_table and pp.find(qn("w:spacing")) is None:
            put(pp, spacing(before=160))  # body text right under a table reads cramped
        if ctx.indent and pp.find(qn("w:numPr")) is None and pp.find(qn("w:ind")) is None:
            left = STYLE_LEFT.get(style or "", 0) + ctx.indent
            put(pp, E("w:ind", {"w:left": left, "w:firstLine": 0}))
        if len(pp):
            p.append(pp)
        return self.add(p)

    def body_style(self, ctx: Ctx) -> str:
        return ctx.para_style or body_style_name(self.build.cjk)

    def inline(self, ctx: Ctx) -> Inline:
        return Inline(self.build, self.part, ctx.indent, cell=ctx.where == "cell")

    # -- walking ------------------------------------------------------------------
    def render(self, tokens: list[Token], ctx: Ctx = Ctx()) -> None:
        """Write the blocks ``tokens`` in context ``ctx``."""
        self._ctx.append(ctx)
        self.walk(tokens)
        self._ctx.pop()

    def unknown_visit(self, tok: Token) -> Any:
        if isinstance(tok.get("children"), list):
            return None  # its blocks, in the same context
        if isinstance(tok.get("raw"), str) and tok["raw"].strip():
            ctx = self.ctx
            self.inline(ctx).text(self.para(self.body_style(ctx), ctx), tok["raw"], frozenset(), False)
        return SKIP_NODE

    # -- leaves ----------------------------------------------------------------------
    def visit_paragraph(self, tok: Token) -> Any:
        ctx = self.ctx
        kids = tok.get("children") or []
        figures = figure_pictures(kids)
        if figures:
            self.figures(figures, ctx)
            return SKIP_NODE
        style = self.body_style(ctx)
        if self._after_picture and ctx.where == "body" and is_caption_after_picture(tok):
            style = "Caption"  # the article's own caption line under a picture
        p = self.para(style, ctx)
        self.inline(ctx).fill(p, kids)
        return SKIP_NODE

    visit_block_text = visit_paragraph

    def figures(self, figures: list[tuple[Token, Token | None]], ctx: Ctx) -> None:
        images = self.build.images
        for image, link in figures:
            il = self.inline(ctx)
            embedded = images.embeddable(image)
            if not embedded and images.decorative(image):
                continue
            if embedded:
                p = self.para("Figure", ctx)
                if link is not None:
                    il.link(p, link, frozenset(), False)
                else:
                    il.image(p, image, frozenset(), False)
            else:  # in print: its description in a frame, its address in a note
                p = self.para("Picture Frame", ctx)
                text, mark = images.frame(self.part, image)
                il.text(p, text, frozenset(), False)
                for el in mark:
                    p.append(el)
            shown = caption(image, placeholder=not embedded)
            if shown:
                il.text(self.para("Caption", ctx), shown, frozenset(), False)
        self._after_picture = True

    def visit_heading(self, tok: Token) -> Any:
        ctx = self.ctx
        level = (tok.get("attrs") or {}).get("level", 2)
        if ctx.where != "body":
            p = self.para(self.body_style(ctx), ctx)
            self.inline(ctx).fill(p, tok.get("children"), frozenset({"b"}))
            return SKIP_NODE
        style = heading_style_name(level)
        p = self.para(style, ctx)
        word_level = int(style.split()[-1])
        name = f"_Toc{100000000 + self.build.next_id('toc')}"
        start, end = bookmark(self.build.next_id("bookmark"), name)
        p.append(start)
        self.inline(ctx).fill(p, tok.get("children"))
        p.append(end)
        text = " ".join(inline_text(tok.get("children")).split())
        self.build.headings.append(Heading(word_level, text, name))
        return SKIP_NODE

    def visit_thematic_break(self, tok: Token) -> None:
        self.para("Horizontal Line", self.ctx)

    def visit_block_code(self, tok: Token) -> None:
        ctx = self.ctx
        raw = tok.get("raw") or ""
        if raw.endswith("\n"):
            raw = raw[:-1]
        p = self.para("Source Code", ctx)
        if not raw:
            return
        r = E("w:r")
        p.append(r)  # first: lxml moves a run full of xml:space text in quadratic time
        add_text(r, raw.replace("\r", ""))

    def visit_block_html(self, tok: Token) -> None:
        ctx = self.ctx
        for item in parse_block(tok.get("raw") or "", self.build.t.lang):
            if isinstance(item, Table):
                self.html_table(item, ctx)
            else:
                p = self.para("Source Code" if item.pre else self.body_style(ctx), ctx)
                self.segments(p, item, ctx)

    def segments(self, p: Element, para: Para, ctx: Ctx, extra: frozenset[str] = frozenset()) -> None:
        il = self.inline(ctx)
        for seg in para.items:
            if seg is None:
                p.append(E("w:r", None, E("w:br")))
                continue
            target = p
            if seg.href:
                link = hyperlink(self.part, seg.href)
                if link is not None:
                    p.append(link)
                    target = link
            il.text(target, seg.text, seg.fmt | extra, target is not p)

    # -- containers ----------------------------------------------------------------
    def visit_block_quote(self, tok: Token) -> None:
        ctx = self.ctx
        if ctx.where != "body":
            inner = replace(ctx, quote_depth=ctx.quote_depth + 1, indent=ctx.indent + 360)
        else:
            inner = replace(
                ctx,
                para_style="Quote",
                quote_depth=ctx.quote_depth + 1,
                indent=ctx.indent + (567 if ctx.quote_depth else 0),
            )
        self._ctx.append(inner)

    def depart_block_quote(self, tok: Token) -> None:
        self._ctx.pop()

    def visit_list(self, tok: Token) -> None:
        ctx = self.ctx
        attrs = tok.get("attrs") or {}
        ordered = bool(attrs.get("ordered"))
        depth = ctx.list_depth
        numbering = self.build.numbering
        start = attrs.get("start")
        num_id = numbering.new_list(ordered, 1 if start is None else start, depth)
        in_body = ctx.where == "body"
        item_style = ("List Number" if ordered else "List Bullet") if in_body else ctx.para_style
        # further paragraphs of an item: at the indent of the item's text
        inner = Ctx(
            para_style="List Continue" if in_body else ctx.para_style,
            indent=numbering.indent(depth),
            list_depth=depth + 1,
            quote_depth=ctx.quote_depth,
            where=ctx.where,
        )
        self._lists.append((num_id, depth, item_style, inner))

    def depart_list(self, tok: Token) -> None:
        self._lists.pop()

    def visit_list_item(self, item: Token) -> Any:
        num_id, depth, style, inner = self._lists[-1]
        kids = list(item.get("children") or [])
        # the numbered paragraph takes its indent from the list level
        p = self.para(style, Ctx(), num_pr(num_id, depth))
        if item.get("type") == "task_list_item":
            self._checkbox(p, item)
        if kids and kids[0].get("type") in ("paragraph", "block_text"):
            self.inline(inner).fill(p, kids[0].get("children"))
            kids = kids[1:]
        self.render(kids, inner)
        return SKIP_NODE

    visit_task_list_item = visit_list_item

    def _checkbox(self, p: Element, item: Token) -> None:
        checked = (item.get("attrs") or {}).get("checked")
        r = E("w:r")
        add_text(r, task_box(bool(checked)))
        p.append(r)

    def visit_footnotes(self, tok: Token) -> Any:
        """Notes are written where they are referenced (notes.py)."""
        return SKIP_NODE

    # -- tables ---------------------------------------------------------------------
    def visit_table(self, tok: Token) -> Any:
        ctx = self.ctx
        table = table_parts(tok)
        head = table.head
        head_row: list[Token | None] = list(head)
        rows: list[list[Token | None]] = ([head_row] if head else []) + table.body
        ncols = table.width
        if not ncols:
            return SKIP_NODE
        aligns = table.aligns
        measures = [Measure() for _ in range(ncols)]
        for r in rows:
            for i, c in enumerate(r):
                if c is not None:
                    measures[i].add(inline_text(c.get("children")))
        tbl, grid_widths = self._table_shell(measures, ctx, header=bool(head))
        for n, r in enumerate(rows):
            is_head = bool(head) and n == 0
            tr = self._row(tbl, is_head)
            for i in range(ncols):
                c = r[i]
                tc = self._cell(tr, grid_widths[i], 1)
                p = E("w:p")
                pp = E("w:pPr")
                sid = self.build.sid("Compact")
                if sid:
                    put(pp, val("w:pStyle", sid))
                align = aligns[i]
                if align in ("center", "right", "left"):
                    put(pp, val("w:jc", align))
                if len(pp):
                    p.append(pp)
                tc.append(p)
                if c is not None:
                    room = max(grid_widths[i] - 216, 567) * 635  # less the cell margins
                    Inline(self.build, self.part, width=room, cell=True).fill(p, c.get("children"))
        self._add_table(tbl)
        return SKIP_NODE

    def html_table(self, table: Table, ctx: Ctx) -> None:
        # place cells on a grid (colspan, rowspan)
        grid: list[list[Any]] = []
        for r, row in enumerate(table.rows):
            while len(grid) <= r:
                grid.append([])
            col = 0
            for cell in row:
                while col < len(grid[r]) and grid[r][col] is not None:
                    col += 1
                for dr in range(cell.rowspan if cell.rowspan <= len(table.rows) - r else 1):
                    while len(grid) <= r + dr:
                        grid.append([])
                    line = grid[r + dr]
                    while len(line) < col + cell.colspan:
                        line.append(None)
                    for dc in range(cell.colspan):
                        line[col + dc] = (cell, dr == 0 and dc == 0, dr > 0)
                col += cell.colspan
        ncols = max((len(line) for line in grid), default=0)
        if not ncols:
            return
        measures = [Measure() for _ in range(ncols)]
        for line in grid:
            for i, slot in enumerate(line):
                if slot and slot[1] and slot[0].colspan == 1:
                    measures[i].add(" ".join(p.text() for p in slot[0].paras))
        header = bool(grid) and all(slot is None or slot[0].header for slot in grid[0])
        tbl, widths = self._table_shell(measures, ctx, header=header)
        cell_ctx = Ctx(para_style="Compact", where="cell")
        for n, line in enumerate(grid):
            tr = self._row(tbl, header and n == 0)
            i = 0
            while i < ncols:
                slot = line[i] if i < len(line) else None
                if slot is None:
                    tc = self._cell(tr, widths[i], 1)
                    tc.append(self._compact())
                    i += 1
                    continue
                cell, origin, continued = slot
                span = min(cell.colspan, ncols - i)
                width = sum(widths[i : i + span])
                tc = self._cell(tr, width, span)
                if cell.rowspan > 1:
                    put(tc.find(qn("w:tcPr")), E("w:vMerge", {"w:val": None if continued else "restart"}))
                if origin:
                    # a header cell below the first row: the table style bolds the first only
                    bold = frozenset({"b"}) if cell.header and not (header and n == 0) else frozenset()
                    for para in cell.paras or []:
                        p = self._compact()
                        tc.append(p)
                        self.segments(p, para, cell_ctx, bold)
                if tc.find(qn("w:p")) is None:
                    tc.append(self._compact())
                i += span
        self._add_table(tbl)

    def _compact(self) -> Element:
        p = E("w:p")
        sid = self.build.sid("Compact")
        if sid:
            p.append(E("w:pPr", None, val("w:pStyle", sid)))
        return p

    def _add_table(self, tbl: Element) -> None:
        """The table, after an empty paragraph only when it would touch another table
        (Word joins tables that touch); what follows a table gets its space from the
        paragraph after it (``para``), not from an empty paragraph."""
        last = self._last()
        if last is not None and last.tag == qn("w:tbl"):
            self.para(None, self.ctx, spacing(0, 0, 240))
        self.add(tbl)
        self._after_table = True

    def _last(self) -> Element | None:
        if self._anchor is not None:
            return self._anchor.getprevious()
        return self.container[-1] if len(self.container) else None

    def _table_shell(self, measures: list[Measure], ctx: Ctx, header: bool) -> tuple[Element, list[int]]:
        total = max(1, int(self.build.text_width / 635) - ctx.indent)
        widths = column_widths(measures, total, self.build.t.table)
        sid = self.build.sid("Table Grid")
        tblpr = E(
            "w:tblPr",
            None,
            val("w:tblStyle", sid) if sid else None,
            E("w:tblW", {"w:w": sum(widths), "w:type": "dxa"}),
            E("w:tblInd", {"w:w": ctx.indent, "w:type": "dxa"}) if ctx.indent else None,
            E("w:tblLayout", {"w:type": "fixed"}),
            E(
                "w:tblLook",
                {
                    "w:val": "04A0" if header else "0400",
                    "w:firstRow": "1" if header else "0",
                    "w:lastRow": "0",
                    "w:firstColumn": "0",
                    "w:lastColumn": "0",
                    "w:noHBand": "1",
                    "w:noVBand": "1",
                },
            ),
        )
        grid = E("w:tblGrid", None, *(E("w:gridCol", {"w:w": w}) for w in widths))
        tbl = E("w:tbl", None, tblpr, grid)
        return tbl, widths

    def _row(self, tbl: Element, header: bool) -> Element:
        tr = E("w:tr")
        props = [E("w:cantSplit")]
        if header:
            props.append(E("w:tblHeader"))
        tr.append(E("w:trPr", None, *props))
        tbl.append(tr)
        return tr

    def _cell(self, tr: Element, width: int, span: int) -> Element:
        """A cell; the header row's bold and shading come from the table style."""
        tc = E("w:tc")
        tcpr = E(
            "w:tcPr",
            None,
            E("w:tcW", {"w:w": width, "w:type": "dxa"}),
            val("w:gridSpan", span) if span > 1 else None,
        )
        tc.append(tcpr)
        tr.append(tc)
        return tc


class Measure:
    """What a column's cells need: the widest thing that cannot wrap (a Latin word, or
    four CJK characters, below which a CJK column starves: "问题等级" on two lines)
    and the length of its longest text, in half-ems (a CJK character is two)."""

    def __init__(self) -> None:
        self.least = 0
        self.most = 0

    def add(self, text: str) -> None:
        # long addresses and code break after / . _ - (present.break_opportunities)
        for word in break_opportunities(text, 10).replace(ZERO_WIDTH_SPACE, " ").split():
            latin = max((len(w) for w in _CJK_RUN.split(word)), default=0)
            cjk = sum(1 for ch in word if _wide(ch))
            self.least = max(self.least, latin, 2 * min(cjk, 4) + (latin if cjk <= 4 else 0))
        self.most = max(self.most, sum(2 if _wide(ch) else 1 for ch in " ".join(text.split())))


_CJK_RUN = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+")


def _wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80


CELL_MARGINS = 216  # twips, left and right (the table style's cell margins)


def column_widths(measures: list[Measure], total: int, pt: float) -> list[int]:
    """Column widths (twips) sharing ``total``: each column gets at least what cannot
    wrap in it (with its margins), then the rest goes where the text is longer than
    that, in proportion; room left over is shared by the length of the texts. When the
    least widths alone do not fit, they are scaled down together."""
    half_em = pt * 10  # twips: half the font size
    least = [CELL_MARGINS + max(m.least, 1) * half_em for m in measures]
    most = [max(CELL_MARGINS + m.most * half_em, lo) for m, lo in zip(measures, least, strict=False)]
    if sum(least) >= total:
        widths = [lo * total / sum(least) for lo in least]
    else:
        room = total - sum(least)
        wants = [hi - lo for lo, hi in zip(least, most, strict=False)]
        if sum(wants) > room:
            widths = [lo + room * w / sum(wants) for lo, w in zip(least, wants, strict=False)]
        else:
            left = room - sum(wants)
            widths = [hi + left * hi / sum(most) for hi in most]
    out = [int(w) for w in widths]
    out[-1] += total - sum(out)  # the rounding goes to the last column
    return out
