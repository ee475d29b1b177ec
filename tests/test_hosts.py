"""News hosts: the shipped table (data/news_hosts.toml) and the lookup by URL, host and name."""

import re
import tomllib
from collections import defaultdict
from importlib import resources

import pytest

from kansoku.read.hosts import (
    KINDS,
    HostTable,
    Outlet,
    all_outlets,
    by_name,
    default_table,
    load_table,
    lookup,
    normalize_host,
    normalize_name,
)

# Bare (ICANN) public suffixes no entry may claim as a host: the whole of .co.jp would match it. Private
# suffixes such as blogspot.com are fine for a platform entry, which is meant to match every blog on it.
PUBLIC_SUFFIXES = {
    "jp", "co.jp", "or.jp", "ne.jp", "go.jp", "ac.jp", "ad.jp", "ed.jp", "gr.jp", "lg.jp",
    "com", "net", "org", "edu", "gov", "mil", "int", "info", "news", "media", "app", "me", "tv", "io",
    "co.uk", "org.uk", "gov.uk", "ac.uk", "com.cn", "gov.cn", "org.cn", "co.kr", "go.kr", "or.kr",
    "com.tw", "gov.tw", "org.tw", "com.au", "org.au", "gov.au", "net.au", "com.tr", "com.ua", "gov.ua",
    "com.sg", "com.hk", "co.il", "co.in", "ru", "cn", "kr", "uk", "de", "fr", "it", "eu", "kp", "rep.kp",
    "nhk", "jp.net",
}
# Letters allowed in an English canonical name beyond printable ASCII.
EN_EXTRA = set("áàâäãåçéèêëíìîïñóòôöõøúùûüßÁÀÂÄÇÉÈÍÓÖÚÜÑ")


