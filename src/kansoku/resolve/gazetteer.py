"""The shipped gazetteer: entities with English canonical names, Japanese surface forms and variants.

File format (``data/gazetteer.jsonl``, one entity per line) is documented in docs/entities.md.  This
module loads it once per process and builds three indexes:

- ``by_surface``: surface_key(form) -> [(entity_id, how)] with how in name|alias|short|abbrev
- ``by_variant``: variant_key(name or alias) -> {entity_id}, for names written in a spelling the file
  does not list
- a character trie over surface keys, used by the mention finder for longest-match scanning.
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kansoku.resolve.variants import surface_key, variant_key

TYPES = ("PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT", "NORP", "PRODUCT", "OTHER")


@dataclass(slots=True)
class GazEntity:
    id: str
    name: str
    name_en: str
    type: str
    kind: str = ""
    aliases: list[str] = field(default_factory=list)
    abbrev: list[str] = field(default_factory=list)
    short: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    country: str | None = None
    ambiguous: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Gazetteer:
    entities: dict[str, GazEntity]
    by_surface: dict[str, list[tuple[str, str]]]
    by_variant: dict[str, set[str]]
    trie: dict
    version: str
    # short Latin keys -> the exact spellings the file gives (IS, ISW, note): case matters for those
    cased: dict[str, set[str]] = field(default_factory=dict)

    def get(self, entity_id: str) -> GazEntity | None:
        return self.entities.get(entity_id)

    def lookup(self, surface: str) -> list[tuple[str, str]]:
        return self.by_surface.get(surface_key(surface), [])

    def lookup_variant(self, surface: str) -> set[str]:
        return self.by_variant.get(variant_key(surface), set())


_END = "\0"


def build(entities: list[GazEntity], version: str = "") -> Gazetteer:
    by_surface: dict[str, list[tuple[str, str]]] = defaultdict(list)
    by_variant: dict[str, set[str]] = defaultdict(set)
    cased: dict[str, set[str]] = defaultdict(set)
    for e in entities:
        forms = [(e.name, "name"), (e.name_en, "alias")]
        forms += [(a, "alias") for a in e.aliases]
        forms += [(a, "short") for a in e.short]
        forms += [(a, "abbrev") for a in e.abbrev]
        seen: set[str] = set()
        for form, how in forms:
            k = surface_key(form)
            if not k or k in seen:
                continue
            seen.add(k)
            by_surface[k].append((e.id, how))
            if k.isascii() and len(k) <= 5:
                cased[k].add(unicodedata.normalize("NFKC", form).replace(" ", ""))
            if (how in ("name", "alias") or (how == "short" and e.type == "PERSON")) and len(k) >= 3:
                by_variant[variant_key(form)].add(e.id)
    trie: dict = {}
    for k in by_surface:
        node = trie
        for ch in k:
            node = node.setdefault(ch, {})
        node[_END] = k
    return Gazetteer({e.id: e for e in entities}, dict(by_surface), dict(by_variant), trie, version, dict(cased))


def load(path: str | Path | None = None) -> Gazetteer:
    """Load a gazetteer file (the shipped one by default)."""
    if path is None:
        text = resources.files("kansoku").joinpath("data/gazetteer.jsonl").read_text(encoding="utf-8")
        src = "kansoku/data/gazetteer.jsonl"
    else:
        text = Path(path).read_text(encoding="utf-8")
        src = str(path)
    entities: list[GazEntity] = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            d = json.loads(line)
            known = {k: d[k] for k in GazEntity.__slots__ if k in d}  # type: ignore[attr-defined]
            entities.append(GazEntity(**known))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{src}:{n}: invalid gazetteer entry ({exc})") from None
    version = str(len(entities))
    return build(entities, version)


@lru_cache(maxsize=1)
def default() -> Gazetteer:
    """The shipped gazetteer, loaded once per process."""
    return load()
