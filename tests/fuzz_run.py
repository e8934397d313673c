"""A long fuzz run outside pytest that counts every failure instead of stopping at
the first: crashes, non-idempotent outputs (``clean(clean(x)) != clean(x)``) and
"text lost" warnings, over documents built by ``fuzz_strategies.random_document``.

    .venv/bin/python tests/fuzz_run.py --seed 1 --examples 20000 [--show 20]

Prints one line of counts, then (with ``--show``) the first failing inputs of each
kind, to be minimized into regression cases.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzz_strategies import random_document

from pipeline.rendering import render
from pipeline.runner import Pipeline
from pipeline.writers.markdown import MarkdownWriter, render_document

PIPELINE = Pipeline()


def classify(text: str) -> str | None:
    """None, or the kind of failure: "crash", "lost" or "idempotence"."""
    try:
        result = render(PIPELINE, [MarkdownWriter()], Path("gen.md"), "gen", text.encode("utf-8"))
        if any(w.startswith("text lost") for w in result.doc.warnings):
            return "lost"
        once = result.outputs["gen.md"].decode("utf-8")
        again = render_document(PIPELINE.process(Path("gen.md"), once.encode("utf-8")))
        return None if again == once else "idempotence"
    except Exception:  # a crash is what is counted here
        return "crash"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--examples", type=int, default=2000)
    ap.add_argument("--show", type=int, default=0, help="failing inputs to print per kind")
    ap.add_argument("--every", type=int, default=0, help="print the counts so far every N examples")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    found: dict[str, list[str]] = {"crash": [], "idempotence": [], "lost": []}
    started = time.perf_counter()
    for done in range(1, args.examples + 1):
        text = random_document(rng)
        kind = classify(text)
        if kind:
            found[kind].append(text)
        if done == args.examples or (args.every and done % args.every == 0):
            print(
                f"seed {args.seed}, {done} examples, {time.perf_counter() - started:.0f} s: "
                + ", ".join(f"{len(v)} {k} ({100 * len(v) / done:.2f}%)" for k, v in found.items()),
                flush=True,
            )
    for kind, texts in found.items():
        for text in texts[: args.show]:
            print(f"{kind}: {text!r}")


if __name__ == "__main__":
    main()
