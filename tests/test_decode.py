"""Reading bytes: encodings, line endings, refusing what is not text."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.runner import Pipeline

TEXT = "小米造车源于一个意外。\nXiaomi SU7 发布。\n"


@pytest.fixture(scope="module")
def pipe():
    return Pipeline()


@pytest.mark.parametrize(
    "raw",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("gb18030"),
        TEXT.encode("gbk"),
        TEXT.replace("\n", "\r\n").encode("utf-8"),
        TEXT.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16le", "utf16be", "gb18030", "gbk", "crlf", "cr"],
)
def test_encodings_and_line_endings_read_the_same(pipe, raw):
    doc = pipe.process(Path("a.md"), raw)
    assert doc.original == TEXT


def test_nfc(pipe):
    decomposed = "cafe\u0301\n".encode("utf-8")
    assert Pipeline().process(Path("a.md"), decomposed).original == "caf\u00e9\n"


@pytest.mark.parametrize(
    "raw,reason",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3", "PDF"),
        (b"PK\x03\x04\x14\x00", "ZIP"),
        (bytes(range(256)) * 4, "NUL"),
    ],
    ids=["png", "pdf", "zip", "bytes"],
)
def test_binary_files_are_refused_with_a_reason(pipe, raw, reason):
    with pytest.raises(InputError) as err:
        pipe.process(Path("a.md"), raw)
    assert "not a text file" in str(err.value) and reason in str(err.value)


def test_a_few_invalid_utf8_bytes_are_replaced_with_a_warning(pipe):
    raw = ("正文" * 200 + "\n").encode("utf-8")
    raw = raw[:30] + b"\xff" + raw[30:]
    doc = pipe.process(Path("a.md"), raw)
    assert "\ufffd" in doc.original
    assert any("invalid UTF-8" in w for w in doc.warnings)


def test_empty_file_converts_to_an_empty_body(pipe):
    doc = pipe.process(Path("empty.md"), b"")
    assert doc.tree == []
