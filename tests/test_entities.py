"""Mention recognition and in-document resolution, on a small gazetteer built here and sentences written
for these tests."""

import pytest

from kansoku.extract.entities import find_mentions
from kansoku.nlp.gazetteer import GazEntity, build
from kansoku.normalize import make_document
from kansoku.normalize.segment import split_sentences
from kansoku.resolve.corpus import link_corpus
from kansoku.resolve.entities import resolve_document


@pytest.fixture(scope="module")
def gaz():
    E = GazEntity
    return build(
        [
            E("gpe:russia", "ロシア", "Russia", "GPE", aliases=["ロシア連邦"], abbrev=["露"]),
            E("gpe:united-states", "アメリカ", "United States", "GPE", aliases=["米国", "アメリカ合衆国"], abbrev=["米"]),
            E("gpe:ukraine", "ウクライナ", "Ukraine", "GPE", abbrev=["宇"]),
            E("gpe:canada", "カナダ", "Canada", "GPE", abbrev=["加"]),
            E("gpe:japan", "日本", "Japan", "GPE", abbrev=["日"]),
            E("gpe:kyiv", "キーウ", "Kyiv", "GPE", aliases=["キエフ", "Kyiv", "Kiev"]),
            E("gpe:pokrovsk", "ポクロフスク", "Pokrovsk", "GPE"),
            E("gpe:dnipro", "ドニプロ", "Dnipro", "GPE", aliases=["ドニエプロペトロフスク"]),
            E("loc:dnieper", "ドニエプル川", "Dnieper", "LOC"),
            E("gpe:austria", "オーストリア", "Austria", "GPE"),
            E("gpe:australia", "オーストラリア", "Australia", "GPE"),
            E("person:vladimir-putin", "ウラジーミル・プーチン", "Vladimir Putin", "PERSON", short=["プーチン"]),
            E("person:volodymyr-zelensky", "ウォロディミル・ゼレンスキー", "Volodymyr Zelensky", "PERSON",
              short=["ゼレンスキー"]),
            E("person:olena-zelenska", "オレナ・ゼレンスカ", "Olena Zelenska", "PERSON"),
            E("person:maria-zakharova", "マリア・ザハロワ", "Maria Zakharova", "PERSON", short=["ザハロワ"]),
            E("org:nato", "北大西洋条約機構", "NATO", "ORG", aliases=["NATO"]),
        ]
    )


def analyse(text, gaz):
    return resolve_document(find_mentions(make_document(text, sentences=split_sentences(text)), gaz), gaz)


def by_text(ents):
    return {m["text"]: e for e in ents for m in e["mentions"]}


def test_offsets_are_exact(gaz):
    t = "ロシアのプーチン大統領は、キエフへの攻撃を続けた。\nNATO(北大西洋条約機構)は反発した。"
    for e in analyse(t, gaz):
        for m in e["mentions"]:
            assert t[m["start"] : m["end"]] == m["text"]


def test_one_kanji_abbreviations_only_as_tokens(gaz):
    t = "計画が披露された。加盟国は増えた。田中宇氏は米露関係を論じた。対露制裁が続く。"
    ents = by_text(analyse(t, gaz))
    assert "露" in ents and ents["露"]["id"] == "gpe:russia"
    assert "米" in ents and ents["米"]["id"] == "gpe:united-states"
    assert "加" not in ents
    assert "宇" not in ents


def test_titles_and_short_forms_resolve_to_the_gazetteer_person(gaz):
    t = "ウラジーミル・プーチン大統領は演説した。プーチン氏はさらに続けた。"
    ents = analyse(t, gaz)
    putin = [e for e in ents if e["id"] == "person:vladimir-putin"]
    assert len(putin) == 1 and len(putin[0]["mentions"]) == 2
    assert {r["method"] for r in putin[0]["resolution"]} == {"gazetteer", "short_form"}


