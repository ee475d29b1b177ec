"""Corpus-wide entity resolution: one id for one real entity across all documents of a run.

Per-document resolution already gives identical ids to identical names (ids are derived from the
gazetteer or from the transliteration key).  What remains is a bare surname in one document (ミクタ氏)
whose full name appears only in another (アンドルー・ミクタ): if exactly one full-name person in the corpus
has that surname (up to transliteration), the short entity is folded into it.
"""

from __future__ import annotations

from collections import defaultdict

from kansoku.extract.entities import key_of


def link_corpus(records: list[dict]) -> list[dict]:
    """Rewrite entity ids in place so that short forms share the id of the corpus's full name."""
    surname_to: dict[str, set[str]] = defaultdict(set)
    names: dict[str, dict] = {}
    for r in records:
        for e in r.get("entities", []):
            if e["type"] != "PERSON":
                continue
            parts = [p for p in e["name"].split("・") if p]
            if len(parts) >= 2:
                surname_to[key_of(parts[-1])].add(e["id"])
                names[e["id"]] = e
    for r in records:
        merged: dict[str, dict] = {}
        for e in r.get("entities", []):
            if e["type"] == "PERSON" and e["id"].startswith("x:") and "・" not in e["name"]:
                targets = surname_to.get(key_of(e["name"]), set())
                if len(targets) == 1:
                    t = names[next(iter(targets))]
                    e["id"], e["name"], e["name_en"] = t["id"], t["name"], t["name_en"]
                    for res in e.get("resolution", []):
                        if res["method"] == "new":
                            res["method"] = "short_form_corpus"
            if e["id"] in merged:
                _merge_into(merged[e["id"]], e)
            else:
                merged[e["id"]] = e
        r["entities"] = list(merged.values())
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
