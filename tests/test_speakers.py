"""Who claims what across sentences: anaphors, bare titles, zero subjects, bylined assertions; sources of
figures; loaded labels kept visible; owned organisations keep their owner. Passages written for the tests."""

import pytest

from kansoku.model import RawDoc
from kansoku.pipeline import analyze_document


def _rec(text: str, author: str | None = None) -> dict:
    return analyze_document(RawDoc(source="t", text=text, author=author))


def _claim(rec: dict, snippet: str) -> dict:
    hits = [c for c in rec["claims"] if snippet in rec["text"][c["content_span"]["start"] : c["content_span"]["end"]]]
    assert hits, [(c["text"], c["speaker"]) for c in rec["claims"]]
    return hits[0]


def _entity(rec: dict, eid: str | None) -> dict | None:
    return next((e for e in rec["entities"] if e["id"] == eid), None)


@pytest.mark.parametrize(("text", "snippet", "speaker", "method"), [
    ("ロシアのプーチン大統領は、安全保障会議の書記とモスクワで会談した。同大統領は会談で、北朝鮮との協力を深める考えを示した。",
     "北朝鮮との協力を深める", "プーチン", "anaphor"),
    ("石破茂首相と小泉進次郎農林水産相は官邸で協議した。協議後、小泉氏は記者団の取材に応じた。同相は「備蓄米の放出で価格は必ず下がる」と断言した。",
     "備蓄米の放出", "小泉", "anaphor"),
    ("トランプ大統領はNATO首脳会議で、スペインのサンチェス首相を名指しで批判した。彼は「目標を守らない国は代償を払う」と述べた。",
     "代償を払う", "トランプ", "anaphor"),
    ("英紙ガーディアンは、政府が新たな制裁を準備していると報じた。同紙によると、制裁は来月にも発表される。",
     "来月にも発表", "ガーディアン", "anaphor"),
    ("日銀の植田和男総裁は、物価目標の実現が視野に入りつつあると述べた。さらに、関税の影響は注視が必要だと指摘した。",
     "注視が必要", "植田", "zero_subject"),
    ("警察によると、男は駅前で通行人に刃物を向けた。けが人はいなかったという。", "けが人はいなかった", "警察", "zero_subject"),
    ("番組の次回のゲストは、元外交官で作家の佐伯健一氏。昨年、回想録を出版しており「対話の窓口は閉ざすべきでない」"
     "という立場をとっている。", "対話の窓口", "佐伯", "zero_subject"),
])

def test_speaker_across_sentences(text, snippet, speaker, method):
    rec = _rec(text)
    c = _claim(rec, snippet)
    assert speaker in (c["speaker"] or ""), c
    assert c["speaker_resolution"]["method"] == method
    if method == "anaphor":
        ante = c["speaker_resolution"]["antecedent"]
        assert rec["text"][ante["start"] : ante["end"]] == ante["text"] and speaker in ante["text"]
    if c["speaker_entity_id"]:
        assert _entity(rec, c["speaker_entity_id"]) is not None  # the id points into this document's entities


def test_a_subjectless_quote_does_not_take_one_of_two_persons():
    rec = _rec("番組には佐伯健一氏と村田秀樹氏が出演した。昨年、共著を出版しており「対話の窓口は閉ざすべきでない」という"
               "立場をとっている。")
    assert _claim(rec, "対話の窓口")["speaker"] is None


def test_the_nearest_name_is_not_always_the_speaker():
    rec = _rec("岸田文雄前首相は、石破茂首相と首相官邸で会談した。会談後、前首相は記者団に「党の結束が大事だ」と語った。")
    c = _claim(rec, "党の結束が大事だ")
    assert "岸田" in c["speaker"]


def test_an_assertion_belongs_to_the_bylined_author():
    rec = _rec("日本は防衛産業の再建を急がなければならない。", author="山本和夫")
    c = _claim(rec, "防衛産業の再建")
    assert (c["kind"], c["voice"], c["speaker"], c["speaker_resolution"]["method"]) == (
        "assertion", "author", "山本和夫", "byline")


