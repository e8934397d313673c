"""Runs the stages in order on one document, timing them and recording what they did.

The runner is the safety net (as mdformat's is): a change whose kind the stage did
not declare as removing debris must not lose text; if it does, the document gets
a "text lost" warning naming the stage and the line. The structure guard
(``guard.py``) follows the document's shape through the stages the same way and
warns "structure changed" for what no stage declared.
"""

from __future__ import annotations

import time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config
from .document import Document
from .errors import GalleyError, InputError, StageError, StructureError
from .guard import StructureGuard
from .nesting import cap_nesting
from .options import default_values
from .stage import SCOPES, Stage, StageContext, available_stages, check_names, ordered
from .textkeep import counted, lost_text, significant, visible
from .tree import parse

if TYPE_CHECKING:
    from .writer import Capabilities

MAX_TEXT_ROUNDS = 3
#: a reference text longer than this (characters) is kept counted, not as text
COUNT_REFERENCE_CHARS = 1 << 18


class Pipeline:
    """The configured chain of stages."""

    def __init__(self, config: Config | None = None, registry: dict[str, type[Stage]] | None = None):
        self.config = config or Config()
        registry = registry if registry is not None else available_stages()
        self.registry = registry
        check_names(self.config.disabled, registry)
        check_names(self.config.enabled, registry)
        check_names(list(self.config.stage_options), registry)
        self.stages: list[Stage] = []
        for cls in ordered(registry):
            on = cls.default_enabled or cls.name in self.config.enabled
            if cls.name in self.config.disabled or not on:
                continue
            self.stages.append(cls(**self.config.stage_options.get(cls.name, {})))
        self.removal_kinds = {s.name: s.removes for s in self.stages}
        #: the kinds with which each stage may change the document's structure
        self.structure_kinds = {s.name: s.removes | s.restructures for s in self.stages}

    @cached_property
    def capabilities(self) -> tuple[Capabilities, ...]:
        """The capabilities of the writers this configuration will run (those writers
        are imported the first time a document is processed, and no other)."""
        from .writer import available_writers

        wanted = {f.partition(":")[0] for f in self.config.formats}
        registry = available_writers(wanted)
        return tuple(registry[name].capabilities for name in sorted(wanted) if name in registry)

    def read(self, path: Path, raw: bytes | None = None) -> Document:
        if raw is None:
            try:
                raw = Path(path).read_bytes()
            except OSError as exc:
                raise GalleyError(exc.strerror or str(exc)) from None
        return Document(path=Path(path), raw=raw)

    def process(
        self, path: Path, raw: bytes | None = None, trace: list[tuple[str, Any, Any]] | None = None
    ) -> Document:
        """Run every stage on one file. With ``trace``, each stage appends
        ``(name, state_before, state_after)`` (text, tree and metadata) to it."""
        doc = self.read(path, raw)
        by_scope = {scope: [s for s in self.stages if s.scope == scope] for scope in SCOPES}
        for stage in by_scope["bytes"]:
            self._run_traced(stage, doc, trace)
        if not by_scope["bytes"]:
            self._fallback_decode(doc)
        for stage in by_scope["text"]:
            if stage.once:
                self._run_traced(stage, doc, trace)
        if len(doc.text) > COUNT_REFERENCE_CHARS:
            # what the output is measured against, counted now: not two more copies of a
            # long text while the stages and writers run
            doc.reference_counts = counted(doc.original if doc.reference is None else doc.reference)
            doc.reference = None
            doc.pack_original()
        cap_nesting(doc)  # time grows with nesting depth (parser, writers): flatten past a cap
        # A repair can expose more debris for an earlier one ("\u3000```" becomes a
        # fence only once its indent is gone): the repairs go round until the text
        # holds still, so that cleaning clean output changes nothing.
        repairs = [s for s in by_scope["text"] if not s.once]
        body_line = doc.body_line
        # the guard reads text states for their signature only: no emphasis needed
        guard = StructureGuard(
            self.structure_kinds, lambda text: _parse_body(text, body_line, emphasis=False)
        )
        guard.start(doc.text)
        for _round in range(MAX_TEXT_ROUNDS):
            before = doc.text
            for stage in repairs:
                text, first = doc.text, len(doc.changes)
                self._run_traced(stage, doc, trace)
                guard.text_stage(stage.name, first, len(doc.changes), text, doc.text)
            if doc.text == before:
                break
        cap_nesting(doc)  # again: a repair can deepen a line ("* ** *" lost its "**")
        guard.before_parse()
        self._parse(doc)
        guard.parsed(doc.tree or [])
        for stage in by_scope["tree"]:
            first = len(doc.changes)
            self._run_traced(stage, doc, trace)
            guard.tree_stage(stage.name, first, len(doc.changes), doc.tree or [])
        doc.structure = guard.check(doc.changes, significant(doc.meta.title or ""))
        for finding in doc.structure:
            doc.warn(finding.message())
        doc.timings["guard"] = guard.seconds
        return doc

    def enforce(self, doc: Document) -> None:
        """With ``strict``, a structure change no stage declared fails the file."""
        if self.config.strict and doc.structure:
            first = doc.structure[0]
            more = f" (and {len(doc.structure) - 1} more)" if len(doc.structure) > 1 else ""
            raise StructureError(f"{first.message()}{more}; nothing written (strict)")

    def _run_traced(self, stage: Stage, doc: Document, trace: list[tuple[str, Any, Any]] | None) -> None:
        before = _state(doc) if trace is not None else None
        self.run_stage(stage, doc)
        if trace is not None:
            trace.append((stage.name, before, _state(doc)))

    def run_stage(self, stage: Stage, doc: Document) -> None:
        ctx = StageContext(stage, doc, self.capabilities)
        first = len(doc.changes)
        started = time.perf_counter()
        try:
            stage.run(doc, ctx)
        except GalleyError:
            raise
        except Exception as exc:  # a stage's bug must not end the batch
            raise StageError(str(doc.path), stage.name, exc) from exc
        doc.timings[stage.name] = doc.timings.get(stage.name, 0.0) + time.perf_counter() - started
        self._check_changes(stage, doc, first)

    def _check_changes(self, stage: Stage, doc: Document, first: int) -> None:
        for change in doc.changes[first:]:
            lost = lost_text(visible(change.before, False), visible(change.after, False))
            if not lost:
                continue
            if change.kind in stage.removes:
                doc.removed_text.append(lost)
            else:
                where = f" (line {change.line})" if change.line else ""
                doc.warn(f"text lost: {stage.name}/{change.kind}{where} dropped {lost[:40]!r}")

    @staticmethod
    def _fallback_decode(doc: Document) -> None:
        """With the decoding stage off, read the bytes as UTF-8 (strictly)."""
        try:
            doc.text = doc.raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 (byte {exc.start}) and the decode stage is off") from None
        doc.original = doc.text

    @staticmethod
    def _parse(doc: Document) -> None:
        started = time.perf_counter()
        doc.tree = _parse_body(doc.text, doc.body_line)
        doc.timings["parse"] = time.perf_counter() - started

    def describe(self) -> list[dict[str, Any]]:
        """Every installed stage in run order, with whether it is on."""
        active = {s.name for s in self.stages}
        return [
            {
                "name": c.name,
                "priority": c.priority,
                "scope": c.scope,
                "enabled": c.name in active,
                "description": c.description(),
                "options": default_values(c.defaults),
            }
            for c in ordered(self.registry)
        ]


def _parse_body(text: str, body_line: int, emphasis: bool = True) -> list[dict[str, Any]]:
    """The tree of a body, its lines counted in the source file (after front matter)."""
    tree = parse(text, emphasis=emphasis)
    if body_line > 1:
        for tok in tree:
            if tok.get("line"):
                tok["line"] += body_line - 1
    return tree


def _state(doc: Document) -> tuple[str, Any, dict[str, Any]]:
    import copy

    return doc.text, copy.deepcopy(doc.tree), doc.meta.as_dict()
