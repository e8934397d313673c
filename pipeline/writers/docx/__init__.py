"""Writer ``docx``: a print-ready Word document, rendered in process from the shared tree.

``opc`` holds the package (our own minimal base; python-docx opens an editor's
reference document) and lxml builds the XML: numbering,
footnotes, hyperlinks, fields, the style sheet. The parts of the writer:

- ``styles``: Word's built-in styles, CJK fonts (``w:eastAsia``), the level mapping
- ``page``: A4/Letter page, margins, ``PAGE / NUMPAGES`` footer, settings
- ``meta``: core and custom properties (the title block is ``present.title_block``)
- ``blocks`` / ``inline`` / ``html``: the tree to paragraphs, runs, tables (visitors
  of the tree, ``writers.visitor``; what is shown is decided in ``writers.present``)
- ``numbering``, ``notes``, ``fields``, ``images``
- ``package``: base package, extra parts, byte-identical zip

Options (``--set docx.NAME=VALUE`` or ``[tool.galley.writers.docx]``):

- ``page_size``: ``a4`` (default) or ``letter`` (also ``a5``, ``b5``, ``legal``); with a
  reference document, unset keeps the reference's page size
- ``toc``: insert a table of contents (a TOC field) after the title block, on a page of
  its own
- ``update_fields``: have Word update the fields (the TOC's page numbers) on open, which
  makes it ask first (off: the TOC lists the headings until the editor updates it; the
  PDF writer fills it)
- ``reference_docx``: a .docx/.dotx whose styles, page set-up, headers and footers are used
- ``decorative_pictures``: ``frame`` (default) or ``omit``: a picture that is not in the
  document and that nothing describes is a frame with the word "picture" and its address
  in a note, or is left out
- ``smart_quotes``: ``auto`` (default: Latin documents), true or false: ``'`` and ``"``
  of the text (never of code) as ‘ ’ “ ” (``present.smart_quoted``)
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...document import Document
from ...errors import ConfigError
from ...writer import Capabilities, Writer
from ..common import fixed_time, is_cjk, language
from ..present import all_joined_breaks, smart_quoted, smart_quotes_wanted, title_block, words
from .blocks import Blocks, Ctx
from .context import Build
from .fields import hyperlink, toc_paragraphs
from .images import WORD_IMAGE_TYPES, Images
from .inline import Inline
from .meta import custom_properties, set_core_properties
from .notes import Footnotes
from .numbering import Numbering
from .ooxml import RT, qn
from .package import custom_properties as write_custom_properties
from .package import open_document, save
from .page import page_numbers, page_size, set_up_page, settings, text_area
from .styles import install, own_font_table, own_sheet, typography
from .theme import add_theme
from .xml import E, put, run, spacing


class DocxWriter(Writer):
    """Print-ready DOCX (Word styles, A4, CJK fonts, real footnotes, lists and links)."""

    name = "docx"
    extension = "docx"
    version = "1"
    capabilities = Capabilities(image_types=WORD_IMAGE_TYPES, remote_images=False, embeds_images=True)
    defaults = {
        "page_size": None,
        "toc": False,
        "reference_docx": None,
        "smart_quotes": "auto",
        "update_fields": False,
        "decorative_pictures": "frame",
    }

    def __init__(self, variant: str | None = None, **options: Any):
        super().__init__(variant, **options)
        page_size(self.options["page_size"])  # fail early on a bad size
        self.options["toc"] = _flag(self.options["toc"])
        self.options["update_fields"] = _flag(self.options["update_fields"])
        if str(self.options["decorative_pictures"]).lower() not in ("frame", "omit"):
            raise ConfigError(
                "docx: decorative_pictures must be 'frame' or 'omit', not "
                f"{self.options['decorative_pictures']!r}"
            )

    def render(self, doc: Document) -> bytes:
        lang = language(doc)
        cjk = is_cjk(lang)
        if doc.tree and smart_quotes_wanted(self.options["smart_quotes"], lang):
            doc = replace(doc, tree=smart_quoted(doc.tree))
        reference = self.options["reference_docx"]
        ours = not reference
        document = open_document(reference)
        size = page_size(self.options["page_size"])
        t = typography(lang, cjk, size if ours else None)
        set_up_page(document, size, t, ours)
        if ours:  # the parts no document changes: built once per typography
            sheet, styles = own_sheet(t)
            document.set_blob(RT.STYLES, sheet)
            document.set_blob(RT.FONT_TABLE, own_font_table(t))
        else:
            styles = install(document.styles.element, t, replace=False)
        add_theme(document, t)
        width, height = text_area(document)
        build = Build(
            doc=doc,
            document=document,
            t=t,
            styles=styles,
            text_width=width,
            text_height=height,
            joined=all_joined_breaks(doc.tree or []),
        )
        build.numbering = Numbering(document, t.indent if cjk else 360)
        build.notes = Footnotes(build, doc.tree or [])
        build.images = Images(build, str(self.options["decorative_pictures"]).lower() == "omit")

        body = document.element.find(qn("w:body"))
        blocks = Blocks(build, document.part, body)
        self._title_block(blocks, build, lang)
        toc_anchor = None
        if self.options["toc"]:
            toc_anchor = blocks.para(None, Ctx())  # replaced once the headings are known
        blocks.render(doc.tree or [])
        self._unreferenced_notes(blocks, build)
        update = self.options["update_fields"]
        if toc_anchor is not None:
            for el in toc_paragraphs(build, words(lang).contents, dirty=update):
                toc_anchor.addprevious(el)
            _new_page_after(toc_anchor)
            body.remove(toc_anchor)

        page_numbers(document, build.sid("Footer"), ours)
        settings(document, t, self.options["toc"] and update, build.notes.used, ours)
        set_core_properties(document, doc, lang)
        write_custom_properties(document, custom_properties(doc))

        return save(document, fixed_time(doc))

    @staticmethod
    def _title_block(blocks: Blocks, build: Build, lang: str) -> None:
        lines = title_block(build.doc, lang)
        for n, line in enumerate(lines):
            last = n == len(lines) - 1 and len(lines) > 1
            # a gap between the block and the text, whichever line ends it
            p = blocks.para(line.kind.capitalize(), Ctx(), *([spacing(after=360)] if last else []))
            inline = Inline(build, blocks.part)
            el = hyperlink(blocks.part, line.link) if line.link else None
            if el is None:
                inline.text(p, line.label + line.text, frozenset(), False)
                continue
            inline.text(p, line.label, frozenset(), False)
            p.append(el)
            inline.text(el, line.text, frozenset(), True)

    @staticmethod
    def _unreferenced_notes(blocks: Blocks, build: Build) -> None:
        """Notes no mark refers to: kept at the end, after a rule, with their number."""
        left = build.notes.unreferenced()
        if not left:
            return
        body = blocks.container
        blocks.para("Horizontal Line", Ctx())
        for index, item in left:
            before = len(body) - 1  # the section properties stay last
            blocks.render(item.get("children") or [], Ctx(para_style="Footnote Text", where="note"))
            new = list(body)[before:-1]
            first = next((el for el in new if el.tag.endswith("}p")), None)
            if first is None:
                first = blocks.para("Footnote Text", Ctx())
            ppr = first.find("{*}pPr")
            first.insert(1 if ppr is not None else 0, run(f"{index}. "))


def _new_page_after(anchor: Any) -> None:
    """The text after the table of contents starts on a new page (the contents start on
    one of their own: ``TOC Heading``)."""
    following = anchor.getnext()
    if following is None or following.tag == qn("w:sectPr"):
        return
    if following.tag != qn("w:p"):
        following = E("w:p")
        anchor.addnext(following)
    ppr = following.find(qn("w:pPr"))
    if ppr is None:
        ppr = E("w:pPr")
        following.insert(0, ppr)
    put(ppr, E("w:pageBreakBefore"))


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
