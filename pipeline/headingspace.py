"""Which ``##标题`` lines (heading marks with no space after them) a file means as
headings: the judgement of the ``heading_space`` stage, kept here so that the
Markdown writer can ask it too. A line that the stage left as text may read as a
heading once later stages have changed it (a link made plain text, an entity
decoded, a span or stray ``**`` dropped); the writer escapes its ``#`` so that
cleaning the clean file finds no such line to repair.
"""

from __future__ import annotations

import re

from .textscan import code_line_mask

#: the option ``max_chars`` of the stage: longer text is not a heading
MAX_CHARS = 40

MISSING = re.compile(r"^( {0,3})(#{1,6})(?=[^\s#])(.+?)[ \t]*$")
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


def spaced_headings(lines: list[str], max_chars: int = MAX_CHARS) -> list[tuple[int, str]]:
    """``(index, line with the space)`` for each line of ``lines`` (a body, no front
    matter) that is a heading written without the space after its marks."""
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
        m = MISSING.match(line)
        if m and _heading_like(m.group(3), len(m.group(2)), max_chars):
            candidates.append((i, len(m.group(2)), m.group(3)))
    candidates = _without_tag_runs(lines, candidates)
    deep = [c for c in candidates if c[1] >= 2]
    used = levels | ({c[1] for c in deep} if len(deep) >= 2 else set())
    # heading_levels later moves the outline to start at level 2 and closes skipped
    # levels: a level above the file's deepest heading (or at 2) is one the clean
    # file uses, so the decision is the same on the clean file
    deepest = max(max(levels), 2) if levels else 0
    out: list[tuple[int, str]] = []
    for i, level, text in candidates:
        if level == 1:
            # a note that tags with "#读书" may tag with "#参考资料" too; a note written
            # all without spaces shows its sections by the "##" under them
            if tags or not (levels or 2 in used):
                continue
        elif level not in used and level > deepest:
            continue
        m = MISSING.match(lines[i])
        assert m is not None
        out.append((i, f"{m.group(1)}{m.group(2)} {text}"))
    return out


def _heading_like(text: str, level: int, max_chars: int) -> bool:
    if len(text) > max_chars or not _FIRST.match(text):
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
