"""What each writer costs per document, in this process (as a batch worker runs them).

    .venv/bin/python bench/writers.py [--rounds 5] [--root DIR] [--to md,epub,docx]

Every file of samples/ and ../shared/corpus/real/ (when present) is cleaned once;
then each writer renders the cleaned document ``--rounds`` times, rounds interleaved
across files and writers, and the best time of each (file, writer) counts. The time
is this process's CPU time (``time.process_time``), which other work on a shared
machine disturbs less than the wall clock. ``--root``
runs the pipeline of another checkout (``git archive COMMIT | tar -x -C DIR``) from the
same inputs, so that two versions of the writers can be compared on one machine.
Prints a table; no pass/fail.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
WRITERS = {
    "md": "pipeline.writers.markdown:MarkdownWriter",
    "epub": "pipeline.writers.epub:EpubWriter",
    "docx": "pipeline.writers.docx:DocxWriter",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose pipeline runs")
    ap.add_argument("--to", default="md,epub,docx")
    args = ap.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    formats = [f.strip() for f in args.to.split(",") if f.strip()]

    from pipeline.config import Config
    from pipeline.runner import Pipeline

    writers = {}
    for name in formats:
        module, _, cls = WRITERS[name].partition(":")
        writers[name] = getattr(importlib.import_module(module), cls)()
    pipeline = Pipeline(Config(formats=formats))
    files = sorted((ROOT / "samples").glob("*.md")) + sorted((SHARED / "real").glob("*.md"))
    docs = [pipeline.process(p, p.read_bytes()) for p in files]
    best: dict[tuple[int, str], float] = {}
    for _ in range(args.rounds):
        for i, doc in enumerate(docs):
            for name, writer in writers.items():
                t0 = time.process_time()
                writer.render(doc)
                writer.files(doc)
                took = time.process_time() - t0
                key = (i, name)
                best[key] = min(best.get(key, took), took)
    print(f"pipeline: {args.root.resolve()}")
    print(f"{len(docs)} documents, best of {args.rounds} rounds, CPU time")
    print(f"{'writer':<8} {'total ms':>10} {'mean ms/doc':>12} {'max ms':>8}")
    for name in writers:
        times = [best[(i, name)] * 1000 for i in range(len(docs))]
        print(f"{name:<8} {sum(times):>10.1f} {sum(times) / len(times):>12.2f} {max(times):>8.1f}")


if __name__ == "__main__":
    main()
