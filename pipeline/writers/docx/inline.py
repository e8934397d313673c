"""Inline tokens to runs: emphasis, code, links, images, footnote marks, breaks.

Formatting is a set of flags (``b i s u sub sup code mark``) turned into run
properties; links are ``w:hyperlink`` elements whose runs take the ``Hyperlink``
character style. Inline HTML formats what follows (``<sub>``, ``<u>``...), breaks
lines (``<br>``) or, when it is no HTML at all (``<if>``, ``<filter-name>``,
``<?php ... ?>`` in scraped technical text), stays as the literal text it was.
Long addresses and code get zero-width break opportunities (``present.break_opportunities``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml.etree import SubElement

from ..present import break_opportunities
from ..visitor import SKIP_NODE, TreeVisitor
from .fields import hyperlink
from .html import HIDDEN, classify_inline
from .ooxml import qn
from .xml import E, Element, add_text, flag, fonts, put, val

Token = dict[str, Any]
_R, _RPR = qn("w:r"), qn("w:rPr")


def run_props(build: Any, fmt: Iterable[str], link: bool = False, cell: bool = False) -> Element | None:
    """Run properties for ``fmt``. ``cell``: in a table cell, code also names its font
    directly (LibreOffice gives cell text the table style's fonts over character styles)."""
    fmt = set(fmt)
    kids: list[Element] = []
    code_sid = build.sid("Verbatim Char") if "code" in fmt else None
    if link:
        sid = build.sid("Hyperlink")
        if sid and not code_sid:
            kids.append(val("w:rStyle", sid))
        elif code_sid:
            kids += [val("w:rStyle", code_sid), val("w:color", "0563C1"), val("w:u", "single")]
    elif code_sid:
        kids.append(val("w:rStyle", code_sid))
    if "code" in fmt and (not code_sid or cell):
        f = build.t.fonts
        kids.append(fonts(f.mono, f.ea_mono, "default"))
    if "b" in fmt:
        kids += [flag("w:b"), flag("w:bCs")]
    if "i" in fmt:
        kids += [flag("w:i"), flag("w:iCs")]
    if "s" in fmt:
        kids.append(flag("w:strike"))
    if "mark" in fmt:
        kids.append(val("w:highlight", "yellow"))
    if "u" in fmt and not link:
        kids.append(val("w:u", "single"))
    if "sub" in fmt or "sup" in fmt:
        kids.append(val("w:vertAlign", "superscript" if "sup" in fmt else "subscript"))
    if not kids:
        return None
    return E("w:rPr", None, *kids)


class Inline(TreeVisitor):
    """Fills one paragraph (or footnote, or cell paragraph) with runs: how each inline
    node looks in Word."""

    def __init__(self, build: Any, part: Any, indent: int = 0, width: int | None = None, cell: bool = False):
        super().__init__(build.doc)
        self.build = build
        self.part = part
        self.cell = cell
        # room for a picture (EMU): the text width less the paragraph's indent (twips)
        self.width = width if width is not None else build.text_width - indent * 635
        self.html: list[tuple[str | None, str | None]] = []  # open inline HTML tags: (name, flag)
        #: where runs go, innermost last: (paragraph or hyperlink, formatting, inside a link)
        self._at: list[tuple[Element, frozenset[str], bool]] = []
        #: open inline HTML elements whose content is not shown
        self._hiding = 0

    def fill(self, target: Element, tokens: list[Token] | None, fmt: frozenset[str] = frozenset()) -> Element:
        self.tokens(target, tokens or [], fmt, link=False)
        return target

    def tokens(self, target: Element, tokens: list[Token], fmt: frozenset[str], link: bool) -> None:
        self._at.append((target, fmt, link))
        self.walk(tokens)
        self._at.pop()

    # ---------------------------------------------------------------------------------
    def visit_softbreak(self, tok: Token) -> None:
        if id(tok) not in self.build.joined:  # a line break inside CJK text is no space
            target, fmt, link = self._at[-1]
            self.text(target, " ", fmt, link)

    def effective(self, fmt: frozenset[str]) -> frozenset[str]:
        extra = {f for _name, f in self.html if f}
        return fmt | extra if extra else fmt

    def text(self, target: Element, text: str, fmt: frozenset[str], link: bool) -> None:
        if not text:
            return
        text = text.replace("\r", "").replace("\n", " ")
        fmt = self.effective(fmt)
        if "code" in fmt:
            text = break_opportunities(text, 10)
        elif link or "://" in text:
            text = break_opportunities(text)
        # made in its place: lxml moves a run full of xml:space text in quadratic time
        r = SubElement(target, _R)
        key = (fmt, link, self.cell)
        spec = self.build.run_props.get(key)
        if spec is None:  # each formatting's properties are worked out once per document
            props = run_props(self.build, fmt, link, self.cell)
            spec = () if props is None else tuple((c.tag, dict(c.attrib)) for c in props)
            self.build.run_props[key] = spec
        if spec:
            rpr = SubElement(r, _RPR)
            for tag, attrib in spec:
                SubElement(rpr, tag, attrib)
        add_text(r, text)

    def visit_text(self, tok: Token) -> None:
        target, fmt, link = self._at[-1]
        self.text(target, tok.get("raw") or "", fmt, link)

    def visit_codespan(self, tok: Token) -> None:
        target, fmt, link = self._at[-1]
        self.text(target, tok.get("raw") or "", fmt | {"code"}, link)

    def visit_emphasis(self, tok: Token) -> None:
        self.formatted("i")

    def visit_strong(self, tok: Token) -> None:
        self.formatted("b")

    def visit_strikethrough(self, tok: Token) -> None:
        self.formatted("s")

    def formatted(self, flag: str) -> None:
        target, fmt, link = self._at[-1]
        self._at.append((target, fmt | {flag}, link))

    def end(self, tok: Token) -> None:
        self._at.pop()

    depart_emphasis = depart_strong = depart_strikethrough = depart_link = end

    def visit_linebreak(self, tok: Token) -> None:
        self._at[-1][0].append(E("w:r", None, E("w:br")))

    def visit_link(self, tok: Token) -> None:
        target, fmt, link = self._at[-1]
        attrs = tok.get("attrs") or {}
        el = None if link else hyperlink(self.part, attrs.get("url") or "", attrs.get("title"))
        if el is None:
            self._at.append((target, fmt, link))
            return
        target.append(el)
        self._at.append((el, fmt, True))

    def visit_image(self, tok: Token) -> Any:
        target, fmt, link = self._at[-1]
        self.image(target, tok, fmt, link)
        return SKIP_NODE

    def visit_footnote_ref(self, tok: Token) -> None:
        target, fmt, link = self._at[-1]
        index = (tok.get("attrs") or {}).get("index")
        runs = self.build.notes.reference(index) if self.build.notes else None
        if runs is None:
            self.text(target, f"[{index}]", fmt | {"sup"}, link)
        else:
            for r in runs:
                target.append(r)

    def visit_inline_html(self, tok: Token) -> None:
        target, fmt, link = self._at[-1]
        self.inline_html(target, tok.get("raw") or "", fmt, link)

    def unknown_visit(self, tok: Token) -> Any:
        if isinstance(tok.get("children"), list):
            return None  # its children, formatted as around it
        if tok.get("raw"):
            target, fmt, link = self._at[-1]
            self.text(target, tok["raw"], fmt, link)
        return SKIP_NODE

    def link(self, target: Element, tok: Token, fmt: frozenset[str], link: bool) -> None:
        """A link (or its text alone, inside another link) into ``target``."""
        self.tokens(target, [tok], fmt, link)

    def image(self, target: Element, tok: Token, fmt: frozenset[str], link: bool) -> None:
        images = self.build.images
        pic = images.picture(self.part, tok, self.width)
        if pic is not None:
            target.append(pic)
            return
        for el in images.placeholder(self.part, tok, link):
            if link and el.tag.endswith("}r"):
                # inside a link: take the link's look, keep the box
                props = run_props(self.build, self.effective(fmt), True)
                old = el.find("{*}rPr")
                box = old.find("{*}bdr") if old is not None else None
                if old is not None:
                    el.remove(old)
                if props is None:
                    props = E("w:rPr")
                if box is not None:
                    put(props, box)
                el.insert(0, props)
            target.append(el)

    def inline_html(self, target: Element, raw: str, fmt: frozenset[str], link: bool) -> None:
        kind, name, value = classify_inline(raw)
        if kind == "open":
            self.html.append((name, value))
            if value == HIDDEN:
                self.hide(+1)
        elif kind == "close":
            for i in range(len(self.html) - 1, -1, -1):
                if self.html[i][0] == name:
                    if self.html[i][1] == HIDDEN:
                        self.hide(-1)
                    del self.html[i]
                    break
        elif self._hiding:
            return
        elif kind == "break":
            target.append(E("w:r", None, E("w:br")))
        elif kind == "image":
            src, alt = value
            for el in self.build.images.html_placeholder(self.part, src, alt, link):
                target.append(el)
        elif kind == "text":
            self.text(target, value or "", fmt, link)
        # "drop": markup with no text of its own

    def hide(self, step: int) -> None:
        """Enter (+1) or leave (-1) an element whose content is no text (``<script>``):
        while inside one, only inline HTML is visited, to find where it ends."""
        self._hiding += step
        if self._hiding:
            self.walkabout = self._walk_hidden  # type: ignore[method-assign]  # undone below
        else:
            self.__dict__.pop("walkabout", None)

    def _walk_hidden(self, tok: Token) -> None:
        if tok["type"] == "inline_html":
            TreeVisitor.walkabout(self, tok)
