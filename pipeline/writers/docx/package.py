"""The DOCX package: a minimal base of our own (or the editor's reference document),
extra XML parts, and byte-identical zip output.

python-docx's default template is US Letter, Calibri, a Japanese East Asian theme
language, a thumbnail and leftover custom XML; instead the base is a package of
empty parts that the writer fills in completely. The base is built by ``opc`` (no
python-docx import); a reference document is opened by python-docx, imported then.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...errors import ConfigError
from . import opc
from .ooxml import CT, RT, parse_xml

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_DOC_NS = " ".join(
    [
        _W,
        _R,
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"',
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"',
        'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"',
    ]
)
_HEAD = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"

BASE_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{CT.WML_DOCUMENT_MAIN}"/>'
        f'<Override PartName="/word/styles.xml" ContentType="{CT.WML_STYLES}"/>'
        f'<Override PartName="/word/settings.xml" ContentType="{CT.WML_SETTINGS}"/>'
        f'<Override PartName="/word/fontTable.xml" ContentType="{CT.WML_FONT_TABLE}"/>'
        f'<Override PartName="/word/numbering.xml" ContentType="{CT.WML_NUMBERING}"/>'
        f'<Override PartName="/docProps/core.xml" ContentType="{CT.OPC_CORE_PROPERTIES}"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{CT.OFC_EXTENDED_PROPERTIES}"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG_RELS}">'
        f'<Relationship Id="rId1" Type="{RT.OFFICE_DOCUMENT}" Target="word/document.xml"/>'
        f'<Relationship Id="rId2" Type="{RT.CORE_PROPERTIES}" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{RT.EXTENDED_PROPERTIES}" Target="docProps/app.xml"/>'
        "</Relationships>"
    ),
    "word/_rels/document.xml.rels": (
        f'<Relationships xmlns="{_PKG_RELS}">'
        f'<Relationship Id="rId1" Type="{RT.STYLES}" Target="styles.xml"/>'
        f'<Relationship Id="rId2" Type="{RT.SETTINGS}" Target="settings.xml"/>'
        f'<Relationship Id="rId3" Type="{RT.FONT_TABLE}" Target="fontTable.xml"/>'
        f'<Relationship Id="rId4" Type="{RT.NUMBERING}" Target="numbering.xml"/>'
        "</Relationships>"
    ),
    "word/document.xml": f"<w:document {_DOC_NS}><w:body><w:sectPr/></w:body></w:document>",
    "word/styles.xml": f"<w:styles {_W}/>",
    "word/settings.xml": f"<w:settings {_W}/>",
    "word/fontTable.xml": f"<w:fonts {_W}/>",
    "word/numbering.xml": f"<w:numbering {_W}/>",
    "docProps/core.xml": (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:dcmitype="http://purl.org/dc/dcmitype/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
    ),
    "docProps/app.xml": (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
        ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        "<Application>galley</Application><DocSecurity>0</DocSecurity>"
        "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
        "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
        "</Properties>"
    ),
}

# A template (.dotx) or macro-enabled file (.docm/.dotm) can serve as the reference:
# its main part is declared a document, and macros are not carried over.
_OTHER_MAIN = (
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    b"application/vnd.ms-word.document.macroEnabled.main+xml",
    b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)
VBA_PROJECT = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


@lru_cache(maxsize=1)
def base_package() -> bytes:
    """The empty package every document without a reference starts from."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in BASE_PARTS.items():
            z.writestr(name, _HEAD + xml)
    return buf.getvalue()


# The base's parts: name, content type, root; related from the package, then from the document.
_BASE = {
    "/word/document.xml": (CT.WML_DOCUMENT_MAIN, "word/document.xml"),
    "/word/styles.xml": (CT.WML_STYLES, "word/styles.xml"),
    "/word/settings.xml": (CT.WML_SETTINGS, "word/settings.xml"),
    "/word/fontTable.xml": (CT.WML_FONT_TABLE, "word/fontTable.xml"),
    "/word/numbering.xml": (CT.WML_NUMBERING, "word/numbering.xml"),
    "/docProps/core.xml": (CT.OPC_CORE_PROPERTIES, "docProps/core.xml"),
    "/docProps/app.xml": (CT.OFC_EXTENDED_PROPERTIES, "docProps/app.xml"),
}
_BASE_PACKAGE_RELS = [
    (RT.OFFICE_DOCUMENT, "/word/document.xml"),
    (RT.CORE_PROPERTIES, "/docProps/core.xml"),
    (RT.EXTENDED_PROPERTIES, "/docProps/app.xml"),
]
_BASE_DOCUMENT_RELS = [
    (RT.STYLES, "/word/styles.xml"),
    (RT.SETTINGS, "/word/settings.xml"),
    (RT.FONT_TABLE, "/word/fontTable.xml"),
    (RT.NUMBERING, "/word/numbering.xml"),
]


