"""Writer ``epub``: an EPUB 3 book (with an EPUB 2 NCX) rendered from the shared tree.

Layout of the package::

    mimetype                      (first, stored)
    META-INF/container.xml
    EPUB/content.opf              metadata, manifest, spine
    EPUB/toc.ncx                  EPUB 2 table of contents
    EPUB/styles/book.css          the one stylesheet
    EPUB/text/cover.xhtml         the cover (EPUB/images/cover.png, drawn from the metadata)
    EPUB/text/title.xhtml         title page: the title block (present.title_block)
    EPUB/text/nav.xhtml           EPUB 3 nav: heading outline and landmarks
    EPUB/text/chapter-NNN.xhtml   the text, in files of up to ~250 KB (split by size)
    EPUB/images/img-<hash>.<ext>  the document's assets, as the images stage named them

The bytes depend only on the document (and SOURCE_DATE_EPOCH, and the fonts the
cover is drawn with): ids are numbered in document order, the zip has fixed entry
dates and order, and the modification date is :meth:`Book.modified`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from dataclasses import dataclass, field

from ...document import Document
from ...writer import Capabilities, Writer
from ..common import document_id, fixed_time, is_cjk, language
from ..present import (
    authors,
    description,
    display_date,
    document_title,
    doi,
    east_asian_script,
    file_as,
    machine_date,
    publication_date,
    publisher,
    series,
    smart_quoted,
    smart_quotes_wanted,
    subjects,
    title_block,
    words,
)
from . import package as pkg
from .content import ContentRenderer, Heading, safe_url
from .cover import CoverText
from .cover import render as draw_cover
from .css import stylesheet
from .labels import labels
from .xhtml import EPUB_TYPE, Element, add_text, document, el, local, q, serialize, size_of, sub

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"})
_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*\Z")
CSS_HREF = "../styles/book.css"
#: what ``conforms_to`` claims: the books pass Ace by DAISY (``make a11y-check``)
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"


@dataclass
class Part:
    """One content document of the body."""

    name: str
    nodes: list[Element]
    notes: list[Element] = field(default_factory=list)


def book_language(doc: Document) -> str:
    lang = (language(doc) or "").strip().replace("_", "-")
    return lang if _LANG_TAG.match(lang) else "und"


#: a content file holds at least this many characters of text, unless it is the last
#: one: readers start every file on a new page, so a short file leaves a page half empty
MIN_TEXT = 2000


def is_heading(node: Element) -> bool:
    return bool(re.fullmatch(r"h[1-6]", local(node)))


def text_length(nodes: list[Element]) -> int:
    return sum(len("".join(n.itertext()).strip()) for n in nodes)


def split(nodes: list[Element], limit: int, min_text: int = MIN_TEXT) -> list[list[Element]]:
    """The body's blocks in content files, by size rather than by heading.

    Consecutive sections share a file until it holds ``limit`` bytes; a file starts
    at a top-level heading only in a long book (bigger than ``limit``). Either way a
    file is not closed before it holds ``min_text`` characters (a bigger block stays
    whole, so a file may pass the limit), and a heading never ends a file: it moves
    to the next one, with the text it heads. A short last file joins the one before
    when both fit in ``limit``.
    """
    sizes = [size_of([n]) for n in nodes]
    levels = [int(local(n)[1]) for n in nodes if is_heading(n)]
    top = f"h{min(levels)}" if levels else None
    long_book = sum(sizes) > limit
    runs: list[list[Element]] = [[]]
    size = text = 0
    for n, s in zip(nodes, sizes, strict=False):
        full = size + s > limit
        part = long_book and local(n) == top
        if runs[-1] and (full or part) and text >= min_text:
            cut = len(runs[-1])
            while cut > 1 and is_heading(runs[-1][cut - 1]):
                cut -= 1
            carry = runs[-1][cut:]
            if text_length(runs[-1][:cut]) >= min_text:
                del runs[-1][cut:]
                runs.append(carry)
                size, text = size_of(carry), text_length(carry)
        runs[-1].append(n)
        size += s
        text += text_length([n])
    if len(runs) > 1 and text_length(runs[-1]) < min_text and size_of(runs[-2] + runs[-1]) <= limit:
        last = runs.pop()
        runs[-1] += last
    return [r for r in runs if r]


def outline(headings: list[Heading], where: dict[str, str]) -> list[pkg.NavPoint]:
    """The nested heading outline: each heading under the nearest one above it of lower level."""
    root: list[pkg.NavPoint] = []
    stack: list[tuple[int, pkg.NavPoint]] = []
    for h in headings:
        if not h.text or h.id not in where:
            continue
        point = pkg.NavPoint(h.text, f"{where[h.id]}#{h.id}")
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        (stack[-1][1].children if stack else root).append(point)
        stack.append((h.level, point))
    return root


class EpubWriter(Writer):
    """EPUB 3 book (with an EPUB 2 NCX), valid for epubcheck, for e-readers."""

    name = "epub"
    extension = "epub"
    version = "1"
    capabilities = Capabilities(image_types=IMAGE_TYPES, remote_images=False, embeds_images=True)
    defaults = {
        "split_kb": 250,
        "smart_quotes": "auto",
        "cover": True,
        "conforms_to": False,
        "certified_by": "galley",
    }

    def render(self, doc: Document) -> bytes:
        # ' and " as print has them (never in code), decided as for the DOCX
        if doc.tree and smart_quotes_wanted(self.options["smart_quotes"], book_language(doc)):
            doc = dataclasses.replace(doc, tree=smart_quoted(doc.tree))
        claim = CONFORMANCE if self.options["conforms_to"] else None
        return Book(
            doc,
            int(self.options["split_kb"]) * 1000,
            claim,
            str(self.options["certified_by"]) or None,
            bool(self.options["cover"]),
        ).build()


class Book:
    """One document made into an EPUB."""

    def __init__(
        self,
        doc: Document,
        limit: int,
        conforms_to: str | None = None,
        certified_by: str | None = None,
        with_cover: bool = True,
    ):
        self.doc = doc
        self.with_cover = with_cover
        self.conforms_to = conforms_to
        self.certified_by = certified_by
        self.limit = max(limit, 10_000)
        self.lang = book_language(doc)
        self.labels = labels(self.lang)
        self.cjk = is_cjk(self.lang)
        self.title = document_title(doc)
        self.body_class = "cjk" if self.cjk else "latin"
        self.intro = False

    # -- the body ----------------------------------------------------------------------
    def parts(self, renderer: ContentRenderer) -> list[Part]:
        nodes = renderer.render(self.doc.tree or [])
        self.intro = bool(nodes) and not is_heading(nodes[0])
        runs = split(nodes, self.limit)
        if not runs:
            runs = [[]]
        parts = [Part(f"chapter-{i:03d}.xhtml", run) for i, run in enumerate(runs, 1)]
        where = self.locate(parts)
        for index, aside in renderer.notes.items():  # each note goes with its first reference
            refs = renderer.note_refs.get(index) or []
            home = next((p for p in parts if refs and where.get(refs[0]) == p.name), parts[-1])
            home.notes.append(aside)
        return parts

    @staticmethod
    def locate(parts: list[Part]) -> dict[str, str]:
        """Which part holds each id."""
        where: dict[str, str] = {}
        for part in parts:
            for top in part.nodes + part.notes:
                for node in top.iter():
                    nid = node.get("id") if isinstance(node.tag, str) else None
                    if nid:
                        where.setdefault(nid, part.name)
        return where

    @staticmethod
    def link_across(parts: list[Part], where: dict[str, str]) -> None:
        """``#id`` links to ids in another part become ``part.xhtml#id``."""
        for part in parts:
            for top in part.nodes + part.notes:
                for node in top.iter(q("a")):
                    href = node.get("href") or ""
                    if not href.startswith("#"):
                        continue
                    home = where.get(href[1:])
                    if home is None:
                        node.tag = q("span")
                        del node.attrib["href"]
                    elif home != part.name:
                        node.set("href", home + href)

    def chapter(self, part: Part) -> bytes:
        body = list(part.nodes)
        if part.notes:
            box = el("section", {"class": "footnotes", "role": "doc-endnotes"})
            box.set(EPUB_TYPE, "footnotes")
            for aside in part.notes:
                box.append(aside)
            body.append(box)
        heading = next((n for n in part.nodes if re.fullmatch(r"h[1-6]", local(n))), None)
        label = " ".join("".join(heading.itertext()).split()) if heading is not None else ""
        root = document(
            label or self.title, self.lang, CSS_HREF, body, body_class=self.body_class, body_type="bodymatter"
        )
        return serialize(root)

    def title_page(self) -> bytes:
        """The title block every format shows: title, subtitle, author, date, source."""
        nodes = []
        for line in title_block(self.doc, self.lang):
            if line.kind == "title":
                nodes.append(el("h1", {"class": "title"}, line.text))
                continue
            p = el("p", {"class": line.kind})
            if line.label:
                sub(p, "span", {"class": "generated"}, line.label)
            href = safe_url(line.link) if line.link else None
            if line.kind == "date" and line.machine:
                sub(p, "time", {"datetime": line.machine}, line.text)
            elif href:
                sub(p, "a", {"href": href}, line.text)
            else:
                add_text(p, line.text)
            nodes.append(p)
        root = document(
            self.title,
            self.lang,
            CSS_HREF,
            nodes,
            body_class=f"{self.body_class} titlepage",
            body_type="titlepage",
        )
        return serialize(root)

    def cover(self) -> bytes | None:
        """The cover picture (PNG), or None when it cannot be drawn here."""
        doc = self.doc
        names = authors(doc)
        site = publisher(doc)
        text = CoverText(
            self.title,
            ", ".join(names) if names else site,
            site if names else None,
            display_date(publication_date(doc), self.lang),
        )
        try:
            png, complete = draw_cover(text, document_id(doc), east_asian_script(self.lang))
        except (ImportError, ValueError, OSError) as exc:
            doc.warn(f"epub: no cover ({exc})")
            return None
        if not complete:
            doc.warn("epub: no font here draws the title's script; the cover leaves it out")
        return png

    def cover_page(self) -> bytes:
        """The cover as the book's first page: the picture, its alt text the title."""
        alt = self.labels.cover + words(self.lang).colon + self.title
        box = el("section", {"class": "cover"})
        box.set(EPUB_TYPE, "cover")
        sub(box, "img", {"src": "../images/cover.png", "alt": alt, "role": "doc-cover"})
        root = document(
            self.title,
            self.lang,
            CSS_HREF,
            [box],
            body_class=f"{self.body_class} coverpage",
            body_type="cover",
        )
        return serialize(root)

    # -- the package -----------------------------------------------------------------------
    def build(self) -> bytes:
        doc = self.doc
        renderer = ContentRenderer(doc, self.lang)
        parts = self.parts(renderer)
        where = self.locate(parts)
        self.link_across(parts, where)
        chapters = [(p.name, self.chapter(p)) for p in parts]

        # text before the first heading is reached through the title's entry
        start = parts[0].name if self.intro else "title.xhtml"
        toc = [pkg.NavPoint(self.title, start), *outline(renderer.headings, where)]
        # the nav is a page of the book when there are headings to list
        nav_in_spine = bool(renderer.headings)
        landmarks = [("toc", "nav.xhtml#toc", self.labels.contents)] if nav_in_spine else []
        cover = self.cover() if self.with_cover else None
        if cover is not None:
            landmarks.insert(0, ("cover", "cover.xhtml", self.labels.cover))
        landmarks += [
            ("titlepage", "title.xhtml", self.labels.title_page),
            ("bodymatter", parts[0].name, self.labels.start),
        ]
        nav = pkg.nav_xhtml(
            self.title,
            self.lang,
            CSS_HREF,
            self.labels.contents,
            toc,
            self.labels.landmarks,
            landmarks,
            self.body_class,
        )
        title_page = self.title_page()

        meta = self.metadata(renderer)
        items = []
        if cover is not None:
            meta.cover, meta.cover_page = "cover-image", "text/cover.xhtml"
            items += [
                pkg.Item("cover-image", "images/cover.png", "image/png", cover, "cover-image"),
                pkg.Item("cover", "text/cover.xhtml", "application/xhtml+xml", self.cover_page()),
            ]
        items += [
            pkg.Item("ncx", "toc.ncx", "application/x-dtbncx+xml", pkg.ncx(meta, toc, "text/")),
            pkg.Item("css", "styles/book.css", "text/css", stylesheet(self.lang).encode("utf-8")),
            pkg.Item("title-page", "text/title.xhtml", "application/xhtml+xml", title_page),
            pkg.Item("nav", "text/nav.xhtml", "application/xhtml+xml", nav, "nav"),
        ]
        for i, (name, data) in enumerate(chapters, 1):
            items.append(pkg.Item(f"chapter-{i:03d}", f"text/{name}", "application/xhtml+xml", data))
        for i, name in enumerate(renderer.assets, 1):
            asset = doc.assets[name]
            items.append(
                pkg.Item(f"image-{i:03d}", f"images/{name}", asset.media_type, renderer.images[name] or b"")
            )
        spine = [("cover", True)] if cover is not None else []
        spine.append(("title-page", True))
        if nav_in_spine:
            spine.append(("nav", True))
        spine += [(f"chapter-{i:03d}", True) for i in range(1, len(chapters) + 1)]
        opf = pkg.opf(meta, items, spine, "ncx")
        entries = [("META-INF/container.xml", pkg.container_xml()), (f"{pkg.ROOT}/content.opf", opf)]
        entries += [(f"{pkg.ROOT}/{item.href}", item.data) for item in items]
        return pkg.zip_epub(entries, self.modified())

    def modified(self) -> dt.datetime:
        """When the book was last changed: SOURCE_DATE_EPOCH, else the article's date
        (when it was created, if that is all the front matter says), else a fixed instant."""
        when = publication_date(self.doc)
        if when and when != self.doc.meta.date and not os.environ.get("SOURCE_DATE_EPOCH"):
            try:
                value = dt.datetime.fromisoformat(when)
            except ValueError:
                value = None
            if value is not None:
                value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
                return value.astimezone(dt.UTC)
        return fixed_time(self.doc)

    def metadata(self, renderer: ContentRenderer) -> pkg.Metadata:
        doc = self.doc
        shown = machine_date(publication_date(doc))
        found = series(doc)
        images = len(renderer.assets) > 0
        headings = bool(renderer.headings)
        features = (["structuralNavigation", "tableOfContents"] if headings else []) + ["readingOrder"]
        if images and not renderer.alt_missing:
            features.append("alternativeText")
        summary = (
            self.labels.summary
            + (self.labels.summary_headings if headings else "")
            + (self.labels.summary_remote if renderer.remote_images else "")
        )
        return pkg.Metadata(
            identifier="urn:uuid:" + document_id(doc),
            title=self.title,
            lang=self.lang,
            modified=self.modified(),
            creator=doc.meta.author or None,
            creators=[(name, file_as(name)) for name in authors(doc)],
            date=shown[0] if shown else None,
            source=doc.meta.source or None,
            description=description(doc),
            subjects=subjects(doc),
            publisher=publisher(doc),
            doi=doi(doc),
            series=(found.name, found.position) if found else None,
            conforms_to=self.conforms_to,
            certified_by=self.certified_by if self.conforms_to else None,
            access_modes=["textual", "visual"] if images else ["textual"],
            sufficient=(
                ["textual,visual", "textual"]
                if images and not renderer.alt_missing
                else ["textual,visual"]
                if images
                else ["textual"]
            ),
            features=features,
            summary=summary,
        )
