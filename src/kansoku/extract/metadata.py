"""Article metadata from the clean text: title, bylines, outlet, dates, the original article, URLs, handles.

Container fields (HTML meta, JSONL, RSS) win when present; the text is read line by line otherwise.
Every value found in the text carries ``start``/``end`` offsets with ``text[start:end]`` equal to it.

Bylines are read only from explicit patterns (labels such as 執筆者: / 筆者: / 文:, bracket credits such
as 〔山田太郎記者〕, "By Jane Doe", bio sentences 「NAMEは、…の上級研究員である」), and every name must look
like a person or a team (``plausible_name``): a sentence or a label glued to a name is rejected.
A page that summarises or translates another article (出典: / 原文: / 今回のニュース: / 本記事:) gets an
``original`` block, and the original's author is listed with role ``original_author``.
A role with no name (サイト管理者(筆者), 投稿者: サイト管理人) is kept as an author with ``name`` "" and that
``role``, its offsets covering the role. A container author not found in the text has offsets None.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from kansoku import rx
from kansoku.extract.claims import cues
from kansoku.model import Candidate, Document
from kansoku.prefilter import finditer

_D = "[0-9０-９]"
_DATE = rx.compile(
    rf"(?P<y>(?:19|20){_D}{{2}}|２０{_D}{{2}})\s*(?:年|/|\.|-|／|．)\s*(?P<m>{_D}{{1,2}})\s*(?:月|/|\.|-|／|．)\s*"
    rf"(?P<d>{_D}{{1,2}})日?"
    rf"|(?P<ry>令和|平成)(?P<ryn>{_D}{{1,2}}|元)年(?P<rm>{_D}{{1,2}})月(?P<rd>{_D}{{1,2}})日"
    rf"|(?<!{_D})(?<!年)(?P<om>{_D}{{1,2}})月(?P<od>{_D}{{1,2}})日"
    r"|(?P<em>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? (?P<ed>\d{1,2}),? (?P<ey>(?:19|20)\d{2})"
    r"|(?P<ed2>\d{1,2}) (?P<em2>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]* (?P<ey2>(?:19|20)\d{2})"
)
_MONTHS = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Sept": 9,
           "Oct": 10, "Nov": 11, "Dec": 12}
_URL = rx.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%()]+")
_HANDLE = rx.compile(
    r"(?:(?P<plat>X|Ｘ|Twitter|ツイッター|Instagram|インスタグラム|Telegram|テレグラム|Threads|TikTok)\s*[:：]?\s*)?"
    r"(?<![A-Za-z0-9_.@/])[@＠](?P<h>[A-Za-z0-9_]{1,30})(?![A-Za-z0-9_@.]*\.[a-z])"
)
_PLATFORMS = {"X": "x", "Ｘ": "x", "Twitter": "x", "ツイッター": "x", "Instagram": "instagram",
              "インスタグラム": "instagram", "Telegram": "telegram", "テレグラム": "telegram", "Threads": "threads",
              "TikTok": "tiktok"}
_LATIN_NAME = rx.compile(r"[A-Z][A-Za-z'’\-]*\.?(?:\s+(?:[A-Z][A-Za-z'’\-]*\.?|de|da|van|von|der|bin|al|la|le)){1,4}")
_KANA_NAME = r"[\u30A1-\u30FA][\u30A1-\u30FCA-Za-z・･＝=.\s]{1,30}?"
_KANJI_NAME = r"[\u4E00-\u9FFF々]{1,4}[ 　]?[\u4E00-\u9FFF々]{1,4}"
_TEAM = rx.compile(r"(?:編集部|編集局|取材班|編集委員会|Team|Staff|Desk|Editors|Editorial|Newsroom|スタッフ)$")
# What may surround a date on a date-only line: brackets, weekday, time, a publishing verb.
_DATE_NOISE = rx.compile(
    r"[\s【\[(（]*\|?[\s\])）】]*(?:[(（]?[月火水木金土日](?:曜日?)?[)）]?)?\s*"
    r"(?:(?:午前|午後)?[0-9０-９]{1,2}(?:[:：][0-9０-９]{2}|時(?:[0-9０-９]{1,2}分)?)(?:[:：][0-9０-９]{2})?)?\s*"
    r"(?:JST|公開|配信|掲載|投稿|発行|更新|発表)?\s*[\])）】]*\s*"
)
_OUTLET_WORD = rx.compile(
    r"(?:新聞|タイムズ|通信|ポスト|ジャーナル|紙|誌|社|テレビ|放送|ニュース|TV|News|NEWS|Times|Post|Journal|Herald|"
    r"Review|Daily|Press|Media|Inc|Inc\.|Ltd|Ltd\.|Corporation|Company|Shimbun|Broadcasting)$"
)
_ROLE_NAME = rx.compile(r"(?:管理人|管理者|運営者|担当者|主宰|中の人|admin|Admin|webmaster)$")
_HONORIFICS = ("氏", "さん", "博士", "先生", "Dr.", "Prof.")
_BULLET = r"^[\s•・\-*◆■●◇□▼▽▶►>]*"


def _num(s: str) -> int:
    return int(unicodedata.normalize("NFKC", s))


def parse_date(m: re.Match[str]) -> str | None:
    """ISO date (XXXX for a missing year) from a ``_DATE`` match."""
    g = m.groupdict()
    try:
        if g["y"]:
            y, mo, d = _num(g["y"]), _num(g["m"]), _num(g["d"])
        elif g["ry"]:
            n = 1 if g["ryn"] == "元" else _num(g["ryn"])
            y, mo, d = (2018 if g["ry"] == "令和" else 1988) + n, _num(g["rm"]), _num(g["rd"])
        elif g["om"]:
            mo, d = _num(g["om"]), _num(g["od"])
            return f"XXXX-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else None
        elif g["em"]:
            y, mo, d = int(g["ey"]), _MONTHS[g["em"]], int(g["ed"])
        else:
            y, mo, d = int(g["ey2"]), _MONTHS[g["em2"]], int(g["ed2"])
    except (TypeError, ValueError, KeyError):
        return None
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line, surrounding whitespace excluded."""
    out = []
    pos = 0
    for raw in text.split("\n"):
        s, e = pos, pos + len(raw)
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
        pos += len(raw) + 1
    return out


