"""How much a line reads as code rather than prose: one number per line.

Used where the text itself must decide what is code: fences that pair wrongly (the
pairing that puts code inside and prose outside wins) and code pasted without
fences. The score is a sum of plain signals, from -1 (surely prose) to 1 (surely
code); a blank line is 0.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_CJK_STOP = re.compile(r"[。！？，；：、]")
_BOLD = re.compile(r"\*\*[^*\s][^*]{0,200}\*\*|__[^_\s][^_]{0,200}__")
_MD_LINK = re.compile(r"!?\[[^\[\]\n]{1,300}\]\((?:https?://|/|\.)[^)\s]{0,500}\)")
_HEADING = re.compile(r"^#{1,6}[ \t]+\S")
_CODE_END = re.compile(r"[;{}(\[,\\]\s*$|^\s*[)}\]]")
_CODE_MARK = re.compile(
    r"->|=>|::|==|!=|&&|\|\||\+=|-=|:=|\w\([^\s()]{0,80}\)|\w\[\w{0,40}\]|^\s*[@$#]\w|"
    r"</?\w+[^<>\n]{0,200}>|\b\w+\s*=\s*\S"
)
_CODE_START = re.compile(
    r"^\s*(?:\$ |sudo |import |from \S+ import |def |class |func |fn |return\b|if\s*\(|"
    r"for\s*\(|while\s*\(|#include|#define|//|/\*|\*/|SELECT |INSERT |UPDATE |"
    r"apt(?:-get)? |pip |npm |git |cd |export |echo |public |private |static |const |"
    r"let |var |int |void |char |struct )"
)
_WORD = re.compile(r"[A-Za-z]{2,}")
_KEY_VALUE = re.compile(r"^\s*(?:- )?[\w.-]+:\s+\S")


def code_likeness(line: str) -> float:
    """From -1 (prose) to 1 (code); 0 for a blank line or one that says nothing."""
    s = line.strip()
    if not s:
        return 0.0
    score = 0.0
    if _CODE_START.match(line):
        score += 0.8
    if _CODE_END.search(s):
        score += 0.5
    if _CODE_MARK.search(s):
        score += 0.4
    if line[:1] in ("\t", " ") and len(line) - len(line.lstrip()) >= 2:
        score += 0.2
    if _BOLD.search(s):
        score -= 1.0
    if _MD_LINK.search(s):
        score -= 0.6
    if _KEY_VALUE.match(line) and not _CJK.search(s):
        score += 0.4
    if _HEADING.match(s):
        score -= 0.7 if _CJK.search(s) or len(_WORD.findall(s)) >= 3 else 0.4
    cjk = len(_CJK.findall(s))
    if cjk >= 4 and cjk >= len(s) / 3:
        score -= 0.9 if _CJK_STOP.search(s) else 0.6
    elif s.endswith((".", ":", "?", "!")) and not _CODE_MARK.search(s) and not _KEY_VALUE.match(s):
        words = len(_WORD.findall(s))
        score -= 0.7 if words >= 8 else 0.4 if words >= 2 else 0.0
    return max(-1.0, min(1.0, score))
