"""Render DOCX outputs with LibreOffice and look at them: ``make render-check``.

For every input (default: samples/), the DOCX writer's output is converted to PDF
with ``soffice --headless --convert-to pdf`` and its first pages to PNG with
``pdftoppm``; a line per file gives the page count, the page size and the fonts
the PDF embeds (``pdffonts``), so that a person can open the PNGs and check the
fonts, the first-line indent, the headings and the page numbers.

    python tests/render_check.py [INPUT ...] [-o OUTDIR] [--pages N] [--dpi N] [--set docx.OPT=VAL]

Exit status 1 when a conversion fails, 2 when LibreOffice or poppler is missing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def inputs(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for p in map(Path, paths or [str(ROOT / "samples")]):
        found += sorted(p.glob("*.md")) if p.is_dir() else [p]
    return found


def tool_output(args: list[str]) -> str:
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    return proc.stdout if proc.returncode == 0 else ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="*")
    ap.add_argument("-o", "--output", default="out/render")
    ap.add_argument("--pages", type=int, default=3)
    ap.add_argument("--dpi", type=int, default=80)
    ap.add_argument("--set", action="append", default=[], metavar="docx.OPTION=VALUE")
    args = ap.parse_args(argv)

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdftoppm"):
        print("render-check needs LibreOffice (soffice) and poppler-utils (pdftoppm)", file=sys.stderr)
        return 2

    sys.path.insert(0, str(ROOT))
    from pipeline.runner import Pipeline
    from pipeline.writers.docx import DocxWriter

    options = {}
    for item in args.set:
        key, _, value = item.partition("=")
        options[key.split(".", 1)[-1]] = value
    writer = DocxWriter(**options)
    pipeline = Pipeline()
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    with tempfile.TemporaryDirectory() as profile:
        for src in inputs(args.inputs):
            docx = out / f"{src.stem}.docx"
            docx.write_bytes(writer.render(pipeline.process(src)))
            proc = subprocess.run(
                [
                    soffice,
                    "--headless",
                    f"-env:UserInstallation=file://{profile}",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(out),
                    str(docx),
                ],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            pdf = out / f"{src.stem}.pdf"
            if proc.returncode != 0 or not pdf.exists():
                failed += 1
                print(f"FAIL {src.name}: {proc.stderr.strip() or proc.stdout.strip()}")
                continue
            for old in out.glob(f"{src.stem}-page-*.png"):
                old.unlink()
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    str(args.dpi),
                    "-png",
                    "-f",
                    "1",
                    "-l",
                    str(args.pages),
                    str(pdf),
                    str(out / f"{src.stem}-page"),
                ],
                check=True,
            )
            info = tool_output(["pdfinfo", str(pdf)])
            pages = re.search(r"Pages:\s+(\d+)", info)
            size = re.search(r"Page size:\s+(.*)", info)
            fonts = sorted(
                {
                    re.sub(r"^[A-Z]{6}\+", "", line.split()[0])
                    for line in tool_output(["pdffonts", str(pdf)]).splitlines()[2:]
                    if line.split()
                }
            )
            print(
                f"ok   {src.name}: {pages.group(1) if pages else '?'} pages, "
                f"{size.group(1).strip() if size else '?'}; fonts: {', '.join(fonts) or '?'}"
            )
            print(f"     {pdf}  {out}/{src.stem}-page-*.png")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
