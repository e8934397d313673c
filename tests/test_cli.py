"""The galley command as a user runs it (real subprocesses)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import SAMPLES

GALLEY = [sys.executable, "-m", "pipeline.cli"]
SEED = SAMPLES / "xiaomi-courage-2024.md"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*GALLEY, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_help_lists_the_commands():
    out = run("--help")
    assert out.returncode == 0
    for command in ("convert", "clean", "check", "stages", "writers"):
        assert command in out.stdout


def test_stages_lists_every_stage_in_run_order():
    out = run("stages")
    assert out.returncode == 0
    priorities = [int(line.split()[0]) for line in out.stdout.splitlines()]
    assert priorities == sorted(priorities)
    names = {line.split()[2] for line in out.stdout.splitlines()}
    assert {"decode", "broken_emphasis", "heading_levels"} <= names


def test_unknown_stage_is_one_line_listing_the_valid_names():
    out = run("clean", str(SEED), "--disable", "hedings")
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "hedings" in lines[0] and "heading_levels" in lines[0]


def test_unknown_option_is_an_error():
    out = run("clean", str(SEED), "--set", "ui_chrome.colour=red")
    assert out.returncode == 1 and "colour" in out.stderr and "rules_off" in out.stderr


def test_clean_prints_markdown_and_is_stable(tmp_path):
    out = run("clean", str(SEED))
    assert out.returncode == 0 and out.stdout.startswith("---\ntitle: ")
    again = tmp_path / "clean.md"
    again.write_text(out.stdout, encoding="utf-8")
    assert run("clean", str(again)).stdout == out.stdout


def test_clean_diff_shows_the_repairs():
    out = run("clean", str(SEED), "--diff")
    assert out.returncode == 0
    assert "-**1**0****" in out.stdout and "+## 10 小米手环9" in out.stdout


def test_disabled_stage_changes_nothing_it_owns():
    out = run("clean", str(SEED), "--disable", "ui_chrome")
    assert "左滑查看更多" in out.stdout


def test_check_lists_debris_and_exits_1():
    out = run("check", str(SEED))
    assert out.returncode == 1
    assert "lazy_placeholders/svg_placeholder" in out.stdout
    assert "ui_chrome/swipe_hint" in out.stdout


def test_check_on_clean_output_finds_nothing_to_repair(tmp_path):
    clean = tmp_path / "clean.md"
    clean.write_text(run("clean", str(SEED)).stdout, encoding="utf-8")
    out = run("check", str(clean))
    assert out.returncode == 0, out.stdout


def test_config_file_disables_a_stage(tmp_path):
    (tmp_path / "galley.toml").write_text('disable = ["ui_chrome"]\n', encoding="utf-8")
    out = run("clean", str(SEED), cwd=tmp_path)
    assert out.returncode == 0 and "左滑查看更多" in out.stdout


def test_promo_tail_only_with_the_option(tmp_path):
    wx = SAMPLES / "wechat-html2text-export.md"
    plain = run("clean", str(wx)).stdout
    promo = run("clean", str(wx), "--set", "ui_chrome.promo=true").stdout
    assert "推 荐 阅 读" in plain and "推 荐 阅 读" not in promo


def test_convert_writes_each_format_and_a_report(tmp_path):
    out = run(
        "convert",
        str(SEED),
        "-o",
        str(tmp_path),
        "--to",
        "md,pandoc:html",
        "--report",
        str(tmp_path / "r.json"),
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "xiaomi-courage-2024.md").read_text(encoding="utf-8").startswith("---")
    assert "<h2" in (tmp_path / "xiaomi-courage-2024.html").read_text(encoding="utf-8")
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    entry = report["files"][0]
    assert entry["status"] == "converted" and entry["kept"] >= 0.999
    assert entry["changes"]["broken_emphasis"]


def test_a_bad_file_is_one_line_and_the_others_convert(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.md").write_text("# Title\n\nText.\n", encoding="utf-8")
    (src / "bad.md").write_bytes(b"\x00\x01\x02binary\x00")
    out = run("convert", str(src), "-o", str(tmp_path / "out"), "--to", "md")
    assert out.returncode == 1
    assert (tmp_path / "out" / "good.md").exists() and not (tmp_path / "out" / "bad.md").exists()
    bad_lines = [ln for ln in out.stderr.splitlines() if "bad.md" in ln]
    assert bad_lines and "not a text file" in bad_lines[0]
    assert "Traceback" not in out.stderr


def test_no_traceback_for_a_missing_file():
    out = run("clean", "/no/such/file.md")
    assert out.returncode != 0 and "Traceback" not in out.stderr and "file.md" in out.stderr


def test_pyproject_tool_galley_configures_a_stage(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "notes"\n\n[tool.galley.stages.ui_chrome]\nrules_off = ["swipe_hint"]\n',
        encoding="utf-8",
    )
    out = run("clean", str(SEED), cwd=tmp_path)
    assert out.returncode == 0 and "左滑查看更多" in out.stdout
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "galley.toml").write_text('[stages.ui_chrome]\nrules_off = ["swipe"]\n', encoding="utf-8")
    out = run("clean", str(SEED), cwd=bad)
    assert out.returncode == 1 and "swipe_hint" in out.stderr
