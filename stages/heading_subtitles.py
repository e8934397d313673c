"""Keep a subtitle with its heading instead of giving it an empty section of its own.

Before::

    #### 07 小米MIX Flip

    #### 小折叠的分水岭之作

    小米MIX Flip……

After::

    #### 07 小米MIX Flip

    *小折叠的分水岭之作*

    小米MIX Flip……

A heading directly followed by a heading of the same or a higher level is a
title and its subtitle when the first is numbered and the second is not: the
second becomes the (italic) paragraph under the first. (Not "the same level"
only: the levels are normalized later, and the rule must give the same answer
on the clean output.)
"""
from __future__ import annotations

from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.tree import inline_text

from ._numbering import leading_number


class HeadingSubtitles(Stage):
    """Turn a subtitle written as a second heading into the paragraph under the heading."""

    name = "heading_subtitles"
    priority = 330
    scope = "tree"

    def run(self, doc: Document, ctx: StageContext) -> None:
        tree = doc.tree or []
        for prev, tok in zip(tree, tree[1:]):
            if prev.get("type") != "heading" or tok.get("type") != "heading":
                continue
            if tok["attrs"]["level"] > prev["attrs"]["level"]:
                continue  # a deeper heading is a child section, not a subtitle
            if not leading_number(inline_text(prev.get("children"))):
                continue
            if leading_number(inline_text(tok.get("children"))):
                continue
            text = inline_text(tok.get("children"))
            ctx.record("subtitle_heading", tok.get("line"), text, text)
            tok["type"] = "paragraph"
            tok.pop("attrs", None)
            tok.pop("style", None)
            tok["children"] = [{"type": "emphasis", "children": tok.get("children") or []}]
