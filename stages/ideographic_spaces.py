"""Ideographic spaces (U+3000) that indent a paragraph go; runs inside a line become one space.

Before (``　`` is U+3000)::

    网络 IO 的发展过程是随着 linux 的内核演变而变化。　　阻塞 IO……

After::

    网络 IO 的发展过程是随着 linux 的内核演变而变化。 阻塞 IO……

Chinese typing indents paragraphs with two ideographic spaces; the writers indent
CJK paragraphs themselves. A single U+3000 between two characters is left alone.
This runs after the emphasis repair, which may bring two such spaces together.
"""

from __future__ import annotations

import re

from pipeline.repairs import LineEdit, LineRepair

_INDENT = re.compile(r"^([ \t]*)\u3000[ \t\u3000]*")
# (a run of blanks is tried from its first one only: a long run stays linear)
_RUN = re.compile(r"(?<![ \t])[ \t]*\u3000(?:[ \t]*\u3000)+[ \t]*|(?<![ \t])[ \t]+\u3000[ \t]*|\u3000[ \t]+")


class IdeographicSpaces(LineRepair):
    """Remove U+3000 paragraph indents; turn runs of them inside a line into one space."""

    name = "ideographic_spaces"
    priority = 225
    scope = "text"
    markers = ("\u3000",)

    def repair_line(self, line: str, edit: LineEdit) -> str:
        edit.kind("ideographic_space")
        return _RUN.sub(" ", _INDENT.sub(lambda m: m.group(1), line))
