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

import re
from typing import ClassVar

from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.textscan import code_line_mask

_MISSING = re.compile(r"^( {0,3})(#{1,6})(?=[^\s#])(.+?)[ \t]*$")
_PROPER = re.compile(r"^ {0,3}(#{1,6})[ \t]+\S")
# C preprocessor and other languages' directives that start a line with "#"
_DIRECTIVE = re.compile(
    r"^(?:include|define|undef|if|ifdef|ifndef|elif|else|endif|pragma|import|error|"
    r"warning|line|region|endregion|using|requires?|set|!)\b",
    re.I,
)
_SETEXT = re.compile(r"^ {0,3}([=-])\1*[ \t]*$")
_TAG_LINE = re.compile(r"(?:^|\s)#[^\s#]+(?:\s+#[^\s#]+)+\s*$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_FIRST = re.compile(r"^[\w\u3000-\u303f\uff08\uff3b\u300a\u3008\u300c\u300e\u3010]")
_COUNT = re.compile(r"\s\d+\s*(?:个|篇|articles?|posts?)$")  # WeChat's "#网络安全 292 个" topic tags
_RANK = re.compile(r"^\d+(?:st|nd|rd|th)?\s+[A-Za-z]")  # "#1 priority", "#2 in sales"
_SENTENCE_END = ("。", "！", "？", ".", "!", "?", "；", ";", "，", ",")  # "步骤如下：" may head a list


class HeadingSpace(Stage):
    """Put the space into ``##标题`` headings, where the file uses headings at that level."""

    name = "heading_space"
    priority = 206
    scope = "text"
    # a heading where the parser read a paragraph: the outline gains it on purpose
    restructures = frozenset({"heading_space"})
    defaults: ClassVar[dict[str, object]] = {"max_chars": 40}

    def run(self, doc: Document, ctx: StageContext) -> None:
        if "#" not in doc.text:
            return
        lines = doc.text.split("\n")
        code = code_line_mask(lines)
        candidates: list[tuple[int, int, str]] = []
        levels: set[int] = set()
        tags = False
        for i, line in enumerate(lines):
            if code[i]:
                continue
            proper = _PROPER.match(line)
            if proper:
                levels.add(len(proper.group(1)))
                continue
            setext = _SETEXT.match(line)
            if setext and i and lines[i - 1].strip() and not code[i - 1]:
                levels.add(1 if setext.group(1) == "=" else 2)  # the clean file writes "## x"
                continue
            if _TAG_LINE.search(line):
                tags = True
                continue
            m = _MISSING.match(line)
            if m and self._heading_like(m.group(3), len(m.group(2))):
                candidates.append((i, len(m.group(2)), m.group(3)))
        candidates = _without_tag_runs(lines, candidates)
        deep = [c for c in candidates if c[1] >= 2]
        used = levels | ({c[1] for c in deep} if len(deep) >= 2 else set())
        # heading_levels later moves the outline to start at level 2 and closes skipped
        # levels: a level above the file's deepest heading (or at 2) is one the clean
        # file uses, so the decision is the same on the clean file
        deepest = max(max(levels), 2) if levels else 0
        changed = False
        for i, level, text in candidates:
            if level == 1:
                # a note that tags with "#读书" may tag with "#参考资料" too; a note written
                # all without spaces shows its sections by the "##" under them
                if tags or not (levels or 2 in used):
                    continue
            elif level not in used and level > deepest:
                continue
            m = _MISSING.match(lines[i])
            assert m is not None
            new = f"{m.group(1)}{m.group(2)} {text}"
            ctx.record("heading_space", doc.body_line + i, lines[i], new)
            lines[i] = new
            changed = True
        if changed:
            doc.text = "\n".join(lines)

    def _heading_like(self, text: str, level: int) -> bool:
        if len(text) > self.options["max_chars"] or not _FIRST.match(text):
            return False
        if text.endswith("\\"):
            return False  # a hard break: the paragraph goes on (as "  " did, before line_breaks)
        if _DIRECTIVE.match(text) or _RANK.match(text) or _COUNT.search(text) or text.endswith(_SENTENCE_END):
            return False
        if level == 1 and not _CJK.search(text):
            return False  # "#tag", "#TODO": an Obsidian tag, a channel, a hashtag
        return not text.endswith("#")  # "#C#" and closing marks with no space: not ours


def _without_tag_runs(lines: list[str], candidates: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Candidates less the ``#x`` lines that follow each other, three or more, with only
    blank lines between: a heading is followed by its section (or, once, by its first
    subsection), a tag by the next tag."""
    level1 = sorted(i for i, level, _ in candidates if level == 1)
    nxt: dict[int, int] = {}
    for i in level1:
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        nxt[i] = j
    tags: set[int] = set()
    chained = set(nxt.values())
    for i in level1:
        if i in chained:
            continue  # not the start of a run
        run = [i]
        while nxt[run[-1]] in nxt:
            run.append(nxt[run[-1]])
        if len(run) >= 3:
            tags.update(run)
    return [c for c in candidates if c[0] not in tags]
