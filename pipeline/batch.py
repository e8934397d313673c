"""Many files: discovery, output naming, per-file isolation and the report."""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from .atomic import write_atomic
from .config import Config
from .errors import ConfigError, GalleyError

INPUT_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".txt")


def discover(paths: list[Path]) -> Iterator[tuple[Path, Path]]:
    """Input files and their paths relative to the folder given (for mirroring)."""
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in INPUT_SUFFIXES and not _hidden(f.relative_to(p)):
                    yield f, f.relative_to(p)
        else:
            yield p, Path(p.name)


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


@dataclass
class FileResult:
    source: str
    status: str                      # converted | failed
    outputs: list[str] = field(default_factory=list)
    error: str | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        d = {"source": self.source, "status": self.status, "outputs": self.outputs}
        if self.error:
            d["error"] = self.error
        d.update(self.info)
        return d


def output_stem(rel: Path) -> str:
    return str(rel.with_suffix("")) if rel.suffix else str(rel)


def run_batch(paths: list[Path], outdir: Path, cfg: Config, report_file: Path | None = None) -> int:
    from .convert import render
    from .runner import Pipeline
    from .writer import available_writers, make_writer

    pipeline = Pipeline(cfg)
    registry = available_writers()
    writers = [make_writer(f, cfg.writer_options.get(f.partition(":")[0], {}), registry)
               for f in cfg.formats]
    for p in paths:
        if not p.exists():
            raise ConfigError(f"{p}: no such file or folder")
    jobs = list(discover(paths))
    _check_collisions(jobs)
    results: list[FileResult] = []
    for src, rel in jobs:
        stem = output_stem(rel)
        try:
            rendered = render(pipeline, writers, src, stem)
        except GalleyError as exc:
            results.append(FileResult(str(src), "failed", error=str(exc)))
            print(f"{src}: {exc}", file=sys.stderr)
            continue
        for name, data in rendered.outputs.items():
            write_atomic(outdir / name, data)
        results.append(FileResult(str(src), "converted", sorted(rendered.outputs), info=rendered.summary()))
        for w in rendered.doc.warnings:
            print(f"{src}: warning: {w}", file=sys.stderr)
    if report_file:
        report = {"files": [r.as_dict() for r in results]}
        write_atomic(report_file, json.dumps(report, ensure_ascii=False, indent=1).encode())
    failed = sum(r.status == "failed" for r in results)
    print(f"{len(results)} files: {len(results) - failed} converted, {failed} failed", file=sys.stderr)
    return 1 if failed else 0


def _check_collisions(jobs: list[tuple[Path, Path]]) -> None:
    seen: dict[str, Path] = {}
    for src, rel in jobs:
        key = output_stem(rel).lower()
        if key in seen:
            raise ConfigError(f"{seen[key]} and {src} would write the same output")
        seen[key] = src
