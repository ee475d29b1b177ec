"""Claims by speaker across a corpus: the view function, contradictions, `kansoku claims`, the briefing section."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kansoku.corpus.claims import UNATTRIBUTED, claims_by_speaker, contradictions
from kansoku.model import RawDoc
from kansoku.pipeline import analyze_batch

ROOT = Path(__file__).resolve().parents[1]
A = "ロシア国防省は、ウクライナ軍がクラマトルスクの民間施設を拠点に使っていたと主張した。同省はまた、攻撃は正当だったと述べた。"
B = "ウクライナ軍参謀本部は、クラマトルスクの民間施設を拠点に使っていたとの主張を事実無根だと否定した。"
C = "関係者によると、停戦協議は来週にも再開される。"


@pytest.fixture(scope="module")
def recs():
    out = analyze_batch([RawDoc(source="a.txt", text=A), RawDoc(source="b.txt", text=B), RawDoc(source="c.txt", text=C)])
    assert all(isinstance(r, dict) for r in out)
    return out


def test_grouped_by_resolved_speaker(recs):
    view = claims_by_speaker(recs)
    by_name = {g["name"]: g for g in view["speakers"]}
    mod = next(g for g in view["speakers"] if g["entity_id"] == "org:ministry-of-defence-of-russia")
    assert mod["count"] == 2  # 同省 is the same speaker as ロシア国防省
    assert view["total"] == sum(g["count"] for g in view["speakers"])
    assert "関係者" in by_name
    for g in view["speakers"]:
        for row in g["claims"]:
            rec = next(r for r in recs if r["id"] == row["doc_id"])
            assert rec["text"][row["content_span"]["start"] : row["content_span"]["end"]] == row["content"]


def test_filters(recs):
    only = claims_by_speaker(recs, speaker="ロシア国防省")
    assert [g["entity_id"] for g in only["speakers"]] == ["org:ministry-of-defence-of-russia"]
    about = claims_by_speaker(recs, about="クラマトルスク")
    assert {g["name"] for g in about["speakers"]} >= {"ロシア国防省"} and "関係者" not in {g["name"] for g in about["speakers"]}
    assert claims_by_speaker(recs, speaker="存在しない人")["speakers"] == []


def test_unattributed_claims_are_grouped_last():
    (r,) = analyze_batch([RawDoc(source="h.txt", text="停戦交渉は水面下で続いているとされる。関係者によると、会談は来週だ。")])
    view = claims_by_speaker([r])
    assert view["speakers"][-1]["key"] == UNATTRIBUTED


def test_speakers_who_contradict_each_other(recs):
    pairs = contradictions(recs)
    assert len(pairs) == 1
    p = pairs[0]
    assert p["a"]["speaker_entity_id"] == "org:ministry-of-defence-of-russia"
    assert "参謀本部" in p["b"]["speaker"] and "事実無根" in p["b"]["content"]
    assert not contradictions([recs[0], recs[2]])  # no denial, no pair


def test_claims_command_json_and_errors(recs, tmp_path):
    path = tmp_path / "recs.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    run = [sys.executable, "-m", "kansoku.cli", "claims", "--input", str(path)]
    r = subprocess.run([*run, "--speaker", "ロシア国防省", "--format", "json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    view = json.loads(r.stdout)
    assert [g["entity_id"] for g in view["speakers"]] == ["org:ministry-of-defence-of-russia"]
    r = subprocess.run([*run, "--speaker", "存在しない人"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and r.stderr.strip().count("\n") == 0 and "no claims match" in r.stderr
    r = subprocess.run([*run], capture_output=True, text=True, timeout=120, env={"COLUMNS": "160", "PATH": ""})
    assert r.returncode == 0 and "ロシア国防省" in r.stdout


def test_briefing_section(recs):
    from kansoku.report.briefing import build_briefing, render_markdown

    for lang, head in (("ja", "## 発言者別の主張"), ("en", "## Claims by speaker")):
        data = build_briefing(recs, lang=lang)
        md = render_markdown(data, {})
        assert head in md
        assert any(g["entity_id"] == "org:ministry-of-defence-of-russia" for g in data["claims_by_speaker"])
        assert data["speaker_conflicts"] and "事実無根" in md
