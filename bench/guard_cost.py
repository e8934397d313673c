"""What the structure guard costs: its share of each file's cleanup and conversion.

    .venv/bin/python bench/guard_cost.py [--rounds 3] [--mb 2] [--to md,epub,docx]

For the seed article, samples/, ../shared/corpus/real/ (when present) and one large
file (the corpus concatenated up to ``--mb`` megabytes), each file is cleaned and
rendered with the ``--to`` writers (default md) in this process (pipeline and
writers built once, as a batch worker does), best of ``--rounds``. The guard's time is what it measures itself
(``doc.timings["guard"]``: the extra parse of the body, a signature per stage, the
comparison and, when something differs, the tracing to a stage). Prints a table;
no pass/fail.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "corpus"


def measure(
    files: list[tuple[str, bytes]], rounds: int, formats: list[str]
) -> tuple[float, float, float, int]:
    """(cleanup seconds, conversion seconds, guard seconds, files with a structure change)."""
    from pipeline.config import Config
    from pipeline.rendering import render
    from pipeline.runner import Pipeline
    from pipeline.writer import available_writers, make_writer

    registry = available_writers()
    pipeline = Pipeline(Config(formats=formats))
    writers = [make_writer(f, {}, registry) for f in formats]
    best: dict[str, tuple[float, float, float, int]] = {}
    for _ in range(rounds):
        for name, raw in files:
            started = time.perf_counter()
            rendered = render(pipeline, writers, Path(name), Path(name).stem, raw)
            total = time.perf_counter() - started
            doc = rendered.doc
            clean = sum(v for k, v in doc.timings.items() if not k.startswith("writer:"))
            row = (clean, total, doc.timings.get("guard", 0.0), 1 if doc.structure else 0)
            if name not in best or row[1] < best[name][1]:
                best[name] = row
    return tuple(sum(r[k] for r in best.values()) for k in range(4))  # type: ignore[return-value]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--mb", type=float, default=2.0)
    ap.add_argument("--to", default="md", help="writers, comma-separated (default md)")
    args = ap.parse_args()
    formats = [f.strip() for f in args.to.split(",") if f.strip()]

    sets: list[tuple[str, list[tuple[str, bytes]]]] = []
    seed = sorted(p for p in (SHARED / "seed").glob("*.txt") if not p.name.startswith("expected"))
    if seed:
        sets.append(("seed", [(p.name, p.read_bytes()) for p in seed]))
    sets.append(("samples/", [(p.name, p.read_bytes()) for p in sorted((ROOT / "samples").glob("*.md"))]))
    real = sorted((SHARED / "real").glob("*.md"))
    if real:
        sets.append(("corpus/real/", [(p.name, p.read_bytes()) for p in real]))
    pool = [raw for _, files in sets for _, raw in files]
    big = b""
    while pool and len(big) < args.mb * 1e6:
        for raw in pool:
            body = raw.split(b"\n---\n", 1)[1] if raw.startswith(b"---\n") and b"\n---\n" in raw else raw
            big += body + b"\n\n"
    if big:
        sets.append((f"one {len(big) / 1e6:.1f} MB file", [("big.md", big)]))

    print(f"writers: {', '.join(formats)}")
    print(
        f"{'input':<22} {'files':>5} {'cleanup s':>10} {'+ writers s':>14} {'guard s':>8} "
        f"{'of cleanup':>10} {'of conversion':>13} {'changed':>8}"
    )
    for label, files in sets:
        rounds = 1 if label.startswith("one ") else args.rounds
        clean, total, guard, changed = measure(files, rounds, formats)
        print(
            f"{label:<22} {len(files):>5} {clean:>10.3f} {total:>14.3f} {guard:>8.3f} "
            f"{guard / clean:>10.1%} {guard / total:>13.1%} {changed:>8}"
        )
    print(
        "\n'changed': files with a structure change no stage declared (the guard then traces"
        " it to a stage, which costs more parses)."
    )


if __name__ == "__main__":
    main()
