"""The flags the DOCX writer adds to ``galley convert``, declared apart from the writer so
that the command line is built without loading python-docx. They set the same options
of the PDF writer, which prints the DOCX writer's document."""

from __future__ import annotations

from ..writer import CommandOption

PRINTED = ("pdf",)
COMMAND_OPTIONS = (
    CommandOption(
        "--page-size",
        "page_size",
        "DOCX/PDF page size (default A4; with --reference-docx, the reference's own).",
        choices=("a4", "letter", "a5", "b5", "legal"),
        also=PRINTED,
    ),
    CommandOption(
        "--toc", "toc", "DOCX/PDF: a table of contents after the title block.", is_flag=True, also=PRINTED
    ),
    CommandOption(
        "--reference-docx",
        "reference_docx",
        "DOCX/PDF: take styles, page set-up, headers and footers from this .docx/.dotx.",
        existing_file=True,
        also=PRINTED,
    ),
)
