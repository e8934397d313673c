"""Ace by DAISY finds no accessibility violation in the EPUB of any sample.

Runs when Ace (``make a11y-check`` installs it into ``.ace/``) and Chromium are
here, and skips otherwise; ``make a11y-check`` checks the shared corpus too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from a11y_check import check, find_ace, find_chromium
from conftest import sample_files

from pipeline.writers.epub import EpubWriter

ACE, CHROMIUM = find_ace(), find_chromium()
pytestmark = pytest.mark.skipif(
    ACE is None or CHROMIUM is None, reason="Ace by DAISY or Chromium is not installed (make a11y-check)"
)


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_ace_finds_no_violation(path: Path, pipeline, tmp_path):
    epub = tmp_path / (path.stem + ".epub")
    epub.write_bytes(EpubWriter().render(pipeline.process(path)))
    assert [str(v) for v in check(epub, ACE, CHROMIUM, tmp_path / "ace")] == []


def test_ace_reports_what_it_finds(tmp_path):
    """The check can fail: an empty header cell written as th is a violation Ace reports."""
    import zipfile

    from pipeline.document import Document, Metadata
    from pipeline.tree import parse

    doc = Document(
        path=Path("t.md"), meta=Metadata(title="t", lang="en"), tree=parse("|  | A |\n|---|---|\n| 1 | 2 |\n")
    )
    good = tmp_path / "good.epub"
    good.write_bytes(EpubWriter().render(doc))
    bad = tmp_path / "bad.epub"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("chapter-001.xhtml"):
                data = data.replace(b"<td/>", b"<th></th>").replace(b"<td></td>", b"<th></th>")
                assert b"<th></th>" in data
            dst.writestr(info, data)
    assert check(good, ACE, CHROMIUM, tmp_path / "ace-good") == []
    found = check(bad, ACE, CHROMIUM, tmp_path / "ace-bad")
    assert any("empty-table-header" in v.rule or "header" in v.what.lower() for v in found), found
