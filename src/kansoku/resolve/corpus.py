"""Corpus-wide entity resolution: one id for one real entity across all documents of a run.

Per-document resolution already gives identical ids to identical names (ids are derived from the
gazetteer or from the transliteration key).  What remains is a bare surname in one document (ミクタ氏)
whose full name appears only in another (アンドルー・ミクタ): if exactly one full-name person in the corpus
has that surname (up to transliteration), the short entity is folded into it.

The step is split so that a distributed engine never needs all records in one place:

* :func:`full_name_persons` — per record, the small summary the step needs (surname key, id, names);
* :func:`corpus_links` — from the summaries of the whole corpus, in corpus order: surname key → the one
  full-name person it folds into (a driver-side pass over one row per full-name person);
* :func:`apply_links` — per record, rewrite the short forms and merge entities that now share an id.

:func:`link_corpus` is the three in a row over a list of records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from kansoku.extract.entities import key_of

#: what a full-name person contributes to the corpus step: (surname key, id, name, name_en)
Anchor = tuple[str, str, str, str | None]
#: surname key → (id, name, name_en) of the one full-name person with that surname
Links = dict[str, tuple[str, str, str | None]]


def full_name_persons(record: dict) -> list[Anchor]:
    """The full-name PERSON entities of RECORD (names with ・), in entity order."""
    out: list[Anchor] = []
    for e in record.get("entities", []):
        if e["type"] != "PERSON":
            continue
        parts = [p for p in e["name"].split("・") if p]
        if len(parts) >= 2:
            out.append((key_of(parts[-1]), e["id"], e["name"], e["name_en"]))
    return out


def corpus_links(anchors: Iterable[Anchor]) -> Links:
    """Surname key → the full-name person a bare surname with that key folds into.

    ANCHORS come in corpus order (records in input order, entities in record order); a key is linked only
    when exactly one id has it, and an id's names are those of its last anchor.
    """
    surname_to: dict[str, set[str]] = defaultdict(set)
    names: dict[str, tuple[str, str | None]] = {}
    for key, eid, name, name_en in anchors:
        surname_to[key].add(eid)
        names[eid] = (name, name_en)
    links: Links = {}
    for key, ids in surname_to.items():
        if len(ids) == 1:
            eid = next(iter(ids))
            links[key] = (eid, *names[eid])
    return links


def apply_links(record: dict, links: Links) -> dict:
    """Fold RECORD's bare surnames (``x:`` PERSON ids without ・) into their linked full names, in place."""
    merged: dict[str, dict] = {}
    for e in record.get("entities", []):
        if e["type"] == "PERSON" and e["id"].startswith("x:") and "・" not in e["name"]:
            target = links.get(key_of(e["name"]))
            if target is not None:
                e["id"], e["name"], e["name_en"] = target
                for res in e.get("resolution", []):
                    if res["method"] == "new":
                        res["method"] = "short_form_corpus"
        if e["id"] in merged:
            _merge_into(merged[e["id"]], e)
        else:
            merged[e["id"]] = e
    record["entities"] = list(merged.values())
    return record


def link_corpus(records: list[dict]) -> list[dict]:
    """Rewrite entity ids in place so that short forms share the id of the corpus's full name."""
    links = corpus_links(a for r in records for a in full_name_persons(r))
    for r in records:
        apply_links(r, links)
    return records


def _merge_into(a: dict, b: dict) -> None:
    offset = len(a["mentions"])
    a["mentions"].extend(b["mentions"])
    for res in b.get("resolution", []):
        a["resolution"].append({**res, "mention": res["mention"] + offset})
    order = sorted(range(len(a["mentions"])), key=lambda k: a["mentions"][k]["start"])
    remap = {old: new for new, old in enumerate(order)}
    a["mentions"] = [a["mentions"][k] for k in order]
    for res in a["resolution"]:
        res["mention"] = remap[res["mention"]]
