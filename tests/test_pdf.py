"""The PDF writer: the DOCX printed by a real LibreOffice (skipped where there is none).

What is checked is what a reader of the PDF gets: the outline (every heading of the
seed article, in order), every font embedded, a tagged PDF with the title and the
language, the page numbers of the table of contents; and that one LibreOffice serves
several files, that a stuck one is stopped at the timeout, and that a missing one is
one line.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import SAMPLES, SHARED

from pipeline.errors import ConfigError

pypdf = pytest.importorskip("pypdf")
needs_office = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
SEED = SHARED / "corpus" / "seed" / "000_edb53b5129af7e3b.txt"
OUTLINE = SHARED / "corpus" / "seed" / "expected-outline.txt"
GALLEY = [sys.executable, "-m", "pipeline.cli"]


def galley(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*GALLEY, *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
        check=False,
    )


def outline(reader) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []

    def walk(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title))

    walk(reader.outline, 0)
    return out


def squeeze(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory) -> Path:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    if not SEED.exists():
        pytest.skip("the shared corpus is not present")
    tmp = tmp_path_factory.mktemp("seed")
    source = tmp / "seed.md"
    shutil.copy(SEED, source)
    proc = galley("convert", str(source), "-o", str(tmp / "out"), "--to", "pdf", "--toc", "-q")
    assert proc.returncode == 0, proc.stderr
    return tmp / "out" / "seed.pdf"


@needs_office
def test_the_outline_has_every_heading_of_the_seed_in_order(seed_pdf: Path):
    expected = [
        line.split("\t")
        for line in OUTLINE.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    got = outline(pypdf.PdfReader(seed_pdf))
    assert len(got) == len(expected) == 40
    for (level, text), (depth, title) in zip(expected, got, strict=False):
        assert depth == int(level) - 2
        assert squeeze(title).startswith(squeeze(text))


@needs_office
def test_every_font_is_embedded_and_the_pdf_is_tagged_with_title_and_language(seed_pdf: Path):
    reader = pypdf.PdfReader(seed_pdf)
    fonts = 0
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            if descriptor is None:  # a Type 3 font draws its glyphs itself
                assert font["/Subtype"] == "/Type3"
                continue
            descriptor = descriptor.get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
            fonts += 1
    assert fonts
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "zh-CN"
    assert reader.metadata.title.startswith("雷军年度演讲")


@needs_office
def test_the_table_of_contents_shows_page_numbers(seed_pdf: Path):
    reader = pypdf.PdfReader(seed_pdf)
    texts = [page.extract_text() for page in reader.pages[:4]]
    at = next(n for n, text in enumerate(texts) if "目录" in text)
    assert at == 1  # a page of its own, after the title
    first = texts[at]
    entries = re.findall(r"^(\S.*?)[ .…]*(\d+)\s*$", first, re.M)
    numbered = [(t, int(n)) for t, n in entries if (squeeze(t) and "1.1" in t) or "破釜沉舟" in t]
    assert numbered, first[:500]
    # the first chapter starts after the contents, on the page the outline points to
    first_chapter = next(n for t, n in numbered if "破釜沉舟" in t)
    target = reader.get_destination_page_number(reader.outline[0]) + 1
    assert first_chapter == target > 1


@needs_office
def test_one_libreoffice_serves_several_files_and_a_stuck_one_is_stopped(tmp_path: Path):
    from pipeline.runner import Pipeline
    from pipeline.writers.pdf import PdfWriter
    from pipeline.writers.pdf.office import office

    writer = PdfWriter()
    first = office(writer.soffice)
    if not first.reused:
        pytest.skip("no Python with LibreOffice's uno module here")
    docs = [Pipeline().process(p) for p in sorted(SAMPLES.glob("*.md"))[:2]]
    pdfs = [writer.render(d) for d in docs]
    helper = first.helper
    assert helper is not None and helper.poll() is None
    assert all(p.startswith(b"%PDF") for p in pdfs)
    assert office(writer.soffice).helper is helper  # the same LibreOffice, kept
    first.close()
    assert helper.poll() is not None


@needs_office
def test_a_stuck_libreoffice_is_stopped_at_the_timeout(tmp_path: Path, monkeypatch):
    from pipeline.writers.pdf.office import ConversionError, Office

    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setenv("TMPDIR", str(work))  # where the script makes its folder
    stuck = tmp_path / "soffice"
    stuck.write_text("#!/bin/sh\nexec sleep 600\n")
    stuck.chmod(0o755)
    office = Office(str(stuck))
    if not office.reused:
        pytest.skip("no Python with LibreOffice's uno module here")
    started = time.monotonic()
    with pytest.raises(ConversionError, match="more than 2 s"):
        office.convert(b"PK", timeout=2)
    assert time.monotonic() - started < 30
    assert office.helper is None
    leftovers = subprocess.run(["pgrep", "-f", str(stuck)], capture_output=True, text=True)
    assert leftovers.stdout.strip() == ""
    office.close()


def test_a_missing_libreoffice_is_one_line(tmp_path: Path):
    source = tmp_path / "a.md"
    source.write_text("# Title\n\nText.\n", encoding="utf-8")
    proc = galley(
        "convert",
        str(source),
        "-o",
        str(tmp_path / "out"),
        "--to",
        "pdf",
        env={"GALLEY_SOFFICE": str(tmp_path / "no-such-soffice")},
    )
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "GALLEY_SOFFICE" in lines[0] and "libreoffice" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "a.pdf").exists()
    with pytest.raises(ConfigError):
        os.environ["GALLEY_SOFFICE"] = str(tmp_path / "no-such-soffice")
        try:
            from pipeline.writers.pdf import PdfWriter

            PdfWriter()
        finally:
            del os.environ["GALLEY_SOFFICE"]


@needs_office
def test_a_worker_stopped_at_the_files_timeout_takes_its_libreoffice_along(tmp_path: Path):
    source = tmp_path / "a.md"
    shutil.copy(sorted(SAMPLES.glob("*.md"))[0], source)
    # a short folder: the workers' sockets live in TMPDIR, whose path has a length limit
    work = Path(tempfile.mkdtemp(prefix="galley-t-"))
    try:
        proc = galley(
            "convert",
            str(source),
            "-o",
            str(tmp_path / "out"),
            "--to",
            "pdf",
            "--timeout",
            "1",
            "-j",
            "1",
            env={"TMPDIR": str(work)},
        )
        assert proc.returncode == 1 and "timed out after 1 s" in proc.stderr, proc.stderr
        assert not (tmp_path / "out" / "a.pdf").exists()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the script notices within half a second
            left = subprocess.run(["pgrep", "-f", str(work)], capture_output=True, text=True).stdout
            if not left.strip():
                break
            time.sleep(0.2)
        assert not left.strip(), left
        assert not list(work.glob("galley-office-*"))  # the script's folder is gone too
    finally:
        shutil.rmtree(work, ignore_errors=True)


@needs_office
def test_without_uno_each_file_gets_its_own_soffice_with_the_same_export_options():
    from pipeline.runner import Pipeline
    from pipeline.writers.docx import DocxWriter
    from pipeline.writers.pdf.office import Office, find_soffice

    office = Office(find_soffice())
    office.python = None  # as where no Python can import uno
    doc = Pipeline().process(sorted(SAMPLES.glob("*.md"))[0])
    try:
        reader = pypdf.PdfReader(io.BytesIO(office.convert(DocxWriter().render(doc), 300)))
    finally:
        office.close()
    assert office.helper is None
    assert outline(reader) and bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])
