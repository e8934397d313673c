"""Keep a subtitle with its heading instead of giving it an empty section of its own.

Before::

    #### 07 小米MIX Flip

    #### 小折叠的分水岭之作

    小米MIX Flip……

After::

    #### 07 小米MIX Flip

    *小折叠的分水岭之作*

    小米MIX Flip……

A numbered heading directly followed (nothing between) by an unnumbered heading
of the same level is a title and its subtitle: the second becomes the (italic)
paragraph under the first. A deeper heading is a subsection, and a shallower one
is the next section after an empty one (``#### 4.方法断点`` then ``# 打印调试``):
both stay headings, unless repairing the levels will put the shallower one on
the numbered one's level (it only looked shallower across a skipped level), so
that cleaning the output gives the same answer. It runs after ``title_heading``
so that it plans on the very headings ``heading_levels`` will repair.
"""

from __future__ import annotations

import itertools
from typing import Any

from pipeline.document import Document
from pipeline.numbering import heading_number, leading_number, number_alone
from pipeline.outline import plan_levels
from pipeline.stage import Stage, StageContext
from pipeline.tree import inline_text

Token = dict[str, Any]


class HeadingSubtitles(Stage):
    """Turn a subtitle written as a second heading into the paragraph under the heading."""

    name = "heading_subtitles"
    priority = 345
    scope = "tree"
    restructures = frozenset({"subtitle_heading"})  # a second heading was a subtitle

    def run(self, doc: Document, ctx: StageContext) -> None:
        tree = doc.tree or []
        for prev, tok in self._pairs(tree):
            if tok["attrs"]["level"] == prev["attrs"]["level"]:
                self._to_paragraph(tok, ctx)
        # A shallower one is a subtitle only if the repaired outline puts it on the
        # numbered heading's level; each change can move others, so plan again.
        while True:
            pairs = [(p, t) for p, t in self._pairs(tree) if t["attrs"]["level"] < p["attrs"]["level"]]
            if not pairs:
                return
            heads = [t for t in tree if t.get("type") == "heading"]
            plan = plan_levels(
                [h["attrs"]["level"] for h in heads],
                [heading_number(inline_text(h.get("children"))) for h in heads],
            )
            where = {id(h): lvl for h, lvl in zip(heads, plan.levels, strict=False)}
            meet = [t for p, t in pairs if where[id(t)] == where[id(p)]]
            if not meet:
                return
            for tok in meet:
                self._to_paragraph(tok, ctx)

    @staticmethod
    def _pairs(tree: list[Token]):
        """(numbered heading, unnumbered heading right after it, not deeper)."""
        for prev, tok in itertools.pairwise(tree):
            if prev.get("type") != "heading" or tok.get("type") != "heading":
                continue
            if tok["attrs"]["level"] > prev["attrs"]["level"]:
                continue  # a deeper heading is a child section, not a subtitle
            text = inline_text(tok.get("children"))
            if not any(ch.isalnum() for ch in text):
                continue  # punctuation alone ("# -") is no subtitle: as a paragraph it is debris
            if number_alone({"type": "paragraph", "children": tok.get("children")}):
                continue  # a number alone: as a paragraph, section_numbers would join it to what follows
            if leading_number(inline_text(prev.get("children"))) and not leading_number(text):
                yield prev, tok

    @staticmethod
    def _to_paragraph(tok: Token, ctx: StageContext) -> None:
        text = inline_text(tok.get("children"))
        ctx.record("subtitle_heading", tok.get("line"), text, text)
        tok["type"] = "paragraph"
        tok.pop("attrs", None)
        tok.pop("style", None)
        tok["children"] = [{"type": "emphasis", "children": tok.get("children") or []}]
