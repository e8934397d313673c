"""The title lives in front matter: a first H1 that repeats it goes from the body.

Before (no front matter)::

    #  攻防演练！针对溯源反制的思考

    和风 潇湘信安

After (``title: 攻防演练！针对溯源反制的思考`` in the metadata)::

    和风 潇湘信安

When the metadata has no title, the first H1 gives it; failing that, the file
name does. Later H1s that repeat the title go too.
"""
from __future__ import annotations

from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.textkeep import significant
from pipeline.tree import inline_text


def same_title(a: str, b: str) -> bool:
    x, y = significant(a).lower(), significant(b).lower()
    return bool(x) and bool(y) and (x == y or x.startswith(y) or y.startswith(x))


class TitleHeading(Stage):
    """Move the document title from a first H1 into the metadata; drop H1s repeating it."""

    name = "title_heading"
    priority = 340
    scope = "tree"
    removes = frozenset({"duplicate_title"})
    defaults = {"title_from_filename": True}

    def run(self, doc: Document, ctx: StageContext) -> None:
        tree = doc.tree or []
        first = next((t for t in tree if t.get("type") == "heading"), None)
        drop: set[int] = set()
        if first is not None and first["attrs"]["level"] == 1:
            text = " ".join(inline_text(first.get("children")).split())
            if not doc.meta.title and text:
                doc.meta.title = text
                ctx.record("title_from_heading", first.get("line"), "# " + text, "title: " + text)
                drop.add(id(first))
        if doc.meta.title:
            for tok in tree:
                if tok.get("type") == "heading" and tok["attrs"]["level"] == 1 and id(tok) not in drop:
                    text = inline_text(tok.get("children")).strip()
                    if same_title(text, doc.meta.title):
                        ctx.record("duplicate_title", tok.get("line"), "# " + text, "")
                        drop.add(id(tok))
        elif self.options["title_from_filename"]:
            doc.meta.title = doc.path.stem
            ctx.record("title_from_filename", None, "", "title: " + doc.meta.title)
        if drop:
            doc.tree = [t for t in tree if id(t) not in drop]