def open_document(reference: str | Path | None) -> Any:
    """The document to fill in: our base (``opc.Document``), or the editor's reference
    document emptied (a python-docx Document)."""
    if reference is None:
        parts = {name: (ct, BASE_PARTS[key]) for name, (ct, key) in _BASE.items()}
        return opc.new_document(parts, _BASE_PACKAGE_RELS, _BASE_DOCUMENT_RELS)
    import docx  # only a reference document needs python-docx

    path = Path(reference).expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"reference docx {str(path)!r} cannot be read: {exc.strerror}") from exc
    data = _as_document(data)
    try:
        package = docx.package.Package.open(io.BytesIO(data))
        part = package.main_document_part
    except Exception as exc:  # not a zip, not OOXML
        raise ConfigError(f"reference docx {str(path)!r} is not a Word document ({exc})") from exc
    if part.content_type != CT.WML_DOCUMENT_MAIN:
        raise ConfigError(f"reference docx {str(path)!r} is not a Word document")
    for rel in list(part.rels.values()):
        # stylesWithEffects.xml is Word 2010's copy of the styles: it would keep the
        # reference's styles without the ones the writer adds, and Word 2013 on
        # ignores it
        if rel.reltype in (VBA_PROJECT, STYLES_WITH_EFFECTS):
            drop_rel(part.rels, rel.rId)
    document = part.document
    body = document.element.body
    last = body.sectPr
    for child in list(body):
        if child is not last:
            body.remove(child)
    for rel in list(package.rels.values()):
        if rel.reltype in (RT.THUMBNAIL, RT.CUSTOM_PROPERTIES):
            drop_rel(package.rels, rel.rId)
    return document


def drop_rel(rels: Any, rId: str) -> None:
    rels.pop(rId, None)
    rels._target_parts_by_rId.pop(rId, None)


def _as_document(data: bytes) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            types = z.read("[Content_Types].xml")
            if not any(t in types for t in _OTHER_MAIN):
                return data
            entries = [(info, z.read(info)) for info in z.infolist()]
    except (zipfile.BadZipFile, KeyError):
        return data
    for t in _OTHER_MAIN:
        types = types.replace(t, CT.WML_DOCUMENT_MAIN.encode())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, blob in entries:
            z.writestr(info.filename, types if info.filename == "[Content_Types].xml" else blob)
    return out.getvalue()


def xml_part(
    source: Any, reltype: str, template: str, content_type: str, root: str, blob: bytes | None = None
) -> Any:
    """The XML part ``source`` relates to by ``reltype``, created (``root``) when missing.

    A part python-docx loaded as plain bytes (footnotes, custom properties) is parsed
    and replaces itself, so that it can be edited as XML. ``blob``: the bytes ``root``
    serializes to, given when the part is not edited further; a part of our own
    package created then holds them instead of the element.
    """
    rels = source.rels
    ours = isinstance(source, (opc.Part, opc.Package))
    for rel in list(rels.values()):
        if rel.reltype != reltype or rel.is_external:
            continue
        part: Any = rel.target_part
        if ours or hasattr(part, "element"):
            return part
        from docx.opc.part import XmlPart
        from docx.oxml.parser import parse_xml as docx_parse

        new = XmlPart(part.partname, content_type, docx_parse(part.blob), part.package)
        rel._target = new
        rels._target_parts_by_rId[rel.rId] = new
        return new
    package = source if isinstance(source, opc.Package) or not hasattr(source, "partname") else source.package
    # the plain name first (/word/footnotes.xml): some readers look for it by name
    plain = template.replace("%d", "")
    taken = {str(p.partname) for p in package.iter_parts()}
    partname = plain if plain not in taken else package.next_partname(template)
    if ours and blob is not None:
        part = opc.Part(partname, content_type, package, blob=blob)
    elif ours:
        part = opc.Part(partname, content_type, package, element=parse_xml(root))
    else:
        from docx.opc.packuri import PackURI
        from docx.opc.part import XmlPart
        from docx.oxml.parser import parse_xml as docx_parse

        part = XmlPart(PackURI(partname), content_type, docx_parse((_HEAD + root).encode("utf-8")), package)
    source.relate_to(part, reltype)
    return part


