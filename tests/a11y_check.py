"""Check the accessibility of the EPUBs with Ace by DAISY: ``make a11y-check``.

Every input (default: samples/ and, when present, ../shared/corpus/real/) is
converted to EPUB and checked with ``ace`` (``@daisy/ace-cli``, which runs the
axe-core rules and the EPUB Accessibility checks in a headless Chromium). A line per
book gives its violations by impact; each violation is listed with its rule, impact
and file.

    python tests/a11y_check.py [INPUT ...] [-o OUTDIR] [--ace PATH]

Ace is looked for in ``$GALLEY_ACE``, then in ``.ace/`` (where ``make a11y-check``
installs it), then on PATH; Chromium in ``$PUPPETEER_EXECUTABLE_PATH``, then as
``chromium`` or ``chromium-browser`` on PATH (Puppeteer cannot download one here).
Exit status 1 when a book has any violation or cannot be checked, 2 when Ace or
Chromium is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "real"


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.impact}: {self.rule} in {self.where}: {self.what}"


def find_ace() -> str | None:
    for candidate in (
        os.environ.get("GALLEY_ACE"),
        str(ROOT / ".ace" / "node_modules" / ".bin" / "ace-cli"),
        shutil.which("ace-cli") or shutil.which("ace"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def find_chromium() -> str | None:
    given = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if given and os.access(given, os.X_OK):
        return given
    return shutil.which("chromium") or shutil.which("chromium-browser")


def violations(report: dict) -> list[Violation]:
    """The violations an Ace report lists (every impact, minor ones too)."""
    found = []
    for doc in report.get("assertions") or []:
        where = ((doc.get("earl:testSubject") or {}).get("url")) or "?"
        for item in doc.get("assertions") or []:
            if (item.get("earl:result") or {}).get("earl:outcome") != "fail":
                continue
            test = item.get("earl:test") or {}
            found.append(
                Violation(
                    test.get("dct:title", "?"),
                    test.get("earl:impact", "?"),
                    where,
                    (item.get("earl:result") or {}).get("dct:description", "")[:200],
                )
            )
    return found


def check(epub: Path, ace: str, chromium: str, out_dir: Path) -> list[Violation]:
    """Ace's violations for ``epub``; raises RuntimeError when Ace gives no report."""
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
    proc = subprocess.run(
        [ace, "--silent", "--force", "--outdir", str(out_dir), str(epub)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    report = out_dir / "report.json"
    if not report.is_file():
        raise RuntimeError(f"{epub.name}: Ace gave no report: {(proc.stderr or proc.stdout)[-500:]}")
    return violations(json.loads(report.read_text(encoding="utf-8")))


def inputs(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    roots = [Path(p) for p in paths] or [ROOT / "samples"] + ([CORPUS] if CORPUS.is_dir() else [])
    for p in roots:
        found += sorted(p.glob("*.md")) if p.is_dir() else [p]
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="*")
    ap.add_argument("-o", "--out", help="keep the EPUBs and Ace's reports here")
    ap.add_argument("--ace", help="the ace command")
    args = ap.parse_args(argv)
    ace, chromium = args.ace or find_ace(), find_chromium()
    if ace is None or chromium is None:
        print(
            "a11y-check: " + ("Ace by DAISY" if ace is None else "Chromium") + " not found "
            "(make a11y-check installs Ace; Chromium: apt-get install chromium)",
            file=sys.stderr,
        )
        return 2
    from pipeline.runner import Pipeline
    from pipeline.writers.epub import EpubWriter

    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="galley-a11y-"))
    pipeline, writer = Pipeline(), EpubWriter()
    failed = 0
    total: dict[str, int] = {}
    books = inputs(args.inputs)
    for path in books:
        epub = out / (path.stem + ".epub")
        out.mkdir(parents=True, exist_ok=True)
        epub.write_bytes(writer.render(pipeline.process(path)))
        try:
            found = check(epub, ace, chromium, out / (path.stem + "-ace"))
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            print(f"{path.name}: cannot check: {exc}")
            failed += 1
            continue
        by_impact: dict[str, int] = {}
        for v in found:
            by_impact[v.impact] = by_impact.get(v.impact, 0) + 1
            total[v.impact] = total.get(v.impact, 0) + 1
        counts = ", ".join(f"{n} {k}" for k, n in sorted(by_impact.items())) or "0 violations"
        print(f"{path.name}: {counts}")
        for v in found:
            print(f"    {v}")
        failed += bool(found)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(total.items())) or "0 violations"
    print(f"{len(books)} books checked with Ace: {summary}; {failed} with a problem")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