@pytest.fixture(scope="module")
def raw():
    text = (resources.files("kansoku") / "data" / "news_hosts.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@pytest.fixture(scope="module")
def outlets():
    return all_outlets()


# --- data integrity -----------------------------------------------------------------------------------


def test_file_has_version_and_enough_outlets(raw, outlets):
    assert str(raw["version"]) == "1"
    assert len(raw["outlet"]) == len(outlets) >= 230


def test_every_entry_has_the_required_fields(raw):
    known = {"hosts", "ja", "en", "kind", "country", "aliases", "paths"}
    for e in raw["outlet"]:
        where = e.get("hosts", e)
        assert set(e) <= known, f"{where}: unknown fields {set(e) - known}"
        assert isinstance(e.get("hosts"), list) and e["hosts"], f"{where}: no hosts"
        assert isinstance(e.get("ja"), str) and e["ja"].strip() == e["ja"] != "", f"{where}: ja"
        assert isinstance(e.get("en"), str) and e["en"].strip() == e["en"] != "", f"{where}: en"
        assert e.get("kind") in KINDS, f"{where}: kind {e.get('kind')!r}"
        assert re.fullmatch(r"[A-Z]{2}", e.get("country", "")), f"{where}: country {e.get('country')!r}"
        for key in ("aliases", "paths"):
            values = e.get(key, [])
            assert isinstance(values, list) and all(isinstance(v, str) and v.strip() for v in values), where


def test_countries_are_iso_3166_codes(outlets):
    pycountry = pytest.importorskip("pycountry")
    unknown = {o.country for o in outlets if pycountry.countries.get(alpha_2=o.country) is None}
    assert not unknown


def test_hosts_are_plain_lower_case_names(outlets):
    for o in outlets:
        for h in o.hosts:
            assert h == h.lower().strip(), h
            assert "://" not in h and "/" not in h and ":" not in h and " " not in h, h
            assert not h.startswith("www."), h
            assert "." in h and not h.startswith(".") and not h.endswith("."), h
            assert normalize_host(h) == (h, ""), f"{h} is not a valid host name"


def test_no_host_is_a_bare_public_suffix(outlets):
    bad = [h for o in outlets for h in o.hosts if h in PUBLIC_SUFFIXES]
    assert not bad


def test_paths_are_sections(outlets):
    with_paths = [o for o in outlets if o.paths]
    assert len(with_paths) >= 5
    for o in with_paths:
        for p in o.paths:
            assert p.startswith("/") and len(p.strip("/")) > 0 and "?" not in p and "#" not in p, p


def test_no_host_or_host_path_is_claimed_twice(outlets):
    owners = defaultdict(list)
    for o in outlets:
        for h in o.hosts:
            for p in o.paths or ("",):
                owners[(h, p.rstrip("/").lower())].append(o.key)
    assert not {k: v for k, v in owners.items() if len(v) > 1}


def test_keys_are_unique(outlets):
    keys = [o.key for o in outlets]
    assert len(set(keys)) == len(keys)


def test_names_are_unambiguous(outlets):
    owners = defaultdict(set)
    for o in outlets:
        hosts = [f"{h}{p.rstrip('/')}" for h in o.hosts for p in o.paths] if o.paths else o.hosts
        for name in (o.ja, o.en, *o.aliases, *hosts):
            owners[normalize_name(name)].add(o.key)
    assert "" not in owners
    assert not {n: sorted(k) for n, k in owners.items() if len(k) > 1}
    assert default_table().conflicts == ()


def test_en_names_are_ascii_apart_from_a_few_letters(outlets):
    for o in outlets:
        odd = {c for c in o.en if not (" " <= c <= "~") and c not in EN_EXTRA}
        assert not odd, f"{o.en}: {odd}"


def test_every_host_and_name_finds_its_own_outlet(outlets):
    for o in outlets:
        for h in o.hosts:
            if o.paths:
                for p in o.paths:
                    assert lookup(f"https://{h}{p.rstrip('/')}/x") is o, (h, p)
            else:
                assert lookup(h) is o, h
        for name in (o.ja, o.en, *o.aliases):
            assert by_name(name) is o, name


def test_the_brief_coverage_is_there(outlets):
    kinds = defaultdict(int)
    for o in outlets:
        kinds[o.kind] += 1
    assert all(kinds[k] > 0 for k in KINDS), kinds
    jp_papers = [o for o in outlets if o.kind == "newspaper" and o.country == "JP"]
    assert len(jp_papers) >= 25
    assert kinds["think_tank"] >= 20 and kinds["government"] >= 20 and kinds["platform"] >= 15


# --- lookup -------------------------------------------------------------------------------------------


def test_url_of_a_plain_text_dump_names_livedoor_news():
    o = lookup("http://news.livedoor.com/article/detail/4778030/")
    assert (o.ja, o.en, o.kind) == ("livedoor ニュース", "livedoor News", "portal")


def test_livedoor_blogs_are_a_platform_not_the_news_outlet():
    blog = lookup("http://blog.livedoor.jp/someone/archives/123.html")
    assert blog.kind == "platform" and blog is not lookup("news.livedoor.com")
    assert lookup("https://www.livedoor.com/") is None


@pytest.mark.parametrize("url", [
    "https://www.asahi.com/articles/ASR1234.html",
    "https://asahi.com",
    "http://m.asahi.com/x",
    "https://amp.asahi.com/x",
    "//sp.asahi.com/x",
    "mobile.asahi.com",
    "digital.asahi.com/articles/x",
    "a.b.c.asahi.com",
])
def test_subdomains_match_their_registrable_domain(url):
    assert lookup(url).en == "The Asahi Shimbun"


def test_the_most_specific_host_wins():
    assert lookup("https://asia.nikkei.com/Politics/x").en == "Nikkei Asia"
    assert lookup("https://www.nikkei.com/article/x").en == "The Nikkei"
    assert lookup("https://dot.asahi.com/articles/-/1").ja == "AERA dot."
    assert lookup("japanese.joins.com").ja == "中央日報日本語版"
    assert lookup("koreajoongangdaily.joins.com").en == "Korea JoongAng Daily"
    assert lookup("www.joins.com").ja == "中央日報"
    assert lookup("https://nids.mod.go.jp/publication/").ja == "防衛研究所"


def test_path_sections_win_over_the_plain_host():
    easy = lookup("https://www3.nhk.or.jp/news/easy/k10014000000000/k10014000000000.html")
    assert easy.en == "NHK News Web Easy" and easy.key == "www3.nhk.or.jp/news/easy"
    assert lookup("https://www3.nhk.or.jp/news/easy").en == "NHK News Web Easy"
    assert lookup("https://www3.nhk.or.jp/news/html/20240101/k1.html").en == "NHK"
    assert lookup("https://www3.nhk.or.jp/news/easyx/").en == "NHK"  # whole segments only
    assert lookup("https://www3.nhk.or.jp/nhkworld/en/news/").en == "NHK World-Japan"
    assert lookup("https://www.nhk.or.jp/news/easy/").en == "NHK"  # the section belongs to www3 only
    assert lookup("https://www.bbc.com/japanese/articles/c0000").en == "BBC News Japan"
    assert lookup("https://www.bbc.co.uk/japanese").en == "BBC News Japan"
    assert lookup("https://www.bbc.com/news/world-asia-1").en == "BBC News"
    assert lookup("https://www.mod.go.jp/js/press/2024/").ja == "統合幕僚監部"
    assert lookup("https://www.mod.go.jp/j/press/").ja == "防衛省"
    assert lookup("https://news.yahoo.co.jp/expert/articles/abc").ja == "Yahoo!ニュース エキスパート"
    assert lookup("https://news.yahoo.co.jp/articles/abc").ja == "Yahoo!ニュース"
    assert lookup("https://www.buzzfeed.com/JP/someone/x").en == "BuzzFeed Japan"
    assert lookup("https://www.buzzfeed.com/someone/x").en == "BuzzFeed"


def test_port_case_userinfo_and_trailing_dot_are_ignored():
    asahi = lookup("asahi.com")
    assert lookup("https://WWW.Asahi.COM/articles/") is asahi
    assert lookup("http://www.asahi.com:8080/x") is asahi
    assert lookup("www.asahi.com:443") is asahi
    assert lookup("https://user:secret@www.asahi.com/x") is asahi
    assert lookup("https://www.asahi.com./x") is asahi
    assert lookup("asahi.com.") is asahi
    assert lookup("  https://www.asahi.com/x  ") is asahi
    assert lookup("ｗｗｗ．ａｓａｈｉ．ｃｏｍ") is asahi


def test_only_whole_labels_match():
    assert lookup("notasahi.com") is None
    assert lookup("https://www.notasahi.com/x") is None
    assert lookup("asahi.com.evil.example") is None
    assert lookup("https://nhk.or.jp.example.com/") is None
    assert lookup("co.jp") is None


def test_idn_hosts_match_in_both_spellings():
    table = HostTable([
        Outlet(ja="例え新聞", en="Example Shimbun", kind="newspaper", country="JP", hosts=("例え.jp",)),
        Outlet(ja="テスト", en="Test", kind="online", country="JP", hosts=("xn--zckzah.jp",)),
    ])
    assert table.conflicts == ()
    puny = "例え.jp".encode("idna").decode()
    assert puny.startswith("xn--")
    for url in ("https://例え.jp/a", f"https://{puny}/a", f"www.{puny}", "ニュース.例え.jp"):
        assert table.lookup(url).en == "Example Shimbun", url
    assert table.lookup("https://テスト.jp/").en == "Test"
    assert table.lookup("https://www.xn--zckzah.jp/").en == "Test"
    assert table.lookup("例えば.jp") is None
    assert table.by_name("例え.jp").en == "Example Shimbun"


@pytest.mark.parametrize("junk", [
    "", " ", "http://", "https:///path", "//", "not a url", "mailto:someone@asahi.com", "javascript:void(0)",
    "http://[::1]/", "http://a..b.com/", "http://-asahi.com/", "x" * 300 + ".com", "http://" + "a" * 64 + ".com",
    "http://asahi.com%2F/", "\x00", "???", "https://例\x00.jp", None, 42, b"asahi.com", ["asahi.com"],
])
def test_junk_gives_none_without_raising(junk):
    assert lookup(junk) is None


def test_unknown_hosts_give_none():
    assert lookup("https://example.com/news") is None
    assert lookup("localhost") is None
    assert lookup("http://192.0.2.1/") is None


def test_platform_hosts_return_a_platform_entry():
    for url in ("https://note.com/someone/n/n123", "https://someone.hatenablog.com/entry/1",
                "https://ameblo.jp/someone/entry-1.html", "https://someone.substack.com/p/x",
                "https://x.com/someone/status/1", "https://twitter.com/someone", "https://www.youtube.com/watch?v=1",
                "https://someone.blogspot.com/2024/01/x.html", "https://blog.goo.ne.jp/someone"):
        o = lookup(url)
        assert o is not None and o.kind == "platform" and o.is_platform, url
    assert lookup("https://news.goo.ne.jp/article/x").kind == "portal"
    assert not lookup("nytimes.com").is_platform


def test_outlet_is_frozen_and_keyed_by_its_first_host():
    o = lookup("https://www.yomiuri.co.jp/")
    assert o.key == "yomiuri.co.jp" and o.hosts[0] == "yomiuri.co.jp"
    with pytest.raises(AttributeError):
        o.ja = "x"


# --- by_name ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "en"), [
    ("朝日新聞社", "The Asahi Shimbun"),
    ("asahi.com", "The Asahi Shimbun"),
    ("the guardian", "The Guardian"),
    ("The Guardian", "The Guardian"),
    ("Guardian", "The Guardian"),
    ("ＮＨＫ", "NHK"),
    ("日本放送協会", "NHK"),
    ("ロイター", "Reuters"),
    ("ニューヨーク・タイムズ", "The New York Times"),
    ("ニューヨークタイムズ", "The New York Times"),
    ("ニューヨーク タイムズ", "The New York Times"),
    ("ﾛｲﾀｰ", "Reuters"),
    ("共同通信社", "Kyodo News"),
    ("時事ドットコム", "Jiji Press"),
    ("中国新聞", "The Chugoku Shimbun"),
    ("中国新聞社", "China News Service"),
    ("聯合ニュース", "Yonhap News Agency"),
    ("朝鮮中央通信", "Korean Central News Agency"),
    ("www.nikkei.com", "The Nikkei"),
    ("www3.nhk.or.jp/news/easy", "NHK News Web Easy"),
    ("Time", "Time"),
    ("The Times", "The Times"),
    ("ITmedia NEWS", "ITmedia"),
    ("ねとらぼ", "ITmedia"),
])
def test_by_name(name, en):
    o = by_name(name)
    assert o is not None and o.en == en


