"""Build ``src/kansoku/data/gazetteer.jsonl`` from pycountry and the hand-written tables.

Usage::

    .venv/bin/python tools/build_gazetteer.py          # write the file
    .venv/bin/python tools/build_gazetteer.py --check  # fail if the shipped file is out of date

Sources
-------
* Countries and territories: ``pycountry`` (English name, ISO alpha-2) with Japanese names taken from
  the ``iso3166-1`` gettext catalogue, then corrected/augmented by ``COUNTRY_OVERRIDES`` below for the
  forms Japanese media actually use (米国/アメリカ, 英国/イギリス, 韓国, 北朝鮮, ジョージア/グルジア ...).
* Everything else: the plain-text tables in ``tools/gazetteer_src/*.txt``.

Table format (one entity per line, fields separated by ``|``, trailing fields may be omitted)::

    name_en | name | aliases | short | options

* ``aliases`` and ``short`` are comma-separated lists.
* ``options`` are space-separated ``key=value`` pairs; list values are comma-separated:
  ``kind=city country=UA roles=大統領,首相 abbrev=露 id=custom-slug``.
* Directives set defaults for the following lines of the same file:
  ``@type GPE``, ``@kind city``, ``@country UA`` (``@country -`` clears it).
* ``#`` starts a comment line.

Ambiguity
---------
Every surface form (name, name_en, aliases, short, abbrev) is normalised with ``surface_key`` (NFKC,
case-folded, without spaces and middle dots). A key carried by two or more entities is written into
``ambiguous`` on each of them, but only if it is declared in ``tools/gazetteer_src/ambiguous.txt``;
an undeclared collision stops the build, so every shared form is a deliberate decision.

The English name is always added to ``aliases``; for persons with a Japanese ``short`` form and no
explicit ASCII short form, the last word of the English name is added to ``short``.

Editorial decisions
-------------------
* ``abbrev`` holds the one-character press abbreviations only: 米 英 露 中 朝 韓 日 台 宇 独 仏 伊 加 豪 印
  比 墨 蘭 墺 伯 越 土, plus the katakana ロ for Russia (米ロ, 日ロ are the commonest press forms).
  欧 is the abbreviation of 欧州 (Europe, LOC); the EU is 欧州連合/EU and has no one-character form.
  西 (Spain), 瑞 (Sweden/Switzerland) and similar are left out: rare and ambiguous with ordinary words.
* The 2022- war is one EVENT, "Russian invasion of Ukraine", carrying ウクライナ侵攻, ウクライナ戦争,
  特別軍事作戦 (the Kremlin's term) and "Russo-Ukrainian War"; the 2014 phase is split into
  クリミア併合 and ドンバス戦争.
* "<country>政府" (米政府, ロシア政府, 日本政府 ...) is an alias of the country (GPE): in news text the
  government acts as the country. Metonyms used for governments are separate ORG with kind=government_metonym: クレムリン, ホワイトハウス,
  永田町, 霞が関, 中南海, 首相官邸. ペンタゴン is an alias of the US Department of Defense (ORG).
* Ukrainian places are named with the readings Japanese media adopted in 2022 (キーウ, ハルキウ,
  オデーサ ...); the Russian-based readings are aliases. The city ドニプロ and the river ドニエプル川
  are separate entities; the bare ドニエプル is shared (ambiguous).
* Cities and their oblast/prefecture are separate entities (ドネツク / ドネツク州); a bare prefecture
  name is an alias only where it does not clash with a city (沖縄 -> 沖縄県).
* ジョージア is the country (グルジア is its former Japanese name); the US state is ジョージア州 only.
* Bare ministry names (外務省, 国防省, 財務省, 大統領府 ...) are short forms of every ministry of that name
  in the file and are marked ambiguous: the country comes from context.
"""

from __future__ import annotations

import argparse
import gettext
import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC_DIR = Path(__file__).resolve().parent / "gazetteer_src"
OUT = ROOT / "src" / "kansoku" / "data" / "gazetteer.jsonl"

TYPES = ("PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT", "NORP", "PRODUCT", "OTHER")
KEY_ORDER = (
    "id",
    "name",
    "name_en",
    "type",
    "kind",
    "aliases",
    "abbrev",
    "short",
    "roles",
    "country",
    "ambiguous",
)
LIST_KEYS = ("aliases", "abbrev", "short", "roles", "ambiguous")

try:  # use the resolver's own normalisation so that the build sees the collisions the matcher will see
    sys.path.insert(0, str(ROOT / "src"))
    from kansoku.nlp.variants import surface_key, variant_key