def test_reported_speech_forms():
    rec = _rec("日本総合研究所の主任研究員、佐野彰氏は、円安基調が当面続くとみている。"
               "大阪高裁は控訴審判決で、国が原告に賠償する責任を負うと判断した。"
               "中国税関総署の統計によれば、中国の対ロシア輸出は前年同期比で1割減少した。")
    assert "佐野" in _claim(rec, "円安基調が当面続く")["speaker"]
    assert _claim(rec, "賠償する責任を負う")["speaker"] == "大阪高裁"
    assert _claim(rec, "対ロシア輸出は前年同期比")["speaker"] == "中国税関総署"


def test_reactions_collected_under_a_place():
    rec = _rec("この発言に対してネット掲示板では「同じことが言えるのか」「再犯のリスクはゼロになる」と反論が相次いだ。")
    c = _claim(rec, "再犯のリスクはゼロ")
    assert c["kind"] == "quote" and "ネット掲示板" in c["speaker"]


def test_a_quote_reported_by_an_outlet_gives_two_claims():
    rec = _rec("22日配信の朝鮮日報によると、歌手のジェニー・ヒュンは自身のツイッターで「世界は変わるべきだ」と書き込んだ。")
    speakers = {c["speaker"] for c in rec["claims"]}
    assert "朝鮮日報" in speakers and any("ジェニー" in (s or "") for s in speakers)


@pytest.mark.parametrize(("text", "figure", "source"), [
    ("財務省が8日発表した国際収支統計によると、経常収支の黒字は12兆円だった。", "12兆円", "財務省"),
    ("国際エネルギー機関（IEA）は月報で、世界の石油需要が日量1億300万バレルに達すると予測した。", "1億300万バレル", "国際エネルギー機関"),
    ("米国防総省の年次報告書「中国の軍事力」によると、中国の核弾頭は600発を超えた。", "600発", "国防総省"),
])
def test_figures_name_the_organisation_behind_them(text, figure, source):
    rec = _rec(text)
    q = next(q for q in rec["quantities"] if q["text"] == figure)
    assert source in q["source"] and q["source_entity_id"]
    assert _entity(rec, q["source_entity_id"])["type"] == "ORG"


def test_loaded_labels_are_linked_and_stay_visible():
    rec = _rec("ロシア外務省のザハロワ報道官は、キエフ政権が挑発を続けていると非難した。"
               "マイダン暴力革命以来、ウクライナは西側に従ってきたと述べた。ウクライナ側は強く反発した。")
    ukraine = _entity(rec, "gpe:ukraine")
    loaded = [m for m in ukraine["mentions"] if m.get("label") == "loaded"]
    assert [m["text"] for m in loaded] == ["キエフ政権"]
    assert any(r["method"] == "loaded_label" for r in ukraine["resolution"])
    event = _entity(rec, "event:revolution-of-dignity")
    assert event and event["mentions"][0] == {"text": "マイダン暴力革命", "start": event["mentions"][0]["start"],
                                              "end": event["mentions"][0]["end"], "label": "loaded"}
    assert {p["text"] for p in rec["persuasion"] if p["kind"] == "loaded_label"} >= {"キエフ政権", "マイダン暴力革命"}
    assert "gpe:kyiv" not in {e["id"] for e in rec["entities"]}  # the label is not the city


def test_an_owned_organisation_keeps_its_owner():
    rec = _rec("ロシア外務省のザハロワ報道官は会見した。同国外務省は日本大使を呼び出した。")
    ids = {e["id"] for e in rec["entities"]}
    assert "org:ministry-of-foreign-affairs-of-russia" in ids
    assert "org:ministry-of-foreign-affairs-japan" not in ids


def test_loaded_labels_data_file():
    """data/loaded_labels.toml: every pattern compiles, every referent is a gazetteer entity, stances in range."""
    from kansoku.extract.entities import loaded_labels
    from kansoku.nlp.gazetteer import default

    gaz = default()
    labels = loaded_labels()
    assert len(labels) >= 5
    for pat, ref, stance, note in labels:
        assert pat.pattern and note
        assert ref == "" or gaz.get(ref) is not None, ref
        assert -1.0 <= stance <= 1.0
        assert not pat.search("ウクライナ政府は声明を出した。")  # the neutral name is no loaded label
