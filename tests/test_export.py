"""CSV export safe to open in a spreadsheet (OWASP CSV injection), UTF-8 BOM by default, ``--no-bom``."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kansoku.store.export import csv_cell
from kansoku.store.ingest import ingest

BODY = "ウクライナ東部で16日、住民約300人が避難した。当局者が明らかにした。"
TITLES = [
    '=HYPERLINK("http://evil.example","x")',
    "+81 3 1234 5678 への問い合わせ",
    "-5度の寒波、欧州を襲う",
    "@kansoku_news の速報",
    "普通の見出し",
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kansoku.read import iter_documents

    d = tmp_path_factory.mktemp("export")
    src = d / "arts.jsonl"
    src.write_text(
        "".join(
            json.dumps({"title": t, "text": f"{BODY}（記事{i}）", "published": "2025-08-16"}, ensure_ascii=False) + "\n"
            for i, t in enumerate(TITLES)
        ),
        encoding="utf-8",
    )
    db = d / "k.db"
    stats = ingest(db, iter_documents([src]), workers=1)
    assert stats.added == len(TITLES) and stats.failed == 0
    con = sqlite3.connect(db)
    with con:  # a negative figure stored as a number
        con.execute(
            "UPDATE quantities SET value = -12.5 "
            "WHERE (doc_id, idx) = (SELECT doc_id, idx FROM quantities ORDER BY doc_id, idx LIMIT 1)"
        )
    con.close()
    return db


def export_csv(store: Path, out: Path, *extra: str) -> None:
    from kansoku.cli import app

    r = CliRunner().invoke(app, ["export", "--db", str(store), "--format", "csv", "--out", str(out), *extra])
    assert r.exit_code == 0, r.output


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_formula_cells_get_a_leading_quote(store: Path, tmp_path: Path) -> None:
    export_csv(store, tmp_path / "c")
    got = {r["title"] for r in rows(tmp_path / "c" / "documents.csv")}
    for t in TITLES:
        expected = "'" + t if t[0] in "=+-@" else t
        assert expected in got, (t, got)
    # the rest of the value is kept as it was
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in got
    # the full records keep the original title: only the CSV is neutralised
    recs = [json.loads(x) for x in (tmp_path / "c" / "documents.records.jsonl").read_text("utf-8").splitlines()]
    assert TITLES[0] in {r["title"] for r in recs}


def test_numbers_stay_numbers(store: Path, tmp_path: Path) -> None:
    export_csv(store, tmp_path / "c")
    raw = (tmp_path / "c" / "quantities.csv").read_text(encoding="utf-8-sig")
    assert ",-12.5," in raw and "'-12.5" not in raw
    assert any(r["value"] == "-12.5" for r in rows(tmp_path / "c" / "quantities.csv"))


def test_bom_by_default_and_no_bom(store: Path, tmp_path: Path) -> None:
    export_csv(store, tmp_path / "bom")
    export_csv(store, tmp_path / "plain", "--no-bom")
    for name, header in (("documents.csv", b"id,"), ("entities.csv", b"id,"), ("quantities.csv", b"doc_id,")):
        assert (tmp_path / "bom" / name).read_bytes().startswith(b"\xef\xbb\xbf" + header)
        assert (tmp_path / "plain" / name).read_bytes().startswith(header)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("a=1", "a=1"),
        ("", ""),
        (-0.6, -0.6),
        (-3, -3),
        (None, None),
    ],
)
def test_csv_cell(value: object, cell: object) -> None:
    assert csv_cell(value) == cell