except ImportError:  # pragma: no cover - standalone use: NFKC, case-folded, no spaces or middle dots
    _DROP = re.compile(
        r"[\s\u30fb\u00b7\u2022\u2027\u2219\u22c5\uff65=\uff1d.\-\u2010\uff0d\u2011\u2013\u2014]+"
    )

    def surface_key(text: str) -> str:
        """Matching key of a surface form: NFKC, case-folded, no whitespace and no middle dots."""
        return _DROP.sub("", unicodedata.normalize("NFKC", text)).casefold()

    variant_key = None
finally:
    sys.path.pop(0)


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# --------------------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------------------

# Dependent or special territories (kind=territory); everything else in ISO 3166-1 is kind=country.
TERRITORIES = {
    "AW",
    "AI",
    "AX",
    "AS",
    "AQ",
    "TF",
    "BQ",
    "BL",
    "BM",
    "BV",
    "CC",
    "CK",
    "CX",
    "KY",
    "CW",
    "FK",
    "FO",
    "GG",
    "GI",
    "GP",
    "GF",
    "GL",
    "GU",
    "HK",
    "HM",
    "IM",
    "IO",
    "JE",
    "MO",
    "MF",
    "MP",
    "MS",
    "MQ",
    "YT",
    "NC",
    "NF",
    "NU",
    "PN",
    "PR",
    "PF",
    "RE",
    "GS",
    "SH",
    "SJ",
    "PM",
    "SX",
    "TC",
    "TK",
    "UM",
    "VG",
    "VI",
    "WF",
    "EH",
}

