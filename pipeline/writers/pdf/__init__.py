"""Writer ``pdf``: the DOCX writer's document, printed to PDF by LibreOffice.

The PDF is the DOCX of the same options (``page_size``, ``toc``, ``reference_docx``,
``smart_quotes``...: see ``writers.docx``) exported by LibreOffice in headless mode
(``writers.pdf.office``): bookmarks from the headings, every font embedded, tagged,
the table of contents' page numbers filled, the document's title and language set.

Options (``--set pdf.NAME=VALUE`` or ``[tool.galley.writers.pdf]``), besides the DOCX
writer's: ``timeout``, the seconds one conversion may take before LibreOffice is
stopped (default 300).
"""

from __future__ import annotations

from typing import Any

from ...document import Document
from ...errors import ConfigError
from ...writer import Writer
from ..common import language
from ..docx import DocxWriter
from ..docx.styles import full_tag
from .catalog import set_language
from .office import find_soffice, office


class PdfWriter(Writer):
    """PDF printed by LibreOffice from the DOCX (bookmarks, embedded fonts, tagged)."""

    name = "pdf"
    extension = "pdf"
    version = "1"
    capabilities = DocxWriter.capabilities
    defaults = {**DocxWriter.defaults, "timeout": 300.0}

    def __init__(self, variant: str | None = None, **options: Any):
        super().__init__(variant, **options)
        docx_options = {k: v for k, v in self.options.items() if k in DocxWriter.defaults}
        self.docx = DocxWriter(variant, **docx_options)
        self.timeout = float(self.options["timeout"])
        if self.timeout <= 0:
            raise ConfigError("pdf: timeout must be more than 0 seconds")
        self.soffice = find_soffice()

    def render(self, doc: Document) -> bytes:
        pdf = office(self.soffice).convert(self.docx.render(doc), self.timeout)
        return set_language(pdf, full_tag(language(doc)))
