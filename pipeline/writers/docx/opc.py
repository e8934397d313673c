"""The package of a document written from our own base: parts, relationships and the zip.

Only what the writer uses of python-docx's OPC objects, with the same names
(``part.rels``, ``relate_to``, ``package.next_partname``...), so that the modules that
fill a document in work on either; the bytes of every part are the ones python-docx
would write (``ooxml.serialize``). A reference document is still opened by python-docx
(``package.open_document``).
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from lxml import etree

from .ooxml import CT, RT, parse_xml, qn, serialize

# Extensions whose content type a ``Default`` entry gives (python-docx's choice).
_DEFAULTS = {
    ("gif", "image/gif"),
    ("jpe", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("jpg", "image/jpeg"),
    ("png", "image/png"),
    ("bmp", "image/bmp"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("rels", CT.OPC_RELATIONSHIPS),
    ("xml", CT.XML),
}


class Rel:
    def __init__(self, rId: str, reltype: str, target: Any, source_dir: str, is_external: bool):
        self.rId = rId
        self.reltype = reltype
        self.is_external = is_external
        self._target = target
        self._dir = source_dir

    @property
    def target_part(self) -> Part:
        if self.is_external:
            raise ValueError("an external relationship has no target part")
        part: Part = self._target
        return part

    @property
    def target_ref(self) -> str:
        if self.is_external:
            return str(self._target)
        return _relpath(self._target.partname, self._dir)


@lru_cache(maxsize=256)
def _relpath(partname: str, source_dir: str) -> str:
    return posixpath.relpath(partname, source_dir)


class Rels(dict[str, Rel]):
    def __init__(self, source_dir: str):
        super().__init__()
        self._dir = source_dir

    def add_relationship(self, reltype: str, target: Any, rId: str, is_external: bool = False) -> Rel:
        rel = self[rId] = Rel(rId, reltype, target, self._dir, is_external)
        return rel

    def relate_to(self, target: Part, reltype: str) -> str:
        for rel in self.values():
            if rel.reltype == reltype and not rel.is_external and rel._target is target:
                return rel.rId
        n = 1
        while f"rId{n}" in self:
            n += 1
        return self.add_relationship(reltype, target, f"rId{n}").rId

    def xml(self) -> bytes:
        rels = tuple((r.rId, r.reltype, r.target_ref, r.is_external) for r in self.values())
        if any(r[3] for r in rels):  # links to the document's addresses: its own
            return _rels_xml.__wrapped__(rels)
        return _rels_xml(rels)


class Part:
    """A part: an XML element (``element``) or bytes (``blob``)."""

    def __init__(
        self, partname: str, content_type: str, package: Package, element: Any = None, blob: bytes = b""
    ):
        self.partname = partname
        self.content_type = content_type
        self.package = package
        self.element = element
        self._blob = blob
        self.rels = Rels(posixpath.dirname(partname))

    @property
    def blob(self) -> bytes:
        return serialize(self.element) if self.element is not None else self._blob

    def relate_to(self, target: Part, reltype: str) -> str:
        return self.rels.relate_to(target, reltype)


class Image:
    """An embedded picture's facts, as python-docx's image header parsers give them."""

    def __init__(self, width: int, height: int, ext: str, content_type: str):
        self.width = width  # EMU
        self.height = height
        self.ext = ext
        self.content_type = content_type


class ImagePart(Part):
    image: Image
    number: int


class Package:
    def __init__(self) -> None:
        self.rels = Rels("/")
        self._images: dict[str, ImagePart] = {}

    @property
    def main_document_part(self) -> Part:
        for rel in self.rels.values():
            if rel.reltype == RT.OFFICE_DOCUMENT:
                return rel.target_part
        raise KeyError("no main document part")

    def relate_to(self, target: Part, reltype: str) -> str:
        return self.rels.relate_to(target, reltype)

    def iter_parts(self) -> Iterator[Part]:
        """Every part a relationship leads to, each once, in the order they are reached."""
        seen: set[int] = set()
        stack = [self.rels]
        while stack:
            rels = stack.pop(0)
            for rel in rels.values():
                if rel.is_external or id(rel._target) in seen:
                    continue
                seen.add(id(rel._target))
                yield rel.target_part
                stack.append(rel.target_part.rels)

    def next_partname(self, template: str) -> str:
        taken = {p.partname for p in self.iter_parts()}
        for n in range(1, len(taken) + 2):
            name = template % n
            if name not in taken:
                return name
        raise AssertionError("unreachable")

    def get_or_add_image_part(self, blob: bytes) -> ImagePart:
        """The picture's part, one per distinct picture (python-docx reads its size)."""
        digest = hashlib.sha1(blob).hexdigest()
        part = self._images.get(digest)
        if part is None:
            from docx.image.image import Image as DocxImage  # a picture: its header parsers

            img = DocxImage.from_blob(blob)
            taken = {p.number for p in self._images.values()}
            n = 1  # the lowest number no picture has, whatever its extension
            while n in taken:
                n += 1
            part = ImagePart(f"/word/media/image{n}.{img.ext}", img.content_type, self, blob=blob)
            part.number = n
            part.image = Image(int(img.width), int(img.height), img.ext, img.content_type)
            self._images[digest] = part
        return part

    def content_types(self, parts: list[Part]) -> bytes:
        return _content_types(tuple((part.partname, part.content_type) for part in parts))

    def entries(self) -> dict[str, bytes]:
        """Every zip entry: the content types, the relationships and the parts."""
        parts = list(self.iter_parts())
        out = {"[Content_Types].xml": self.content_types(parts), "_rels/.rels": self.rels.xml()}
        for part in parts:
            name = part.partname.lstrip("/")
            out[name] = part.blob
            if part.rels:
                folder, base = posixpath.split(name)
                out[posixpath.join(folder, "_rels", base + ".rels")] = part.rels.xml()
        return out


