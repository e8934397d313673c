"""Read stage fixture files in the markdown-it "dot" format.

    title of the case
    .
    input markdown
    .
    expected markdown
    .

Cases are separated by blank lines. ``{U+00A0}`` stands for that character, so
that invisible debris stays visible in the file. A title ending in
``[promo=true]`` runs the stage with that option (``[a=1, b=x]``: several; the
value is read as TOML reads it).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_ESCAPE = re.compile(r"\{U\+([0-9A-Fa-f]{4,6})\}")
_OPTIONS = re.compile(r"\s\[(\w+=[^\]]*)\]$")


def _options(title: str) -> dict[str, Any]:
    """The stage options a case's title asks for (``[promo=true]`` at its end)."""
    m = _OPTIONS.search(title)
    return tomllib.loads("\n".join(p.strip() for p in m.group(1).split(","))) if m else {}


@dataclass
class Case:
    stage: str
    title: str
    source: str
    expected: str
    line: int
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.stage}:{self.line}:{self.title[:40]}"


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def read_cases(path: Path) -> list[Case]:
    lines = path.read_text(encoding="utf-8").split("\n")
    cases: list[Case] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        title, start = lines[i], i + 1
        if i + 1 >= len(lines) or lines[i + 1] != ".":
            raise ValueError(f"{path}:{i + 1}: expected '.' after the case title")
        parts: list[list[str]] = [[]]
        j = i + 2
        while j < len(lines) and len(parts) < 3:
            if lines[j] == ".":
                parts.append([])
            else:
                parts[-1].append(lines[j])
            j += 1
        if len(parts) < 3:
            raise ValueError(f"{path}:{start}: unterminated case {title!r}")
        source, expected = ("\n".join(p) + "\n" if p else "" for p in parts[:2])
        cases.append(Case(path.stem, title, _unescape(source), _unescape(expected), start, _options(title)))
        i = j
    return cases
