"""What counts as the text of an article, and how much of it an output kept.

Letters, digits and CJK characters count (after NFKC); punctuation, markup and
whitespace do not. The same measure is used for the "text lost" warning and the
share of text kept in reports.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from typing import Any

_SIGNIFICANT = re.compile(r"[^\W_]", re.U)
_FRONT_MATTER = re.compile(r"\A---\n.*?\n(?:---|\.\.\.)\n", re.S)


def strip_front_matter(text: str) -> str:
    m = _FRONT_MATTER.match(text)
    return text[m.end() :] if m else text


# (after ">" a blank is optional; a definition in a list item may be indented past the
# item's content column, which a line alone does not tell: any indent is taken; a
# destination is any character but an ASCII blank, so "[a]:\xa0b" is one)
_LINK_DEFINITION = re.compile(
    r"(?m)^[ \t]*+(?:>[ \t]*+|(?:[-+*]|\d{1,9}[.)])[ \t]++)*\[(?!\^[^\]\n])[^\]\n]+\]:[ \t]*[^ \t\n].*$"
)
# a footnote's label: no text of the article; what follows it may be a definition
_FOOTNOTE_LABEL = re.compile(r"([ \t]*+(?:>[ \t]*+|(?:[-+*]|\d{1,9}[.)])[ \t]++)*)\[\^([^\]\n]+)\]:[ \t]*")
# "\&" is the character "&": what follows it is no entity
_ESCAPED_AMPERSAND = re.compile(r"(?<!\\)((?:\\\\)*)\\&")


# A destination: characters, backslash escapes, parentheses nested three deep (a reader
# allows more, the scraped pages do not), or <...>; a title may follow.
_PLAIN = r"(?:\\.|[^()\n\\])"
_NEST1 = r"(?:" + _PLAIN + r"|\(" + _PLAIN + r"*\))"
_NEST2 = r"(?:" + _PLAIN + r"|\(" + _NEST1 + r"*\))"
_NEST3 = r"(?:" + _PLAIN + r"|\(" + _NEST2 + r"*\))"
_TITLE = r"(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\))"
# Each alternative starts with its literal character (the unescaped check comes after
# it), so that the regex engine skips to the next "]" or "<" instead of trying every
# position.
_MARKUP = re.compile(
    r"\](?<!\\\])\(\s*<(?:\\.|[^<>\n\\])*>[^()\n]*\)"  # <...> destinations
    # destinations (a line may end before, and before a title)
    r"|\](?<!\\\])\((?:[^\S\n]*\n)?"
    + _NEST3
    + r"*(?:\n[^\S\n]*(?:"
    + _TITLE
    + r"[^\S\n]*(?:\n[^\S\n]*)?)?)?\)"
    r"|\](?<!\\\])(\[(?!\^)[^\]\n]*\])(?!\()"  # reference labels (not footnotes)
    # HTML tags (a quoted value may hold ">") and autolink brackets (not "\<")
    r"|<(?<!\\<)[A-Za-z/!?](?>\"[^\"\n]*\"|'[^'\n]*'|[^<>\n])*>"
)


# (a URI, or an e-mail address as CommonMark spells one)
_AUTOLINK = re.compile(
    r"<([A-Za-z][A-Za-z0-9.+-]{1,31}:[^<>\s]*"
    r"|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)>"
)
# (blanks taken possessively: a marker never starts with one, and a deep indent is not
# given back one space at a time)
_LIST_MARKER = re.compile(
    r"(?m)^[^\S\n]*+(?:>[^\S\n]*+|(?:[-+*]|\d{1,9}[.)])[^\S\n]++)*"
    r"\d{1,9}[.)](?:[^\S\n]|$)"
)


# a task's box ("- [x] ") is no text: a writer may spell an empty task differently
_TASK_BOX = re.compile(
    r"(?m)^([^\S\n]*+(?:>[^\S\n]*+|(?:[-+*]|\d{1,9}[.)])[^\S\n]++)*?"
    r"(?:[-+*]|\d{1,9}[.)])[^\S\n]++)"
    r"\[[ xX]\](?=\s|$)"
)


def _without_definitions(text: str) -> str:
    """Link definitions go; the same characters inside fenced code stay."""
    from .textscan import code_line_mask

    lines = text.split("\n")
    code = code_line_mask(lines)
    seen: set[str] = set()

    def without(line: str) -> str:
        m = _FOOTNOTE_LABEL.match(line) if "[^" in line else None
        if m:
            # a label defined again defines nothing: a reader shows the first one only
            label = " ".join(m.group(2).split()).casefold()
            if label in seen or m.group(1).strip():
                return ""  # (in a quote or a list item, a reader shows none)
            seen.add(label)
            line = m.group(1) + line[m.end() :]
        return _LINK_DEFINITION.sub("", line)

    out = [ln if code[k] else without(ln) for k, ln in enumerate(lines)]
    for k in range(len(lines) - 1):
        # "[a]:" with its address alone on the next line (where a paragraph may start)
        if (
            not code[k]
            and not code[k + 1]
            and (k == 0 or not lines[k - 1].strip() or out[k - 1] == "")
            and _OPEN_DEFINITION.search(lines[k])
            and _DESTINATION_LINE.match(lines[k + 1])
        ) or (
            not code[k]
            and not code[k + 1]
            and (k == 0 or not lines[k - 1].strip() or out[k - 1] == "")
            and _LABEL_OPENS.match(lines[k])
            and _LABEL_CLOSES.match(lines[k + 1])
        ):
            out[k] = out[k + 1] = ""
    return "\n".join(out)


# a definition's label (not a footnote's) with nothing after it, and an address alone
_OPEN_DEFINITION = re.compile(r"^ {0,3}(?:\[\^[^\]\n]+\]:[ \t]*)?\[(?!\^[^\]\n])[^\]\n]+\]:[ \t]*$")
_LABEL_OPENS = re.compile(r"^ {0,3}\[(?!\^)[^\[\]]*$")
_LABEL_CLOSES = re.compile(r"^[^\[\]]*(?<!\\)\]:[ \t]*[^ \t\n].*$")
_DESTINATION_LINE = re.compile(r"[ \t]*[^\s\"'(<][^\s]*[ \t]*$|[ \t]*<[^<>\n]*>[ \t]*$")


def _markup_repl(first_bracket: int) -> Callable[[re.Match[str]], str]:
    """Markup goes; a "](...)" with no "[" anywhere before it opens no link and stays."""

    def repl(m: re.Match[str]) -> str:
        if m.group(0)[0] == "]" and not -1 < first_bracket < m.start():
            return m.group(0)
        return "]"

    return repl


def visible(text: str, list_markers: bool = True) -> str:
    """Markdown source without what a reader never sees: addresses, labels, tags
    (and ordered-list numbers, which renumbering may change, unless ``list_markers``
    is false)."""
    if "]:" in text:
        text = _without_definitions(text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _MARKUP.sub(_markup_repl(text.find("[")), text)
    if "&" in text:
        from .tree import decode_entities

        text = decode_entities(_ESCAPED_AMPERSAND.sub(r"\1\\&amp;", text))
    if list_markers:
        text = _TASK_BOX.sub(r"\1", text)
        text = _LIST_MARKER.sub("", text)
    return text


def meta_text(meta: Any) -> str:
    """The values (not the keys) of a metadata mapping, as text."""
    if isinstance(meta, dict):
        return "\n".join(meta_text(v) for v in meta.values())
    if isinstance(meta, (list, tuple)):
        return "\n".join(meta_text(v) for v in meta)
    return "" if meta is None else str(meta)


def significant(text: str) -> str:
    if not text:
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return "".join(_SIGNIFICANT.findall(text))


def lost_text(before: str, after: str) -> str:
    """Significant characters of ``before`` that ``after`` does not have."""
    a = Counter(significant(before))
    if not a:
        return ""
    a.subtract(Counter(significant(after)))
    return "".join(c * n for c, n in a.items() if n > 0)


def counted(text: str) -> Counter[str]:
    """The significant characters a reader sees in ``text``, counted: all that
    ``kept_share`` needs of its source (a few thousand entries, not the text)."""
    if "\r" in text:  # a line ending for every reader, as the output's "\n"
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Counter(significant(visible(text)))


def kept_share(
    source: str | Counter[str], output: str, removed: str = "", plain: str = ""
) -> tuple[float, str]:
    """Share of ``source``'s significant characters found in ``output`` (``source``
    may be given ``counted`` already).

    ``removed`` is text the stages declared debris; it is not expected in the output.
    ``plain`` is more output that is not Markdown (metadata values: ``1.`` there is a
    title, not a list marker). Returns the share and a sample of what is missing.
    """
    want = Counter(source) if isinstance(source, Counter) else counted(source)
    want.subtract(Counter(significant(removed)))
    want = +want
    total = sum(want.values())
    if not total:
        return 1.0, ""
    have = Counter(significant(visible(output))) + Counter(significant(plain))
    missing = {c: n - have[c] for c, n in want.items() if have[c] < n}
    kept = total - sum(missing.values())
    sample = "".join(sorted(missing, key=lambda c: (-missing[c], c))[:20])
    return kept / total, sample