def custom_properties(document: Any, props: dict[str, str]) -> None:
    """docProps/custom.xml with string properties (the source URL and other metadata)."""
    package = document.part.package
    for rel in list(package.rels.values()):
        if rel.reltype == RT.CUSTOM_PROPERTIES:
            drop_rel(package.rels, rel.rId)
    if not props:
        return
    items = []
    for pid, (name, value) in enumerate(props.items(), start=2):
        items.append(
            f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" '
            f"name={quoteattr(name)}><vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        )
    xml = (
        _HEAD + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        + "".join(items)
        + "</Properties>"
    )
    if isinstance(package, opc.Package):
        part: Any = opc.Part(
            "/docProps/custom.xml", CT.OFC_CUSTOM_PROPERTIES, package, blob=xml.encode("utf-8")
        )
    else:
        from docx.opc.packuri import PackURI
        from docx.opc.part import Part

        part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, xml.encode("utf-8"), package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def escape(text: str) -> str:
    """``xml.sax.saxutils.escape``, without the module (it imports urllib.request, ssl...)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """``xml.sax.saxutils.quoteattr``: the same bytes, the same choice of quotes."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"{}"'.format(text.replace('"', "&quot;"))


# Entries first in a fixed order, then the rest by name.
_FIRST = (
    "[Content_Types].xml",
    "_rels/.rels",
    "docProps/core.xml",
    "docProps/app.xml",
    "docProps/custom.xml",
    "word/document.xml",
    "word/_rels/document.xml.rels",
)


def save(document: Any, when: dt.datetime) -> bytes:
    """The document's package as a zip with a fixed entry order, fixed times and attributes."""
    if isinstance(document, opc.Document):
        return zipped(document.package.entries(), when)
    buf = io.BytesIO()
    document.save(buf)
    return normalized_zip(buf.getvalue(), when)


def normalized_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same package with a fixed entry order, fixed times and fixed attributes."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = {info.filename: src.read(info) for info in src.infolist()}
    return zipped(entries, when)


def zipped(entries: dict[str, bytes], when: dt.datetime) -> bytes:
    """The zip of ``entries``: the bytes ``zipfile`` writes (deflated at level 6, no
    extra fields, attributes 0o600), each entry's compressed record made once for all
    the packages that have the same (a style sheet, a theme...)."""
    when = max(when.astimezone(dt.UTC), ZIP_EPOCH)
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second - when.second % 2)
    names = [n for n in _FIRST if n in entries] + sorted(n for n in entries if n not in _FIRST)
    if sum(len(entries[n]) for n in names) > _SMALL or len(names) > 0xFFFF:
        return _zipfile_zipped(names, entries, stamp)  # zip64 territory: zipfile decides
    out = []
    central = []
    offset = 0
    for name in names:
        make = _record if name in _SHARED else _record.__wrapped__
        record, directory, filename = make(name, entries[name], stamp)
        out.append(record)
        central.append(directory + struct.pack("<L", offset) + filename)
        offset += len(record)
    size = sum(len(c) for c in central)
    end = struct.pack(_END, b"PK\x05\x06", 0, 0, len(names), len(names), size, offset, 0)
    return b"".join(out + central) + end


# The entries many packages have the same: their records are kept (the others would
# only fill the cache)
_SHARED = frozenset(
    (
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/app.xml",
        "word/_rels/document.xml.rels",
        "word/styles.xml",
        "word/settings.xml",
        "word/fontTable.xml",
        "word/footer1.xml",
        "word/theme/theme1.xml",
    )
)
_SMALL = 1 << 30  # below any zip64 limit, with room for the compressed sizes
# zipfile.structCentralDir without its last field, the header offset (the package's)
_CENTRAL_HEAD = "<4s4B4HL2L5HL"
_END = "<4s4H2LH"  # zipfile.structEndArchive
Stamp = tuple[int, int, int, int, int, int]


@lru_cache(maxsize=64)
def _record(name: str, data: bytes, stamp: Stamp) -> tuple[bytes, bytes, bytes]:
    """An entry's local header and compressed data, and its central directory record up to
    the header offset: what ``zipfile.ZipFile.writestr`` writes for it."""
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 0
    info.external_attr = 0o600 << 16  # what zipfile writes for attributes 0
    info.flag_bits = 0
    info.file_size = len(data)
    info.CRC = zlib.crc32(data)
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = compressor.compress(data) + compressor.flush()
    info.compress_size = len(body)
    header = info.FileHeader(False)
    try:  # as ZipInfo._encodeFilenameFlags: ASCII, else UTF-8 and its flag
        filename, flag_bits = name.encode("ascii"), 0
    except UnicodeEncodeError:
        filename, flag_bits = name.encode("utf-8"), 0x800
    dosdate = (stamp[0] - 1980) << 9 | stamp[1] << 5 | stamp[2]
    dostime = stamp[3] << 11 | stamp[4] << 5 | (stamp[5] // 2)
    directory = struct.pack(
        _CENTRAL_HEAD,
        b"PK\x01\x02",
        info.create_version,
        info.create_system,
        info.extract_version,
        info.reserved,
        flag_bits,
        info.compress_type,
        dostime,
        dosdate,
        info.CRC,
        info.compress_size,
        info.file_size,
        len(filename),
        0,
        0,
        0,
        info.internal_attr,
        info.external_attr,
    )
    return header + body, directory, filename


def _zipfile_zipped(names: list[str], entries: dict[str, bytes], stamp: Stamp) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            z.writestr(info, entries[name], compresslevel=6)
    return out.getvalue()
