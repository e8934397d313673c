"""What one DOCX rendering shares: the document, its style ids, counters, the parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...document import Document
from .styles import StyleMap, Typography


@dataclass
class Heading:
    level: int  # Word heading level (1 = Heading 1)
    text: str
    bookmark: str


@dataclass
class Build:
    """State of one rendering. Writers only read the Document; all state lives here."""

    doc: Document
    document: Any  # python-docx Document
    t: Typography
    styles: StyleMap
    text_width: int  # EMU
    text_height: int  # EMU
    numbering: Any = None  # numbering.Numbering
    notes: Any = None  # notes.Footnotes
    images: Any = None  # images.Images
    headings: list[Heading] = field(default_factory=list)
    #: the line breaks written as no space (between CJK characters), by token id
    joined: set[int] = field(default_factory=set)
    _ids: dict[str, int] = field(default_factory=dict)
    #: the children of the run properties of each formatting: (tag, attributes) in order
    run_props: dict[Any, tuple[tuple[str, dict[str, str]], ...]] = field(default_factory=dict)

    @property
    def cjk(self) -> bool:
        return self.t.cjk

    def sid(self, name: str) -> str | None:
        """The style id of the style called ``name`` (None: the default style)."""
        return self.styles.id(name)

    def next_id(self, kind: str) -> int:
        """Deterministic counters: drawing ids, bookmark ids."""
        n = self._ids.get(kind, 0) + 1
        self._ids[kind] = n
        return n