# alpha-2 -> (name_en, name, aliases, abbrev). ``name``/``name_en`` of None keeps pycountry's value.
# The gettext Japanese name and official name are always kept as aliases when they differ.
COUNTRY_OVERRIDES: dict[str, tuple[str | None, str | None, list[str], list[str]]] = {
    "US": (
        "United States",
        "米国",
        [
            "アメリカ",
            "アメリカ合衆国",
            "合衆国",
            "米政府",
            "米国政府",
            "アメリカ政府",
            "USA",
            "U.S.",
            "US",
            "United States of America",
            "America",
        ],
        ["米"],
    ),
    "GB": (
        "United Kingdom",
        "英国",
        [
            "イギリス",
            "連合王国",
            "UK",
            "Britain",
            "Great Britain",
            "グレートブリテン及び北アイルランド連合王国",
        ],
        ["英"],
    ),
    "RU": ("Russia", "ロシア", ["ロシア連邦", "ロシア政府", "Russian Federation", "ロシヤ"], ["露", "ロ"]),
    "CN": ("China", "中国", ["中華人民共和国", "中国政府", "People's Republic of China", "PRC"], ["中"]),
    "TW": ("Taiwan", "台湾", ["中華民国", "Republic of China"], ["台"]),
    "KR": ("South Korea", "韓国", ["大韓民国", "Republic of Korea", "ROK"], ["韓"]),
    "KP": (
        "North Korea",
        "北朝鮮",
        ["朝鮮民主主義人民共和国", "DPRK", "Democratic People's Republic of Korea"],
        ["朝"],
    ),
    "JP": ("Japan", "日本", ["日本国", "日本政府", "ニッポン"], ["日"]),
    "TR": ("Turkey", "トルコ", ["テュルキエ", "トルコ共和国", "Türkiye", "Turkiye"], ["土"]),
    "GE": ("Georgia", "ジョージア", ["グルジア", "Georgia (country)"], []),
    "UA": ("Ukraine", "ウクライナ", ["ウクライナ政府"], ["宇"]),
    "DE": ("Germany", "ドイツ", ["ドイツ連邦共和国"], ["独"]),
    "FR": ("France", "フランス", [], ["仏"]),
    "IT": ("Italy", "イタリア", [], ["伊"]),
    "CA": ("Canada", "カナダ", [], ["加"]),
    "AU": ("Australia", "オーストラリア", ["オーストラリア連邦", "豪州"], ["豪"]),
    "IN": ("India", "インド", [], ["印"]),
    "PH": ("Philippines", "フィリピン", [], ["比"]),
    "MX": ("Mexico", "メキシコ", [], ["墨"]),
    "ES": ("Spain", "スペイン", [], []),
    "NL": ("Netherlands", "オランダ", [], ["蘭"]),
    "AT": ("Austria", "オーストリア", [], ["墺"]),
    "BR": ("Brazil", "ブラジル", [], ["伯"]),
    "VN": ("Vietnam", "ベトナム", ["ヴェトナム", "Viet Nam"], ["越"]),
    "IR": ("Iran", "イラン", ["イラン・イスラム共和国", "Islamic Republic of Iran"], []),
    "SY": ("Syria", "シリア", ["シリア・アラブ共和国"], []),
    "LA": ("Laos", "ラオス", ["ラオス人民民主共和国"], []),
    "BO": ("Bolivia", "ボリビア", ["ボリビア多民族国"], []),
    "VE": ("Venezuela", "ベネズエラ", ["ベネズエラ・ボリバル共和国"], []),
    "TZ": ("Tanzania", "タンザニア", ["タンザニア連合共和国"], []),
    "MD": ("Moldova", "モルドバ", ["モルドバ共和国", "モルドヴァ"], []),
    "MN": ("Mongolia", "モンゴル", ["モンゴル国"], []),
    "ER": ("Eritrea", "エリトリア", ["エリトリア国"], []),
    "BN": ("Brunei", "ブルネイ", ["ブルネイ・ダルサラーム国"], []),
    "VA": ("Vatican City", "バチカン", ["バチカン市国", "ローマ教皇庁", "Holy See"], []),
    "CZ": ("Czech Republic", "チェコ", ["チェコ共和国", "Czechia"], []),
    "KG": ("Kyrgyzstan", "キルギス", ["キルギスタン", "キルギス共和国"], []),
    "MK": ("North Macedonia", "北マケドニア", [], []),
    "CV": ("Cape Verde", "カーボベルデ", ["カーボヴェルデ", "Cabo Verde"], []),
    "CI": ("Ivory Coast", "コートジボワール", ["Côte d'Ivoire"], []),
    "SZ": ("Eswatini", "エスワティニ", ["スワジランド", "Swaziland"], []),
    "MM": ("Myanmar", "ミャンマー", ["ビルマ", "Burma"], []),
    "PS": ("State of Palestine", "パレスチナ", ["パレスチナ国", "パレスチナ自治区", "Palestine"], []),
    "CD": ("Democratic Republic of the Congo", "コンゴ民主共和国", ["コンゴ", "DRC"], []),
    "CG": ("Republic of the Congo", "コンゴ共和国", ["コンゴ"], []),
    "DM": ("Dominica", "ドミニカ国", ["ドミニカ"], []),
    "DO": ("Dominican Republic", "ドミニカ共和国", ["ドミニカ"], []),
    "FM": ("Federated States of Micronesia", None, ["ミクロネシア"], []),
    "TL": ("East Timor", "東ティモール", ["Timor-Leste"], []),
    "GM": ("The Gambia", "ガンビア", ["Gambia"], []),
    "BS": ("The Bahamas", "バハマ", ["Bahamas"], []),
    "GR": ("Greece", "ギリシャ", ["ギリシア"], []),
    "HK": ("Hong Kong", "香港", ["香港特別行政区", "ホンコン"], []),
    "MO": ("Macau", "マカオ", ["澳門", "マカオ特別行政区", "Macao"], []),
    "FK": ("Falkland Islands", "フォークランド諸島", ["マルビナス諸島"], []),
    "BA": ("Bosnia and Herzegovina", "ボスニア・ヘルツェゴビナ", [], []),
    "BQ": ("Caribbean Netherlands", None, [], []),
    "MF": ("Collectivity of Saint Martin", None, [], []),
    "SX": ("Sint Maarten", None, [], []),
    "PN": ("Pitcairn Islands", "ピトケアン諸島", ["ピトケアン"], []),
    "VG": ("British Virgin Islands", None, [], []),
    "VI": ("United States Virgin Islands", None, [], []),
    "AX": ("Åland", None, [], []),
    "CC": ("Cocos (Keeling) Islands", "ココス諸島", ["ココス (キーリング) 諸島"], []),
    "AQ": ("Antarctica", "南極", ["南極大陸"], []),
    "AS": ("American Samoa", "米領サモア", ["アメリカ領サモア"], []),
    "SA": ("Saudi Arabia", "サウジアラビア", ["サウジ"], []),
    "AE": ("United Arab Emirates", "アラブ首長国連邦", ["UAE"], []),
    "ZA": ("South Africa", "南アフリカ", ["南アフリカ共和国", "南ア"], []),
    "NZ": ("New Zealand", "ニュージーランド", ["NZ"], []),
    "EH": ("Western Sahara", "西サハラ", [], []),
    "IL": ("Israel", "イスラエル", [], []),
    "EG": ("Egypt", "エジプト", [], []),
    "IE": ("Ireland", "アイルランド", [], []),
    "PL": ("Poland", "ポーランド", [], []),
    "SE": ("Sweden", "スウェーデン", [], []),
    "FI": ("Finland", "フィンランド", [], []),
    "GL": ("Greenland", "グリーンランド", [], []),
    "PR": ("Puerto Rico", "プエルトリコ", [], []),
}


