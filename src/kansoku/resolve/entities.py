"""Mention -> entity resolution inside one document.

Each mention ends up in exactly one entity; each entity records, per mention, why it was put there:

- ``gazetteer``: the surface is a name or alias of a gazetteer entity
- ``abbrev``: a one-kanji headline abbreviation (露, 米)
- ``short_form``: a surname or short name standing for a fuller name in the document or the gazetteer
- ``variant_key``: a spelling that differs only in transliteration from a name already known
- ``compound``: an address naming a place with its region first (オハイオ州シンシナティ for Cincinnati)
- ``new``: the first mention of an entity the gazetteer does not know

Entity ids are deterministic: gazetteer ids for linked entities, otherwise ``x:<type>:<variant key>``,
so the same name gets the same id in every document of every run (``kansoku.resolve.corpus`` then folds
short forms across documents).
"""

from __future__ import annotations

from collections import OrderedDict

from kansoku.extract.entities import Mention, key_of, strip_title
from kansoku.nlp.gazetteer import Gazetteer
from kansoku.nlp.gazetteer import default as default_gazetteer
from kansoku.nlp.variants import surface_key

_METHOD = {"gazetteer": "gazetteer", "abbrev": "abbrev", "short": "short_form", "variant": "variant_key",
           "loaded": "loaded_label"}


def _fem_key(k: str) -> str:
    """Russian surname gender fold: ザハロバ (-ova) ~ ザハロフ (-ov) -> one key."""
    if len(k) >= 4 and k.endswith("バ") and k[-2] in "ロノコモソトホボゴドゾ":
        return k[:-1] + "フ"
    if len(k) >= 4 and k.endswith("ナ") and k[-2] in "イ":
        return k[:-1] + "ン"
    return k


def resolve_document(mentions: list[Mention], gazetteer: Gazetteer | None = None) -> list[dict]:
    gaz = gazetteer or default_gazetteer()
    ents: OrderedDict[str, dict] = OrderedDict()
    person_parts: dict[str, str] = {}  # surname/given-name key -> entity id of a full-name person
    weak_shorts: dict[str, int] = {}  # person id -> count of mentions that are only ordinary-word short forms

    where: dict[int, str] = {}  # id(mention) -> entity id, for address compounds that follow their head

    def add(eid: str, m: Mention, method: str, name: str, name_en: str | None, etype: str) -> None:
        where[id(m)] = eid
        e = ents.get(eid)
        if e is None:
            e = ents[eid] = {"id": eid, "name": name, "name_en": name_en, "type": etype, "mentions": [],
                             "resolution": []}
        e["mentions"].append(m.as_dict())
        e["resolution"].append({"mention": len(e["mentions"]) - 1, "text": m.text, "method": method})
        if etype == "PERSON":
            full = strip_title(m.text)
            parts = [p for p in full.replace("＝", "・").replace("=", "・").split("・") if p]
            if len(parts) >= 2:
                for p in (parts[-1], parts[0]):
                    person_parts.setdefault(key_of(p), eid)
                    person_parts.setdefault(_fem_key(key_of(p)), eid)

    # pass 1: gazetteer-linked mentions (names and aliases first so that short forms can find them)
    order = sorted(range(len(mentions)), key=lambda k: (mentions[k].how not in ("gazetteer", "abbrev"), k))
    pending: list[Mention] = []
    compounds: list[Mention] = []
    for k in order:
        m = mentions[k]
        if m.head is not None:
            compounds.append(m)
            continue
        if not m.candidates:
            pending.append(m)
            continue
        eid = _choose(m, gaz, ents)
        ge = gaz.get(eid)
        assert ge is not None
        method = _METHOD.get(m.how, "gazetteer")
        add(eid, m, method, ge.name, ge.name_en, ge.type)
        if m.how == "short" and ge.type == "PERSON":
            weak = not m.person_cue and not m.text.isascii()  # Latin-script surnames are capitalised names
            weak_shorts[eid] = weak_shorts.get(eid, 0) + (1 if weak else -10**6)
        elif ge.type == "PERSON":
            weak_shorts[eid] = -10**6

    # pass 2: unknown names, full names before bare surnames
    pending.sort(key=lambda m: (-len(strip_title(m.text)), m.start))
    local: dict[str, str] = {}
    for m in pending:
        bare = strip_title(m.text)
        k = key_of(bare)
        if not k:
            continue
        if k in local:
            eid = local[k]
            add(eid, m, "variant_key" if surface_key(bare) != surface_key(ents[eid]["name"]) else "new",
                ents[eid]["name"], ents[eid]["name_en"], ents[eid]["type"])
            continue
        if m.type == "PERSON" and "・" not in bare:
            target = person_parts.get(k) or person_parts.get(_fem_key(k))
            if target:
                e = ents[target]
                add(target, m, "short_form", e["name"], e["name_en"], e["type"])
                local[k] = target
                continue
        if m.type == "PERSON":
            linked = _link_full_name(bare, gaz)
            if linked:
                ge = gaz.get(linked)
                assert ge is not None
                add(linked, m, "variant_key", ge.name, ge.name_en, ge.type)
                local[k] = linked
                continue
        eid = f"x:{m.type.lower()}:{k}"
        add(eid, m, "new", bare, m.name_en, m.type)
        local[k] = eid

    # an address compound (オハイオ州シンシナティ) is one more mention of the place it ends with
    for m in compounds:
        eid = where.get(id(m.head))
        if eid is not None:
            e = ents[eid]
            add(eid, m, "compound", e["name"], e["name_en"], e["type"])

    # a person known only by bare short forms, with nothing marking a person (no title, no 政権/氏, no full
    # name, no byline): ライト and マスク are "light" and "mask", 武藤 is any of many Mutos
    for eid in [eid for eid in ents if eid in weak_shorts and weak_shorts[eid] == len(ents[eid]["mentions"])]:
        del ents[eid]
    for e in ents.values():
        e["mentions"].sort(key=lambda d: d["start"])
    return list(ents.values())


def _choose(m: Mention, gaz: Gazetteer, ents: OrderedDict) -> str:
    if len(m.candidates) == 1:
        return m.candidates[0]
    for c in m.candidates:
        if c in ents:
            return c
    if m.title:
        for c in m.candidates:
            ge = gaz.get(c)
            if ge and ge.type == "PERSON":
                return c
    return m.candidates[0]


_PERSON_INDEX: dict[int, dict[tuple[str, str], str]] = {}


def _person_index(gaz: Gazetteer) -> dict[tuple[str, str], str]:
    """(given-name key, gender-folded surname key) -> gazetteer person id, built once per gazetteer."""
    idx = _PERSON_INDEX.get(id(gaz))
    if idx is None:
        idx = {}
        for eid, ge in gaz.entities.items():
            if ge.type != "PERSON":
                continue
            for full in [ge.name, *ge.aliases]:
                parts = [p for p in full.split("・") if p]
                if len(parts) >= 2:
                    idx.setdefault((key_of(parts[0]), _fem_key(key_of(parts[-1]))), eid)
        _PERSON_INDEX[id(gaz)] = idx
    return idx


def _link_full_name(full: str, gaz: Gazetteer) -> str | None:
    """A person's full name whose parts match a gazetteer person up to transliteration and gender."""
    parts = [p for p in full.split("・") if p]
    if len(parts) < 2:
        return None
    return _person_index(gaz).get((key_of(parts[0]), _fem_key(key_of(parts[-1]))))
