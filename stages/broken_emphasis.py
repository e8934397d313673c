"""Repair bold markers that scraping broke, so that every ``**`` either parses or goes.

Before::

    **1**0****
    **0****2**
    **米家空调 新风Pro **双出风 立式3匹
    我的演讲**「勇气」**在北京举行
    **“**
    **Q：为什么不做自动切vip sect ?

    **

After::

    **10**
    **02**
    **米家空调 新风Pro** 双出风 立式3匹
    我的演讲「**勇气**」在北京举行
    “
    **Q：为什么不做自动切vip sect ?**

The ``**`` runs of a paragraph are read as toggles (a run of 2n stars is n
toggles; an odd star is a literal ``\\*``). Adjacent bold pieces merge, empty
ones go, whitespace just inside a marker moves outside, bold never runs across a
hard break, punctuation that stops a marker from opening or closing (CommonMark's
flanking rules) moves outside, and bold around punctuation alone loses its
markers. A paragraph with an odd number of toggles gets its unpaired one closed
at the end of its line (when it opens the paragraph) or dropped; a paragraph
holding a lone ``**`` closes the bold its predecessor left open.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pipeline.document import Document
from pipeline.gfm import delimiter_aligns
from pipeline.stage import Stage, StageContext
from pipeline.textkeep import lost_text, visible
from pipeline.textscan import (
    CJK,
    chunks,
    in_spans,
    is_html_block_start,
    is_indented_prose,
    join_apart,
    keep_block_role,
    protected_spans,
)
from pipeline.tree import decode_entities, inline_text, parse, walk

_RUN = re.compile(r"(?<!\\)\*{2,}")
_LINE_START_MARK = re.compile(r"^([ \t]*)(?:([>#+=-])|(\d+)([.)]))")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")  # a thematic break, not emphasis
_CONTAINER_MARKS = re.compile(r"^(?: {0,3}(?:>|[-+*]|\d{1,9}[.)])[ \t]+)+")  # "- 1. ***"
# ...except "****" in a page exported from WeChat: an empty <strong></strong> its
# editor leaves, which readers would draw as a rule. Elsewhere it is a rule.
_EMPTY_BOLDS = re.compile(r"^ {0,3}(?:\*\*\*\*)+[ \t]*$")
_WECHAT = re.compile(r"mmbiz\.q(?:pic|logo)\.cn/|weixin\.qq\.com/")
_GLUED_EMPTY_BOLD = re.compile(r"(?<=[^\s*])\*{4}(?=[^\s*])")  # "**0****1**"
_HARD_BREAK = re.compile(r"((?:(?<! ) {2,}|(?<!\t)\t+|\\)\n[ \t]*)")  # runs tried from their start
_NUMBER_LINE = re.compile(r"[0-9０-９.]{1,6}")
_LONE = re.compile(r"^\s*\*\*\s*$")
# a bold marker that a clipper left at a line's end after spaces ("焦虑的  **⏎，等你")
_DANGLING = re.compile(r"(?<=\S)[ \t]+\*\*[ \t]*$")
_SPLIT_STARS = re.compile(r"(?<![*\\\s])\*[ \t]*\n[ \t]*\*(?![*\s])")  # "。*⏎*Sql": one marker cut in two
_TRAILING_BACKSLASH = re.compile(r"(?<!\\)(?:\\\\)*\\$")  # an unescaped "\\" ends the line
_CONTINUES = re.compile(r"^[ \t]*[^\s>*]")  # a next line that is plain text (no quote, no marker)
#: past this many bold markers a paragraph is a run of stars, not a broken page (the
#: busiest paragraphs of real pages hold about a hundred): checking such a paragraph
#: takes a parse of seconds at 200 KB, each round, so it is repaired first and checked
#: only when the repair leaves at most this many (a run of stars that goes). When it
#: leaves more ("**a " repeated), the paragraph is left as it is.
MAX_MARKERS = 2000


def _punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _plain_side(ch: str) -> bool:
    """A delimiter next to whitespace, punctuation or the edge can always flank."""
    return ch == "" or ch.isspace() or _punct(ch)


def _significant(s: str) -> bool:
    if "&" in s:
        s = decode_entities(s)
    return any(ch.isalnum() for ch in s)


class BrokenEmphasis(Stage):
    """Repair broken bold: split, empty, space-padded, punctuation-blocked and stray ** markers."""

    name = "broken_emphasis"
    priority = 220
    scope = "text"

    def run(self, doc: Document, ctx: StageContext) -> None:
        lines = doc.text.split("\n")
        ranges = list(chunks(lines))
        self._join_lone_markers(lines, ranges, doc, ctx)
        # before any repair: the evidence is the page as it came
        wechat = "****" in doc.text and _wechat_export(doc, lines, ranges)
        for start, end in ranges:
            block = lines[start:end]
            if not "".join(block).strip() or is_html_block_start(block[0]):
                continue
            content = _CONTAINER_MARKS.sub("", block[0])
            if len(block) == 1 and _EMPTY_BOLDS.match(block[0]):
                if not wechat:
                    continue  # a thematic break
                # "****" alone: an empty <strong></strong> that readers would draw as a rule
                ctx.record("empty_bold", doc.body_line + start, block[0], "")
                lines[start] = ""
                continue
            if len(block) == 1 and _RULE.match(content):
                continue
            if all(re.match(r"(?: {4}|\t)", ln) for ln in block) and not is_indented_prose(block):
                continue  # indented code
            # rows are repaired one by one; lines under a "|" with no delimiter row
            # ("| --- |") are a paragraph's, its bold may run across them
            table = block[0].lstrip().startswith("|") and any(delimiter_aligns(ln) for ln in block[1:])
            groups = [(k, k + 1) for k in range(start, end)] if table else [(start, end)]
            for a, b in groups:
                text = "\n".join(lines[a:b])
                # a row's hard break ("\\" at its end, as a writer spells "  ") is read
                # as the spaces are: a line break, not a backslash that a bare link or
                # a closing marker runs into
                brk = "\\" if b < end and _TRAILING_BACKSLASH.search(text) else ""
                fixed, kinds = repair(text[: len(text) - len(brk)])
                fixed += brk
                if kinds:
                    new = fixed.split("\n")
                    for k, (old, line) in enumerate(zip(lines[a:b], new, strict=False)):
                        new[k] = keep_block_role(old, line)
                    fixed = "\n".join(new)
                    for kind in kinds:
                        ctx.record(kind, doc.body_line + a, text, fixed)
                    # keep the line count so that later line numbers stay those of the source
                    lines[a:b] = new + [""] * (b - a - len(new))
        new_text = "\n".join(lines)
        if new_text != doc.text:
            doc.text = new_text

    @staticmethod
    def _join_lone_markers(lines, ranges, doc, ctx) -> None:
        """``**`` alone in a paragraph closes the bold the paragraph before left open."""
        for n, (start, end) in enumerate(ranges):
            if end - start != 1 or not _LONE.match(lines[start]):
                continue
            prev = ranges[n - 1] if n else None
            before = lines[start]
            if prev and _toggle_count("\n".join(lines[prev[0] : prev[1]])) % 2:
                last = prev[1] - 1
                old = lines[last]
                lines[last] = old.rstrip() + "**"
                ctx.record("bold_across_paragraphs", doc.body_line + last, old + "\n\n" + before, lines[last])
            else:
                ctx.record("stray_bold_marker", doc.body_line + start, before, "")
            lines[start] = ""


def _wechat_export(doc: Document, lines: list[str], ranges: list[tuple[int, int]]) -> bool:
    """Does the page come from WeChat's editor (its addresses, or empty bolds glued
    to text elsewhere, ``**0****1**``)? Only there is a ``****`` line debris."""
    if _WECHAT.search(doc.text) or _WECHAT.search(doc.meta.source or ""):
        return True
    return any(_GLUED_EMPTY_BOLD.search(lines[k]) for a, b in ranges for k in range(a, b))


def _toggle_count(text: str) -> int:
    spans = protected_spans(text)
    return sum(len(m.group(0)) // 2 for m in _RUN.finditer(text) if not in_spans(m.start(), spans))


def _join_marker_lines(text: str, kinds: set[str]) -> str:
    """Bold markers cut from their text by a line break become one line with it:
    ``焦虑的  **⏎，等你`` is ``焦虑的**，等你``, ``*⏎*`` is ``**``, and ``**`` alone on
    a line of the paragraph joins the line it closes (or the one it opens)."""
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    out = [lines[0]]
    pending = ""  # an opening marker alone on its line waits for the next line
    for line in lines[1:]:
        prev = out[-1]
        if _LONE.match(line) and prev.strip():
            if _toggle_count("\n".join(out)) % 2:
                out[-1] = prev.rstrip() + "**"  # closes the line before
                kinds.add("bold_across_lines")
                continue
            if not pending:
                pending = "**"
                kinds.add("bold_across_lines")
                continue
        if pending:
            stripped = line.lstrip()
            line = line[: len(line) - len(stripped)] + pending + stripped
            pending = ""
        if _DANGLING.search(prev) and _CONTINUES.match(line) and not _LONE.match(prev):
            closing = _toggle_count("\n".join(out)) % 2 == 0  # the marker is the last toggle
            head = _DANGLING.sub("", prev)
            rest = line.lstrip()
            sep = "" if CJK.match(head[-1:]) or CJK.match(rest[:1]) else " "
            out[-1] = head + ("**" + sep if closing else sep + "**") + rest
            kinds.add("bold_across_lines")
            continue
        if prev.endswith("*") and not prev.endswith("**") and _SPLIT_STARS.search(prev + "\n" + line):
            out[-1] = prev + line.lstrip()
            kinds.add("bold_across_lines")
            continue
        out.append(line)
    if pending:
        out[-1] += pending
    return "\n".join(out)


def repair(text: str) -> tuple[str, list[str]]:
    """The repaired paragraph and the kinds of repair made (empty: unchanged)."""
    if "**" not in text and not _SPLIT_STARS.search(text):
        return text, []
    if text.count("**") <= MAX_MARKERS:
        return (text, []) if parses_cleanly(text) else _repair(text)
    fixed, kinds = _repair(text)
    if not kinds or fixed.count("**") > MAX_MARKERS or parses_cleanly(text):
        return text, []
    return fixed, kinds


def _repair(text: str) -> tuple[str, list[str]]:
    """``repair`` of a paragraph that does not parse cleanly."""
    kinds: set[str] = set()
    original = text
    text = _join_marker_lines(text, kinds)
    spans = protected_spans(text)
    runs = [m for m in _RUN.finditer(text) if not in_spans(m.start(), spans)]
    if not runs:
        return (text, sorted(kinds)) if kinds else (text, [])
    toggles = sum(len(m.group(0)) // 2 for m in runs)
    if toggles % 2:
        text, runs = _resolve_odd(text, runs, kinds)
        if not runs:  # (joined lines alone are no repair when the markers still do not pair)
            return (text, sorted(kinds)) if kinds - {"bold_across_lines"} else (original, [])
    # Split into [bold?, text] segments.
    italic = _bold_italic_runs(text, runs)
    segments: list[list] = [[False, ""]]
    pos = 0
    for m in runs:
        segments[-1][1] += text[pos : m.start()]
        n = len(m.group(0))
        if m.start() in italic:
            # "***x***": bold and italic; the italic star stays outside the bold
            opening = italic[m.start()]
            if opening:
                segments[-1][1] += "*"
            segments.append([not segments[-1][0], ""])
            if not opening:
                segments[-1][1] += "*"
            pos = m.end()
            continue
        if n % 2:
            segments[-1][1] += "\\*"
            kinds.add("stray_stars")
        if n >= 6 or (n >= 4 and n % 2):
            kinds.add("star_run")
        for _ in range(n // 2):
            segments.append([not segments[-1][0], ""])
        pos = m.end()
    segments[-1][1] += text[pos:]

    segments = _split_at_line_breaks(_merge(segments, kinds), kinds)
    segments = _number_lines(segments, kinds)
    result = _emit(segments, kinds)
    if result == original and not kinds & {"unclosed_bold", "stray_bold_marker", "star_run_escaped"}:
        return text, []
    return result, sorted(kinds) or ["emphasis_rewritten"]


@lru_cache(maxsize=4096)  # the repairs go round: the next round asks about the same paragraphs
def parses_cleanly(text: str) -> bool:
    """Does a reader take every ``**`` of this paragraph as markup (none left as text),
    with no bold that starts or ends in a space or holds no letter? Only a paragraph
    that fails this is repaired: valid emphasis, however intricate, is left alone."""
    # an escaped star is text on purpose: hide it (as another escaped mark, which
    # flanks the same) so that only unescaped stars can show up as literal "**"
    for tok in walk(parse(re.sub(r"(?<!\\)\\\*", r"\\#", text))):
        t = tok.get("type")
        if t == "text" and "**" in tok.get("raw", ""):
            return False
        if t == "strong":
            inner = inline_text(tok.get("children"))
            if not inner.strip() or inner != inner.strip():
                return False
    return True


def _bold_italic_runs(text: str, runs: list[re.Match]) -> dict[int, bool]:
    """Runs of three stars that pair up as bold-italic openers and closers
    (start -> opening?); empty unless every such run pairs."""
    triples = [m for m in runs if len(m.group(0)) == 3]
    if not triples or len(triples) % 2:
        return {}
    out: dict[int, bool] = {}
    for k, m in enumerate(triples):
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if k % 2 == 0:
            ok = after != "" and not after.isspace() and (not _punct(after) or _plain_side(before))
        else:
            ok = before != "" and not before.isspace() and (not _punct(before) or _plain_side(after))
        if not ok:
            return {}
        out[m.start()] = k % 2 == 0
    return out


def _makes_markup(text: str, start: int, end: int) -> bool:
    """Would taking ``text[start:end]`` out hide text a reader sees now (make a tag,
    a link's destination, a definition of it)?"""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before = text[line_start:line_end]
    after = text[line_start:start] + text[end:line_end]
    return bool(lost_text(visible(before, False), visible(after, False)))


def _resolve_odd(text: str, runs: list[re.Match], kinds: set[str]):
    """Make the toggles pair up: close an opening marker at its line's end, or drop a stray one."""
    first = runs[0]
    line_end = text.find("\n", first.end())
    line_end = len(text) if line_end < 0 else line_end
    on_its_line = [m for m in runs if m.start() < line_end]
    if (
        len(first.group(0)) == 2
        and not text[: first.start()].strip()
        and len(on_its_line) == 1
        and text[first.end() : first.end() + 1].strip()
    ):
        # "**Q：为什么不做自动切 ?" -- the bold was meant to run to the end of the line
        end = len(text[:line_end].rstrip())
        kinds.add("unclosed_bold")
        text = text[:end] + "**" + text[end:]
    else:
        # drop the last unpaired marker; a long run that forms no emphasis is escaped
        last = runs[-1]
        n = len(last.group(0))
        if n >= 3:
            repl = "\\*" * n
            kinds.add("star_run_escaped")
        elif _makes_markup(text, last.start(), last.end()):
            # taking it out would make markup of text ("<**h>" a tag, "[a]**(b)" a
            # link): escaped, it stays the text it was
            repl = "\\*" * n
            kinds.add("star_run_escaped")
        else:
            repl = ""
            if _NUMBER_LINE.fullmatch((text[: last.start()] + text[last.end() :]).strip()):
                # "8**": a number whose bold lost its other half, or text? Dropping the
                # marker would make a bare number that the section-number repair takes
                # for a heading's; what a reader sees stays.
                return text, []
            kinds.add("stray_bold_marker")
        text = text[: last.start()] + repl + text[last.end() :]
    spans = protected_spans(text)
    runs = [m for m in _RUN.finditer(text) if not in_spans(m.start(), spans)]
    if sum(len(m.group(0)) // 2 for m in runs) % 2:
        return text, []
    return text, runs


def _merge(segments: list[list], kinds: set[str]) -> list[list]:
    """Drop empty pieces; join bold pieces that touch."""
    out: list[list] = []  # [bold, pieces]: joined once at the end, not once per piece
    for bold, s in segments:
        if s == "":
            if bold:
                kinds.add("empty_bold")
            continue
        if bold and not s.strip():
            kinds.add("empty_bold")
            bold = False
        if out and out[-1][0] == bold:
            if bold:
                kinds.add("split_bold")
            out[-1][1].append(s)
        else:
            out.append([bold, [s]])
    # pieces that an empty bold kept apart ("]****(x)") must not make a link's end
    return [[bold, join_apart(pieces)] for bold, pieces in out]


def _split_at_line_breaks(segments: list[list], kinds: set[str]) -> list[list]:
    """Bold never runs across a hard line break: close it before, reopen after."""
    out: list[list] = []
    for bold, s in segments:
        if bold and _HARD_BREAK.search(s.strip(" ")):
            kinds.add("bold_across_break")
            for k, piece in enumerate(_HARD_BREAK.split(s)):
                if piece:
                    out.append([bold and k % 2 == 0, piece])
        else:
            out.append([bold, s])
    return out


def _number_lines(segments: list[list], kinds: set[str]) -> list[list]:
    """``**1**0`` on a line of its own is one number: ``**10**``."""
    joined = "".join(s for _, s in segments)
    if len(segments) > 1 and any(b for b, _ in segments) and _NUMBER_LINE.fullmatch(joined.strip()):
        kinds.add("split_bold")
        lead = joined[: len(joined) - len(joined.lstrip())]
        trail = joined[len(joined.rstrip()) :]
        return [[False, lead], [True, joined.strip()], [False, trail]]
    return segments


def _emit(segments: list[list], kinds: set[str]) -> str:
    out: list[str] = []
    last = ""  # the last character emitted
    blank_line = True  # is what was emitted since the last newline only blanks?
    n = len(segments)
    for i, (bold, s) in enumerate(segments):
        if not bold:
            out.append(s)
            last = s[-1:] or last
            blank_line = _still_blank(blank_line, s)
            continue
        after = segments[i + 1][1][:1] if i + 1 < n else ""
        head, core, tail = _fit(s, last, after, kinds)
        if tail and not tail.strip(" \t") and CJK.match(core[-1:]) and i + 1 < n:
            # "加宽  ** 。": spaces a clipper put inside the marker are no word space in CJK text
            rest = segments[i + 1][1].lstrip(" \t")
            if CJK.match(rest[:1]):
                tail, segments[i + 1][1] = "", rest
        if head and not head.strip(" \t") and CJK.match(core[:1]) and out:
            before = out[-1].rstrip(" \t")
            if before and CJK.match(before[-1]):
                head, out[-1] = "", before
        if not _significant(core):
            kinds.add("punctuation_only_bold")
            piece = head + core + tail
            if blank_line:
                piece = _escape_line_start(piece)
            out.append(piece)
        else:
            out.append(f"{head}**{core}**{tail}")
        last = out[-1][-1:] or last
        blank_line = _still_blank(blank_line, out[-1])
    return "".join(out)


def _still_blank(blank: bool, piece: str) -> bool:
    """After ``piece``, is the current line still only blanks (``blank``: was it before)?"""
    if "\n" in piece:
        return not piece.rpartition("\n")[2].strip(" \t")
    return blank and not piece.strip(" \t")


def _fit(s: str, before: str, after: str, kinds: set[str]) -> tuple[str, str, str]:
    """Split a bold piece into what goes before the markers, inside, and after."""
    head = tail = ""
    core = s
    link = _WHOLE_LINK.fullmatch(core.strip())
    if link and (not _plain_side(before) or not _plain_side(after)) and core == core.strip():
        # "my**[ text](url)**": the link's brackets are markup, not punctuation to move out
        bang, label, target = link.groups()
        lead = label[: len(label) - len(label.lstrip())]
        if lead and _plain_side(after) and not bang:
            kinds.add("bold_edge_space")  # the space the clipper put inside goes before the bold
            return lead, f"[{label.lstrip()}]{target}", ""
        if not bang and label.strip():
            kinds.add("bold_punctuation")  # else the bold goes inside the link text
            return "[" + lead, label.strip(), label[len(label.rstrip()) :] + "]" + target
    while True:
        stripped = core.strip()
        lead = core[: len(core) - len(core.lstrip())]
        trail = core[len(core.rstrip()) :]
        if lead or trail:
            kinds.add("bold_edge_space")
        head, core, tail = head + lead, stripped, trail + tail
        # punctuation just inside a marker that a letter touches from outside stops
        # the marker from opening or closing: it moves outside
        moved = False
        if core and not _plain_side(head[-1:] or before) and _punct(core[0]):
            k = 0
            while k < len(core) and _punct(core[k]):
                k += 1
            core, k = _entity_cut(core, k, leading=True)
            head, core, moved = head + core[:k], core[k:], k > 0
        if core and not _plain_side(tail[:1] or after) and _punct(core[-1]):
            k = len(core)
            while k > 0 and _punct(core[k - 1]):
                k -= 1
            core, k = _entity_cut(core, k, leading=False)
            core, tail, moved = core[:k], core[k:] + tail, moved or k < len(core)
        if moved:
            kinds.add("bold_punctuation")
        if not moved or not core:
            return head, core, tail


_WHOLE_LINK = re.compile(r"(!?)\[([^\[\]\n]*)\](\([^()\s]*(?:\s+\"[^\"\n]*\")?\))")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _entity_cut(core: str, k: int, leading: bool) -> tuple[str, int]:
    """Cut a bold core at ``k`` without splitting an entity reference: ``&#106;`` is one
    character. Punctuation moves out whole; a letter is written as itself, so that its
    ``;`` no longer stops the marker (readers look at the characters as written)."""
    if "&" not in core:
        return core, k
    for entity in _ENTITY.finditer(core):
        if entity.start() < k < entity.end():
            char = decode_entities(entity.group(0))
            if _punct(char[:1] or "a"):
                return core, entity.end() if leading else entity.start()
            core = core[: entity.start()] + char + core[entity.end() :]
            return core, entity.start() if leading else entity.start() + len(char)
    return core, k


def _escape_line_start(s: str) -> str:
    """Unbolded punctuation at a line start must not open a block (``>``, ``#``, ``-``)."""
    m = _LINE_START_MARK.match(s)
    if not m:
        return s
    if m.group(2):
        return m.group(1) + "\\" + s[m.end(1) :]
    return s[: m.end(3)] + "\\" + s[m.end(3) :]