# Catalogue forms that are misspelt or that Japanese media do not use.
DROP_ALIASES = {
    "タニザニア連合共和国",  # typo in the catalogue (タンザニア連合共和国 is kept)
    "ボスニアヘルツコビナ共和国",  # misspelt official name
    "中国領・台湾",  # ISO's "Taiwan, Province of China", not a Japanese media form
    "Taiwan, Province of China",
}
# ISO's inverted English names: "Iran, Islamic Republic of", "Virgin Islands, U.S." ...
INVERTED_ISO_NAME = re.compile(r", (the |The )?[A-Z][A-Za-z' ]* of( the)?$|, (U\.S\.|British)$")


def country_records() -> list[dict]:
    try:
        import pycountry
    except ImportError:  # pragma: no cover - the build needs pycountry (dev extra)
        sys.exit("pycountry is required to build the gazetteer: pip install 'kansoku[dev]'")
    ja = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"])
    out = []
    for c in pycountry.countries:
        name_en = getattr(c, "common_name", None) or c.name
        ja_name = ja.gettext(c.name)
        official = getattr(c, "official_name", None)
        aliases = []
        if ja_name != c.name:
            aliases.append(ja_name)
        if official:
            aliases.append(official)
            ja_off = ja.gettext(official)
            if ja_off != official:
                aliases.append(ja_off)
        aliases.append(c.name)
        abbrev: list[str] = []
        name = ja_name
        ov = COUNTRY_OVERRIDES.get(c.alpha_2)
        if ov:
            o_en, o_name, o_aliases, o_abbrev = ov
            name_en = o_en or name_en
            name = o_name or name
            aliases = o_aliases + aliases
            abbrev = o_abbrev
        aliases = [a for a in aliases if a not in DROP_ALIASES and not INVERTED_ISO_NAME.search(a)]
        # pycountry writes a few parenthesised readings, e.g. "大韓民国 (韓国)": the overrides carry the
        # useful parts, so drop Japanese forms with brackets.
        aliases = [a for a in aliases if a.isascii() or "(" not in a]
        kind = "territory" if c.alpha_2 in TERRITORIES else "country"
        out.append(
            {
                "name_en": name_en,
                "name": name,
                "type": "GPE",
                "kind": kind,
                "aliases": aliases,
                "abbrev": abbrev,
                "country": c.alpha_2,
                "_src": "pycountry",
            }
        )
    return out


# --------------------------------------------------------------------------------------------------
# Hand-written tables
# --------------------------------------------------------------------------------------------------


def _split(field: str) -> list[str]:
    return [p.strip() for p in field.split(",") if p.strip()]


def parse_table(path: Path) -> list[dict]:
    out = []
    defaults: dict[str, str] = {}
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path.name}:{lineno}"
        if line.startswith("@"):
            key, _, value = line[1:].partition(" ")
            value = value.strip()
            if key not in ("type", "kind", "country"):
                raise SystemExit(f"{where}: unknown directive @{key}")
            if value in ("", "-"):
                defaults.pop(key, None)
            else:
                defaults[key] = value
            continue
        fields = [f.strip() for f in line.split("|")]
        if len(fields) < 2 or len(fields) > 5:
            raise SystemExit(f"{where}: expected 2-5 '|'-separated fields, got {len(fields)}")
        fields += [""] * (5 - len(fields))
        name_en, name, aliases, short, options = fields
        rec: dict = {
            "name_en": name_en,
            "name": name,
            "aliases": _split(aliases),
            "short": _split(short),
            "_src": where,
        }
        opts = dict(defaults)
        for tok in options.split():
            key, sep, value = tok.partition("=")
            if not sep:
                raise SystemExit(f"{where}: bad option {tok!r}")
            opts[key] = value
        for key, value in opts.items():
            if key in ("roles", "abbrev"):
                rec[key] = _split(value)
            elif key in ("type", "kind", "country", "id"):
                rec[key] = value
            else:
                raise SystemExit(f"{where}: unknown option {key!r}")
        out.append(rec)
    return out


# --------------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------------


def _dedupe(items: list[str], drop: set[str]) -> list[str]:
    seen = set(drop)
    out = []
    for it in items:
        k = surface_key(it)
        if it and k not in seen:
            seen.add(k)
            out.append(it)
    return out