class Holder:
    """What python-docx's ``document.styles`` and ``document.settings`` give: an element."""

    def __init__(self, element: Any):
        self.element = element


class Document:
    """A document being written: its package and main part (python-docx's ``Document`` shape)."""

    def __init__(self, package: Package):
        self.package = package
        self.part = package.main_document_part
        self.element = self.part.element

    def _related(self, reltype: str) -> Part:
        for rel in self.part.rels.values():
            if rel.reltype == reltype:
                return rel.target_part
        raise KeyError(reltype)

    def set_blob(self, reltype: str, blob: bytes) -> None:
        """The part the main part relates to by ``reltype`` becomes ``blob`` (its bytes as
        written, built once for every document that has the same ones)."""
        part = self._related(reltype)
        part.element = None
        part._blob = blob

    @property
    def styles(self) -> Holder:
        return Holder(self._related(RT.STYLES).element)

    @property
    def settings(self) -> Holder:
        return Holder(self._related(RT.SETTINGS).element)

    def core_element(self) -> Any:
        for rel in self.package.rels.values():
            if rel.reltype == RT.CORE_PROPERTIES:
                return rel.target_part.element
        raise KeyError("core properties")

    def add_footer(self, blob: bytes) -> str:
        """A new footer part (``blob``, a ``w:ftr``), related from the main part: its id."""
        part = Part(self.package.next_partname("/word/footer%d.xml"), CT.WML_FOOTER, self.package, blob=blob)
        return self.part.relate_to(part, RT.FOOTER)


FOOTER = (
    '<w:ftr xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"'
    ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    ' xmlns:mo="http://schemas.microsoft.com/office/mac/office/2008/main"'
    ' xmlns:mv="urn:schemas-microsoft-com:mac:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    ' xmlns:v="urn:schemas-microsoft-com:vml" xmlns:w10="urn:schemas-microsoft-com:office:word"'
    ' xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'
    ' xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    ' xmlns:wne="http://schemas.microsoft.com/office/word/2006/wordml"'
    ' xmlns:wp14="http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing"'
    ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
    ' xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas"'
    ' xmlns:wpg="http://schemas.microsoft.com/office/word/2010/wordprocessingGroup"'
    ' xmlns:wpi="http://schemas.microsoft.com/office/word/2010/wordprocessingInk"'
    ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
    ' mc:Ignorable="w14 wp14"><w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr></w:p></w:ftr>'
)


def new_document(
    parts: dict[str, tuple[str, str]],
    package_rels: list[tuple[str, str]],
    document_rels: list[tuple[str, str]],
) -> Document:
    """A package of ``parts`` (partname: (content type, XML)) related as given."""
    package = Package()
    made = {name: Part(name, ct, package, element=parse_xml(xml)) for name, (ct, xml) in parts.items()}
    for reltype, name in package_rels:
        package.relate_to(made[name], reltype)
    main = package.main_document_part
    for reltype, name in document_rels:
        main.relate_to(made[name], reltype)
    return Document(package)


@lru_cache(maxsize=64)
def _rels_xml(rels: tuple[tuple[str, str, str, bool], ...]) -> bytes:
    """A relationships part: the same for every package relating the same parts, built once."""
    root = etree.Element(
        qn("pr:Relationships"), nsmap={None: "http://schemas.openxmlformats.org/package/2006/relationships"}
    )
    for rid, reltype, target, external in rels:
        el = etree.SubElement(root, qn("pr:Relationship"))
        el.set("Id", rid)
        el.set("Type", reltype)
        el.set("Target", target)
        if external:
            el.set("TargetMode", "External")
    return serialize(root)


@lru_cache(maxsize=64)
def _content_types(parts: tuple[tuple[str, str], ...]) -> bytes:
    """The content types of ``parts`` (name, type): the same for every package of the same
    parts, built once."""
    defaults = {"rels": CT.OPC_RELATIONSHIPS, "xml": CT.XML}
    overrides = {}
    for partname, content_type in parts:
        ext = posixpath.splitext(partname)[1][1:]
        if (ext.lower(), content_type) in _DEFAULTS:
            defaults[ext] = content_type
        else:
            overrides[partname] = content_type
    root = etree.Element(
        qn("ct:Types"), nsmap={None: "http://schemas.openxmlformats.org/package/2006/content-types"}
    )
    for ext in sorted(defaults):
        etree.SubElement(root, qn("ct:Default"), Extension=ext, ContentType=defaults[ext])
    for name in sorted(overrides):
        etree.SubElement(root, qn("ct:Override"), PartName=name, ContentType=overrides[name])
    return serialize(root)
