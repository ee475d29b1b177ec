"""End to end through the command line: output contract, bad inputs, exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kansoku.schema import validate_record

ROOT = Path(__file__).resolve().parents[1]
GOOD = "【ワシントン=2025年8月16日】米国務省は15日、ウクライナへの追加支援を発表した。ルビオ国務長官は「支援は続く」と述べた。\n"


def kansoku(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "kansoku.cli", *map(str, args)], capture_output=True, text=True, cwd=cwd,
        timeout=600,
    )


def test_version_and_usage_errors_exit_2():
    assert kansoku("--version").stdout.startswith("kansoku ")
    r = kansoku("analyze")
    assert r.returncode == 2
    r = kansoku("analyze", "x.txt", "--format", "pdf")
    assert r.returncode == 2
    r = kansoku("analyze", "x.txt", "--published-default", "yesterday")
    assert r.returncode == 2 and "--published-default" in r.stderr


def test_bad_inputs_each_get_one_line_and_the_rest_is_analysed(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "undecodable.txt").write_bytes(b"\x82\xa0\xff\xfe\xfd\x00\x81" * 400)
    (tmp_path / "broken.html").write_text("<html><body><p>本文<div><p>ロシア軍は前進した。<div>", encoding="utf-8")
    (tmp_path / "feed.jsonl").write_text(
        json.dumps({"text": GOOD, "title": "支援"}, ensure_ascii=False) + "\n{not json\n"
        + json.dumps({"text": "ロシアとウクライナ。"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    r = kansoku("analyze", tmp_path, "--out", out, "--quiet", "--workers", "1")
    assert r.returncode == 1, r.stderr
    errors = [line for line in r.stderr.splitlines() if line.strip()]
    assert "Traceback" not in r.stderr
    names = ["binary.txt", "empty.txt", "undecodable.txt", "feed.jsonl"]
    for name in names:
        assert sum(name in line for line in errors) == 1, (name, errors)
    assert all(line.startswith("kansoku: ") for line in errors)
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    sources = {Path(r["source"].split("#")[0]).name for r in recs}
    assert {"good.txt", "broken.html", "feed.jsonl"} <= sources
    assert len([r for r in recs if r["source"].startswith(str(tmp_path / "feed.jsonl"))]) == 2
    for rec in recs:
        assert validate_record(rec) == []


def test_huge_document_is_refused_with_one_line_and_bounded_work(tmp_path):
    big = tmp_path / "huge.txt"
    line = "ロシア軍は東部で攻勢を強めた。" * 40 + "\n"
    with big.open("w", encoding="utf-8") as f:
        while f.tell() < 20 * 1024 * 1024:
            f.write(line)
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = kansoku("analyze", tmp_path, "--out", out, "--quiet", "--workers", "1")
    assert r.returncode == 1
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "huge.txt" in lines[0] and "--max-chars" in lines[0]
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1


def test_all_good_exits_0_and_markdown_is_japanese(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    r = kansoku("analyze", tmp_path / "a.txt", "--format", "md", "--quiet")
    assert r.returncode == 0, r.stderr
    assert "## 主な固有名詞" in r.stdout and "## 数値と出典" in r.stdout


def test_missing_path_is_one_line(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    r = kansoku("analyze", tmp_path / "nope.txt", tmp_path / "a.txt", "--quiet", "--workers", "1")
    assert r.returncode == 1
    assert r.stderr.strip() == f"kansoku: {tmp_path / 'nope.txt'}: no such file or directory"
    assert len(r.stdout.splitlines()) == 1


@pytest.mark.skipif(not (ROOT / "examples" / "corpus").is_dir(), reason="no sample corpus")
def test_sample_corpus_validates_against_the_schema(tmp_path):
    out = tmp_path / "demo.jsonl"
    r = kansoku("analyze", ROOT / "examples" / "corpus", "--out", out, "--quiet")
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) >= 10
    for rec in recs:
        assert validate_record(rec) == [], rec["source"]


# --------------------------------------------------------------------------------------- read warnings

WARNING = "12 bytes replaced while decoding as cp932"


def _fake_reader(paths):  # type: ignore[no-untyped-def]
    """One article read with repairs, one that could not be read."""
    from kansoku.model import RawDoc, ReadError

    yield RawDoc(source="repaired.txt", text=GOOD, warnings=[WARNING])
    yield ReadError("broken.txt", "not a text file")


def test_read_warnings_are_lines_not_failures(monkeypatch, capsys):
    import kansoku.cli

    monkeypatch.setattr(kansoku.cli, "_collect_raw", _fake_reader)
    records, failures = kansoku.cli._collect([Path("ignored")], None, 1, quiet=True)
    assert failures == 1  # the unreadable file only
    assert [r["source"] for r in records] == ["repaired.txt"] and records[0]["warnings"] == [WARNING]
    assert capsys.readouterr().err.splitlines() == [
        f"kansoku: repaired.txt: warning: {WARNING}",
        "kansoku: broken.txt: not a text file",
    ]


def test_read_warnings_go_above_the_progress_bar(monkeypatch):
    import io

    import kansoku.cli

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    monkeypatch.setattr(kansoku.cli, "_collect_raw", _fake_reader)
    records, failures = kansoku.cli._collect([Path("ignored")], None, 1, quiet=False)
    assert (len(records), failures) == (1, 1)
    out = term.getvalue()
    assert f"kansoku: repaired.txt: warning: {WARNING}" in out
    assert "analyse" in out and "2/" in out  # the bar was drawn and counted both inputs


def test_ingest_prints_read_warnings(tmp_path):
    import typer
    from typer.testing import CliRunner

    from kansoku.store.cli import register

    app = typer.Typer()

    @app.callback()
    def _main() -> None:
        pass

    register(app, _fake_reader)
    (tmp_path / "in.txt").write_text(GOOD, encoding="utf-8")
    r = CliRunner().invoke(app, ["ingest", str(tmp_path / "in.txt"), "--db", str(tmp_path / "k.db"), "--workers", "1"])
    assert r.exit_code == 1  # broken.txt failed; the warning is not a failure
    lines = r.stderr.splitlines()
    assert f"kansoku: repaired.txt: warning: {WARNING}" in lines
    assert "kansoku: broken.txt: not a text file" in lines
    assert "added 1, updated 0, unchanged 0, failed 1" in lines[-1]


def test_missing_input_records_is_one_line(tmp_path):
    from typer.testing import CliRunner

    from kansoku.cli import app

    r = CliRunner().invoke(app, ["stories", "--input", str(tmp_path / "nope.jsonl")])
    assert r.exit_code == 2
    assert r.stderr == f"kansoku: --input {tmp_path / 'nope.jsonl'}: no such file or directory\n"
