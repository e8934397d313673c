"""The flags the DOCX writer adds to ``galley convert``, declared apart from the writer so
that the command line is built without loading python-docx."""
from __future__ import annotations

from ..writer import CommandOption

COMMAND_OPTIONS = (
    CommandOption("--page-size", "page_size",
                  "DOCX page size (default A4; with --reference-docx, the reference's own).",
                  choices=("a4", "letter", "a5", "b5", "legal")),
    CommandOption("--toc", "toc", "DOCX: a table of contents after the title block.", is_flag=True),
    CommandOption("--reference-docx", "reference_docx",
                  "DOCX: take styles, page set-up, headers and footers from this .docx/.dotx.",
                  existing_file=True),
)
