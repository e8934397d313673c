"""Remove headings with no text: ``##`` alone, or a heading of spaces and markers.

Before::

    ##

    ## 安装

After::

    ## 安装
"""

from __future__ import annotations

from typing import Any

from pipeline.repairs import TreeRepair
from pipeline.stage import StageContext
from pipeline.tree import inline_text, walk

Token = dict[str, Any]


class EmptyHeadings(TreeRepair):
    """Remove headings that hold no text and no image."""

    name = "empty_headings"
    priority = 315
    scope = "tree"
    removes = frozenset({"empty_heading"})

    def match(self, block: Token) -> bool | None:
        if block.get("type") != "heading":
            return None
        kids = block.get("children") or []
        if inline_text(kids).strip() or any(k["type"] in ("image", "footnote_ref") for k in walk(kids)):
            return None
        return True

    def handle(self, block: Token, found: bool, ctx: StageContext, line: int | None) -> list[Token]:
        ctx.record("empty_heading", line, "#" * block["attrs"]["level"], "")
        return []