def test_unseen_transliteration_links_by_variant_key(gaz):
    t = "ロシア軍はポクロウシクを包囲した。ポクロフスクの住民は避難した。"
    ents = by_text(analyse(t, gaz))
    assert ents["ポクロウシク"]["id"] == ents["ポクロフスク"]["id"] == "gpe:pokrovsk"
    assert "variant_key" in {r["method"] for r in ents["ポクロウシク"]["resolution"]}


def test_lookalikes_stay_apart(gaz):
    t = "ドニプロ市はドニエプル川の岸にある。オーストリアとオーストラリアの首脳が会った。ゼレンスキー大統領とオレナ・ゼレンスカ夫人。"
    ents = by_text(analyse(t, gaz))
    assert ents["ドニプロ"]["id"] != ents["ドニエプル川"]["id"]
    assert ents["オーストリア"]["id"] != ents["オーストラリア"]["id"]
    assert ents["ゼレンスキー"]["id"] != ents["オレナ・ゼレンスカ"]["id"]


def test_unknown_person_full_name_and_surname_merge(gaz):
    t = "ジョナサン・ミクタリス氏は講演した。ミクタリス氏によれば、停戦は遠い。"
    ents = by_text(analyse(t, gaz))
    full, short = ents["ジョナサン・ミクタリス"], ents["ミクタリス"]
    assert full["id"] == short["id"] and full["type"] == "PERSON"
    assert "short_form" in {r["method"] for r in full["resolution"]}


def test_russian_feminine_surname_variant_merges_with_full_name(gaz):
    t = "マリア・ザハロフ報道官は記者会見で述べた。ザハロフ氏は続けた。ザハロワ氏は後日も語った。"
    ents = by_text(analyse(t, gaz))
    assert ents["マリア・ザハロフ"]["id"] == ents["ザハロワ"]["id"] == "person:maria-zakharova"
    assert ents["ザハロフ"]["id"] == "person:maria-zakharova"


def test_unknown_organisation_by_suffix(gaz):
    t = "スコークロフト戦略安全保障センターの報告書によると、損失は大きい。"
    ents = by_text(analyse(t, gaz))
    org = ents["スコークロフト戦略安全保障センター"]
    assert org["type"] == "ORG" and org["id"].startswith("x:org:")


def test_nested_place_inside_an_organisation_name(gaz):
    t = "キーウ国際社会学研究所の世論調査では、支持は下がった。"
    ents = analyse(t, gaz)
    ids = {e["id"] for e in ents}
    assert "gpe:kyiv" in ids
    assert any(e["type"] == "ORG" and "研究所" in e["name"] for e in ents)


def test_one_entity_one_id_across_documents(gaz):
    a = {"entities": analyse("ハンナ・コワルチク氏は分析した。キエフで会見が開かれた。", gaz)}
    b = {"entities": analyse("コワルチク氏によると、キーウの防空は強化された。", gaz)}
    link_corpus([a, b])
    ida = {m["text"]: e["id"] for e in a["entities"] for m in e["mentions"]}
    idb = {m["text"]: e["id"] for e in b["entities"] for m in e["mentions"]}
    assert ida["キエフ"] == idb["キーウ"] == "gpe:kyiv"
    assert ida["ハンナ・コワルチク"] == idb["コワルチク"]


def test_dialogue_speakers_are_persons_even_when_named_like_places(gaz):
    t = "長野: 今回の会談をどう見ますか。\nLuna: 時間稼ぎだと思います。\n長野: なるほど。\nLuna: ただし条件次第です。"
    ents = by_text(analyse(t, gaz))
    assert ents["長野"]["type"] == "PERSON" and ents["Luna"]["type"] == "PERSON"
    assert len(ents["長野"]["mentions"]) == 2


def test_byline_names_seed_person_mentions(gaz):
    t = "筆者: Clara Whitfield\nClara Whitfieldの分析によれば、停戦は遠い。"
    ments = find_mentions(make_document(t, sentences=split_sentences(t)), gaz, persons=["Clara Whitfield"])
    assert [m.text for m in ments if m.type == "PERSON"] == ["Clara Whitfield", "Clara Whitfield"]


