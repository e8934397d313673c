"""Writer ``epub`` (under construction)."""
from __future__ import annotations

from ..document import Document
from ..writer import Capabilities, Writer


class EpubWriter(Writer):
    """EPUB (not yet available)."""

    name = "epub"
    extension = "epub"
    capabilities = Capabilities(embeds_images=True)

    def render(self, doc: Document) -> bytes:
        raise NotImplementedError("the epub writer is not built yet")
