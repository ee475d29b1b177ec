"""Every command shown in README.md, run for real on a pseudo-terminal (120 x 40).

On a terminal kansoku shows progress bars and Rich tables, code paths that piped runs (the other tests) never
take.  Each run must end with the expected exit status and no traceback; the batch commands must have drawn
their progress bar (its label and a final count equal to the number of articles).  The sample corpus is
analysed into a store once for the module.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest

from ptyrun import KANSOKU, ROOT, PtyResult, run_on_pty

CORPUS = ROOT / "examples" / "corpus"
FIRST = CORPUS / "01_wire_kramatorsk_toa.txt"

pytestmark = [
    pytest.mark.skipif(not CORPUS.is_dir(), reason="no sample corpus"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminal tests need Linux"),
]


def assert_clean(res: PtyResult, status: int = 0) -> None:
    assert res.status == status, res.output[-3000:]
    assert "Traceback" not in res.output, res.output[-3000:]


def bar_count(res: PtyResult, label: str) -> int:
    """The final count the progress bar labelled LABEL showed; fails when no bar was drawn."""
    counts = re.findall(rf"{label} +━+ +(\d+)/", res.output)
    assert counts, f"no {label!r} progress bar in:\n{res.output[-2000:]}"
    return int(counts[-1])


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    d = tmp_path_factory.mktemp("pty")
    w = SimpleNamespace(dir=d, records=d / "records.jsonl", db=d / "k.db")
    w.analyze = run_on_pty([*KANSOKU, "analyze", CORPUS, "--out", w.records, "--workers", "1"], cwd=d)
    w.ingest = run_on_pty([*KANSOKU, "ingest", CORPUS, "--db", w.db, "--workers", "1"], cwd=d)
    w.n = len(w.records.read_text(encoding="utf-8").splitlines()) if w.records.exists() else 0
    r = subprocess.run([*KANSOKU, "stories", "--db", w.db, "--format", "json"], capture_output=True, text=True,
                       cwd=d, env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, timeout=120)  # fmt: skip
    stories = json.loads(r.stdout) if r.returncode == 0 else []
    w.story = next((s["id"] for s in stories if any(x.endswith(FIRST.name) for x in s["sources"])), None)
    return w


def kansoku_on_pty(work: SimpleNamespace, *args: object) -> PtyResult:
    return run_on_pty([*KANSOKU, *args], cwd=work.dir)


# ------------------------------------------------------------------------------------------ analyse


def test_analyze_to_a_file_shows_the_bar(work: SimpleNamespace) -> None:
    assert_clean(work.analyze)
    assert work.n >= 10
    assert bar_count(work.analyze, "analyse") == work.n


def test_analyze_markdown_on_the_terminal(work: SimpleNamespace) -> None:
    res = kansoku_on_pty(work, "analyze", FIRST, "--format", "md", "--published-default", "2025-08-16",
                         "--workers", "1")  # fmt: skip
    assert_clean(res)
    assert bar_count(res, "analyse") == 1
    assert "## 主な固有名詞" in res.output


def test_entities_table_is_wide(work: SimpleNamespace) -> None:
    res = kansoku_on_pty(work, "entities", CORPUS, "--workers", "1")
    assert_clean(res)
    assert bar_count(res, "analyse") == work.n
    assert "entities" in res.output and "Ukraine" in res.output
    # the table uses the terminal's 120 columns, not a default of 80
    assert max(len(line) for line in res.output.splitlines()) > 100


def test_validate(work: SimpleNamespace) -> None:
    res = kansoku_on_pty(work, "validate", work.records)
    assert_clean(res)
    assert "kansoku:" not in res.output


# --------------------------------------------------------------------------------------------- store


def test_ingest_shows_the_bar(work: SimpleNamespace) -> None:
    assert_clean(work.ingest)
    assert bar_count(work.ingest, "ingest") == work.n
    assert f"added {work.n}," in work.ingest.output


def test_reanalyze_all_shows_the_bar(work: SimpleNamespace) -> None:
    res = kansoku_on_pty(work, "reanalyze", "--all", "--db", work.db, "--workers", "1")
    assert_clean(res)
    assert bar_count(res, "reanalyze") == work.n
    assert f"updated {work.n}," in res.output


def test_search_table(work: SimpleNamespace) -> None:
    res = kansoku_on_pty(work, "search", "停戦", "--db", work.db)
    assert_clean(res)
    m = re.search(r"(\d+) hits? for '停戦'", res.output)
    assert m and int(m.group(1)) > 0, res.output[-2000:]


def test_search_with_filters_jsonl(work: SimpleNamespace) -> None:
    res = kansoku_on_pty(work, "search", "停戦", "--db", work.db, "--entity", "ウクライナ", "--outlet", "ウォッチ",
                         "--since", "2025-08-01", "--frame", "pressure_russia", "--format", "jsonl")  # fmt: skip
    assert_clean(res)
    hits = [json.loads(line) for line in res.output.splitlines() if line.startswith("{")]
    assert all(h["published"] >= "2025-08-01" and "ウォッチ" in (h["outlet"] or "") for h in hits)


def test_search_empty_query_is_a_usage_line(work: SimpleNamespace) -> None:
    res = kansoku_on_pty(work, "search", "「」", "--db", work.db)
    assert_clean(res, 2)
    assert res.output.strip() == "kansoku: search: the query is empty; give at least one word"


# ---------------------------------------------------------------------------------------------- corpus


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["stories"], r"stories \(\d+\)"),
        (["compare", FIRST.name, "03_wire"], r"entities: shared \d+"),
        (["compare", "--story", "{story}"], r"figures across outlets"),
        (["timeline"], r"timeline \(\d+ events\)"),
        (["timeline", "--entity", "ゼレンスキー", "--story", "{story}"], r"timeline \(\d+ events\)"),
        (["entity", "ポクロウシク"], r"mentions by source"),
    ],
    ids=["stories", "compare-a-b", "compare-story", "timeline", "timeline-entity-story", "entity"],
)
def test_corpus_tables(work: SimpleNamespace, args: list, expect: str) -> None:
    assert work.story, "the sample corpus has a story with the Kramatorsk wire"
    args = [a.replace("{story}", work.story) if isinstance(a, str) else a for a in args]
    res = kansoku_on_pty(work, *args, "--db", work.db)
    assert_clean(res)
    assert re.search(expect, res.output), res.output[-2000:]


def test_stories_from_input_records(work: SimpleNamespace) -> None:
    res = kansoku_on_pty(work, "stories", "--input", work.records)
    assert_clean(res)
    assert re.search(r"stories \(\d+\)", res.output)


@pytest.mark.parametrize("selector", ["--story", "--query"])
def test_report(work: SimpleNamespace, selector: str) -> None:
    out = work.dir / f"report{selector}"
    value = work.story if selector == "--story" else "クラマトルスク"
    res = kansoku_on_pty(work, "report", selector, value, "--out", out, "--db", work.db)
    assert_clean(res)
    assert (out / "briefing.html").is_file() and (out / "briefing.md").is_file()
    assert str(out / "briefing.html") in res.output.replace("\n", "")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export(work: SimpleNamespace, fmt: str) -> None:
    out = work.dir / f"export-{fmt}"
    res = kansoku_on_pty(work, "export", "--format", fmt, "--out", out, "--db", work.db)
    assert_clean(res)
    assert f"documents.{fmt} {work.n}" in res.output
    assert (out / f"documents.{fmt}").is_file() and (out / "documents.records.jsonl").is_file()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "temporary files left behind"


def test_claims_table_from_the_store_and_from_articles(work: SimpleNamespace) -> None:
    res = kansoku_on_pty(work, "claims", "--db", work.db, "--speaker", "ゼレンスキー")
    assert_clean(res)
    assert re.search(r"claims by speaker \(\d+\)", res.output) and "ゼレンスキー" in res.output
    res = kansoku_on_pty(work, "claims", ROOT / "examples" / "corpus" / "10_wire_istanbul_summit.txt")
    assert_clean(res)
    assert re.search(r"claims by speaker \(\d+\)", res.output)


def test_every_readme_command_is_covered() -> None:
    """The README's command list and this module stay in step."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"^\.venv/bin/kansoku (\w+)", readme, flags=re.M))
    covered = {"analyze", "entities", "validate", "ingest", "reanalyze", "search", "stories", "compare",
               "timeline", "entity", "report", "export", "claims",
               "collect",  # tests/collect/test_collect_cli.py (needs its local server)
               "serve"}  # fmt: skip - serve: tests/web/test_web_pages.py::test_cli_serve_answers (a real server process)
    assert shown and shown <= covered, shown - covered
