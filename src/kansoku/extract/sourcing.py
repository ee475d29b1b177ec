"""Sourcing profile of an article: who is named, who is anonymous, what is hedged, which figures float free.

- ``named_sources``: speakers of claims, grouped by name without titles (プーチン大統領 = プーチン氏);
  a speaker that is itself an anonymous description (政府関係者, 消息筋) counts as anonymous instead;
- ``anonymous_sources``: 関係筋, 外交筋, 〜に近い筋, 匿名を条件に, 当局者 … (patterns in ``cues.toml``),
  skipped when a name follows (当局者のジョン・スミス氏);
- ``hedges``: とみられる, 可能性がある, 模様だ, かもしれない …;
- ``unattributed_figures``: quantities whose ``source`` is None;
- ``urls``: URL counts by kind (news, video, blog, official, social, other).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from kansoku import rx
from kansoku.extract.claims import cues
from kansoku.model import Document
from kansoku.prefilter import may_match

URL_KINDS = ("news", "video", "blog", "official", "social", "other")
_TITLES = ("大統領報道官", "大統領補佐官", "副大統領", "大統領", "首相", "外相", "国防相", "報道官", "長官", "補佐官",
           "事務総長", "議長", "大使", "氏", "さん", "教授", "博士")
# Short noun prefix folded into an anonymous source: 米政府, ロシア軍, 複数の.
_PREFIX = r"(?:[\u30A0-\u30FF\u4E00-\u9FFF々A-Za-z]{1,10}の)?[\u30A0-\u30FF\u4E00-\u9FFF々A-Za-z]{0,8}?"


@lru_cache(maxsize=1)
def _anon_re() -> re.Pattern[str]:
    pats = sorted(cues()["sourcing"]["anonymous"], key=len, reverse=True)
    return rx.compile(rf"(?P<pre>{_PREFIX})(?P<core>{'|'.join(pats)})")


@lru_cache(maxsize=1)
def _hedge_re() -> re.Pattern[str]:
    pats = sorted(cues()["sourcing"]["hedges"], key=len, reverse=True)
    return rx.compile("|".join(pats))


def source_key(name: str) -> str:
    """Grouping key of a speaker: no spaces or middle dots, titles stripped."""
    s = re.sub(r"[\s・･]", "", name)
    changed = True
    while changed:
        changed = False
        for t in _TITLES:
            if s.endswith(t) and len(s) > len(t) + 1:
                s = s[: -len(t)]
                changed = True
    return s.rsplit("の", 1)[-1] if "の" in s and len(s.rsplit("の", 1)[-1]) >= 2 else s


def is_anonymous(name: str) -> bool:
    """Whether a speaker string is an anonymous description (政府関係者, 外交筋, 米当局者)."""
    return bool(_anon_re().search(name + "は")) and not re.search(r"氏$|[\u30A1-\u30FA]{2,}(?:報道官|長官|大統領)", name)


def find_anonymous(text: str) -> list[dict[str, Any]]:
    """Anonymous-source mentions; the short noun phrase before the cue (米政府, 複数の) is included."""
    out: list[dict[str, Any]] = []
    anon = _anon_re()
    if not may_match(anon, text):
        return out  # none of the cue words occurs: the prefix before them can match anywhere, so skip the scan
    for m in anon.finditer(text):
        after = text[m.end() : m.end() + 14]
        if re.match(r"(?:の|である)?[\u30A1-\u30FA]{2,}[\u30A1-\u30FC・]*(?:氏|さん|報道官|長官)", after):
            continue  # 当局者のジョン・スミス氏: named
        start = m.start()
        if out and start < out[-1]["end"]:
            continue
        out.append({"text": text[start : m.end()], "start": start, "end": m.end()})
    return out


def find_hedges(text: str) -> list[dict[str, Any]]:
    """Hedge expressions (とみられる, 可能性がある, 模様だ …) with offsets."""
    hedge = _hedge_re()
    if not may_match(hedge, text):
        return []
    return [{"text": m.group(0), "start": m.start(), "end": m.end()} for m in hedge.finditer(text)]


def profile_sourcing(
    doc: Document,
    claims: list[dict[str, Any]],
    quantities: list[dict[str, Any]],
    urls: list[dict[str, Any]],
) -> dict[str, Any]:
    """The sourcing profile of ``doc`` (see the module docstring), from its claims, figures and URLs."""
    text = doc.text
    named: dict[str, dict[str, Any]] = {}
    for c in claims:
        sp = c.get("speaker")
        if not sp or is_anonymous(sp):
            continue
        key = source_key(sp)
        if key not in named:
            named[key] = {"name": sp, "count": 0}
        named[key]["count"] += 1
    anonymous = find_anonymous(text)
    hedges = find_hedges(text)
    figures = [
        {"text": q["text"], "start": q["start"], "end": q["end"]} for q in quantities if q.get("source") is None
    ]
    url_counts = dict.fromkeys(URL_KINDS, 0)
    for u in urls:
        k = u.get("kind", "other")
        url_counts[k if k in url_counts else "other"] += 1
    named_list = sorted(named.values(), key=lambda d: (-d["count"], d["name"]))
    return {
        "named_sources": named_list,
        "anonymous_sources": anonymous,
        "urls": url_counts,
        "hedges": hedges,
        "unattributed_figures": figures,
        "counts": {
            "claims": len(claims),
            "named": sum(d["count"] for d in named_list),
            "anonymous": len(anonymous),
            "hedges": len(hedges),
            "unattributed_figures": len(figures),
        },
    }