def test_compass_prefix_makes_a_region_with_an_english_name(gaz):
    gaz2 = build([*gaz.entities.values(), GazEntity("loc:siberia", "シベリア", "Siberia", "LOC")])
    ents = by_text(analyse("東シベリアの資源開発で合意した。", gaz2))
    assert ents["東シベリア"]["type"] == "LOC" and ents["東シベリア"]["name_en"] == "East Siberia"


def test_day_counters_and_urls_are_not_entities(gaz):
    t = "ロシア軍は15日、攻撃した。日米首脳は16日に会談した。\nhttps: //a\nhttps: //b\n詳細はhttps://example.jp/russia を参照。"
    ments = find_mentions(make_document(t, sentences=split_sentences(t)), gaz)
    japan = [m for m in ments if m.candidates == ["gpe:japan"]]
    assert [t[m.start : m.start + 2] for m in japan] == ["日米"]
    assert not any("http" in m.text or m.text == "russia" for m in ments)


def test_ordinary_word_short_forms_need_a_person_cue():
    g = build([
        GazEntity("person:chris-wright", "クリス・ライト", "Chris Wright", "PERSON", short=["ライト"]),
        GazEntity("person:donald-trump", "ドナルド・トランプ", "Donald Trump", "PERSON", short=["トランプ"]),
        GazEntity("org:islamic-state", "イスラム国", "Islamic State", "ORG", aliases=["IS"]),
        GazEntity("gpe:north-korea", "北朝鮮", "North Korea", "GPE", abbrev=["朝"]),
        GazEntity("gpe:united-states", "アメリカ", "United States", "GPE", abbrev=["米"]),
    ])
    ids = {e["id"] for e in analyse("部屋のライトを消した。朝に新機種IS11Sが出た。", g)}
    assert not ids & {"person:chris-wright", "org:islamic-state", "gpe:north-korea"}
    ids = {e["id"] for e in analyse("トランプ政権は発足した。トランプは譲歩した。米朝協議でISが議題に。", g)}
    assert {"person:donald-trump", "org:islamic-state", "gpe:north-korea"} <= ids


def test_address_compound_is_one_place_named_by_its_last_part():
    from kansoku.nlp.gazetteer import default

    g = default()
    t = "彼はケンタッキー州レキシントンで育ち、のちに京都市西京区へ移った。"
    ms = find_mentions(make_document(t, sentences=split_sentences(t)), g)
    flat = {m.text: m for m in ms if not m.nested}
    assert "ケンタッキー州レキシントン" in flat and "京都市西京区" in flat
    nested = {m.text for m in ms if m.nested}
    assert {"ケンタッキー州", "レキシントン"} <= nested
    ents = resolve_document(ms, g)
    lex = by_text(ents)["ケンタッキー州レキシントン"]
    assert "レキシントン" in [m["text"] for m in lex["mentions"]]
    assert {"text": "ケンタッキー州レキシントン", "method": "compound"} in [
        {k: r[k] for k in ("text", "method")} for r in lex["resolution"]]
    assert by_text(ents)["ケンタッキー州"]["id"] == "gpe:kentucky"


def test_compass_words_keep_the_country_reading():
    from kansoku.nlp.gazetteer import default

    t = "ウクライナ東部ドネツク州で戦闘が続いた。"
    flat = [m.text for m in find_mentions(make_document(t, sentences=split_sentences(t)), default()) if not m.nested]
    assert "ウクライナ" in flat and "ドネツク州" in flat


def test_government_is_an_organisation_mention_of_its_head(gaz):
    t = "プーチン大統領は演説した。プーチン政権は否定し、米政府は反発した。"
    ms = find_mentions(make_document(t, sentences=split_sentences(t)), gaz)
    flat = {m.text: m.type for m in ms if not m.nested}
    assert flat["プーチン政権"] == "ORG" and flat["米政府"] == "ORG"
    ents = by_text(resolve_document(ms, gaz))
    assert ents["プーチン政権"]["id"] == ents["プーチン"]["id"] == "person:vladimir-putin"
    assert ents["米政府"]["id"] == "gpe:united-states"