def finish(rec: dict) -> dict:
    src = rec.pop("_src")
    for key in ("name", "name_en", "type"):
        if not rec.get(key):
            raise SystemExit(f"{src}: missing {key}")
    if rec["type"] not in TYPES:
        raise SystemExit(f"{src}: bad type {rec['type']!r}")
    rec["id"] = f"{rec['type'].lower()}:{rec.pop('id', None) or slugify(rec['name_en'])}"
    names = {surface_key(rec["name"])}
    rec["aliases"] = _dedupe(rec.get("aliases", []) + [rec["name_en"]], names)
    short = rec.get("short", [])
    if rec["type"] == "PERSON" and short and not any(s.isascii() for s in short):
        last = rec["name_en"].split()[-1]
        if len(rec["name_en"].split()) > 1 and not re.fullmatch(r"[IVX]+|Jr\.?", last):
            short = short + [last]
    taken = names | {surface_key(a) for a in rec["aliases"]}
    rec["short"] = _dedupe(short, taken)
    taken |= {surface_key(s) for s in rec["short"]}
    rec["abbrev"] = _dedupe(rec.get("abbrev", []), taken)
    rec["roles"] = _dedupe(rec.get("roles", []), set())
    if rec.get("country") and not re.fullmatch(r"[A-Z]{2}", rec["country"]):
        raise SystemExit(f"{src}: bad country {rec['country']!r}")
    rec["_src"] = src
    return rec


def surfaces(rec: dict) -> list[str]:
    return [rec["name"], rec["name_en"], *rec["aliases"], *rec["short"], *rec["abbrev"]]


def load_declared_ambiguous() -> set[str]:
    path = SRC_DIR / "ambiguous.txt"
    keys = set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            keys.add(surface_key(line))
    return keys


def build() -> list[dict]:
    records = country_records()
    for path in sorted(SRC_DIR.glob("*.txt")):
        if path.name != "ambiguous.txt":
            records += parse_table(path)
    records = [finish(r) for r in records]

    by_id: dict[str, dict] = {}
    for r in records:
        if r["id"] in by_id:
            raise SystemExit(f"duplicate id {r['id']}: {by_id[r['id']]['_src']} and {r['_src']}")
        by_id[r["id"]] = r

    owners: dict[str, set[str]] = defaultdict(set)
    for r in records:
        for s in surfaces(r):
            owners[surface_key(s)].add(r["id"])
    declared = load_declared_ambiguous()
    shared = {k: ids for k, ids in owners.items() if len(ids) > 1}
    undeclared = sorted(k for k in shared if k not in declared)
    if undeclared:
        lines = [f"  {k}: {', '.join(sorted(shared[k]))}" for k in undeclared]
        raise SystemExit(
            "undeclared ambiguous surface forms (add to gazetteer_src/ambiguous.txt or fix):\n"
            + "\n".join(lines)
        )
    unused = sorted(k for k in declared if k not in shared)
    if unused:
        print("note: declared ambiguous but not shared:", ", ".join(unused), file=sys.stderr)

    if variant_key is not None:
        report_variant_collisions(records)

    out = []
    for r in sorted(records, key=lambda r: r["id"]):
        r.pop("_src")
        r["ambiguous"] = [s for s in surfaces(r) if surface_key(s) in shared]
        r["ambiguous"] = _dedupe(r["ambiguous"], set())
        rec = {}
        for key in KEY_ORDER:
            value = r.get(key)
            if key in LIST_KEYS and not value:
                continue
            if value in (None, ""):
                continue
            rec[key] = value
        out.append(rec)
    return out


def report_variant_collisions(records: list[dict]) -> None:
    """Print (stderr) names/aliases of different entities that share a transliteration-folded key.

    These are not errors (the resolver only uses variant keys for forms the file does not list), but
    they are worth a look when editing the tables. Set GAZETTEER_VARIANTS=1 to see them.
    """
    import os

    if not os.environ.get("GAZETTEER_VARIANTS"):
        return
    owners: dict[str, set[str]] = defaultdict(set)
    for r in records:
        for form in [r["name"], r["name_en"], *r["aliases"]]:
            if len(surface_key(form)) >= 3:
                owners[variant_key(form)].add(r["id"])
    for k, ids in sorted(owners.items()):
        if len(ids) > 1:
            print(f"variant key {k}: {', '.join(sorted(ids))}", file=sys.stderr)


def render(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--check", action="store_true", help="only check that the shipped file is up to date")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    text = render(build())
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run tools/build_gazetteer.py", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    counts: dict[str, int] = defaultdict(int)
    for line in text.splitlines():
        counts[json.loads(line)["type"]] += 1
    summary = ", ".join(f"{t} {counts[t]}" for t in TYPES if counts[t])
    print(f"wrote {args.out.relative_to(ROOT)}: {sum(counts.values())} entities ({summary})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