@pytest.mark.parametrize("name", ["", "   ", "新聞", "The", "Mr. Smith", "example.com", None, 3])
def test_by_name_unknown(name):
    assert by_name(name) is None


def test_ambiguous_names_answer_none_and_are_reported():
    a = Outlet(ja="甲新聞", en="Ko Shimbun", kind="newspaper", country="JP", hosts=("ko.example",),
               aliases=("新聞社",))
    b = Outlet(ja="乙新聞", en="Otsu Shimbun", kind="newspaper", country="JP", hosts=("otsu.example", "ko.example"),
               aliases=("新聞 社",))
    table = HostTable([a, b])
    assert table.by_name("新聞社") is None
    assert table.by_name("甲新聞") is a and table.by_name("乙新聞") is b
    assert table.lookup("ko.example") is a
    assert any("新聞社" in c for c in table.conflicts) and any("ko.example" in c for c in table.conflicts)


def test_normalize_name():
    assert normalize_name("The New York Times") == "newyorktimes"
    assert normalize_name("  ＢＢＣ　ニュース ") == "bbcニュース"
    assert normalize_name("ハフィントン・ポスト") == normalize_name("ハフィントンポスト")
    assert normalize_name("ASCII.jp") == "ascii.jp"
    assert normalize_name("Theatre") == "theatre"


def test_load_table_from_text():
    table = load_table(
        'version = "1"\n[[outlet]]\nhosts = ["example.org"]\npaths = ["/jp/"]\nja = "例"\nen = "Example Japan"\n'
        'kind = "online"\ncountry = "JP"\n[[outlet]]\nhosts = ["example.org"]\nja = "例2"\nen = "Example"\n'
        'kind = "online"\ncountry = "US"\n'
    )
    assert [o.key for o in table.outlets] == ["example.org/jp", "example.org"]
    assert table.lookup("https://www.example.org/jp/x").en == "Example Japan"
    assert table.lookup("https://www.example.org/us/x").en == "Example"
    assert table.by_name("example.org/jp").en == "Example Japan"
    assert table.conflicts == ()
