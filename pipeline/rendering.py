"""One file through the pipeline and the writers: the unit of work of every command."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .document import Document
from .errors import GalleyError, WriterError
from .runner import Pipeline
from .textkeep import kept_share, meta_text, strip_front_matter
from .writer import Writer


@dataclass
class Rendered:
    """What the writers made of one document, not yet written anywhere."""

    doc: Document
    outputs: dict[str, bytes] = field(default_factory=dict)  # relative path -> bytes
    seconds: float = 0.0
    kept: float = 1.0
    missing: str = ""
    #: stage -> the change kinds it declares as removing debris
    removal_kinds: dict[str, frozenset[str]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        by_stage: dict[str, dict[str, int]] = {}
        removed: dict[str, int] = {}
        for c in self.doc.changes:
            by_stage.setdefault(c.stage, {}).setdefault(c.kind, 0)
            by_stage[c.stage][c.kind] += 1
            if c.kind in self.removal_kinds.get(c.stage, ()):
                removed[f"{c.stage}/{c.kind}"] = removed.get(f"{c.stage}/{c.kind}", 0) + 1
        return {
            "changes": by_stage,
            "removed": dict(sorted(removed.items())),
            "kept": round(self.kept, 5),
            "missing_sample": self.missing,
            "warnings": list(self.doc.warnings),
            "structure": [f.as_dict() for f in self.doc.structure],
            "images": list(self.doc.images),
            "timings": {k: round(v, 5) for k, v in self.doc.timings.items()},
        }


def render(
    pipeline: Pipeline, writers: list[Writer], path: Path, stem: str, raw: bytes | None = None
) -> Rendered:
    """Clean ``path`` and render it with every writer; outputs are named ``stem.ext``."""
    started = time.perf_counter()
    doc = pipeline.process(path, raw)
    pipeline.enforce(doc)
    result = Rendered(doc, removal_kinds=pipeline.removal_kinds)
    md_text: str | None = None
    for writer in writers:
        t0 = time.perf_counter()
        try:
            data = writer.render(doc)
            extra = writer.files(doc)
        except GalleyError:
            raise
        except Exception as exc:
            raise WriterError(writer.name, exc) from exc
        doc.timings[f"writer:{writer.name}"] = time.perf_counter() - t0
        result.outputs[f"{stem}.{writer.output_extension}"] = data
        folder = stem.rpartition("/")[0]
        for rel, blob in extra.items():  # relative to the main output's folder
            result.outputs[f"{folder}/{rel}" if folder else rel] = blob
        if writer.name == "md":
            md_text = data.decode("utf-8")
    body = strip_front_matter(md_text) if md_text is not None else _markdown_body(doc)
    reference: str | Counter[str] = (
        doc.reference_counts
        if doc.reference_counts is not None
        else doc.original
        if doc.reference is None
        else doc.reference
    )
    result.kept, result.missing = kept_share(
        reference, body, "\n".join(doc.removed_text), plain=meta_text(doc.meta.as_dict())
    )
    if result.kept < 0.999 and result.missing:
        doc.warn(
            f"text lost: {100 * (1 - result.kept):.2f}% of the text is missing "
            f"from the output ({result.missing!r})"
        )
    result.seconds = time.perf_counter() - started
    return result


_LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")


def _one_line_values(value: Any) -> bool:
    """Whether YAML writes every value on its own ``key: value`` line (no line of the
    front matter can then be ``---`` or ``...``)."""
    if isinstance(value, dict):
        return all(
            isinstance(k, str) and _one_line_values(k) and _one_line_values(v) for k, v in value.items()
        )
    if isinstance(value, (list, tuple)):
        return all(_one_line_values(v) for v in value)
    if isinstance(value, str):
        return len(value) < 1000 and not any(b in value for b in _LINE_BREAKS)
    return value is None or isinstance(value, (bool, int, float))


def _markdown_body(doc: Document) -> str:
    """The clean Markdown without its front matter, for the text-kept measure of a run
    with no Markdown output: the text of ``strip_front_matter(render_document(doc))``,
    without writing (and importing) YAML when the front matter is plain ``key: value``
    lines, and without reading the Markdown back (the writer's settling changes how a
    block is spelled, not which letters it holds)."""
    from .writers.markdown import render_body, render_document

    meta = doc.meta.as_dict()
    if meta and not _one_line_values(meta):
        return strip_front_matter(render_document(doc))
    # no read-back (``source=None``): a measure of letters needs no settled spelling
    body = render_body(doc.tree or [], None, None, doc.body_line, None, doc)
    # the front matter ends "---\n\n": stripping it leaves the blank line
    return "\n" + body if meta else strip_front_matter(body)
