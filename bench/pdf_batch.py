"""PDF of a batch: one kept LibreOffice against one ``soffice --convert-to pdf`` per file.

    .venv/bin/python bench/pdf_batch.py [--limit N] [--command]

1. The DOCX of every article of samples/ and ../shared/corpus/real (when present),
   rendered in this process into a temporary folder (not timed).
2. Kept: one LibreOffice for all files (``writers.pdf.office.Office``, the way a
   batch worker prints), each file timed from DOCX bytes to PDF bytes; the first file
   includes LibreOffice's start.
3. One per file: ``soffice --headless --convert-to pdf`` for each file, with one
   profile directory made beforehand (a fresh profile per file would cost more).
4. With ``--command``: the real command, ``galley convert ... --to pdf -j 1`` and
   ``-j 2`` (wall time, interpreter and LibreOffice start-up included).

No pass/fail: it prints seconds per file (mean and median) and the totals.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLES = ROOT / "samples"
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
GALLEY = [sys.executable, "-m", "pipeline.cli"]


def articles(limit: int | None) -> list[Path]:
    files = sorted(SAMPLES.glob("*.md")) + (sorted(CORPUS.glob("*.md")) if CORPUS.is_dir() else [])
    return files[:limit] if limit else files


def row(name: str, times: list[float]) -> str:
    return (
        f"{name:<34} {len(times):>5} {sum(times):>9.2f} {statistics.mean(times):>9.3f} "
        f"{statistics.median(times):>9.3f}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles")
    ap.add_argument("--command", action="store_true", help="also time `galley convert --to pdf`")
    args = ap.parse_args()
    from pipeline.runner import Pipeline
    from pipeline.writers.docx import DocxWriter
    from pipeline.writers.pdf.office import Office, find_soffice

    soffice = find_soffice()
    files = articles(args.limit)
    tmp = Path(tempfile.mkdtemp(prefix="galley-pdf-bench-"))
    try:
        pipeline, writer = Pipeline(), DocxWriter()
        docx: list[tuple[str, bytes]] = [(p.stem, writer.render(pipeline.process(p))) for p in files]
        print(f"{len(docx)} articles, LibreOffice: {soffice}")

        office = Office(soffice)
        if not office.reused:
            print("no Python with LibreOffice's uno module: the kept LibreOffice cannot be timed")
            return 1
        kept: list[float] = []
        for _name, data in docx:
            started = time.perf_counter()
            office.convert(data, timeout=300)
            kept.append(time.perf_counter() - started)
        office.close()

        profile = (tmp / "profile").as_uri()
        folder = tmp / "each"
        folder.mkdir()
        warm = folder / "warm.docx"
        warm.write_bytes(docx[0][1])

        def convert_each(source: Path, timeout: float | None = None) -> None:
            """One ``soffice --convert-to pdf`` of ``source``, as a user would run it."""
            command = [soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", "pdf"]
            subprocess.run(
                [*command, "--outdir", str(folder), str(source)],
                capture_output=True,
                check=True,
                timeout=timeout,
            )

        convert_each(warm)
        each: list[float] = []
        for name, data in docx:
            source = folder / f"{name}.docx"
            source.write_bytes(data)
            started = time.perf_counter()
            convert_each(source, timeout=300)
            each.append(time.perf_counter() - started)

        print(f"\n{'seconds':<34} {'files':>5} {'total':>9} {'mean':>9} {'median':>9}")
        print(row("kept LibreOffice (first = start)", kept))
        print(row("kept LibreOffice, after the first", kept[1:] or kept))
        print(row("soffice --convert-to per file", each))
        print(f"\nper file, one soffice each / kept: {statistics.mean(each) / statistics.mean(kept):.1f}x")

        if args.command:
            source_dir = tmp / "in"
            source_dir.mkdir()
            for p in files:
                shutil.copy(p, source_dir / p.name)
            for jobs in (1, 2):
                started = time.perf_counter()
                subprocess.run(
                    [
                        *GALLEY,
                        "convert",
                        str(source_dir),
                        "-o",
                        str(tmp / f"out{jobs}"),
                        "--to",
                        "pdf",
                        "-j",
                        str(jobs),
                        "-q",
                        "--force",
                    ],
                    check=False,
                )
                wall = time.perf_counter() - started
                print(
                    f"galley convert --to pdf -j {jobs}: {wall:.1f} s wall, "
                    f"{wall / len(files):.2f} s per file"
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
