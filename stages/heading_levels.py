"""Body headings start at level 2 (the title is level 1) and never skip a level.

Before::

    ### 01 破釜沉舟
    #### 1.1 造车的起点
    #### 07 小米MIX Flip

After::

    ## 01 破釜沉舟
    ### 1.1 造车的起点
    ## 07 小米MIX Flip

The outline is repaired only where it is broken, and the relation of each
heading to the one before it (deeper, same, shallower) is kept otherwise:

- the whole outline moves so that its first heading is at level 2 (H1s used as
  sections, or a document that starts at ``###``): every relation is kept;
- a heading more than one level below its parent comes one level below it
  (``# Intro`` / ``#### A`` / ``#### B``: A and B stay siblings, at ``##``);
- numbered headings written alike (``01``, ``02``… or ``1.1``, ``1.2``…) that
  follow each other with only their own subsections between them are siblings:
  scraping that put them on different levels is undone, each moving with its
  subsections; ``2.1`` at the level of ``02`` (or above it) goes below it.

A heading above the level the outline starts at (``## X`` … ``# Reference``) has
no parent: it comes to the top level, and the sections before it stay where
they are. Numbers that restart under another heading (``## 一、free`` /
``### 1. 语法`` after ``## 0. 引言``) are not one family. Each change is
recorded with what changed its relation to a neighbour: ``numbered_family``
(numbering), ``skipped_level`` (a skip closed), ``outline_top`` (a heading above
the first one's level); ``heading_level`` when its relations are kept.
"""

from __future__ import annotations

from pipeline.document import Document
from pipeline.numbering import heading_number
from pipeline.outline import plan_levels, sign
from pipeline.stage import Stage, StageContext
from pipeline.tree import inline_text


class HeadingLevels(Stage):
    """Start body headings at level 2, close skipped levels, align numbered families."""

    name = "heading_levels"
    priority = 350
    scope = "tree"
    #: repairs of a broken outline: each changes a relation on purpose, and says which
    restructures = frozenset({"numbered_family", "outline_top", "skipped_level"})
    defaults = {"top": 2}

    def run(self, doc: Document, ctx: StageContext) -> None:
        heads = [t for t in doc.tree or [] if t.get("type") == "heading"]
        if not heads:
            return
        old = [h["attrs"]["level"] for h in heads]
        numbers = [heading_number(inline_text(h.get("children"))) for h in heads]
        plan = plan_levels(old, numbers, self.options["top"])
        new = plan.levels
        for i, (h, a, b) in enumerate(zip(heads, old, new, strict=False)):
            if a == b:
                continue
            # what changed its relation to a neighbour, if one changed
            changed = [
                j
                for j in (i, i + 1)
                if 0 < j < len(new) and sign(old[j] - old[j - 1]) != sign(new[j] - new[j - 1])
            ]
            why = {plan.why(j) for j in changed}
            kind = (
                "numbered_family"
                if "numbering" in why
                else "outline_top"
                if "top" in why
                else "skipped_level"
                if why - {None}
                else "heading_level"
            )
            text = inline_text(h.get("children"))
            ctx.record(kind, h.get("line"), "#" * a + " " + text, "#" * b + " " + text)
            h["attrs"]["level"] = b
