"""A "heading" that is a whole sentence of prose goes back to being a paragraph.

Before (a paragraph followed by a ``---`` line reads as a setext heading)::

    **声明：** 该公众号大部分文章来自作者日常学习笔记，……与文章作者和本公众号无关。
    ---

After::

    **声明：** 该公众号大部分文章来自作者日常学习笔记，……与文章作者和本公众号无关。

    ---

Only a setext heading underlined with ``---`` is read this way: longer than
``max_chars`` and ending like a sentence (。！？.!?), it is prose, and the line was
meant as a separator, which stays as a thematic break. A ``===`` heading that
holds a line break is judged too (without a rule): the clean file can write it only
over a ``---`` line, once heading_levels has made it level 2. A heading written with
``#`` marks, or one that starts with a section number (``3.2.2 rule_delete…``),
is a heading the author meant, however long.
"""

from __future__ import annotations

from typing import Any

from pipeline.numbering import leading_number
from pipeline.repairs import TreeRepair
from pipeline.stage import StageContext
from pipeline.tree import inline_text

Token = dict[str, Any]

_SENTENCE_END = tuple("。！？!?.…")


class ProseHeadings(TreeRepair):
    """Turn a long sentence over a --- line (read as a heading) back into a paragraph and rule."""

    name = "prose_headings"
    priority = 312
    scope = "tree"
    restructures = frozenset({"prose_heading"})  # a sentence over a --- line was never a heading
    defaults = {"max_chars": 60}
    top_level_only = True

    def match(self, block: Token) -> str | None:
        """The heading's text, when it is a sentence of prose over a ``---`` line."""
        if block.get("type") != "heading" or block.get("style") != "setext":
            return None
        if block["attrs"]["level"] != 2 and not _written_under_dashes(block):
            return None
        text = inline_text(block.get("children")).strip()
        if (
            len(text) > self.options["max_chars"]
            and text.endswith(_SENTENCE_END)
            and not leading_number(text)
        ):
            return text
        return None

    def handle(self, block: Token, found: str, ctx: StageContext, line: int | None) -> list[Token]:
        ctx.record("prose_heading", block.get("line"), found, found)
        paragraph = {"type": "paragraph", "children": block.get("children") or [], "line": block.get("line")}
        if block["attrs"]["level"] != 2:
            return [paragraph]  # "===" was no separator: the sentence alone
        return [paragraph, {"type": "thematic_break", "line": block.get("line")}]


def _written_under_dashes(block: Token) -> bool:
    """A ``===`` heading that holds a line break: heading_levels makes it a level-2
    heading, which only a setext heading can spell, so the clean file writes it over
    a ``---`` line, and this stage would judge it there."""
    return block["attrs"]["level"] == 1 and any(
        k.get("type") == "linebreak" for k in block.get("children") or ()
    )
