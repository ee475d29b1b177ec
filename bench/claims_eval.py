#!/usr/bin/env python3
"""Precision/recall of claim extraction: "who claims what", on two hand-labelled sets.

usage: python bench/claims_eval.py [LABELLED.jsonl] [--verbose]
       python bench/claims_eval.py --set attribution [CASES.jsonl] [--split dev|test|all] [--verbose]

--set claims (default; bench/data/claims_labelled.jsonl): each line is either
  {"type": "claims", "text": …, "claims": [{"speaker": str|null, "kind": …}, …]}  (every attribution, in order)
or
  {"type": "metadata", "text": …, "expected": {field: value, …}}
where metadata fields are authors (list of names), published, updated, outlet, series, title and
original_{author,outlet,published,title}. A claim matches when its speaker (spaces and ・ ignored) and kind
both equal a gold claim's; matching is one-to-one within an item. Runs ``extract_claims`` only.

--set attribution (bench/data/attribution_cases.jsonl): each line is
  {"id": "q-001", "group": …, "split": "dev"|"test", "author": str|null, "text": …,
   "claims": [{"speaker": str|null, "kind": "quote"|"reported"|"hearsay"|"assertion",
               "voice": "attributed"|"author", "contains": verbatim snippet of the claim's content}, …]}
Every passage goes through the real pipeline, ``analyze_document(RawDoc(source=id, text=text,
author=author))``; the predictions are ``rec["claims"]``. Matching is one-to-one within a passage: a
predicted claim matches a gold claim when the gold ``contains`` snippet (NFKC, whitespace removed) occurs
in the predicted content (``rec["text"][content_span]``) or in the predicted claim's ``text`` (content
hits are paired first), and, for the main (kind-aware) figures, the kinds are equal. Reported:

- claims: precision, recall, F1 of matched claims;
- speaker accuracy among matched claims. The speaker is right when the predicted speaker string, or the
  linked entity's (``speaker_entity_id``) name / name_en / any mention text, equals the gold speaker after
  NFKC, removing spaces and ・ and trailing titles (大統領, 首相, 氏, 外相, …), or one contains the other;
  a null gold speaker wants a null/empty prediction (and no linked entity);
- claim+speaker: precision, recall, F1 counting only matches whose speaker is right (end to end);
- the same per passage group and per kind (recall by gold kind, precision by predicted kind), then a
  kind-agnostic line and a gold-kind x predicted-kind confusion of the kind-agnostic matches.
``--verbose`` prints every miss, false alarm and wrong speaker with the passage id.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kansoku.extract.claims import extract_claims
from kansoku.extract.metadata import extract_metadata
from kansoku.model import Document
from kansoku.normalize import make_document
from kansoku.normalize.segment import line_spans

HERE = Path(__file__).resolve().parent
SETS = {
    "claims": HERE / "data" / "claims_labelled.jsonl",
    "attribution": HERE / "data" / "attribution_cases.jsonl",
}
KINDS = ("quote", "reported", "hearsay", "assertion")


# ---------------------------------------------------------------------------------------------------------
# --set claims: the older speaker+kind set and the metadata fields


def _key(speaker: str | None, kind: str) -> tuple[str, str]:
    return (re.sub(r"[\s・･]", "", speaker or ""), kind)


def eval_claims(rows: list[dict[str, Any]], verbose: bool) -> tuple[int, int, int]:
    tp = n_pred = n_gold = 0
    for r in rows:
        pred = [_key(c["speaker"], c["kind"]) for c in extract_claims(make_document(r["text"], sentences=line_spans(r["text"])))]
        gold = [_key(c["speaker"], c["kind"]) for c in r["claims"]]
        left = list(gold)
        hit = 0
        for p in pred:
            if p in left:
                left.remove(p)
                hit += 1
        tp, n_pred, n_gold = tp + hit, n_pred + len(pred), n_gold + len(gold)
        if verbose and (hit != len(pred) or hit != len(gold)):
            print(f"  claims: {r['text'][:50]}\n    gold={gold}\n    pred={pred}")
    return tp, n_pred, n_gold


def _field(md: dict[str, Any], name: str) -> Any:
    if name == "authors":
        return [a["name"] for a in md["authors"] if a["name"]]
    if name.startswith("original_"):
        return md["original"][name[len("original_") :]]
    return md[name]


def eval_metadata(rows: list[dict[str, Any]], verbose: bool) -> dict[str, list[int]]:
    scores: dict[str, list[int]] = {}
    for r in rows:
        md = extract_metadata(Document(source="bench", text=r["text"], sentences=line_spans(r["text"])))
        for name, want in r["expected"].items():
            got = _field(md, name)
            ok = int(got == want)
            scores.setdefault(name, [0, 0])
            scores[name][0] += ok
            scores[name][1] += 1
            if verbose and not ok:
                print(f"  metadata.{name}: {r['text'][:40]!r}\n    want={want!r} got={got!r}")
    return scores


def run_claims_set(path: Path, verbose: bool) -> int:
    rows = _read_jsonl(path)
    claim_rows = [r for r in rows if r["type"] == "claims"]
    md_rows = [r for r in rows if r["type"] == "metadata"]
    tp, n_pred, n_gold = eval_claims(claim_rows, verbose)
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    print(f"claims ({len(claim_rows)} items, {n_gold} gold, {n_pred} predicted): "
          f"precision {p:.3f}  recall {r:.3f}  (speaker + kind)")
    scores = eval_metadata(md_rows, verbose)
    print(f"metadata ({len(md_rows)} items):")
    for name in sorted(scores):
        ok, n = scores[name]
        print(f"  {name:20s} {ok}/{n}  {ok / n:.3f}")
    return 0


# ---------------------------------------------------------------------------------------------------------
# --set attribution: the passage set scored through the whole pipeline

# Titles dropped from the end of a speaker name before comparison, longest first.
TITLES = sorted(
    ["大統領", "首相", "氏", "外相", "国防相", "報道官", "長官", "議長", "総書記", "相", "さん",
     "国家主席", "総統", "事務総長", "事務局長", "総裁", "代表", "副大統領", "師", "選手", "監督"],
    key=len, reverse=True,
)


def norm_text(s: str) -> str:
    """NFKC with all whitespace removed: how snippets and contents are compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def norm_name(s: str) -> str:
    """A speaker name for comparison: NFKC, no spaces or ・, trailing titles removed (never to empty)."""
    s = re.sub(r"[\s・･=＝]", "", unicodedata.normalize("NFKC", s))
    changed = True
    while changed:
        changed = False
        for t in TITLES:
            if s.endswith(t) and len(s) > len(t):
                s = s[: -len(t)]
                changed = True
                break
    return s


