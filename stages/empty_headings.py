"""Remove headings with no text: ``##`` alone, or a heading of spaces and markers.

Before::

    ##

    ## 安装

After::

    ## 安装
"""
from __future__ import annotations

from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.tree import filter_blocks, inline_text


class EmptyHeadings(Stage):
    """Remove headings that hold no text and no image."""

    name = "empty_headings"
    priority = 315
    scope = "tree"
    removes = frozenset({"empty_heading"})

    def run(self, doc: Document, ctx: StageContext) -> None:
        def keep(tok, line, _parents):
            if tok.get("type") != "heading":
                return True
            kids = tok.get("children") or []
            if inline_text(kids).strip() or any(k["type"] == "image" for k in kids):
                return True
            ctx.record("empty_heading", line, "#" * tok["attrs"]["level"], "")
            return False
        doc.tree = filter_blocks(doc.tree or [], keep)
