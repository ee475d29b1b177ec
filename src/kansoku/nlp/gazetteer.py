"""The shipped gazetteer: entities with English canonical names, Japanese surface forms and variants.

File format (``data/gazetteer.jsonl``, one entity per line) is documented in docs/entities.md.  This
module loads it once per process and builds three indexes:

- ``by_surface``: surface_key(form) -> [(entity_id, how)] with how in name|alias|short|abbrev
- ``by_variant``: variant_key(name or alias) -> {entity_id}, for names written in a spelling the file
  does not list
- a character trie over surface keys, used by the mention finder for longest-match scanning.

Building these takes about 0.2-0.5 s, so :func:`default` keeps the built indexes of the shipped file in the
user cache (:mod:`kansoku.nlp.cache`) as one ``marshal`` file, keyed by the bytes of the file and the source
of this module and of :mod:`kansoku.nlp.variants`: later processes load it in a few milliseconds.
"""

from __future__ import annotations

import json
import marshal
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kansoku.nlp.variants import surface_key, variant_key

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
    return parse(text, src)


def parse(text: str, src: str) -> Gazetteer:
    """A gazetteer from the text of a gazetteer file (SRC names it in error messages)."""
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


# The compiled form in the cache; bump when it changes.
_COMPILED_VERSION = b"gazetteer-marshal-1"
_FIELDS: tuple[str, ...] = GazEntity.__slots__  # type: ignore[attr-defined]


def _dumps(g: Gazetteer) -> bytes:
    ents = [tuple(getattr(e, f) for f in _FIELDS) for e in g.entities.values()]
    return marshal.dumps((_FIELDS, ents, g.by_surface, g.by_variant, g.trie, g.version, g.cased))


def _loads(data: bytes) -> Gazetteer:
    fields, ents, by_surface, by_variant, trie, version, cased = marshal.loads(data)
    if tuple(fields) != _FIELDS:
        raise ValueError("compiled gazetteer of another GazEntity layout")
    entities = {}
    for t in ents:
        e = GazEntity(*t)
        entities[e.id] = e
    return Gazetteer(entities, by_surface, by_variant, trie, version, cased)


def load_cached() -> Gazetteer:
    """The shipped gazetteer through the compiled form in the cache (built here when missing); as
    :func:`load` when the cache is off, cannot be written or cannot be read."""
    from kansoku.nlp import cache

    raw = resources.files("kansoku").joinpath("data/gazetteer.jsonl").read_bytes()
    src = "kansoku/data/gazetteer.jsonl"

    def write(folder: Path) -> None:
        (folder / "gazetteer.marshal").write_bytes(_dumps(parse(raw.decode("utf-8"), src)))

    parts = [raw, _COMPILED_VERSION, marshal.version.to_bytes(4, "little"),
             cache.source_of(__name__, "kansoku.nlp.variants")]  # fmt: skip
    folder = cache.entry("gazetteer", parts, write)
    if folder is not None:
        try:
            with cache.paused_gc():
                return _loads((folder / "gazetteer.marshal").read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            cache.discard(folder)
    return parse(raw.decode("utf-8"), src)


@lru_cache(maxsize=1)
def default() -> Gazetteer:
    """The shipped gazetteer, loaded once per process (through the cache, see :func:`load_cached`)."""
    return load_cached()

