"""Tidy line structure: trailing spaces, clipper hard breaks, blank runs, indented prose.

Before (clippers end every line with two spaces; ``·`` marks them here)::

    - -u··
     指定单个 URL，支持 IPv4 / IPv6。··
    第二段··

After::

    - -u 指定单个 URL，支持 IPv4 / IPv6。

    第二段

When most lines end in a two-space hard break, the breaks are clipper debris: a
line that continues the one before is joined to it (it starts with a space or
with punctuation such as ``，`` or ``。``, the line before ends with ``，``, ``、``
or an opening bracket, or it is a one- or two-character fragment such as ``k``),
and any other break becomes a paragraph break. Otherwise a deliberate hard break (two
spaces before a line of text) stays.
Trailing whitespace, whitespace-only lines and runs of blank lines go; the text
ends with one newline. A four-space-indented paragraph of CJK prose, outside a
list, is prose and not code: its indent goes.
"""

from __future__ import annotations

import re

from pipeline.codelines import INDENTED, code_kinds, code_spans
from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.textscan import CJK, code_line_mask, escape_block_start, is_indented_prose

# a run is tried from its first character only: a long run inside a line stays linear
_HARD = re.compile(r"(?:(?<! ) {2,}|(?<!\t)\t+)$")
_CONTINUES = re.compile(r"^(?:[ \t]|[，。、；：！？）」』”’》〉】,.;:!?)\]])")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_BLOCK_START = re.compile(
    r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|>|[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)"
    r"|`{3}|~{3}|\|)"
)
# a line that ends the paragraph above it: a break before it breaks nothing
_ENDS_PARAGRAPH = re.compile(
    r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|>|[-+*][ \t]+\S|1[.)][ \t]+\S|`{3}|~{3}"
    r"|(?:=+|-+)[ \t]*$"
    r"|([-*_])(?:[ \t]*\1){2,}[ \t]*$)"
)
_OWN_LINE = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|([-*_])(?:[ \t]*\1){2,}[ \t]*$)")
# a line after which an indented line is no paragraph's continuation: a heading, a rule,
# an empty quote line
_NO_PARAGRAPH = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|([-*_])(?:[ \t]*\1){2,}[ \t]*$|(?:>[ \t]*)+$)")
# a line that under a list item ends the list: a quote, a heading, a rule
_ENDS_LIST = re.compile(r"^ {0,3}(?:>|#{1,6}(?:[ \t]|$)|([-*_])(?:[ \t]*\1){2,}[ \t]*$)")
# a line an indented line continues as paragraph text, where mistune reads code
_LAZY_AFTER = re.compile(r"^ {0,3}(?:>|\[(?!\^)[^\]]+\]:)")
_QUOTE_MARKS = re.compile(r"^(?: {0,3}>[ \t]?)+")
_ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
# a footnote definition: the indented paragraphs under it are its own
_FOOTNOTE = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:")


class LineBreaks(Stage):
    """Tidy lines: trailing spaces, clipper hard breaks, blank-line runs, indented CJK prose."""

    name = "line_breaks"
    priority = 230
    scope = "text"
    defaults = {"clipper_threshold": 0.5}
    # indented CJK prose was a code block only by accident; clipper breaks are not
    # the author's paragraphs
    restructures = frozenset(
        {"indented_prose", "hard_break_paragraph", "fragment_joined", "marker_line_joined"}
    )

    def run(self, doc: Document, ctx: StageContext) -> None:
        lines = doc.text.split("\n")
        code = code_line_mask(lines)
        base = doc.body_line
        rec = lambda kind, i, before, after: ctx.record(kind, base + i, before, after)
        if _join_marker_lines(lines, code, rec):
            code = code_line_mask(lines)

        # whitespace-only lines are blank lines
        for i, line in enumerate(lines):
            if not code[i] and line and not line.strip():
                lines[i] = ""
                rec("whitespace_only_line", i, line, "")

        prose = [i for i, c in enumerate(code) if not c and lines[i].strip()]
        hard = [i for i in prose if _HARD.search(lines[i])]
        # a clipper ends paragraphs with the same two spaces, where they break nothing;
        # a writer's deliberate breaks (a poem, an address) sit inside paragraphs only
        dangling = sum(1 for i in hard if i + 1 == len(lines) or not lines[i + 1].strip())
        clipper = (
            bool(prose)
            and len(hard) / len(prose) >= self.options["clipper_threshold"]
            and len(hard) >= 3
            and dangling >= max(3, len(hard) // 10)
        )
        spans = code_spans(lines, code)[1]

        out: list[str] = []
        out_code: list[bool] = []
        out_src: list[int] = []
        i = 0
        while i < len(lines):
            line, is_code = lines[i], code[i]
            if is_code:
                out.append(line), out_code.append(True), out_src.append(i)
                i += 1
                continue
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            nxt_text = nxt is not None and not code[i + 1] and nxt.strip() != ""
            if (
                _HARD.search(line)
                and line.strip()
                and not _ATX.match(line)
                and not (i in spans and not clipper)
            ):
                if nxt_text and not clipper and not _ENDS_PARAGRAPH.match(_in_same_quote(line, nxt)):
                    out.append(line), out_code.append(False), out_src.append(i)
                    i += 1
                    continue
                if nxt_text and clipper and _continues(line, nxt) and not _BLOCK_START.match(nxt):
                    joined = (
                        _strip_end(line)
                        + (" " if nxt[:1].isspace() and _spaced(line, nxt) else "")
                        + nxt.strip()
                    )
                    if nxt.rstrip() != nxt.rstrip(" \t") or _HARD.search(nxt):
                        joined += "  "  # the joined line may itself end in a break
                    rec("fragment_joined", i, line + "\n" + nxt, joined)
                    lines[i + 1] = joined
                    i += 1
                    continue
                stripped = _strip_end(line)
                if nxt_text and clipper:
                    rec("hard_break_paragraph", i, line, stripped + "\n")
                    out.extend([stripped, ""]), out_code.extend([False, False]), out_src.extend([i, i])
                else:
                    rec("trailing_space", i, line, stripped)
                    out.append(stripped), out_code.append(False), out_src.append(i)
                i += 1
                continue
            if line != line.rstrip() and i not in spans:
                rec("trailing_space", i, line, _strip_end(line))
                line = _strip_end(line)
            out.append(line), out_code.append(False), out_src.append(i)
            i += 1

        out = self._dedent_prose(out, out_code, out_src, rec)
        text = self._collapse_blank_runs(out, out_code, out_src, rec)
        if text != doc.text:
            doc.text = text

    @staticmethod
    def _dedent_prose(lines, code, src, rec) -> list[str]:
        # the lines that open an indented block: no paragraph is open above them, even
        # with no blank line between (``>     x`` over ``    y``: the quote's code ends)
        opens: set[int] = set()
        kinds = code_kinds(lines, opens)
        opens = {k for k in opens if kinds[k] == INDENTED}
        i, n = 0, len(lines)
        prev_block = ""
        while i < n:
            if code[i] or not lines[i].strip():
                i += 1
                continue
            j = i + 1
            if _indented(lines[i]):  # indented lines end at the first line that is not
                while j < n and not code[j] and lines[j].strip() and _indented(lines[j]):
                    j += 1
            elif not _OWN_LINE.match(lines[i]):  # a heading or a rule is a block of its own
                while (
                    j < n
                    and not code[j]
                    and lines[j].strip()
                    and not _OWN_LINE.match(lines[j])
                    and not (_indented(lines[j]) and _NO_PARAGRAPH.match(lines[j - 1]))
                    and j not in opens
                ):
                    j += 1
            for k in range(i + 1, j):
                bare = lines[k].lstrip()
                if (
                    _indented(lines[k])
                    and _LAZY_AFTER.match(lines[k - 1])
                    and escape_block_start(bare, inside=False) == bare
                ):
                    # CommonMark reads it on as the paragraph's text; mistune, after a
                    # definition or a quote's second line, as code: its indent goes
                    rec("indented_prose", src[k], lines[k], lines[k].lstrip())
                    lines[k] = lines[k].lstrip()
            block = lines[i:j]
            after_blank = (
                i == 0 or not lines[i - 1].strip() or bool(_NO_PARAGRAPH.match(lines[i - 1])) or i in opens
            )
            indented = all(_indented(ln) for ln in block)
            if (
                indented
                and after_blank
                and not _item(prev_block)
                and not _FOOTNOTE.match(prev_block)
                and not prev_block.startswith(("    ", "\t"))
                and is_indented_prose(block)
            ):
                for k in range(i, j):
                    rec("indented_prose", src[k], lines[k], lines[k].lstrip())
                    lines[k] = lines[k].lstrip()
            # "-\n>": an unindented quote (or heading, rule) under an item ends the list;
            # it is the block that what follows comes after
            prev_block = next(
                (ln for ln in reversed(lines[i + 1 : j]) if ln[:1] not in " \t" and _ENDS_LIST.match(ln)),
                lines[i],
            )
            i = j
        return lines

    @staticmethod
    def _collapse_blank_runs(lines, code, src, rec) -> str:
        out: list[str] = []
        for k, line in enumerate(lines):
            if not code[k] and line == "" and out and out[-1] == "" and not code[k - 1]:
                rec("blank_line_run", src[k], "\n", "")
                continue
            out.append(line)
        while out and out[0] == "" and not code[0]:
            out.pop(0)
        while out and out[-1] == "":
            out.pop()
        return "\n".join(out) + "\n" if out else ""


# a list marker alone on its line, and the line a clipper put its text on
_LONE_MARKER = re.compile(r"^( {0,3})([-+*]|\d{1,9}[.)])[ \t]*$")
_SETEXT_OR_RULE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$|^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")


def _join_marker_lines(lines: list[str], code: list[bool], rec) -> bool:
    """``-`` alone on a line over its text, not indented: CommonMark reads an empty item
    and a paragraph after the list (a lazy line continues no paragraph of an empty
    item); the author wrote one item, as ``- text``. Joined, every reader sees it."""
    changed = False
    i = 0
    while i + 1 < len(lines):
        m = _LONE_MARKER.match(lines[i])
        nxt = lines[i + 1]
        prev = lines[i - 1] if i else ""
        if (
            m
            and not code[i]
            and not code[i + 1]
            and nxt.strip()
            # after a paragraph line "-" underlines it, and "*" continues it
            and (not prev.strip() or _item(prev))
            and len(nxt.expandtabs(4)) - len(nxt.expandtabs(4).lstrip())
            < len(m.group(1)) + len(m.group(2)) + 1
            and not _BLOCK_START.match(nxt)
            and not _SETEXT_OR_RULE.match(nxt)
            and not nxt.lstrip().startswith("<")
            and not re.match(r"\[[ xX]\](?:\s|$)", nxt.lstrip())  # (joined, a task's box)
        ):
            joined = m.group(1) + m.group(2) + " " + nxt.strip(" \t")
            rec("marker_line_joined", i, lines[i] + "\n" + nxt, joined)
            lines[i : i + 2] = [joined]
            del code[i]
            changed = True
        i += 1
    return changed


def _strip_end(line: str) -> str:
    """The line without trailing whitespace. A backslash that the whitespace kept
    from the line end (``D:\\ ``) is escaped, or it would become a hard break (or
    escape what is joined after it)."""
    stripped = line.rstrip()
    if stripped != line and stripped.endswith("\\"):
        run = len(stripped) - len(stripped.rstrip("\\"))
        if run % 2:
            stripped += "\\"
    return stripped


def _continues(line: str, nxt: str) -> bool:
    """Is ``nxt`` the rest of the sentence that ``line`` broke off (an inline element cut out)?"""
    if _CONTINUES.match(nxt) or line.count("`") % 2:  # an open code span goes on
        return True
    stripped = line.rstrip()
    if stripped.endswith(_OPENS) and "**" not in stripped[-3:]:
        return True
    fragment = nxt.strip()
    if fragment[:1] in _OPENING_BRACKETS and not stripped.endswith(_ENDS):
        return True  # "单位可以是 c" + "（字节）、": the sentence goes on
    return (len(fragment) <= 2 and fragment.isalnum()) or fragment in _OPENING_BRACKETS


