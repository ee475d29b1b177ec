"""Frame catalogue integrity and frame detection (voice, rejection, evidence offsets)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from kansoku.analyze.frames import _alternation, detect_frames, load_catalogue, quote_spans
from kansoku.model import Span
from kansoku.normalize import make_document
from kansoku.normalize.segment import split_sentences

FRAMES_MD = Path(__file__).resolve().parents[2] / "shared" / "FRAMES.md"
LABELLED = Path(__file__).resolve().parents[1] / "bench" / "data" / "frames_labelled.jsonl"
REQUIRED = {
    "nazi_ukraine",
    "nato_expansion_root_cause",
    "west_provoked_war",
    "maidan_coup",
    "false_flag",
    "zelensky_illegitimate",
    "ukraine_defeat_inevitable",
    "europe_warmongers",
    "multipolar_order",
    "russophobia",
    "russian_imperialism",
    "russia_stalling",
    "pressure_russia",
    "appeasement_warning",
    "alliance_cohesion_risk",
    "us_disengagement",
    "trump_unpredictability",
    "nuclear_coercion",
    "east_asia_spillover",
    "energy_security",
    "sanctions_ineffective",
    "peace_through_concessions",
}


def detect(text: str, attributed: list[Span] | None = None) -> dict[str, dict]:
    return {f["id"]: f for f in detect_frames(make_document(text, sentences=split_sentences(text)), attributed or [])}


# ---------------------------------------------------------------- catalogue


def test_catalogue_has_every_required_id() -> None:
    cat = load_catalogue()
    assert cat["version"] == 1
    ids = set(cat["frames"])
    assert ids >= REQUIRED
    if FRAMES_MD.exists():
        md_ids = set(re.findall(r"^- ([a-z_]+):", FRAMES_MD.read_text(encoding="utf-8"), re.M))
        assert md_ids and md_ids <= ids
    for extra in (
        "china_japan_threat",
        "japan_remilitarization",
        "russia_peace_seeking",
        "ukraine_corruption",
        "humanitarian_cost",
    ):
        assert extra in ids


def test_catalogue_fields_and_patterns_compile() -> None:
    cat = load_catalogue()
    for fid, frame in cat["frames"].items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", fid)
        assert frame["label_ja"].strip() and frame["label_en"].strip() and frame["description"].strip()
        assert frame["family"] in {"pro_kremlin", "western_analytic", "other"}
        assert frame["cues"], fid
        assert frame["_cue_list"].patterns
        for pat in frame["cues"] + frame.get("weak_cues", []) + frame.get("negations", []):
            expanded = re.sub(r"@([A-Z]+)@", lambda m: cat["macros"][m.group(1)], pat)
            re.compile(expanded)
            assert not re.search(expanded, ""), f"{fid}: {pat} matches the empty string"
        for actor, value in frame.get("implies", {}).items():
            assert actor[0].isupper() and -1.0 <= value <= 1.0


# ---------------------------------------------------------------- detection and voice


def test_author_voice() -> None:
    text = "キエフを支配するネオナチ政権を一掃しない限り、平和は訪れない。"
    got = detect(text)
    assert got["nazi_ukraine"]["voice"] == "author"
    assert 0.0 < got["nazi_ukraine"]["score"] <= 1.0
    assert got["nazi_ukraine"]["label"] and got["nazi_ukraine"]["label_en"]


def test_attributed_voice_from_span() -> None:
    text = "ロシア外務省の報道官は「キエフの政権はネオナチの集団だ」と述べた。"
    start = text.index("「")
    end = text.index("」") + 1
    got = detect(text, [Span(start, end)])
    assert got["nazi_ukraine"]["voice"] == "attributed"
    # the crude quote finder produces the same span
    assert quote_spans(text) == [Span(start, end)]


def test_attributed_voice_from_reporting_verb() -> None:
    text = "ロシアのラブロフ外相は、NATOの東方拡大こそが紛争を招いた原因だと主張した。"
    got = detect(text)
    assert got["nato_expansion_root_cause"]["voice"] == "attributed"


def test_discussed_voice() -> None:
    text = "クレムリンは、ウクライナをネオナチ国家として描くナラティブを国内に浸透させている。"
    assert detect(text)["nazi_ukraine"]["voice"] == "discussed"
    text2 = "ロシアの核の恫喝は、西側の支援を萎縮させることを狙ったものだ。"
    assert detect(text2)["nuclear_coercion"]["voice"] == "discussed"


def test_author_assertion_elsewhere_wins_over_attribution() -> None:
    text = (
        "ロシア外務省は「キエフはネオナチ政権だ」と述べた。実際、キエフのネオナチ勢力は今も国を牛耳っている。"
    )
    q = quote_spans(text)
    assert q
    assert detect(text, q)["nazi_ukraine"]["voice"] == "author"


@pytest.mark.parametrize(
    "text,fid",
    [
        ("ウクライナはネオナチ国家ではない。", "nazi_ukraine"),
        ("NATOの東方拡大が戦争の原因だという主張は誤りだ。", "nato_expansion_root_cause"),
        ("冷戦後のNATO拡大は開戦の理由でもなかった。", "nato_expansion_root_cause"),
        ("「自作自演」説には証拠がなく、現地調査とも矛盾している。", "false_flag"),
        ("マイダン革命をクーデターと呼ぶのは、ロシアのプロパガンダをなぞるものにすぎない。", "maidan_coup"),
        ("制裁は着実にロシアの軍需産業に打撃を与えている。", "sanctions_ineffective"),
    ],
)
def test_rejected_frame_is_not_emitted(text: str, fid: str) -> None:
    assert fid not in detect(text)


def test_rhetorical_question_is_not_a_rejection() -> None:
    # 〜のではないか asserts; it must not be read as 〜ではない
    got = detect("西側がいくら武器を送っても、ウクライナに勝ち目はないのではないか。")
    assert "ukraine_defeat_inevitable" in got
    assert "ukraine_defeat_inevitable" not in detect("ウクライナに勝ち目がないわけではない。")


def test_neutral_reporting_emits_nothing() -> None:
    text = (
        "NATOは来月、ハーグで首脳会議を開く予定だ。ロシアとウクライナの代表団は捕虜の交換で合意した。"
        "ミュンヘン安全保障会議で各国の国防相が演説した。"
    )
    assert detect(text) == {}


def test_evidence_offsets_and_ordering() -> None:
    text = (
        "米露首脳会談は開かれたが、成果は乏しかった。\n"
        "ロシアは停戦協議を隠れ蓑に、部隊を再編して次の攻勢に備えている。"
        "プーチンは核兵器の使用をちらつかせ、欧州を威嚇している。"
    )
    frames = detect_frames(make_document(text, sentences=split_sentences(text)), [])
    ids = [f["id"] for f in frames]
    assert "russia_stalling" in ids and "nuclear_coercion" in ids
    scores = [f["score"] for f in frames]
    assert scores == sorted(scores, reverse=True)
    for f in frames:
        assert f["voice"] in {"author", "attributed", "discussed"}
        for ev in f["evidence"]:
            assert text[ev["start"] : ev["end"]] == ev["text"]
            assert "首脳会談は開かれた" not in ev["text"]


def test_more_evidence_raises_score() -> None:
    one = "ロシアは交渉を時間稼ぎに使っている。"
    two = one + "プーチンは停戦協議を隠れ蓑に戦力の立て直しを図っている。"
    assert detect(two)["russia_stalling"]["score"] > detect(one)["russia_stalling"]["score"]


def test_empty_text() -> None:
    assert detect_frames(make_document("", sentences=[]), []) == []


# ---------------------------------------------------------------- labelled set


def test_labelled_set_shape() -> None:
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 240
    assert len({r["id"] for r in rows}) == len(rows)
    ids = set(load_catalogue()["frames"])
    negatives = [r for r in rows if not r["frames"]]
    assert len(negatives) >= 50
    voices: dict[str, set[str]] = {}
    for r in rows:
        assert r["split"] in {"train", "test"}
        assert set(r["frames"]) <= ids
        assert set(r["voice"]) == set(r["frames"])
        for fid, v in r["voice"].items():
            assert v in {"author", "attributed", "discussed"}
            voices.setdefault(fid, set()).add(v)
    for fid in ids:
        assert {"author", "attributed"} <= voices.get(fid, set()), fid
    split = Counter(r["split"] for r in rows)
    assert 0.28 <= split["test"] / len(rows) <= 0.42


def test_cue_lists_search_like_their_alternations() -> None:
    """Searching only the alternatives whose guards pass gives the matches of the whole alternation."""
    cat = load_catalogue()
    texts = [
        "キエフを支配するネオナチ政権を一掃しない限り、平和は訪れない。西側は制裁でロシアを弱体化させようとしている。",
        "NATOの東方拡大がロシアの安全保障を脅かしたと大統領は述べた。制裁は効果がなく、欧州経済が打撃を受けている。",
        "天気は晴れ。今日の試合は3対1で勝った。",
    ]
    texts += ["。".join(frame["cues"][:20]) for frame in cat["frames"].values()]
    for text in texts:
        passed = cat["cue_guards"].passed(text)
        for frame in cat["frames"].values():
            for field, cues in (("cues", frame["_cue_list"]), ("weak_cues", frame["_weak_list"])):
                whole = _alternation(frame.get(field, []), cat["macros"])
                for search in (cues.searcher(text), cues.searcher(text, passed)):
                    pos = 0
                    while pos <= len(text):
                        want = whole.search(text, pos) if whole is not None else None
                        got = search(pos) if search is not None else None
                        assert (got and got.span()) == (want and want.span())
                        if want is None:
                            break
                        pos = want.start() + 1
