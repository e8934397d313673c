"""Bases for the two common shapes of stage: a repair line by line, a repair block by block.

``LineRepair`` (text stages) does the chores every line-wise text repair shares:
it splits the text into lines, leaves code alone wherever it sits (fenced or
indented, at the top, in block quotes, list items or callouts: see
``textscan.code_line_mask``), hands each other line to ``repair_line``, keeps the
line's block role (an edit at the front must not make a heading, a list item or a
footnote definition: ``textscan.keep_block_role``), records each change with the
line's number in the source, and keeps the line count (later line numbers stay
those of the source). A stage says only how one line is repaired::

    class IdeographicSpaces(LineRepair):
        markers = ("\\u3000",)

        def repair_line(self, line, edit):
            edit.kind("ideographic_space")
            return _RUN.sub(" ", line)

``TreeRepair`` (tree stages) walks the blocks of the tree in document order,
asks ``match`` of each whether it is debris, and lets ``handle`` repair what
matched: edit the block in place, or return the blocks that take its place (none
to drop it; a container emptied that way goes too).
"""

from __future__ import annotations

from typing import Any, ClassVar

from .document import Document
from .stage import Stage, StageContext
from .textscan import code_line_mask, keep_block_role
from .tree import CONTAINERS

Token = dict[str, Any]


class LineEdit:
    """One line under repair: where it is, and what the repair records there."""

    __slots__ = ("ctx", "index", "kinds", "number", "survey")

    def __init__(self, ctx: StageContext, index: int, number: int, survey: Any):
        self.ctx = ctx
        #: the line's index in the body, and its number in the source file
        self.index, self.number = index, number
        #: what ``LineRepair.survey`` found in the whole text
        self.survey = survey
        self.kinds: list[str] = []

    def kind(self, kind: str) -> None:
        """Record the whole line (before and after) under ``kind``, if the repair
        changed it."""
        self.kinds.append(kind)

    def record(self, kind: str, before: str, after: str = "") -> None:
        """Record a piece of the line now (what was there, what replaced it)."""
        self.ctx.record(kind, self.number, before, after)


class LineRepair(Stage):
    """Base of the text stages that repair one line at a time, never inside code."""

    scope: ClassVar[str] = "text"
    #: a line is looked at only when it holds one of these (empty: every line)
    markers: ClassVar[tuple[str, ...]] = ()
    #: a line the repair left holding only blanks becomes empty
    blank_emptied: ClassVar[bool] = False

    def run(self, doc: Document, ctx: StageContext) -> None:
        if not self.wants_text(doc.text):
            return
        lines = doc.text.split("\n")
        code = code_line_mask(lines)
        survey = self.survey(doc.text, lines, code)
        changed = False
        for i, line in enumerate(lines):
            if not code[i] and not self.wants_line(line):
                continue
            edit = LineEdit(ctx, i, doc.body_line + i, survey)
            if code[i]:
                new = self.repair_code_line(line, edit)
            else:
                new = keep_block_role(line, self.repair_line(line, edit))
            if new != line:
                for kind in edit.kinds:
                    ctx.record(kind, edit.number, line, new)
                lines[i] = "" if self.blank_emptied and not new.strip() else new
                changed = True
        if changed:
            doc.text = "\n".join(lines)

    def wants_text(self, text: str) -> bool:
        """Is there anything to look at in the text? (By default: one of ``markers``.)"""
        return not self.markers or any(m in text for m in self.markers)

    def wants_line(self, line: str) -> bool:
        """Is this line (not code) worth a look? (By default: one of ``markers``.)"""
        return not self.markers or any(m in line for m in self.markers)

    def survey(self, text: str, lines: list[str], code: list[bool]) -> Any:
        """What the repair needs to know of the whole text, once (``edit.survey``)."""
        return None

    def repair_line(self, line: str, edit: LineEdit) -> str:  # pragma: no cover - protocol
        """The line repaired (the same line when there is nothing to do); the kinds of
        change go to ``edit``."""
        raise NotImplementedError

    def repair_code_line(self, line: str, edit: LineEdit) -> str:
        """A line of code: left as it is, unless a stage knows better."""
        return line


class TreeRepair(Stage):
    """Base of the tree stages that repair one block at a time."""

    scope: ClassVar[str] = "tree"
    #: look at the top-level blocks only (False: at every depth, inside quotes and lists)
    top_level_only: ClassVar[bool] = False

    def run(self, doc: Document, ctx: StageContext) -> None:
        doc.tree = self._repair(doc.tree or [], ctx, None)

    def _repair(self, blocks: list[Token], ctx: StageContext, line: int | None) -> list[Token]:
        out: list[Token] = []
        for block in blocks:
            at = block.get("line", line)
            found = self.match(block)
            if found is not None:
                replaced = self.handle(block, found, ctx, at)
                if replaced is not None:
                    out.extend(replaced)
                    continue
            if not self.top_level_only and block.get("type") in CONTAINERS and block.get("children"):
                inner = self._repair(block["children"], ctx, at)
                if not inner:
                    continue  # emptied by the repair (an item empty in the source stays)
                block["children"] = inner
            out.append(block)
        return out

    def match(self, block: Token) -> Any:  # pragma: no cover - protocol
        """What makes ``block`` debris (anything but None), or None when it is not."""
        raise NotImplementedError

    def handle(
        self, block: Token, found: Any, ctx: StageContext, line: int | None
    ) -> list[Token] | None:  # pragma: no cover - protocol
        """Repair ``block`` (``found`` is what ``match`` returned; ``line`` the
        top-level line it sits in) and record it. Return the blocks that replace it,
        or None when it was edited in place (its children are then looked at too)."""
        raise NotImplementedError