_OPENS = tuple("（「『《〈【([，、")
_OPENING_BRACKETS = set("（「『《〈【([")
_ENDS = tuple("。！？.!?：:；;…")


def _spaced(line: str, nxt: str) -> bool:
    """Fragments of CJK text join with no space; anything next to Latin text keeps one."""
    last, first = line.rstrip()[-1:], nxt.strip()[:1]
    return bool(last) and not (CJK.match(last) and CJK.match(first or " "))


def _in_same_quote(line: str, nxt: str) -> str:
    """``nxt`` less the quote marks it shares with ``line``: "> a  " over "> b" goes on."""
    a, b = _QUOTE_MARKS.match(line), _QUOTE_MARKS.match(nxt)
    depth = a.group(0).count(">") if a else 0
    if depth and b and b.group(0).count(">") == depth and nxt[b.end() :].strip():
        return nxt[b.end() :]
    return nxt


def _indented(line: str) -> bool:
    """Does the line start with four columns of blanks (a tab reaches the next stop)?"""
    lead = line[: len(line) - len(line.lstrip(" \t"))]
    return len(lead.expandtabs(4)) >= 4


def _item(line: str) -> bool:
    """Does the line open a list item (``* * *`` is a rule)?"""
    return bool(_LIST_ITEM.match(line)) and not _OWN_LINE.match(line)
