"""A "heading" that is a whole sentence of prose goes back to being a paragraph.

Before (a paragraph followed by a ``---`` line reads as a setext heading)::

    **声明：** 该公众号大部分文章来自作者日常学习笔记，……与文章作者和本公众号无关。
    ---

After::

    **声明：** 该公众号大部分文章来自作者日常学习笔记，……与文章作者和本公众号无关。

    ---

A heading longer than ``max_chars`` that ends like a sentence (。！？.!?) is
prose; when it was a setext heading underlined with ``---``, the line was meant as
a separator and stays as a thematic break.
"""
from __future__ import annotations

from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.tree import inline_text

_SENTENCE_END = tuple("。！？!?.…")


class ProseHeadings(Stage):
    """Turn a heading that is really a long sentence back into a paragraph."""

    name = "prose_headings"
    priority = 312
    scope = "tree"
    defaults = {"max_chars": 60}

    def run(self, doc: Document, ctx: StageContext) -> None:
        out = []
        for tok in doc.tree or []:
            if tok.get("type") == "heading":
                text = inline_text(tok.get("children")).strip()
                if len(text) > self.options["max_chars"] and text.endswith(_SENTENCE_END):
                    setext_rule = tok.get("style") == "setext" and tok["attrs"]["level"] == 2
                    ctx.record("prose_heading", tok.get("line"), text, text)
                    out.append({"type": "paragraph", "children": tok.get("children") or [],
                                "line": tok.get("line")})
                    if setext_rule:
                        out.append({"type": "thematic_break", "line": tok.get("line")})
                    continue
            out.append(tok)
        doc.tree = out
