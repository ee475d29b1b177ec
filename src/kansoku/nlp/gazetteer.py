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
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kansoku import rx
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
    #: names kept for display but never matched in text on their own (an outlet called "X")
    unmatched: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Gazetteer:
    entities: dict[str, GazEntity]
    by_surface: dict[str, list[tuple[str, str]]]
    by_variant: dict[str, set[str]]
    trie: dict
    version: str
    # short Latin keys -> the exact spellings the file gives (IS, ISW, note): case matters for those
    cased: dict[str, set[str]] = field(default_factory=dict)
    #: values derived from the entries and memoised by their users (extract.entities), per gazetteer
    memo: dict[str, dict] = field(default_factory=dict, repr=False, compare=False)

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
        seen: set[str] = {surface_key(f) for f in e.unmatched}
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


# ------------------------------------------------------------------------------------------ outlets

#: outlet kinds of the host table (data/news_hosts.toml) that become ORG entities of the gazetteer
_OUTLET_KINDS = {"newspaper", "broadcaster", "agency", "portal", "magazine", "online", "think_tank",
                 "government", "platform"}  # fmt: skip
_LATIN_NAME = rx.compile(r"[A-Z][A-Z0-9&!\- ]{2,}")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKC", name).lower()).strip("-")


def _is_common_word(form: str) -> bool:
    """A form Sudachi reads as one ordinary word (時事, 共同, 朝日, エックス): as a bare name it would match
    everywhere that word is used, so only the longer names of the outlet are kept."""
    from kansoku.nlp.tokens import tokenize

    toks = tokenize(form)
    if len(toks) != 1:
        return False
    pos = toks[0].pos
    if pos[0] == "名詞" and pos[1] == "固有名詞":
        return False
    return not _LATIN_NAME.fullmatch(form)  # an all-capitals Latin name (FLASH, NHK) is a name


def outlet_entities(known: Gazetteer, table_text: str) -> list[GazEntity]:
    """The outlets of the host table (newspapers, broadcasters, agencies, magazines, portals, platforms,
    think tanks, official sites) as ORG entities, so that a medium named in the text (16日のニコニコニュース
    が報じ…, 「FLASH」が掲載) is a mention like any other: canonical names from the table, id
    ``org:<English name>``.  Outlets the gazetteer already knows under one of their names are left to it;
    domains, forms under three Latin letters and forms that are one ordinary word are not names here."""
    from kansoku.read.hosts import load_table

    out: list[GazEntity] = []
    taken = set(known.by_surface)
    for o in load_table(table_text).outlets:
        if o.kind not in _OUTLET_KINDS:
            continue
        forms = [f for f in (o.ja, o.en, *o.aliases) if f and "." not in f and "/" not in f]
        keys = [surface_key(f) for f in forms]
        if any(k in taken for k in keys):
            continue
        eid = "org:" + _slug(o.en)
        if not _slug(o.en) or eid in known.entities or any(e.id == eid for e in out):
            continue
        names = [f for f in forms if not (f.isascii() and len(surface_key(f)) < 3) and not _is_common_word(f)]
        if not names:
            continue
        name = o.ja if o.ja in names else names[0]
        out.append(GazEntity(id=eid, name=name, name_en=o.en, type="ORG", kind=o.kind,
                             aliases=[f for f in names if f not in (name, o.en)], country=o.country or None,
                             unmatched=list(dict.fromkeys(f for f in forms if f not in names))))
        taken.update(surface_key(f) for f in names)
    return out


def shipped(gaz_text: str, table_text: str) -> Gazetteer:
    """The shipped gazetteer: data/gazetteer.jsonl plus the outlets of data/news_hosts.toml."""
    base = parse(gaz_text, "kansoku/data/gazetteer.jsonl")
    extra = outlet_entities(base, table_text)
    if not extra:
        return base
    ents = [*base.entities.values(), *extra]
    return build(ents, f"{len(base.entities)}+{len(extra)}")


def load_cached() -> Gazetteer:
    """The shipped gazetteer through the compiled form in the cache (built here when missing); as
    :func:`load` when the cache is off, cannot be written or cannot be read."""
    import kansoku.read.hosts  # noqa: F401 - its source is part of the cache key
    from kansoku.nlp import cache

    raw = resources.files("kansoku").joinpath("data/gazetteer.jsonl").read_bytes()
    hosts = resources.files("kansoku").joinpath("data/news_hosts.toml").read_bytes()

    def build_shipped() -> Gazetteer:
        return shipped(raw.decode("utf-8"), hosts.decode("utf-8"))

    def write(folder: Path) -> None:
        (folder / "gazetteer.marshal").write_bytes(_dumps(build_shipped()))

    parts = [raw, hosts, _COMPILED_VERSION, marshal.version.to_bytes(4, "little"),
             cache.source_of(__name__, "kansoku.nlp.variants", "kansoku.read.hosts")]  # fmt: skip
    folder = cache.entry("gazetteer", parts, write)
    if folder is not None:
        try:
            with cache.paused_gc():
                return _loads((folder / "gazetteer.marshal").read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            cache.discard(folder)
    return build_shipped()


@lru_cache(maxsize=1)
def default() -> Gazetteer:
    """The shipped gazetteer, loaded once per process (through the cache, see :func:`load_cached`)."""
    return load_cached()