def _alt(words: list[str]) -> str:
    return _alt_of(tuple(words))


@lru_cache(maxsize=256)
def _alt_of(words: tuple[str, ...]) -> str:
    """The alternation of WORDS, longest first (memoised: the byline patterns are built per document)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def norm_key(s: str) -> str:
    """Comparison key for names: NFKC, no spaces, middle dots or periods."""
    return re.sub(r"[\s・･.]", "", unicodedata.normalize("NFKC", s))


def plausible_name(name: str) -> bool:
    """A person or team name, not a sentence, a label or a fragment."""
    n = name.strip()
    if not (2 <= len(n) <= 40) or re.search(r"[。、，,「」『』！？!?;；:：/|@#【】\[\]<>＜＞=]|https?|www\.", n):
        return False
    if re.search(r"です|ます|した|する|して|ている|による|について|という|とは|から|まで", n):
        return False
    labels = cues()["metadata"]["byline_labels"]
    if any(n.startswith(lb) and len(n) > len(lb) and re.match(r"[A-Za-z]", n[len(lb)]) for lb in labels):
        return False  # 文Ai News Team: a label glued to the name
    if re.fullmatch(r"[ぁ-ゖァ-ヺー]{2,12}", n) and not re.search(r"(?:です|ます|した|ない|たい|ます)$", n):
        return True  # a kana pen name (しまふくろう)
    hira = len(re.findall(r"[ぁ-ゖ]", n))
    if hira > 4 or re.search(r"(?:の|は|が|を|に|で|と|も)$", n) or re.search(r"[ぁ-ゖ](?:は|が|を)", n):
        return False
    if re.fullmatch(r"[A-Za-z .'’\-]+", n):
        words = n.split()
        if _TEAM.search(n):
            return len(words) <= 6
        return 1 <= len(words) <= 5 and all(w[0].isupper() or w in ("de", "da", "van", "von", "der", "bin", "al")
                                            for w in words)
    if re.search(r"[0-9０-９]", n) and not _TEAM.search(n):
        return False
    return len(n) <= 25


def _clean_name(raw: str) -> tuple[str, str | None, int]:
    """Strip titles (博士, 氏, 教授, Dr. …) from a byline name: (name, title, offset of name in raw)."""
    titles = sorted(cues()["metadata"]["name_titles"], key=len, reverse=True)
    s = raw.strip(" 　")
    title = None
    changed = True
    while changed:
        changed = False
        for t in titles:
            if s.endswith(t) and len(s) > len(t) + 1:
                title, s, changed = title or t, s[: -len(t)].rstrip(" 　"), True
                break
            if t.endswith(".") and s.startswith(t + " "):
                title, s, changed = title or t, s[len(t) :].lstrip(), True
                break
    return s, title, raw.find(s)


class _Meta:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.text = doc.text
        self.lines = _lines(doc.text)
        self.c = cues()["metadata"]
        self.authors: list[dict[str, Any]] = []
        self.original: dict[str, Any] = {"outlet": None, "title": None, "author": None, "published": None}
        self.original_lines: set[int] = set()
        self.published: str | None = None
        self.updated: str | None = None
        self.outlet: str | None = None
        self.wire: dict[str, Any] | None = None
        self.series: str | None = None

    def line(self, i: int) -> str:
        s, e = self.lines[i]
        return self.text[s:e]

    # ---- authors -------------------------------------------------------------------------------------------
    def add_author(self, name: str, start: int, affiliation: str | None = None, role: str | None = None) -> bool:
        if not plausible_name(name):
            return False
        if _ROLE_NAME.search(name):
            # サイト管理人 / ブログ運営者: a role, not a name
            if not any(a["role"] == name for a in self.authors):
                self.authors.append({"name": "", "affiliation": affiliation, "role": name, "start": start,
                                     "end": start + len(name)})
            return True
        key = norm_key(name)
        for a in self.authors:
            if a["name"] and (norm_key(a["name"]) == key or key in norm_key(a["name"])
                              or norm_key(a["name"]) in key):
                a["affiliation"] = a["affiliation"] or affiliation
                if not a["role"] or (role and a["role"] in _HONORIFICS and role not in _HONORIFICS):
                    a["role"] = role
                return True
        self.authors.append({"name": name, "affiliation": affiliation, "role": role, "start": start,
                             "end": start + len(name)})
        return True

    def _split_role(self, extra: str) -> tuple[str | None, str | None]:
        """(affiliation, role) of a byline's parenthetical: 防衛大学校教授 -> (防衛大学校, 教授)."""
        extra = extra.strip()
        if re.fullmatch(r"[ぁ-ゖァ-ヺー・\s]+", extra) and not re.search(r"[ァ-ヺ]{2,}", extra[:2]):
            return None, None  # a reading in kana: 山田太郎(やまだ・たろう)
        for r in sorted(self.c["bio_roles"] + self.c["name_titles"], key=len, reverse=True):
            if extra.endswith(r):
                return extra[: -len(r)].rstrip("のでは 　") or None, r
        return extra or None, None

    def _byline(self, rest: str, base: int, role: str | None = None, original: bool = False) -> int:
        """Add the names of a byline value (one or several: 、 / , / and / ・ between full names)."""
        added = 0
        m = re.match(r"^(?P<v>[^(（]*?)\s*(?:[(（](?P<p>[^)）]+)[)）])?\s*$", rest)
        if not m:
            return 0
        value, paren = m.group("v"), m.group("p")
        parts = [(p.start(), p.group(0)) for p in re.finditer(r"[^、,，/／|｜]+", value)]
        names: list[tuple[int, str]] = []
        aff = org_aff = None
        for k, (off, part) in enumerate(parts):
            sub_off = 0
            for raw in re.split(r"\s+(?:and|&)\s+", part):
                sub_start = part.index(raw, sub_off)
                sub_off = sub_start + len(raw)
                if not raw.strip():
                    continue
                name, title, lead = _clean_name(raw)
                if k > 0 and names and not (plausible_name(name) and self._person_like(name)):
                    aff = value[off:].strip(" 　")
                    break
                org = re.match(r"(?P<org>.*(?:[A-Za-z’'.]|クラブ|Club))[ 　]+(?=\S+$)|(?P<jorg>.*(?:社|部|会|局|室|班))(?:[ 　]+|・)"
                               r"(?=[^\s・]+$)", name)
                if org and re.match(r"[^\x00-\x7F]", name[org.end() :]) and self._person_like(name[org.end() :]):
                    # K-Writer's Club 村上佳代: an organisation before the person
                    org_aff = org_aff or org.group("org") or org.group("jorg")
                    lead += org.end()
                    name = name[org.end() :]
                names.append((off + sub_start + lead, name))
                role = role or title
            if aff:
                break
        p_aff, p_role = self._split_role(paren) if paren else (None, None)
        if aff:
            aff, a_role = self._split_role(aff)
            p_role = p_role or a_role
        for off, name in names:
            r = p_role or role or ("original_author" if original else None)
            if original and r != "original_author" and r in self.c["name_titles"]:
                r = "original_author"
            if self.add_author(name, base + off, p_aff or aff or org_aff, r):
                added += 1
                if original:
                    self.original["author"] = self.original["author"] or name
        return added

    def bylines(self) -> None:
        labels = _alt(self.c["byline_labels"])
        label_re = rx.compile(
            rf"{_BULLET}(?P<open>[【\[〔<＜(（])?(?P<label>{labels})[】\]〕>＞]?\s*(?:[:：=＝・]|(?<=[】\]〕>＞]))\s*"
            r"(?P<rest>\S.*)$"
        )
        role_only = rx.compile(r"(?P<role>[^\s、。()（）「」]{2,12}[(（](?:筆者|著者|執筆者)[)）])")
        by_re = rx.compile(r"^(?:Written\s+)?[Bb]y\s*[:：]?\s*(?P<rest>.*)$")
        bare_re = rx.compile(r"^(?P<n>[^\s:：()（）、。]{2,12}(?:[ 　][^\s:：()（）、。]{1,8})?)\s*"
                             r"(?:[(（](?P<p>[^)）]{2,30})[)）]|[:：|｜/／]\s*(?P<q>[^。]{2,30}))$")
        role_first = rx.compile(rf"^(?P<r>{_alt(self.c['bio_roles'] + self.c['profession_roles'])})[ 　:：]+"
                                r"(?P<n>[^\s:：()（）、。]{2,10}(?:[ 　][^\s:：()（）、。]{1,8})?)$")
        n = len(self.lines)
        original_labels = ("筆者", "著者", "執筆者", "Author", "Written by", "文")
        for i, (s, _e) in enumerate(self.lines):
            line = self.line(i)
            m = label_re.match(line)
            if m and len(m.group("rest")) <= 80:
                label, rest = m.group("label"), m.group("rest")
                if m.group("open") in ("(", "（") and rest.endswith((")", "）")):
                    rest = rest[:-1]  # (翻訳:山田太郎)
                original = i in self.original_lines and label in original_labels
                self._byline(rest, s + m.start("rest"), self.c["label_roles"].get(label), original)
                continue
            m = by_re.match(line)
            if m and len(line) <= 80:
                rest, base = m.group("rest"), s + m.start("rest")
                if not rest and i + 1 < n and len(self.line(i + 1)) <= 40:
                    rest, base = self.line(i + 1), self.lines[i + 1][0]
                if rest:
                    self._byline(rest, base)
                continue
            edge = i < 6 or i >= n - 6  # the two patterns below count only near the top or the end
            m = bare_re.match(line) if edge else None
            if m:
                # 山田太郎(国際政治学者) / 西村豪太 : 東洋経済コラムニスト, a person-like name with a role
                aff, role = self._split_role(m.group("p") or m.group("q"))
                name, title, lead = _clean_name(m.group("n"))
                if role and self._person_like(name):
                    self.add_author(name, s + lead, aff, role)
                    continue
            m = role_first.match(line) if edge else None
            if m:
                # ジャーナリスト 山田太郎: a role before a person-like name
                name, title, lead = _clean_name(m.group("n"))
                if self._person_like(name):
                    self.add_author(name, s + m.start("n") + lead, None, m.group("r"))
                    continue
            self._bio(line, s)
            for m2 in finditer(role_only, line):
                if not any(a["role"] == m2.group("role") for a in self.authors):
                    self.authors.append({"name": "", "affiliation": None, "role": m2.group("role"),
                                         "start": s + m2.start("role"), "end": s + m2.end("role")})
        # bracket credits anywhere: 〔山田太郎記者〕 【ワシントン=山田太郎】 (山田太郎特派員)
        credit = rx.compile(
            r"[〔【(（\[]\s*(?:(?P<place>[^=＝〔】)）\]\s]{1,10})\s*[=＝]\s*)?"
            r"(?P<name>[^〔】)）\]=＝、。\s]{2,12}?)\s*(?P<role>記者|特派員|編集委員|論説委員|支局長|通信員)\s*[〕】)）\]]"
        )
        for m in credit.finditer(self.text):
            at_start = m.start() == 0 or self.text[m.start() - 1] == "\n"
            at_end = re.match(r"[ \t　]*(?:\n|$)", self.text[m.end() :]) is not None
            if (at_start or at_end) and not _OUTLET_WORD.search(m.group("name")):
                self.add_author(m.group("name"), m.start("name"), None, m.group("role"))
        # a closing credit of bare names: …と説明している。【松本紫帆】 / 【山田太郎、鈴木花子】
        end_credit = rx.compile(r"(?<=[。」）)\n])[ \t　]*【(?P<names>[\u4E00-\u9FFF々]{2,6}(?:[、・][\u4E00-\u9FFF々]{2,6}){0,3})】"
                                r"[ \t　]*(?:\n|$)")
        for m in end_credit.finditer(self.text):
            if len(self.text) - m.end() > 300:
                continue
            base = m.start("names")
            for part in re.finditer(r"[^、・]+", m.group("names")):
                if self._person_like(part.group(0)):
                    self.add_author(part.group(0), base + part.start(), None, None)
        wire = _alt(list(self.c["wire_credits"]))
        place_credit = rx.compile(r"[【(（](?P<place>[^=＝】)）\s]{1,10})[=＝](?P<x>[^】)）]{1,24})[】)）]")
        for m in place_credit.finditer(self.text):
            x = m.group("x").strip()
            if re.fullmatch(wire, x) or re.search(wire, x) or _DATE.search(x):
                continue
            at_line_start = m.start() == 0 or self.text[m.start() - 1] == "\n"
            if (m.group(0)[0] == "【" or at_line_start) and re.fullmatch(_KANJI_NAME, x) and self._person_like(x):
                self.add_author(x, m.start("x") + m.group("x").find(x), None, "correspondent")

    def _bio(self, line: str, base: int) -> None:
        roles = _alt(self.c["bio_roles"])
        titles = _alt(self.c["name_titles"])
        # 吉岡まどか(よしおか・まどか) 国際政治アナリスト。: a name with its kana reading opens a profile
        m = re.match(r"(?P<name>[^\s(（、。]{2,10})\s*[(（](?P<r>[ぁ-ゖー]+[・\s　][ぁ-ゖー]+)[)）]\s*(?P<rest>.*)$", line)
        if m and plausible_name(m.group("name")) and (not m.group("rest") or re.search(roles, m.group("rest"))):
            rm = re.search(rf"^(?P<aff>[^。]{{0,40}}?)(?P<role>{roles})", m.group("rest"))
            aff = rm.group("aff").strip(" 、") or None if rm else None
            self.add_author(m.group("name"), base + m.start("name"), aff, rm.group("role") if rm else None)
            return
        m = re.match(
            rf"(?P<name>{_KANA_NAME}|{_KANJI_NAME}|{_LATIN_NAME.pattern})\s*(?:{titles})?(?:は|、)、?\s*"
            rf"(?P<aff>[^。]{{2,60}}?)(?:の|で)(?:元|前)?(?P<role>{roles})(?:である|であり|だ|です|を務める|を務め|。|、|$)",
            line,
        )
        if m:
            name = m.group("name").strip()
            if self._person_like(name):
                self.add_author(name, base + m.start("name"), m.group("aff").strip(), m.group("role"))
            return
        m = re.match(
            r"(?P<name>[A-Z][A-Za-z.'’\-]*(?: [A-Z][A-Za-z.'’\-]*){1,3}) is (?:a |an |the )?(?:former )?"
            r"(?P<role>(?:senior |non-?resident |visiting |distinguished )?(?:fellow|professor|researcher|director|"
            r"editor|correspondent|analyst|journalist|columnist|president|chair)[a-z ]*?) (?:at|of|for|with) "
            r"(?:the )?(?P<aff>[^,.;]+)",
            line,
        )
        if m:
            self.add_author(m.group("name"), base + m.start("name"), m.group("aff").strip(), m.group("role"))

    @staticmethod
    def _person_like(name: str) -> bool:
        if re.search(r"[・･＝]", name) or re.fullmatch(r"[A-Za-z .'’\-]+", name):
            return True
        from kansoku.nlp.tokens import tokenize

        toks = tokenize(name)
        return any(t.proper_kind == "人名" for t in toks) and not any(t.proper_kind == "地名" for t in toks)

    # ---- original article ----------------------------------------------------------------------------------
    def original_block(self) -> None:
        markers = _alt(self.c["original_markers"])
        mk = rx.compile(rf"{_BULLET}(?P<label>{markers})\s*(?:[:：]\s*|(?=[\"“「『]))(?P<rest>.*)$")
        for i in range(len(self.lines)):
            m = mk.match(self.line(i))
            if not m:
                continue
            # the block: up to 6 following lines, ending at the first body paragraph (a long line that is
            # not an author bio)
            end = i + 1
            bio = rx.compile(_alt(self.c["bio_roles"]))
            while end < min(len(self.lines), i + 7):
                nxt = self.line(end)
                if len(nxt) > 100 and not bio.search(nxt):
                    break
                end += 1
            window = range(i, end)
            self.original_lines.update(window)
            rest = m.group("rest").strip()
            title = self._quoted(rest)
            if title and not self.original["title"]:
                self.original["title"] = title
            dm = _DATE.search(rest)
            if dm and not self.original["published"] and dm.group("om") is None:
                self.original["published"] = parse_date(dm)
            if m.group("label") in ("出典", "Source", "原典", "引用元", "翻訳元", "元記事", "原文", "オリジナル記事"):
                outlet = rest
                if title:
                    outlet = re.sub(r"[\"“「『].*?[\"”」』]", "", outlet)
                if dm:
                    outlet = outlet.replace(dm.group(0), "")
                outlet = _URL.sub("", outlet)
                # a note in brackets beside a name is not part of it: Foreign Policy (英語原文を…翻訳した);
                # a name that is only in brackets stays: (ポリティコ、2023年7月20日)
                bare = re.sub(r"[（(][^()（）]*(?:[)）]|$)", "", outlet).strip(" ,、，/|｜-—()（）　")
                outlet = bare or re.sub(r"[（(]\s*[)）]", "", outlet).strip(" ,、，/|｜-—()（）　")
                if outlet and len(outlet) <= 40 and not self.original["outlet"] and "。" not in outlet:
                    self.original["outlet"] = outlet
                elif not outlet:
                    um = _URL.search(rest)
                    if um and not self.original["outlet"]:
                        self.original["outlet"] = re.sub(r"^www\d*\.", "", urlsplit(um.group(0)).hostname or "") or None
            elif not title and rest and m.group("label") in ("原題", "今回のニュース") and len(rest) <= 150:
                self.original["title"] = self.original["title"] or rest
            # English title line or labelled date within the window
            for j in window:
                if j == i:
                    continue
                line = self.line(j)
                if not self.original["title"] and self._english_title(line):
                    self.original["title"] = line
                lm = re.match(rf"{_BULLET}(?:{_alt(self.c['published_labels'])})\s*[:：]\s*(?P<d>.*)$", line)
                if lm and not self.original["published"]:
                    dm2 = _DATE.search(lm.group("d"))
                    if dm2:
                        self.original["published"] = parse_date(dm2)

    @staticmethod
    def _quoted(s: str) -> str | None:
        m = re.search(r"[\"“「『](?P<t>[^\"”」』]{3,200})[\"”」』]", s)
        return m.group("t").strip() if m else None

    @staticmethod
    def _english_title(line: str) -> bool:
        if _URL.search(line) or re.match(r"(?:By|Written by|Source|Photo|Image)\b", line):
            return False
        ascii_share = sum(ord(ch) < 0x2500 for ch in line) / max(1, len(line))
        words = line.split()
        return ascii_share > 0.95 and 3 <= len(words) <= 25 and line[:1].isupper() and not line.endswith(".")

    # ---- dates ---------------------------------------------------------------------------------------------
    def dates(self) -> None:
        n = len(self.lines)
        near = [i for i in range(n) if i < 12 or i >= n - 12]
        pub_labels = _alt(self.c["published_labels"])
        upd_labels = _alt(self.c["updated_labels"])
        labelled = rx.compile(rf"(?P<label>{upd_labels}|{pub_labels})\s*(?:日時)?\s*[:：]?\s*$")
        for i in range(n):
            if i in self.original_lines:
                continue
            s, _ = self.lines[i]
            line = self.line(i)
            for dm in finditer(_DATE, line):
                value = parse_date(dm)
                if not value:
                    continue
                before = line[: dm.start()]
                after = line[dm.end() :]
                lm = labelled.search(before[-20:])
                kind = None
                if lm:
                    kind = "updated" if re.fullmatch(upd_labels, lm.group("label")) else "published"
                elif re.search(r"【[^】=＝]{0,10}[=＝]\s*$", before) or re.match(r"\s*(?:公開|配信|掲載|投稿|発行)", after):
                    kind = "published"
                elif re.match(r"\s*(?:更新|最終更新)", after):
                    kind = "updated"
                elif i in near and _DATE_NOISE.fullmatch(before + "|" + after) and dm.group("om") is None:
                    kind = "published"  # a date-only line near the top or bottom
                if kind == "published" and not self.published:
                    self.published = value
                elif kind == "updated" and not self.updated:
                    self.updated = value

    # ---- outlet and series ---------------------------------------------------------------------------------
    _DATELINE = rx.compile(r"【(?P<head>[^=＝】]{1,30})[=＝](?P<right>[^】]{0,40})】")

    def _agency_full(self, abbrev: str) -> str:
        """東亜 → 東亜通信 when the text names the agency in full."""
        m = re.search(re.escape(abbrev) + r"(?:通信社|通信|新聞社|新聞|時事)", self.text)
        return m.group(0) if m else abbrev

    def _dateline_agency(self) -> dict[str, Any] | None:
        """【キーウ東亜=2025年8月16日】 → 東亜 (the agency after the place); 【ブリュッセル=ユーラシア・ウォッチ】 → the
        name after = when it is no date and no person."""
        for i in range(min(len(self.lines), 6)):
            if i in self.original_lines:
                continue
            s, _ = self.lines[i]
            m = self._DATELINE.match(self.line(i))
            if not m:
                continue
            head, right = m.group("head").strip(), m.group("right").strip()
            if right and not _DATE.search(right) and not re.search(r"\d", right):
                if re.fullmatch(_KANJI_NAME, right) and self._person_like(right):
                    return None  # 【ワシントン=山田太郎】: a correspondent, read as a byline
                k = m.group(0).index(right, len(head) + 2)
                return {"name": right, "agency": right, "start": s + k, "end": s + k + len(right)}
            from kansoku.nlp.tokens import tokenize

            cut = 0
            for t in tokenize(head):
                if t.proper_kind == "地名" or (cut == 0 and re.fullmatch(r"[ァ-ヺー・]{2,}", t.surface)):
                    cut = t.end
                else:
                    break
            abbrev = head[cut:].strip()
            if cut == 0 or not abbrev or len(abbrev) > 10 or re.search(r"\d", abbrev):
                return None
            start = s + 1 + head.index(abbrev)
            return {"name": abbrev, "agency": self._agency_full(abbrev), "start": start, "end": start + len(abbrev)}
        return None

    def _closing_credit(self) -> dict[str, Any] | None:
        """(東亜通信配信) / （極東通信） closing the text: the agency that supplied the story."""
        tail = self.text.rstrip()
        m = re.search(r"[(（](?P<n>[^()（）\n、。,・をがはにでと]{2,20}?)(?P<k>配信|提供)?[)）]$", tail[-40:])
        if not m:
            return None
        name = m.group("n").strip()
        if not (m.group("k") or re.search(r"(?:通信|時事|通信社)$", name)):
            return None
        start = len(tail) - 40 + m.start("n") if len(tail) > 40 else m.start("n")
        return {"name": name, "agency": name, "start": start, "end": start + len(name)}

    def outlet_and_series(self) -> None:
        wires = self.c["wire_credits"]
        walt = _alt(list(wires))
        n = len(self.lines)
        lead = rx.compile(rf"^(?:【[^】]{{0,12}}?[=＝]?(?P<w>{walt})】|\[[^\]]{{0,24}}\s(?P<w3>{walt})\])")
        tail = rx.compile(rf"[(（](?P<w2>{walt})(?:[=＝][^)）]{{1,6}})?[)）]\s*$")
        for i in [*range(min(n, 6)), *range(max(6, n - 6), n)]:
            if i in self.original_lines:
                continue
            line = self.line(i)
            m = lead.match(line) if i < 6 else None
            m = m or tail.search(line)
            if m:
                g = next(k for k in ("w", "w2", "w3") if m.groupdict().get(k))
                base = self.lines[i][0]
                # a credited news agency: an author of kind organisation when nobody is named, and
                # the original source; the outlet is the publication (extract/provenance.py decides)
                self.wire = {"name": m.group(g), "agency": wires[m.group(g)], "start": base + m.start(g),
                             "end": base + m.end(g)}
                break
        if self.wire is None:
            self.wire = self._dateline_agency() or self._closing_credit()
        series_re = rx.compile(rf"{_BULLET}(?:{_alt(self.c['series_labels'])})\s*[:：]\s*(?P<v>[^。]{{1,40}})$")
        copy_re = rx.compile(
            r"(?:©|Ⓒ|\([cC]\)|（[cCｃＣ]）|Copyright|COPYRIGHT)\s*(?:(?:©|\([cC]\))\s*)?(?:(?:19|20)\d{2}(?:\s*[-–]\s*(?:19|20)\d{2})?\s*)?"
            r"(?P<o>[^.。,、©]{2,40}?)\s*(?:[.,。]?\s*(?:All [Rr]ights [Rr]eserved.*|無断転載.*)|[.,。])?$"
        )
        credit_re = rx.compile(
            r"^[(（]?(?P<o>[^\s、。()（）「」:：■□◆◇●○★☆▼▲※・【】]{1,15}?(?:新聞|通信|タイムズ|ニュース|新報|日報|News|NEWS|Times))"
            r"(?:社)?(?:電子版|デジタル)?[)）]?$"
        )
        for i in range(n):
            line = self.line(i)
            sm = series_re.match(line)
            if sm and not self.series:
                self.series = sm.group("v").strip()
            if self.outlet or i in self.original_lines:
                continue
            if i >= n - 12:
                cm = copy_re.search(line)
                # a photo credit (© 2012 映画製作委員会, (C) 写真家名) is not the outlet: ask for a rights
                # notice, the word Copyright, or an outlet-like name
                if cm and len(line) <= 80 and (re.search(r"Copyright|rights reserved|無断転載|無断複製", line, re.I)
                                               or _OUTLET_WORD.search(re.split(r"\s*[/／|｜]", cm.group("o"))[0])):
                    self.outlet = re.split(r"\s*[/／|｜]\s*", cm.group("o").strip())[0] or None
                    continue
            if (i < 6 or i >= n - 6) and len(line) <= 25:
                cm = credit_re.match(line)
                if cm and len(re.findall(r"[ぁ-ゖ]", cm.group("o"))) <= 3:
                    self.outlet = cm.group("o")

    # ---- title ---------------------------------------------------------------------------------------------
    def title(self) -> tuple[str | None, dict[str, int] | None]:
        doc = self.doc
        if doc.title:
            if doc.title_span is not None:
                return doc.title, {"start": doc.title_span.start, "end": doc.title_span.end}
            k = self.text.find(doc.title)
            return doc.title, ({"start": k, "end": k + len(doc.title)} if k >= 0 else None)
        boiler = [rx.compile(p, re.I) for p in self.c["boilerplate"]]
        labels = _alt(self.c["byline_labels"] + self.c["published_labels"] + self.c["updated_labels"]
                      + self.c["series_labels"])
        for i, (s, e) in enumerate(self.lines[:8]):
            line = self.line(i)
            if any(p.search(line) for p in boiler) or len(line) < 4:
                continue
            if re.match(rf"{_BULLET}(?:{labels})\s*[:：]", line) or _URL.fullmatch(line):
                continue
            dm = _DATE.search(line)
            if dm and len(line) - len(dm.group(0)) <= 14:
                continue
            if len(line) <= 200 and (not line.endswith("。") or len(line) <= 30):
                return line, {"start": s, "end": e}
            return None, None
        return None, None


