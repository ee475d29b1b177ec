"""Spelling-variant keys: variants that must meet, and look-alikes that must stay apart (own test set)."""

import pytest

from kansoku.nlp.variants import surface_key, variant_key

SAME = [
    ("ポクロウシク", "ポクロフスク"),
    ("ドネツィク", "ドネツク"),
    ("ゼレンシキー", "ゼレンスキー"),
    ("ラヴロフ", "ラブロフ"),
    ("ザハロヴァ", "ザハロワ"),
    ("ヴィリニュス", "ビリニュス"),
    ("ルーク・コーフィー", "ルーク・コフィー"),
    ("クラマトルシク", "クラマトルスク"),
    ("オデーサ", "オデッサ"),
    ("ヴォロディミル", "ボロディミル"),
    ("スロヴャンシク", "スロビャンスク"),
    ("セヴァストポリ", "セバストポリ"),
    ("ベネズエラ", "ベネズエラ"),
    ("ウォルツ", "オルツ"),
]
APART = [
    ("オーストリア", "オーストラリア"),
    ("ドニプロ", "ドニエプル川"),
    ("ドネツク", "ドネツ川"),
    ("ゼレンスキー", "オレナ・ゼレンスカ"),
    ("ジョージア", "ジョージア州"),
    ("スロバキア", "スロベニア"),
    ("イラン", "イラク"),
    ("ニジェール", "ナイジェリア"),
    ("グアテマラ", "グアドループ"),
    ("モーリタニア", "モーリシャス"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_variants_share_a_key(a, b):
    assert variant_key(a) == variant_key(b)


@pytest.mark.parametrize(("a", "b"), APART)
def test_lookalikes_keep_distinct_keys(a, b):
    assert variant_key(a) != variant_key(b)


def test_surface_key_ignores_width_case_dots_and_spaces():
    assert surface_key("ドナルド・トランプ") == surface_key("ドナルド トランプ") == surface_key("ドナルドトランプ")
    assert surface_key("ＮＡＴＯ") == surface_key("nato")
