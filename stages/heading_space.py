"""Headings written without the space after their ``#`` marks, where the file shows
that the author meant headings.

Before::

    ## 一、准备

    ###1.声明权限

    在 AndroidManifest.xml 中声明。

    ##参考资料

After::

    ## 一、准备

    ### 1.声明权限

    在 AndroidManifest.xml 中声明。

    ## 参考资料

CommonMark wants a space after the marks, so ``##标题`` is a paragraph that shows its
``##``; many Chinese editors accept it as a heading. The space goes in when the
line is short, starts with a letter, digit or CJK character, and the file uses
headings at that level or deeper (one written with the space, or two without; ``#``
alone also needs CJK text, a heading in the file, and no tag line in it). Never in code,
never ``#include``/``#define``, an Obsidian ``#tag`` or a line of tags, a
``#1 priority``, or a line whose text ends a sentence.
"""

from __future__ import annotations

from typing import ClassVar

from pipeline.document import Document
from pipeline.headingspace import MAX_CHARS, spaced_headings
from pipeline.stage import Stage, StageContext


class HeadingSpace(Stage):
    """Put the space into ``##标题`` headings, where the file uses headings at that level."""

    name = "heading_space"
    priority = 206
    scope = "text"
    # a heading where the parser read a paragraph: the outline gains it on purpose
    restructures = frozenset({"heading_space"})
    defaults: ClassVar[dict[str, object]] = {"max_chars": MAX_CHARS}

    def run(self, doc: Document, ctx: StageContext) -> None:
        if "#" not in doc.text:
            return
        lines = doc.text.split("\n")
        # the judgement lives in pipeline.headingspace: the Markdown writer escapes the
        # "##x" lines it writes as text that this would take for headings
        spaced = spaced_headings(lines, int(self.options["max_chars"]))
        for i, new in spaced:
            ctx.record("heading_space", doc.body_line + i, lines[i], new)
            lines[i] = new
        if spaced:
            doc.text = "\n".join(lines)
