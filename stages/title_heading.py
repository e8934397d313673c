"""The title lives in front matter: a first H1 that repeats it goes from the body.

Before (no front matter)::

    #  攻防演练！针对溯源反制的思考

    和风 潇湘信安

After (``title: 攻防演练！针对溯源反制的思考`` in the metadata)::

    和风 潇湘信安

When the metadata has no title, the document's first heading gives it if it is
its only H1 (a closing H1 such as ``# 参考资料`` or ``# References`` does not
count). A file with several H1s uses them as sections: none of them is taken
out of the body, and the file name gives the title. With a title in the
metadata, an H1 repeating it goes (also with the site's name added, or cut
short with …); an H1 that only starts with the same words is a section.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Any

from pipeline.document import Document
from pipeline.numbering import number_alone
from pipeline.stage import Stage, StageContext
from pipeline.textkeep import significant
from pipeline.tree import inline_text

Token = dict[str, Any]

# Headings that close an article rather than open a section of it.
_CLOSING = re.compile(
    r"^(?:references?|bibliography|notes|footnotes|see also|further reading|related(?: posts| articles)?"
    r"|resources|links|appendix(?: [a-z0-9]+)?|acknowledge?ments?"
    r"|参考资料|参考文献|参考链接|参考|引用|附录|相关阅读|延伸阅读|推荐阅读|相关文章|相关链接"
    r"|往期推荐|往期回顾|往期精彩|往期文章|精彩推荐|致谢)$",
    re.I,
)


_SEPARATOR = tuple("-|｜_—–·:：(（[【")
_CUT = ("…", "...")


def same_title(a: str, b: str) -> bool:
    """The same words, or one of them with the site's name added (``标题 - 潇湘信安``)
    or cut short (``很长的标题…``)."""
    x, y = significant(a).lower(), significant(b).lower()
    if not x or not y:
        return False
    if x == y:
        return True
    short, long_ = (a, b) if len(x) < len(y) else (b, a)
    if not significant(long_).lower().startswith(significant(short).lower()):
        return False
    if short.rstrip().endswith(_CUT):
        return True
    rest = _after_prefix(long_, len(significant(short)))
    return rest.lstrip().startswith(_SEPARATOR)


def _after_prefix(text: str, count: int) -> str:
    """``text`` after its first ``count`` significant characters."""
    seen = 0
    for i, ch in enumerate(text):
        if seen == count:
            return text[i:]
        seen += len(significant(ch))
    return ""


def closing_heading(text: str) -> bool:
    """``# 参考资料``, ``# References``: back matter, not a section of the article."""
    words = unicodedata.normalize("NFKC", text)
    words = re.sub(r"[\s\W_]+", " ", words).strip()
    return bool(_CLOSING.match(words))


def _text(tok: Token) -> str:
    return " ".join(inline_text(tok.get("children")).split())


#: what a title, plain text, cannot hold: a heading with one stays in the body
_NOT_TITLE = frozenset({"image", "footnote_ref"})


def _all_text(tok: Token) -> bool:
    """Is all of the heading text a title keeps (no image, no note reference)?"""
    stack = list(tok.get("children") or [])
    while stack:
        t = stack.pop()
        if t.get("type") in _NOT_TITLE:
            return False
        stack.extend(t.get("children") or [])
    return True


class TitleHeading(Stage):
    """Move the document title from its only H1 into the metadata; drop H1s repeating it."""

    name = "title_heading"
    priority = 340
    scope = "tree"
    removes = frozenset({"duplicate_title"})
    restructures = frozenset({"title_from_heading"})  # the only H1 is the title
    defaults = {"title_from_filename": True}

    def run(self, doc: Document, ctx: StageContext) -> None:
        tree = doc.tree or []
        heads = [t for t in tree if t.get("type") == "heading"]
        # An H1 right after a section number (**01**) is a numbered section, not a title.
        numbered = {id(tok) for prev, tok in itertools.pairwise(tree) if number_alone(prev)}
        first = (
            heads[0] if heads and heads[0]["attrs"]["level"] == 1 and id(heads[0]) not in numbered else None
        )
        drop: set[int] = set()
        if doc.meta.title:
            for tok in heads:
                if tok["attrs"]["level"] != 1 or id(tok) in numbered or not _all_text(tok):
                    continue
                text = _text(tok)
                if same_title(text, doc.meta.title):
                    ctx.record("duplicate_title", tok.get("line"), "# " + text, "")
                    drop.add(id(tok))
        elif first is not None and _text(first) and _all_text(first) and self._only_h1(heads):
            doc.meta.title = _text(first)
            ctx.record(
                "title_from_heading", first.get("line"), "# " + doc.meta.title, "title: " + doc.meta.title
            )
            drop.add(id(first))
        elif self.options["title_from_filename"]:
            doc.meta.title = doc.path.stem
            ctx.record("title_from_filename", None, "", "title: " + doc.meta.title)
        if drop:
            doc.tree = [t for t in tree if id(t) not in drop]

    @staticmethod
    def _only_h1(heads: list[Token]) -> bool:
        """The first heading is the only H1, but for closing ones (``# 参考资料``)."""
        return all(closing_heading(_text(h)) for h in heads[1:] if h["attrs"]["level"] == 1)
