"""The Python API: ``from pipeline import clean, convert`` gives what the commands give."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT, SAMPLES, sample_files

from pipeline import clean, convert
from pipeline.errors import ConfigError, GalleyError


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.stem)
def test_clean_gives_what_galley_clean_prints(path):
    printed = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "clean", str(path)],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert printed.returncode == 0, printed.stderr
    once = clean(path.read_text(encoding="utf-8"), name=path.name)
    assert once == printed.stdout
    assert clean(once, name=path.name) == once


def test_clean_takes_stage_names_and_options():
    text = "# 标题\n\n正文第一段。\n\n·\n\n正文第二段。\n"
    assert "·" not in clean(text)
    assert "·" in clean(text, options={"ui_chrome": {"rules_off": ["separator_line"]}})
    assert "·" in clean(text, disable=["ui_chrome"])
    with pytest.raises(ConfigError, match="option 'rules_off' must be a list of names from"):
        clean(text, options={"ui_chrome": {"rules_off": ["separators"]}})


def test_convert_gives_the_bytes_galley_convert_writes(tmp_path):
    sample = SAMPLES / "xiaomi-courage-2024.md"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "convert",
            str(sample),
            "-o",
            str(tmp_path / "cli"),
            "--to",
            "md,epub,docx",
            "--page-size",
            "letter",
            "-q",
        ],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    outputs = convert(
        sample, to=["md", "epub", "docx"], out_dir=tmp_path / "api", options={"docx": {"page_size": "letter"}}
    )
    assert sorted(outputs) == [f"xiaomi-courage-2024.{ext}" for ext in ("docx", "epub", "md")]
    for name, data in outputs.items():
        assert (tmp_path / "cli" / name).read_bytes() == data
        assert (tmp_path / "api" / name).read_bytes() == data
    assert convert(sample, to="docx", options={"docx": {"page_size": "letter"}}) == {
        "xiaomi-courage-2024.docx": outputs["xiaomi-courage-2024.docx"]
    }


def test_convert_says_what_is_wrong_in_one_line(tmp_path):
    with pytest.raises(GalleyError) as info:
        convert(tmp_path / "missing.md")
    assert "\n" not in str(info.value)
    with pytest.raises(ConfigError, match=r"No writer 'odt'\. Available: "):
        convert(SAMPLES / "xiaomi-courage-2024.md", to="odt")


def test_the_api_names_stay_functions_whatever_else_is_imported():
    """A submodule named like a function of the package would replace it on import."""
    import importlib
    import pkgutil

    import pipeline

    for info in pkgutil.walk_packages(pipeline.__path__, "pipeline."):
        if ".writers.pdf.uno_convert" in info.name:
            continue  # a script for LibreOffice's own Python
        importlib.import_module(info.name)
    assert callable(pipeline.clean) and pipeline.clean.__module__ == "pipeline.api"
    assert callable(pipeline.convert) and pipeline.convert.__module__ == "pipeline.api"