def names_match(gold: str, cand: str) -> bool:
    g, c = norm_name(gold), norm_name(cand)
    return bool(g and c) and (g == c or g in c or c in g)


@dataclass(frozen=True, slots=True)
class GoldClaim:
    speaker: str | None
    kind: str
    contains: str  # as labelled
    key: str  # normalised snippet


@dataclass(slots=True)
class PredClaim:
    kind: str
    speaker: str | None
    names: list[str]  # the speaker string plus the linked entity's names and mention texts
    content: str  # normalised
    text: str  # normalised
    raw_speaker: str | None
    raw_content: str

    def speaker_right(self, gold: str | None) -> bool:
        if gold is None:
            return not self.names
        return any(names_match(gold, n) for n in self.names)


def pred_claims(rec: dict[str, Any]) -> list[PredClaim]:
    """The record's claims in the form the matcher needs."""
    ents = {e["id"]: e for e in rec.get("entities", [])}
    out: list[PredClaim] = []
    for c in rec.get("claims", []):
        span = c.get("content_span") or {}
        content = rec["text"][span["start"] : span["end"]] if span else ""
        names: list[str] = []
        if c.get("speaker"):
            names.append(c["speaker"])
        ent = ents.get(c.get("speaker_entity_id") or "")
        if ent is not None:
            names += [n for n in (ent.get("name"), ent.get("name_en")) if n]
            names += [m["text"] for m in ent.get("mentions", []) if m.get("text")]
        out.append(PredClaim(kind=c.get("kind", ""), speaker=c.get("speaker"), names=names,
                             content=norm_text(content), text=norm_text(c.get("text", "")),
                             raw_speaker=c.get("speaker"), raw_content=content))
    return out