def classify_url(url: str) -> str:
    """news / video / blog / official / social / other, by domain."""
    host = (urlsplit(url).hostname or "").lower()
    u = cues()["urls"]

    def hit(domains: list[str]) -> bool:
        return any(host == d or host.endswith("." + d) for d in domains)

    for kind in ("video", "social", "blog", "news", "official"):
        if hit(u[kind]):
            return kind
    return "other"


def find_urls(text: str) -> list[dict[str, Any]]:
    """Every http(s) URL with offsets and kind; trailing punctuation and unbalanced ')' are left out."""
    out = []
    for m in _URL.finditer(text):
        url = m.group(0)
        while url and (url[-1] in ".,;:!?'" or (url[-1] == ")" and url.count("(") < url.count(")"))):
            url = url[:-1]
        if len(url) <= len("https://"):
            continue
        out.append({"url": url, "start": m.start(), "end": m.start() + len(url), "kind": classify_url(url)})
    return out


def find_handles(text: str, urls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """@handles (X: @name, Twitter: @name, bare @name), outside URLs and e-mail addresses."""
    out = []
    for m in _HANDLE.finditer(text):
        s, e = m.start("h") - 1, m.end("h")
        if any(u["start"] <= s < u["end"] for u in urls):
            continue
        plat = m.group("plat")
        out.append({"handle": text[s:e], "platform": _PLATFORMS.get(plat) if plat else None, "start": s, "end": e})
    return out


def extract_metadata(doc: Document) -> dict[str, Any]:
    """Metadata record of ``doc`` (see the module docstring); provenance decided by extract/provenance.py."""
    from kansoku.extract.provenance import decide

    md = _Meta(doc)
    md.original_block()
    md.bylines()
    md.dates()
    md.outlet_and_series()
    title, title_span = md.title()
    title_origin = doc.title_origin if doc.title else ("body" if title else None)
    cands = list(doc.candidates)
    # simple container fields of readers that do not list candidates (older callers, tests)
    for field, value in (("title", doc.title), ("author", doc.author), ("outlet", doc.outlet),
                         ("published", doc.published), ("url", doc.url)):
        if value and not any(c.field == field for c in cands):
            cands.append(Candidate(field, value, "record"))
            if field == "title" and not doc.title_origin:
                title_origin = "record"
    body = {"authors": md.authors, "published": md.published, "updated": md.updated, "outlet": md.outlet,
            "wire": md.wire, "original": md.original}
    decided = decide(cands, body, doc.text, title, title_origin)
    urls = find_urls(doc.text)
    return {
        "title": title,
        "title_span": title_span,
        "authors": decided["authors"],
        "outlet": decided["outlet"],
        "published": decided["published"],
        "updated": decided["updated"],
        "original": decided["original"],
        "url": decided["url"],
        "field_sources": decided["field_sources"],
        "urls": urls,
        "handles": find_handles(doc.text, urls),
        "series": md.series,
    }


def _iso(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"\d{4}-\d{2}-\d{2}", value)
    if m:
        return m.group(0)
    dm = _DATE.search(value)
    return parse_date(dm) if dm else value
