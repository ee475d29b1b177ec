"""Link extracted items to resolved entities by character offsets.

Claims get ``speaker_entity_id`` when the speaker span overlaps an entity mention; quantities get
``source_entity_id`` likewise; events list the entities mentioned inside them and the claims they
contain.  ``actor_spans`` gives the analyze stage the mention spans of the actors it scores stance for.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from kansoku import rx
from kansoku.model import Span

# English canonical names of the actors stance is computed for, grouped (EU and NATO count as Europe).
ACTOR_GROUPS = {
    "Russia": ("Russia", "Kremlin", "Russian Armed Forces", "Government of Russia", "Vladimir Putin"),
    "Ukraine": ("Ukraine", "Armed Forces of Ukraine", "Government of Ukraine", "Volodymyr Zelensky"),
    "United States": ("United States", "White House", "United States Armed Forces", "Donald Trump",
                      "Joe Biden"),
    "Europe": ("Europe", "European Union", "NATO", "European Commission", "United Kingdom", "Germany",
               "France"),
    "China": ("China", "Xi Jinping", "Chinese Communist Party"),
    "Japan": ("Japan", "Government of Japan", "Japan Self-Defense Forces"),
}
LEADERS = ("Vladimir Putin", "Volodymyr Zelensky", "Donald Trump", "Joe Biden", "Xi Jinping")


class _MentionIndex:
    """Mention spans sorted by start, searchable by bisection (a scan per query was quadratic)."""

    def __init__(self, entities: list[dict]) -> None:
        self.items = sorted((m["start"], m["end"], e["id"]) for e in entities for m in e["mentions"])
        self.starts = [start for start, _, _ in self.items]
        self.longest = max((end - start for start, end, _ in self.items), default=0)

    def overlapping(self, s: int, e: int) -> list[tuple[int, int, str]]:
        """Mentions overlapping ``[s, e)``, in start order (all of them start after ``s - longest``)."""
        return self.items[bisect_right(self.starts, s - self.longest) : bisect_left(self.starts, e)]

    def starting_in(self, s: int, e: int) -> list[tuple[int, int, str]]:
        """Mentions with ``s <= start <= e``, in start order."""
        return self.items[bisect_left(self.starts, s) : bisect_right(self.starts, e)]


def _entity_in(span: dict | None, idx: _MentionIndex) -> str | None:
    if not span:
        return None
    s, e = span["start"], span["end"]
    best = None
    for ms, me, eid in idx.overlapping(s, e):
        if ms < e and s < me:
            overlap = min(e, me) - max(s, ms)
            if best is None or overlap > best[0]:
                best = (overlap, eid)
    return best[1] if best else None


def link_claims(claims: list[dict], entities: list[dict], text: str = "", authors: list[dict] | None = None) -> None:
    """Give every claim its speaker: an entity id with the reason for the link (``speaker_resolution``).

    In order of trust:

    - ``mention``: the speaker span is (or contains) a mention of a resolved entity;
    - ``anaphor``: 彼 / 彼女 / 同氏 / 同大統領 / 同相 / 同国 / 同紙 / 同社 / 同省 … (and a bare title such as
      首相 or 外相) point back to the most recent compatible antecedent: a PERSON (with that title, when the
      anaphor names one), a country, a news outlet, a company, a ministry, a party; a speaker of an
      earlier claim is preferred when it fits (salience);
    - ``zero_subject``: a claim with no subject that continues the previous sentence's claim in the same
      paragraph (…と述べた。さらに…と付け加えた) has the same speaker;
    - ``byline``: an assertion in the author's own voice belongs to the bylined author.

    ``speaker`` then holds the antecedent's name (``speaker_span`` keeps the words in the claim's own
    sentence as evidence) and ``voice`` is ``author`` for assertions, ``attributed`` otherwise.
    """
    idx = _MentionIndex(entities)
    by_id = {e["id"]: e for e in entities}
    persons = [a for a in authors or [] if a.get("name") and a.get("kind") in ("person", "team", "ai")
               and a.get("role") != "original_author"]
    prev: dict | None = None
    spoken: list[str] = []  # entity ids of earlier speakers, most recent last
    for i, c in enumerate(claims):
        c["id"] = i
        c["voice"] = "author" if c.get("kind") == "assertion" else "attributed"
        via = c.pop("_via", None)  # the extractor carried the previous speaker on (また、…とも語った)
        span = c.get("speaker_span")
        eid = _entity_in(span, idx)
        how: dict | None = {"method": "mention"} if eid else None
        if eid is None and span and text:
            surface = text[span["start"] : span["end"]]
            found = _antecedent(surface, span["start"], text, idx, by_id, spoken)
            if found is not None:
                eid, (ms, me) = found
                how = {"method": "anaphor", "antecedent": {"text": text[ms:me], "start": ms, "end": me}}
                c["speaker"] = by_id[eid]["name"] if by_id.get(eid) else text[ms:me]
            elif (named := text_antecedent(surface, span["start"], text)) is not None:
                ms, me = named
                how = {"method": "anaphor", "antecedent": {"text": text[ms:me], "start": ms, "end": me}}
                c["speaker"] = text[ms:me]
                eid = _entity_in({"start": ms, "end": me}, idx)
        if (c.get("speaker") is None and c.get("kind") in ("quote", "reported", "hearsay") and prev is not None
                and text and prev.get("speaker") and _continues(text, prev, c)):
            c["speaker"], c["speaker_span"] = prev["speaker"], prev.get("speaker_span")
            eid = prev.get("speaker_entity_id")
            how = {"method": "zero_subject", "antecedent": {"text": prev["speaker"], **(prev.get("speaker_span") or {})}}
        if (c.get("speaker") is None and c.get("kind") in ("quote", "reported") and text
                and (sole := _sole_person_before(c, text, idx, by_id)) is not None):
            eid, (ms, me) = sole
            c["speaker"] = by_id[eid]["name"]
            how = {"method": "zero_subject", "antecedent": {"text": text[ms:me], "start": ms, "end": me}}
        if c.get("kind") == "assertion" and c.get("speaker") is None and persons:
            a = persons[0]
            c["speaker"] = a["name"]
            eid = _entity_named(a["name"], entities)
            how = {"method": "byline"}
        if via == "context" and span:
            how = {"method": "zero_subject", "antecedent": {"text": text[span["start"] : span["end"]] if text else
                                                           c.get("speaker"), **span}}
        c["speaker_entity_id"] = eid
        c["speaker_resolution"] = how
        if eid:
            spoken.append(eid)
        if c.get("kind") in ("quote", "reported", "hearsay"):
            prev = c


# what an anaphor or a bare title refers to: (pattern, entity types, a title the antecedent must carry)
_PERSON_TITLES = ("大統領", "副大統領", "首相", "副首相", "外相", "国防相", "防衛相", "財務相", "経産相", "農水相", "官房長官",
                  "長官", "報道官", "議長", "委員長", "総裁", "総書記", "主席", "国家主席", "知事", "市長", "大使", "氏",
                  "議員", "監督", "選手", "社長", "会長", "CEO", "代表", "教授", "事務総長", "首長", "国王", "大臣", "相")
_ORG_HEADS = {"紙": ("新聞", "紙", "タイムズ", "ポスト", "ジャーナル", "ガーディアン", "ニュース", "通信", "Times", "Post",
                    "Journal", "News"),
              "誌": ("誌", "ウィーク", "エコノミスト", "タイム", "マガジン"),
              "社": ("社", "自動車", "電機", "グループ", "ホールディングス", "銀行", "商事", "物産", "製作所", "Inc", "Corp",
                    "Co"),
              "省": ("省",), "庁": ("庁",), "党": ("党",), "局": ("局", "テレビ", "放送"), "通信": ("通信",),
              "機関": ("機関", "委員会", "銀行", "基金"), "研究所": ("研究所", "研究センター", "シンクタンク")}
_ANAPHOR = rx.compile(r"^(?:(?P<pron>彼女?|その人物)|同(?P<head>国|紙|誌|社|省|庁|党|局|通信|機関|研究所|"
                      r"(?P<title>[^\s、。]{0,6}?(?:" + "|".join(sorted(_PERSON_TITLES, key=len, reverse=True)) + r"))))"
                      r"(?P<rest>.{0,8})$")
_BARE_TITLE = rx.compile(r"^(?:[前元現]?)(?P<title>" + "|".join(sorted([t for t in _PERSON_TITLES if len(t) >= 2 and
                                                                           t not in ("代表", "選手", "監督")],
                                                                          key=len, reverse=True)) + r")$")
_WINDOW = 2500


def _antecedent(surface: str, at: int, text: str, idx: _MentionIndex, by_id: dict[str, dict],
                spoken: list[str]) -> tuple[str, tuple[int, int]] | None:
    """(entity id, mention span) an anaphor or a bare title at ``at`` refers to, or None."""
    s = surface.strip()
    m = _ANAPHOR.match(s)
    bare = _BARE_TITLE.match(s) if not m else None
    if not m and not bare:
        return None
    if m and m.group("rest") and not (m.group("head") == "国" and m.group("rest")):
        return None  # 同社長 would be 同 + 社長: read as a title below only when the pattern says so
    if m and m.group("pron"):
        types, title = ("PERSON",), None
    elif m and m.group("head") and not m.group("title"):
        head = m.group("head")
        types, title = (("GPE",), None) if head == "国" else (("ORG",), head)
    else:
        title = m.group("title") if m else bare.group(0)
        types = ("PERSON",)
        if title == "氏":
            title = None
    cands = [x for x in idx.items[bisect_right(idx.starts, at - _WINDOW) : bisect_left(idx.starts, at)]
             if x[1] <= at and by_id.get(x[2], {}).get("type") in types]
    best: tuple[float, str, tuple[int, int]] | None = None
    for ms, me, eid in cands:
        if title and "PERSON" in types:
            after = text[me : me + 12]
            ent_name = by_id[eid].get("name", "")
            if not (after.startswith(title) or re.match(r"[^\s、。「」]{0,10}" + re.escape(title), after)
                    or ent_name.endswith(title)):
                continue
        elif title and "ORG" in types:
            name = text[ms:me]
            if not name.endswith(_ORG_HEADS.get(title, (title,))) and not (
                    by_id[eid].get("name", "").endswith(_ORG_HEADS.get(title, (title,)))):
                continue
        # salience first: a sentence topic (NP は), an earlier speaker; an object (NP を/に) is unlikely;
        # recency breaks ties
        score = 0.3 * ms / max(1, at)
        role = re.match(r"[^\s、。「」]{0,12}?([はがをにと])", text[me : me + 14])
        if role and role.group(1) == "は":
            score += 1.0
        elif role and role.group(1) in "をに":
            score -= 0.5
        if eid in spoken[-3:]:
            score += 0.6
        if best is None or score > best[0]:
            best = (score, eid, (ms, me))
    if best is None:
        return None
    return best[1], best[2]


_NAME_BEFORE = r"(?P<name>[ァ-ヺー・]{2,20}|[一-龥々]{2,5}(?:[ 　][一-龥々]{1,4})?)"


def text_antecedent(surface: str, at: int, text: str) -> tuple[int, int] | None:
    """The name an anaphor stands for when it is no resolved entity: the nearest earlier ``NAME + title``
    (スターマー首相 for 同首相, クック最高経営責任者 for 同氏) or, for 彼/彼女, ``NAME + 氏/さん/title``."""
    s = surface.strip()
    m = _ANAPHOR.match(s)
    bare = _BARE_TITLE.match(s) if not m else None
    if m and m.group("head") and not m.group("title"):
        return None
    if m and m.group("pron") or (m and m.group("title") == "氏"):
        titles = "|".join(sorted(_PERSON_TITLES, key=len, reverse=True))
    elif m and m.group("title"):
        titles = re.escape(m.group("title"))
    elif bare:
        titles = re.escape(bare.group(0))
    else:
        return None
    window = text[max(0, at - _WINDOW) : at]
    base = max(0, at - _WINDOW)
    found = None
    for mm in re.finditer(_NAME_BEFORE + rf"(?:[^\s、。「」]{{0,10}}?)(?:{titles})", window):
        found = (base + mm.start("name"), base + mm.end("name"))
    return found


def _continues(text: str, prev: dict, c: dict) -> bool:
    """The claim ``c`` is the next sentence of ``prev`` in the same paragraph, without a subject of its own:
    …と述べた。さらに…と付け加えた / その上で / また、."""
    if c["start"] < prev["end"] or "\n" in text[prev["end"] : c["start"]]:
        return False
    if c["start"] - prev["end"] > 2:
        return False
    head = text[c["start"] : c["start"] + 8]
    if c.get("kind") == "hearsay":
        # 関係者によると、…。…という。: the source of the sentence before goes on
        return prev.get("kind") == "reported" and str(prev.get("cue", "")).startswith(("によ", "の話", "の発表", "の調"))
    return bool(re.match(r"(?:さらに|また|その上で|そのうえで|一方で?|同時に|加えて|続けて|その後)、?", head)) or \
        c.get("cue", "").startswith(("付け加え", "と付け加え", "とも"))


def _sole_person_before(c: dict, text: str, idx: _MentionIndex, by_id: dict[str, dict]) -> tuple[str, tuple[int, int]] | None:
    """The person a subjectless quote continues from: the previous sentence of the same paragraph names
    exactly one person, and the quote's own sentence names none before the quote (対談相手は…森達也氏。
    …を出版しており「…」という立場をとっている。)."""
    s = c["start"]
    quote_at = (c.get("content_span") or {}).get("start", c["end"])
    if any(by_id.get(eid, {}).get("type") == "PERSON" for ms, me, eid in idx.starting_in(s, quote_at)):
        return None
    gap = text[max(0, s - 3) : s]
    if "\n" in gap or "。" not in gap:
        return None  # not the next sentence of the same paragraph
    end = s - 3 + gap.rindex("。")
    start = max(text.rfind("。", 0, end), text.rfind("\n", 0, end)) + 1
    persons = [(ms, me, eid) for ms, me, eid in idx.overlapping(start, end)
               if start <= ms and me <= end + 1 and by_id.get(eid, {}).get("type") == "PERSON"]
    if len({eid for _, _, eid in persons}) != 1:
        return None
    ms, me, eid = persons[-1]
    return eid, (ms, me)


def _entity_named(name: str, entities: list[dict]) -> str | None:
    key = re.sub(r"[\s・･]", "", name)
    for e in entities:
        for m in e.get("mentions", []):
            if re.sub(r"[\s・･]", "", m["text"]) == key:
                return e["id"]
    return None


_SOURCE_TYPES = ("ORG", "PERSON", "GPE", "NORP")


def link_quantities(quantities: list[dict], entities: list[dict], claims: list[dict] | None = None,
                    text: str = "") -> None:
    """Name the organisation or person behind each figure (``source``, ``source_entity_id``).

    - a figure inside an attributed claim's content has that claim's speaker (several figures in one
      attributed sentence share it: ``source_resolution.method`` ``claim``);
    - a source phrase that is no entity (a report title 「中国の軍事力」, a clause 国際収支) gives way to the
      organisation or person the same phrase names before it (財務省が発表した国際収支統計 → 財務省:
      ``entity_in_phrase``); the phrase itself stays in ``source_phrase`` as evidence.
    """
    idx = _MentionIndex(entities)
    by_id = {e["id"]: e for e in entities}
    speaking = [c for c in claims or [] if c.get("speaker") and c.get("content_span") and c.get("kind") != "assertion"]
    for q in quantities:
        span = q.get("source_span")
        eid = _entity_in(span, idx)
        how = {"method": "mention"} if eid else None
        if eid and by_id.get(eid, {}).get("type") not in _SOURCE_TYPES:
            eid, how = None, None  # a report title (PRODUCT) or an event is not who says it
        if eid is None and span and text:
            found = _named_in_phrase(span["start"], span["end"], text, idx, by_id)
            if found is not None:
                eid, (ms, me) = found
                q["source_phrase"] = q.get("source")
                q["source"], q["source_span"] = text[ms:me], {"start": ms, "end": me}
                how = {"method": "entity_in_phrase"}
        if eid is None and text:
            for c in speaking:
                cs = c["content_span"]
                if cs["start"] <= q["start"] and q["end"] <= cs["end"]:
                    if q.get("source"):
                        q["source_phrase"] = q.get("source")
                    q["source"], q["source_span"] = c["speaker"], c.get("speaker_span")
                    eid = c.get("speaker_entity_id")
                    how = {"method": "claim", "claim_id": c.get("id")}
                    break
        q["source_entity_id"] = eid
        q["source_resolution"] = how


def _platform(name: str) -> bool:
    from kansoku.read.hosts import by_name

    o = by_name(name)
    return o is not None and o.kind == "platform"


def _named_in_phrase(s: int, e: int, text: str, idx: _MentionIndex, by_id: dict[str, dict]
                     ) -> tuple[str, tuple[int, int]] | None:
    """The last organisation or person named in the attribution phrase ending at ``e``: inside the source
    span, or just before it in the same clause (no sentence end or comma-free stretch beyond 40 chars)."""
    lo = max(0, s - 40)
    cut = max(text.rfind("。", lo, s), text.rfind("\n", lo, s))
    lo = cut + 1 if cut >= 0 else lo
    best = None
    for ms, me, eid in idx.items[bisect_left(idx.starts, lo) : bisect_left(idx.starts, e)]:
        typ = by_id.get(eid, {}).get("type")
        if me > e or typ not in _SOURCE_TYPES:
            continue
        before = text[lo:ms]
        if before.count("「") > before.count("」") or before.count("『") > before.count("』"):
            continue  # inside a quoted title: 「中国の軍事力」 names a report, not its author
        if _platform(by_id.get(eid, {}).get("name_en") or text[ms:me]):
            continue  # YouTube「外交の真実」: the channel speaks, not the platform
        rank = 0 if typ == "GPE" else 1  # an organisation or a person before a country
        if best is None or rank >= best[0]:
            best = (rank, eid, (ms, me))
    return (best[1], best[2]) if best else None


def link_events(events: list[dict], entities: list[dict], claims: list[dict]) -> None:
    idx = _MentionIndex(entities)
    by_start = sorted((c["start"], i) for i, c in enumerate(claims))
    claim_starts = [start for start, _ in by_start]
    longest_claim = max((c["end"] - c["start"] for c in claims), default=0)
    for ev in events:
        s, e = ev["start"], ev["end"]
        ev["entities"] = sorted({eid for ms, me, eid in idx.starting_in(s, e) if me <= e})
        # claims overlapping the event start after s - longest_claim and before e
        near = by_start[bisect_right(claim_starts, s - longest_claim) : bisect_left(claim_starts, e)]
        ev["claim_ids"] = sorted(i for _, i in near if claims[i]["end"] > s)


def actor_spans(entities: list[dict]) -> dict[str, list[Span]]:
    """Mention spans per stance target: the actor groups above plus each leader on its own."""
    by_en = {e.get("name_en"): e for e in entities if e.get("name_en")}
    out: dict[str, list[Span]] = {}
    for key, members in ACTOR_GROUPS.items():
        spans = [Span(m["start"], m["end"]) for n in members if n in by_en for m in by_en[n]["mentions"]]
        if spans:
            out[key] = sorted(spans, key=lambda s: s.start)
    for leader in LEADERS:
        if leader in by_en:
            out[leader] = [Span(m["start"], m["end"]) for m in by_en[leader]["mentions"]]
    return out
