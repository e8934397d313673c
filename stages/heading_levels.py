"""Body headings start at level 2 (the title is level 1) and never skip a level.

Before::

    ### 01 破釜沉舟
    #### 1.1 造车的起点
    #### 07 小米MIX Flip

After::

    ## 01 破釜沉舟
    ### 1.1 造车的起点
    ## 07 小米MIX Flip

Numbered headings of one depth (``01``, ``02``… or ``1.1``, ``1.2``…) are one
family: when scraping gave them different levels, they all take the family's
highest. Then the levels in use are closed up from 2, and no heading is more
than one level below the one before it.
"""
from __future__ import annotations

from collections import defaultdict

from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.tree import inline_text

from ._numbering import depth, leading_number


class HeadingLevels(Stage):
    """Shift body headings to start at level 2, align numbered families, fill skipped levels."""

    name = "heading_levels"
    priority = 350
    scope = "tree"
    defaults = {"top": 2}

    def run(self, doc: Document, ctx: StageContext) -> None:
        heads = [t for t in doc.tree or [] if t.get("type") == "heading"]
        if not heads:
            return
        old = [h["attrs"]["level"] for h in heads]
        families: dict[int, list[int]] = defaultdict(list)
        for i, h in enumerate(heads):
            number = leading_number(inline_text(h.get("children")))
            if number:
                families[depth(number)].append(i)
        level = list(old)
        for _ in range(6):  # each pass can only raise levels; a few passes settle
            before = list(level)
            self._align(level, families)
            level = self._close_gaps(level)
            level = self._no_skips(level)
            if level == before:
                break
        for h, a, b in zip(heads, old, level):
            if a != b:
                text = inline_text(h.get("children"))
                ctx.record("heading_level", h.get("line"), "#" * a + " " + text, "#" * b + " " + text)
                h["attrs"]["level"] = b

    @staticmethod
    def _align(level: list[int], families: dict[int, list[int]]) -> None:
        """One level per numbering depth, and ``1.1`` below ``01``."""
        parent = None
        for d in sorted(families):
            members = families[d]
            if len(members) >= 2:
                top = min(level[i] for i in members)
                for i in members:
                    level[i] = top
            if parent is not None:
                for i in members:
                    level[i] = max(level[i], parent + 1)
            parent = min(level[i] for i in members) if parent is not None or d == 1 else None

    def _close_gaps(self, level: list[int]) -> list[int]:
        rank = {lvl: n for n, lvl in enumerate(sorted(set(level)))}
        return [self.options["top"] + rank[lvl] for lvl in level]

    def _no_skips(self, level: list[int]) -> list[int]:
        out, prev = [], self.options["top"] - 1
        for lvl in level:
            prev = min(lvl, prev + 1, 6)
            out.append(prev)
        return out
