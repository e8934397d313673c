"""Writer ``docx`` (under construction)."""
from __future__ import annotations

from ..document import Document
from ..writer import Capabilities, Writer


class DocxWriter(Writer):
    """DOCX (not yet available)."""

    name = "docx"
    extension = "docx"
    capabilities = Capabilities(embeds_images=True)

    def render(self, doc: Document) -> bytes:
        raise NotImplementedError("the docx writer is not built yet")