def test_agency_short_name_only_in_a_wire_credit():
    from kansoku.nlp.gazetteer import default

    g = default()
    t = "両社は新型電池を共同開発した。【北京=共同】政府は反発した（共同）。"
    ms = [m for m in find_mentions(make_document(t, sentences=split_sentences(t)), g) if m.candidates == ["org:kyodo-news"]]
    assert [t[m.start - 1] for m in ms] == ["=", "（"]


def test_person_name_containing_a_place_word():
    from kansoku.nlp.gazetteer import default

    t = "父は町長を務めた柳田長谷男。"
    ms = find_mentions(make_document(t, sentences=split_sentences(t)), default())
    assert [(m.text, m.type) for m in ms if not m.nested] == [("柳田長谷男", "PERSON")]


def test_katakana_common_nouns_do_not_make_organisation_names(gaz):
    t = "データ通信の料金が下がり、アイドルグループも出演した。カーネギー国際平和財団は報告書を出した。"
    flat = {m.text: m.type for m in find_mentions(make_document(t, sentences=split_sentences(t)), gaz) if not m.nested}
    assert "データ通信" not in flat and "アイドルグループ" not in flat
    assert flat.get("カーネギー国際平和財団") == "ORG"


def test_regnal_number_belongs_to_the_name_and_unlinks_it():
    from kansoku.nlp.gazetteer import default

    g = default()
    t = "ヨルダンのフセイン1世は和平を進めた。"
    ms = [m for m in find_mentions(make_document(t, sentences=split_sentences(t)), g) if m.type == "PERSON"]
    assert [(m.text, m.candidates) for m in ms] == [("フセイン1世", [])]


def test_unknown_town_after_a_state_is_its_own_place():
    from kansoku.nlp.gazetteer import default

    g = default()
    t = "彼はオクラホマ州エイダで生まれた。"
    ents = by_text(resolve_document(find_mentions(make_document(t, sentences=split_sentences(t)), g), g))
    assert ents["オクラホマ州"]["id"] == "gpe:oklahoma"
    assert ents["オクラホマ州エイダ"]["id"] == ents["エイダ"]["id"] != "gpe:oklahoma"


def test_person_names_stop_where_the_name_stops(gaz):
    t = "北川景子ダブル主演の映画が公開され、滝川クリステルが司会を務めた。映画アリス・イン・ワンダーランドが公開された。"
    persons = [m.text for m in find_mentions(make_document(t, sentences=split_sentences(t)), gaz, use_ner=False) if m.type == "PERSON"]
    assert "北川景子" in persons and "滝川クリステル" in persons
    assert not any("ワンダーランド" in p or "ダブル" in p for p in persons)


def test_organisation_pattern_does_not_swallow_a_list(gaz):
    t = "彼は師範学校・三重県支庁・三井銀行に勤めた。"
    orgs = [m.text for m in find_mentions(make_document(t, sentences=split_sentences(t)), gaz, use_ner=False) if m.type == "ORG"]
    assert "三井銀行" in orgs and not any("・" in o for o in orgs)


def test_norm_view_maps_each_character_to_its_source() -> None:
    """The gazetteer scan's normalised view of a sentence: each character's normal form (spaces and joiners
    dropped, ligatures spread), and for each character of the view the index it came from."""
    import random

    from kansoku.extract.entities import _norm_char, _norm_view
    from kansoku.model import Span

    rng = random.Random(5)
    alphabet = "ロシア米露・ ＩＡＥＡ　ﬁ㍻=－abc。、"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        lo = rng.randint(0, len(text))
        hi = rng.randint(lo, len(text))
        view, index = _norm_view(text, Span(lo, hi))
        want = [(c, i) for i in range(lo, hi) for c in _norm_char(text[i])]
        assert view == "".join(c for c, _ in want) and list(index) == [i for _, i in want], (text, lo, hi)
