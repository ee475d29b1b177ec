"""Link extracted items to resolved entities by character offsets.

Claims get ``speaker_entity_id`` when the speaker span overlaps an entity mention; quantities get
``source_entity_id`` likewise; events list the entities mentioned inside them and the claims they
contain.  ``actor_spans`` gives the analyze stage the mention spans of the actors it scores stance for.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

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


def link_claims(claims: list[dict], entities: list[dict]) -> None:
    idx = _MentionIndex(entities)
    for i, c in enumerate(claims):
        c["id"] = i
        c["speaker_entity_id"] = _entity_in(c.get("speaker_span"), idx)


def link_quantities(quantities: list[dict], entities: list[dict]) -> None:
    idx = _MentionIndex(entities)
    for q in quantities:
        q["source_entity_id"] = _entity_in(q.get("source_span"), idx)


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
