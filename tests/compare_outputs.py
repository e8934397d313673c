"""Compare two output folders of ``galley convert``, zip members one by one.

    .venv/bin/python tests/compare_outputs.py BEFORE AFTER

Every file under either folder (``report.json`` and the manifest left out: they
hold times) must be in both; a ``.epub`` or ``.docx`` must hold the same members
with the same bytes in the same order (names, dates and contents), any other file
the same bytes. Prints what differs; exit status 1 if anything does.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

SKIP = {"report.json"}


def outputs(root: Path) -> dict[str, Path]:
    return {
        p.relative_to(root).as_posix(): p
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in SKIP and not p.name.startswith(".galley-manifest")
    }


def differences(a: Path, b: Path) -> list[str]:
    """What differs between the output files ``a`` and ``b`` (empty: nothing)."""
    if a.suffix not in (".epub", ".docx"):
        return [] if a.read_bytes() == b.read_bytes() else ["bytes differ"]
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        ia, ib = za.infolist(), zb.infolist()
        if [i.filename for i in ia] != [i.filename for i in ib]:
            return [
                "members differ: " + " ".join(sorted({i.filename for i in ia} ^ {i.filename for i in ib}))
                or "members in another order"
            ]
        out = []
        for x, y in zip(ia, ib, strict=True):
            if x.date_time != y.date_time:
                out.append(f"{x.filename}: date {x.date_time} != {y.date_time}")
            if za.read(x) != zb.read(y):
                out.append(f"{x.filename}: contents differ")
        return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    before, after = outputs(Path(argv[0])), outputs(Path(argv[1]))
    bad = 0
    for rel in sorted(set(before) | set(after)):
        if rel not in after or rel not in before:
            print(f"{rel}: only in {'before' if rel in before else 'after'}")
            bad += 1
            continue
        for what in differences(before[rel], after[rel]):
            print(f"{rel}: {what}")
            bad += 1
    print(f"{len(set(before) | set(after))} files compared, {bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
