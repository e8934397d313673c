"""Screenshots of an EPUB's pages in headless Chromium, light and dark, for a look.

Each document of the spine is opened as a phone-sized page (``--width``, default 420
px) and captured twice: as it is, and with ``prefers-color-scheme: dark`` (what an
e-reader's night theme asks for). The PNGs go to OUTDIR as
``<book>-<nn>-<page>-light.png`` and ``-dark.png``.

    python tests/epub_screenshots.py BOOK.epub [-o OUTDIR] [--width 420] [--height 2400]

Exit status 2 when Chromium is missing.
"""

from __future__ import annotations

import argparse
import posixpath
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from lxml import etree

OPF = "{http://www.idpf.org/2007/opf}"


def spine(book: zipfile.ZipFile) -> list[str]:
    container = etree.fromstring(book.read("META-INF/container.xml"))
    opf_path = container.find(".//{*}rootfile").get("full-path")
    opf = etree.fromstring(book.read(opf_path))
    hrefs = {i.get("id"): i.get("href") for i in opf.iter(OPF + "item")}
    base = posixpath.dirname(opf_path)
    return [posixpath.join(base, hrefs[r.get("idref")]) for r in opf.iter(OPF + "itemref")]


def shoot(chromium: str, page: Path, out: Path, width: int, height: int, dark: bool) -> None:
    args = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--window-size={width},{height}",
        f"--screenshot={out}",
        "--allow-file-access-from-files",
    ]
    if dark:
        args.append("--force-dark-mode")  # prefers-color-scheme: dark
    subprocess.run([*args, page.as_uri()], capture_output=True, check=True, timeout=120)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("epub")
    ap.add_argument("-o", "--out", default="screenshots")
    ap.add_argument("--width", type=int, default=420)
    ap.add_argument("--height", type=int, default=2400)
    args = ap.parse_args(argv)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("epub_screenshots: Chromium not found", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = Path(args.epub).stem
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(args.epub) as book:
        book.extractall(tmp)
        for i, member in enumerate(spine(book), 1):
            page = Path(tmp) / member
            for dark in (False, True):
                target = out / f"{name}-{i:02d}-{Path(member).stem}-{'dark' if dark else 'light'}.png"
                shoot(chromium, page, target.resolve(), args.width, args.height, dark)
                print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
