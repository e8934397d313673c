"""Merge a section-number paragraph into the heading that follows it.

Before::

    **01**

    ### 破釜沉舟

After::

    ### 01 破釜沉舟
"""
from __future__ import annotations

from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.tree import inline_text, merge_text

from ._numbering import number_alone


class SectionNumbers(Stage):
    """Merge a paragraph holding only a section number (**01**) into the next heading."""

    name = "section_numbers"
    priority = 325
    scope = "tree"

    def run(self, doc: Document, ctx: StageContext) -> None:
        tree = doc.tree or []
        out = []
        i = 0
        while i < len(tree):
            tok = tree[i]
            number = number_alone(tok)
            nxt = tree[i + 1] if i + 1 < len(tree) else None
            if number and nxt is not None and nxt.get("type") == "heading":
                kids = nxt.get("children") or []
                before = inline_text(kids)
                if not before.strip().startswith(number):
                    nxt["children"] = merge_text([{"type": "text", "raw": number + " "}, *kids])
                    ctx.record("section_number_merged", tok.get("line"),
                               number + "\n" + before, inline_text(nxt["children"]))
                    i += 1
                    continue
            out.append(tok)
            i += 1
        doc.tree = out