def match(gold: list[GoldClaim], pred: list[PredClaim], kind_aware: bool) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, pred index).

    Greedy over candidate pairs, best first: snippet in the predicted content before snippet only in the
    claim's text, then speaker right before wrong, then text order.
    """
    cands: list[tuple[int, int, int, int]] = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if kind_aware and p.kind != g.kind:
                continue
            if g.key in p.content:
                where = 0
            elif g.key in p.text:
                where = 1
            else:
                continue
            cands.append((where, 0 if p.speaker_right(g.speaker) else 1, gi, pi))
    cands.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, _, gi, pi in cands:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        pairs.append((gi, pi))
    return sorted(pairs)


@dataclass(slots=True)
class Tally:
    n_gold: int = 0
    n_pred: int = 0
    tp: int = 0
    spk: int = 0  # matched with the right speaker

    @staticmethod
    def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
        p = tp / n_pred if n_pred else 1.0
        r = tp / n_gold if n_gold else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def row(self) -> str:
        p, r, f = self.prf(self.tp, self.n_pred, self.n_gold)
        acc = f"{self.spk / self.tp:.3f}" if self.tp else "  -  "
        ep, er, ef = self.prf(self.spk, self.n_pred, self.n_gold)
        return (f"{self.n_gold:5d} {self.n_pred:5d} {self.tp:5d}  {p:.3f} {r:.3f} {f:.3f}   {acc}   "
                f"{ep:.3f} {er:.3f} {ef:.3f}")


HEADER = " gold  pred match  P     R     F1      spk.acc  c+s P c+s R c+s F1"


@dataclass(slots=True)
class Report:
    total: Tally = field(default_factory=Tally)
    groups: dict[str, Tally] = field(default_factory=dict)
    kinds: dict[str, Tally] = field(default_factory=dict)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, group: str, gold: list[GoldClaim], pred: list[PredClaim], pairs: list[tuple[int, int]]) -> None:
        gt = self.groups.setdefault(group, Tally())
        for t in (self.total, gt):
            t.n_gold += len(gold)
            t.n_pred += len(pred)
        for g in gold:
            self.kinds.setdefault(g.kind, Tally()).n_gold += 1
        for p in pred:
            self.kinds.setdefault(p.kind, Tally()).n_pred += 1
        for gi, pi in pairs:
            ok = pred[pi].speaker_right(gold[gi].speaker)
            self.confusion[(gold[gi].kind, pred[pi].kind)] += 1
            # per kind, a match counts for the gold kind (equal to the predicted kind when kind-aware)
            for t in (self.total, gt, self.kinds[gold[gi].kind]):
                t.tp += 1
                t.spk += int(ok)


def _show(p: PredClaim) -> str:
    return f"[{p.kind}] speaker={p.raw_speaker!r} content={p.raw_content[:40]!r}"


def run_attribution_set(path: Path, split: str, verbose: bool) -> int:
    from kansoku.model import RawDoc
    from kansoku.pipeline import analyze_document

    rows = [r for r in _read_jsonl(path) if split == "all" or r["split"] == split]
    aware, agnostic = Report(), Report()
    for r in rows:
        rec = analyze_document(RawDoc(source=r["id"], text=r["text"], author=r.get("author")))
        gold = [GoldClaim(c["speaker"], c["kind"], c["contains"], norm_text(c["contains"])) for c in r["claims"]]
        pred = pred_claims(rec)
        pairs = match(gold, pred, kind_aware=True)
        aware.add(r["group"], gold, pred, pairs)
        agnostic.add(r["group"], gold, pred, match(gold, pred, kind_aware=False))
        if verbose:
            _print_errors(r, gold, pred, pairs)

    n_test = sum(r["split"] == "test" for r in rows)
    print(f"attribution set {path.name}, split {split}: {len(rows)} passages ({len(rows) - n_test} dev, "
          f"{n_test} test), {aware.total.n_gold} gold claims, {aware.total.n_pred} predicted")
    print(f"{'':22s}{HEADER}")
    print(f"{'all (kind-aware)':22s}{aware.total.row()}")
    print(f"{'all (kind-agnostic)':22s}{agnostic.total.row()}")
    print("\nper group (kind-aware):")
    print(f"{'':22s}{HEADER}")
    for g in sorted(aware.groups):
        print(f"  {g:20s}{aware.groups[g].row()}")
    print("\nper kind (kind-aware; recall by gold kind, precision by predicted kind):")
    print(f"{'':22s}{HEADER}")
    for k in [*KINDS, *sorted(set(aware.kinds) - set(KINDS))]:
        if k in aware.kinds:
            print(f"  {k:20s}{aware.kinds[k].row()}")
    pkinds = sorted({pk for _, pk in agnostic.confusion} | set(KINDS), key=lambda k: (k not in KINDS, k))
    print("\nkind confusion of kind-agnostic matches (rows gold, columns predicted):")
    print(f"  {'':12s}" + "".join(f"{k:>11s}" for k in pkinds))
    for gk in KINDS:
        print(f"  {gk:12s}" + "".join(f"{agnostic.confusion[(gk, pk)]:11d}" for pk in pkinds))
    return 0


def _print_errors(r: dict[str, Any], gold: list[GoldClaim], pred: list[PredClaim],
                  pairs: list[tuple[int, int]]) -> None:
    got_g = {gi for gi, _ in pairs}
    got_p = {pi for _, pi in pairs}
    lines: list[str] = []
    for gi, g in enumerate(gold):
        if gi not in got_g:
            lines.append(f"    miss: [{g.kind}] speaker={g.speaker!r} contains={g.contains!r}")
    for pi, p in enumerate(pred):
        if pi not in got_p:
            lines.append(f"    false alarm: {_show(p)}")
    for gi, pi in pairs:
        if not pred[pi].speaker_right(gold[gi].speaker):
            lines.append(f"    wrong speaker: gold={gold[gi].speaker!r} pred={pred[pi].raw_speaker!r} "
                         f"names={pred[pi].names[:4]!r} ({gold[gi].contains!r})")
    if lines:
        print(f"  {r['id']} [{r['group']}] {r['text'][:60]}")
        print("\n".join(lines))


# ---------------------------------------------------------------------------------------------------------


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("labelled", nargs="?", default=None, help="labelled file (default: the set's own file)")
    ap.add_argument("--set", dest="which", choices=sorted(SETS), default="claims")
    ap.add_argument("--split", choices=("dev", "test", "all"), default="all",
                    help="attribution set only: which passages to score")
    ap.add_argument("--verbose", "-v", action="store_true")
    a = ap.parse_args(argv)
    path = Path(a.labelled) if a.labelled else SETS[a.which]
    if a.which == "attribution":
        return run_attribution_set(path, a.split, a.verbose)
    return run_claims_set(path, a.verbose)


if __name__ == "__main__":
    sys.exit(main())
