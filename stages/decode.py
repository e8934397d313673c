"""Decode the file's bytes to text: BOMs, UTF-8, UTF-16, GB18030/GBK; LF line endings; NFC.

Before (bytes, GBK, CRLF)::

    b'\\xd0\\xa1\\xc3\\xd7\\r\\n'

After::

    小米\\n

A file that is not text (NUL bytes, mostly control characters, undecodable) is
refused with an InputError. A UTF-8 file with a few invalid bytes is read with
U+FFFD in their place, and the document gets a warning.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from pipeline.document import Document
from pipeline.errors import InputError
from pipeline.options import Option
from pipeline.stage import Stage, StageContext

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Share of invalid UTF-8 sequences under which a file is still read as UTF-8.
_MAX_INVALID_UTF8 = 0.01


def _binary_reason(raw: bytes) -> str | None:
    head = raw[:65536]
    for magic, kind in (
        (b"%PDF", "a PDF"),
        (b"PK\x03\x04", "a ZIP archive (DOCX, EPUB...)"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x7fELF", "an executable"),
    ):
        if head.startswith(magic):
            return f"not a text file ({kind})"
    if b"\x00" in head:
        return "not a text file (contains NUL bytes)"
    return None


def decode_bytes(raw: bytes) -> tuple[str, str, int]:
    """Text, the encoding used, and how many bytes could not be decoded."""
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(enc), enc, 0
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"starts with a {enc} byte-order mark but is not {enc} (byte {exc.start + len(bom)})"
                ) from None
    reason = _binary_reason(raw)
    if reason:
        raise InputError(reason)
    try:
        return raw.decode("utf-8"), "utf-8", 0
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
        if _looks_like_text(text):
            return text, "gb18030", 0
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad <= max(1, len(raw) * _MAX_INVALID_UTF8) and _looks_like_text(text):
        return text, "utf-8", bad
    import charset_normalizer

    best = charset_normalizer.from_bytes(raw).best()
    if best is not None and best.encoding and _looks_like_text(str(best)):
        return str(best), best.encoding, 0
    raise InputError("not a text file (no encoding decodes it)")


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    controls = len(_CONTROL.findall(text[:65536]))
    if controls > max(2, len(text[:65536]) // 200):
        return False
    # GB18030 decodes nearly any bytes; real Chinese text is mostly common CJK.
    # (U+FFFD stands for invalid UTF-8 bytes, which the caller counts and bounds.)
    sample = text[:20000].replace("\ufffd", "")
    odd = sum(
        1
        for ch in sample
        if ord(ch) > 0x7F
        and not (
            "\u4e00" <= ch <= "\u9fff"
            or "\u3000" <= ch <= "\u303f"
            or "\uff00" <= ch <= "\uffef"
            or unicodedata.category(ch)[0] in "PZ"
            or "\u2000" <= ch <= "\u206f"
        )
    )
    wide = sum(1 for ch in sample if ord(ch) > 0x7F)
    return wide == 0 or odd / wide < 0.2


class Decode(Stage):
    """Decode bytes (BOM, UTF-8, UTF-16, GB18030/GBK) to NFC text with LF line endings."""

    name = "decode"
    priority = 100
    scope = "bytes"
    #: the Unicode normalization form of the text ("" leaves it as it is)
    defaults = {"normalize": Option("NFC", "str", choices=("NFC", "NFD", "NFKC", "NFKD", ""))}

    def run(self, doc: Document, ctx: StageContext) -> None:
        text, encoding, bad = decode_bytes(doc.raw)
        if encoding not in ("utf-8",):
            ctx.record("encoding", None, "", "")
        if bad:
            ctx.warn(f"{bad} invalid UTF-8 byte sequence(s) replaced with U+FFFD")
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            ctx.record("line_endings", None, "\r", "")
        form = self.options["normalize"]
        if form and not unicodedata.is_normalized(form, text):
            text = unicodedata.normalize(form, text)
            ctx.record("unicode_normalization", None, "", "")
        doc.text = text
        doc.original = text
