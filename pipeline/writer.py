"""The Writer protocol, its declared capabilities, and the registry of installed writers.

Writers only render: they get a cleaned Document (metadata + tree + assets) and
return bytes. What a writer can take is declared in ``capabilities`` so that the
image step adapts to it (as Sphinx builders declare ``supported_image_types``).

Writers are named in the ``galley.writers`` entry-point group. A name with a colon
(``pandoc:odt``) selects a writer family (``pandoc``) and passes the rest as its
``variant``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, ClassVar

from .errors import ConfigError

if TYPE_CHECKING:
    from .document import Document


@dataclass(frozen=True)
class Capabilities:
    #: media types of images the format can carry
    image_types: frozenset[str] = frozenset()
    #: may the output reference http(s) images instead of embedding them
    remote_images: bool = False
    #: does the output embed image bytes (EPUB, DOCX) or reference files (Markdown)
    embeds_images: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class Writer:
    """Base class of all writers."""

    name: ClassVar[str] = ""
    extension: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    capabilities: ClassVar[Capabilities] = Capabilities()
    defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, variant: str | None = None, **options: Any):
        unknown = sorted(set(options) - set(self.defaults))
        if unknown:
            valid = ", ".join(sorted(self.defaults)) or "none"
            raise ConfigError(f"writer {self.name!r} has no option {unknown[0]!r}. Options: {valid}")
        self.variant = variant
        self.options = {**self.defaults, **options}

    @classmethod
    def description(cls) -> str:
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""

    @property
    def output_extension(self) -> str:
        return self.extension

    def render(self, doc: "Document") -> bytes:  # pragma: no cover - protocol
        raise NotImplementedError

    def files(self, doc: "Document") -> dict[str, bytes]:
        """Extra files written next to the main output (relative path -> bytes)."""
        return {}


def available_writers() -> dict[str, type[Writer]]:
    found: dict[str, type[Writer]] = {}
    for ep in entry_points(group="galley.writers"):
        cls = ep.load()
        if not (isinstance(cls, type) and issubclass(cls, Writer)):
            raise ConfigError(f"entry point {ep.name!r} ({ep.value}) is not a galley Writer")
        found[ep.name] = cls
    return found


def make_writer(spec: str, options: dict[str, Any] | None = None,
                registry: dict[str, type[Writer]] | None = None) -> Writer:
    """Build a writer from a name such as ``md`` or ``pandoc:odt``."""
    registry = registry if registry is not None else available_writers()
    family, _, variant = spec.partition(":")
    if family not in registry:
        raise ConfigError(f"No writer {family!r}. Available: {', '.join(sorted(registry))}")
    return registry[family](variant or None, **(options or {}))
