"""List numbering (word/numbering.xml): one bullet and one decimal definition, and a
new ``w:num`` for every list, so that each ordered list restarts at its own start.

Every level of the decimal definition is ``%N.`` (nested Markdown lists are
decimal at every level, as browsers show them). The step between levels is two
characters of body text in CJK documents, a quarter inch in Latin ones.
"""

from __future__ import annotations

from copy import deepcopy
from functools import lru_cache
from typing import Any

from .ooxml import CT, RT, qn
from .package import xml_part
from .xml import E, Element, fonts, put, val

BULLETS = ("•", "◦", "▪")
_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


class Numbering:
    def __init__(self, document: Any, step: int):
        self.step = step  # twips of indent per level
        self._document = document
        self._root: Element | None = None
        self._abstract: dict[bool, int] = {}
        self._next_num: int | None = None

    @property
    def root(self) -> Element:
        if self._root is None:
            part = xml_part(
                self._document.part,
                RT.NUMBERING,
                "/word/numbering%d.xml",
                CT.WML_NUMBERING,
                f"<w:numbering {_NS}/>",
            )
            self._root = part.element
        return self._root

    def indent(self, level: int) -> int:
        """Left indent (twips) of the text of list level ``level`` (0-based): the mark
        of the first level one step in (where a CJK paragraph's first line starts),
        its text two steps in, each level one step further."""
        return _indent(self.step, level)

    def new_list(self, ordered: bool, start: int = 1, level: int = 0) -> int:
        """A fresh ``w:num`` for one list; ordered lists restart at ``start``."""
        abstract = self._abstract.get(ordered)
        if abstract is None:
            abstract = self._abstract[ordered] = self._add_abstract(ordered)
        if self._next_num is None:  # scanned once, then counted: a list per call stays O(1)
            ids = [int(n.get(qn("w:numId"))) for n in self.root.findall(qn("w:num"))]
            self._next_num = max(ids, default=0) + 1
        num_id = self._next_num
        self._next_num += 1
        num = E("w:num", {"w:numId": num_id}, val("w:abstractNumId", abstract))
        if ordered:
            override = E(
                "w:lvlOverride", {"w:ilvl": min(level, 8)}, val("w:startOverride", max(0, int(start)))
            )
            num.append(override)
        last = self.root[-1] if len(self.root) else None
        if last is not None and last.tag == qn("w:num"):
            last.addnext(num)  # the w:num elements close the part: no scan of the siblings
        else:
            put(self.root, num)
        return num_id

    def _add_abstract(self, ordered: bool) -> int:
        ids = [int(a.get(qn("w:abstractNumId"))) for a in self.root.findall(qn("w:abstractNum"))]
        ident = max(ids, default=-1) + 1
        put(self.root, deepcopy(_abstract(ordered, self.step, ident)))
        return ident


@lru_cache(maxsize=64)
def _abstract(ordered: bool, step: int, ident: int) -> Element:
    """The definition of bullet or decimal lists, built once (copied into each document)."""
    absn = E(
        "w:abstractNum",
        {"w:abstractNumId": ident},
        val("w:nsid", f"{0x6A1E0000 + ident * 2 + ordered:08X}"),
        val("w:multiLevelType", "hybridMultilevel" if not ordered else "multilevel"),
    )
    for lvl in range(9):
        left = _indent(step, lvl)
        if ordered:
            kids = [
                val("w:start", 1),
                val("w:numFmt", "decimal"),
                val("w:lvlText", f"%{lvl + 1}."),
                val("w:lvlJc", "left"),
            ]
            rpr = None
        else:
            kids = [
                val("w:start", 1),
                val("w:numFmt", "bullet"),
                val("w:lvlText", BULLETS[lvl % len(BULLETS)]),
                val("w:lvlJc", "left"),
            ]
            rpr = E("w:rPr", None, fonts("Arial", "Arial", "default"))
        lv = E(
            "w:lvl",
            {"w:ilvl": lvl},
            *kids,
            E("w:pPr", None, E("w:ind", {"w:left": left, "w:hanging": step})),
            rpr,
        )
        absn.append(lv)
    return absn


def _indent(step: int, level: int) -> int:
    return step * (min(level, 8) + 2)


def num_pr(num_id: int, level: int) -> Element:
    return E("w:numPr", None, val("w:ilvl", min(level, 8)), val("w:numId", num_id))
