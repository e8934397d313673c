"""The document that flows through the pipeline, and the records stages leave on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections import Counter


@dataclass(frozen=True)
class Change:
    """One edit a stage made: where, what kind, what was there and what replaced it."""

    stage: str
    kind: str
    line: int | None
    before: str
    after: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "kind": self.kind,
            "line": self.line,
            "before": self.before,
            "after": self.after,
        }


@dataclass
class Metadata:
    """Normalized article metadata; `extra` keeps every other front-matter key in order."""

    title: str | None = None
    author: str | None = None
    date: str | None = None
    source: str | None = None
    lang: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    CORE = ("title", "author", "date", "source", "lang")

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in self.CORE if getattr(self, k)}
        for k, v in self.extra.items():
            if k not in out:
                out[k] = v
        return out


@dataclass
class Asset:
    """A binary resource a writer packages (an image, for now)."""

    name: str
    media_type: str
    data: bytes
    width: int | None = None
    height: int | None = None


@dataclass
class Document:
    """Source path, raw bytes, then text and metadata, then the parsed tree.

    The tree is mistune's AST (a list of token dicts); top-level tokens carry
    a ``line`` key with the 1-based source line they start on, so that tree stages
    can say where they changed something.
    """

    path: Path
    raw: bytes = b""
    text: str = ""
    meta: Metadata = field(default_factory=Metadata)
    tree: list[dict[str, Any]] | None = None
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    assets: dict[str, Asset] = field(default_factory=dict)
    #: what happened to each image (reference, outcome, asset name, bytes, hash)
    images: list[dict[str, Any]] = field(default_factory=list)
    #: significant text the stages declared removable (debris), by stage
    removed_text: list[str] = field(default_factory=list)
    #: line offset of the body in the source file (front matter lines before it)
    body_line: int = 1
    #: ``original``: a str, or a long one compressed (``pack_original``)
    _original: str | bytes = field(default="", repr=False)
    #: what the output's text is compared with (the body plus metadata values)
    reference: str | None = None
    #: ``reference`` (or ``original``) as ``textkeep.counted`` counts it, taken once
    #: the text stages that read the document ran: a long text is not kept twice more
    reference_counts: Counter[str] | None = None
    #: structure changes no stage declared (``guard.Finding``), in document order
    structure: list[Any] = field(default_factory=list)
    #: the other files the stages read (a local picture): path -> SHA-256 of the
    #: bytes read. Their outputs depend on them: an incremental run that finds one
    #: changed converts the document again.
    dependencies: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def original(self) -> str:
        """The decoded text before any stage edited it."""
        kept = self._original
        if isinstance(kept, str):
            return kept
        import zlib

        return zlib.decompress(kept).decode("utf-8", "surrogatepass")

    @original.setter
    def original(self, text: str) -> None:
        self._original = text

    def pack_original(self) -> None:
        """Keep ``original`` compressed: a long document is then not held as text once
        more while the stages run (it is read back for ``galley clean --diff`` only)."""
        if isinstance(self._original, str):
            import zlib

            self._original = zlib.compress(self._original.encode("utf-8", "surrogatepass"), 1)

    def depend(self, path: Path, data: bytes) -> None:
        """Note that a stage read ``data`` from ``path`` (see ``dependencies``)."""
        import hashlib

        self.dependencies[str(path)] = hashlib.sha256(data).hexdigest()

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
