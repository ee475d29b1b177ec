"""News hosts: the outlet behind a URL, and the canonical outlet for a name found in a page.

A plain-text dump whose first line is ``http://news.livedoor.com/article/detail/4778030/`` names its outlet
only through that URL; an HTML page may name it as ``og:site_name = asahi.com`` or in a copyright line
``朝日新聞社``. This module maps both to one :class:`Outlet` of the shipped table
``kansoku/data/news_hosts.toml`` (loaded once per process).

``lookup(url_or_host)`` accepts a URL (``http(s)://…``, ``//host/…``) or a bare host, with or without a
path (``www.asahi.com``, ``www3.nhk.or.jp/news/easy/``). The host is lower-cased and stripped of
userinfo, port and trailing dots; internationalised names are compared in their ASCII (punycode) form,
so the Unicode and the ``xn--`` spelling of a host find the same entry. Matching:

* only on whole labels: ``sub.example.co.jp`` matches ``example.co.jp``, ``notasahi.com`` does not
  match ``asahi.com``; prefixes such as ``www.``, ``m.``, ``amp.``, ``sp.``, ``mobile.`` therefore
  match through the same rule;
* the most specific host wins (``asia.nikkei.com`` before ``nikkei.com``); at the same host, an entry
  with a path section (``www3.nhk.or.jp`` + ``/news/easy/``) wins over the entry without, the longest
  section first; sections match whole path segments, case-insensitively;
* junk input (empty, not a string, no host, an IPv6 literal, invalid labels) gives ``None``; lookup
  never raises.

``by_name(name)`` compares a name with every outlet's ``ja``, ``en``, aliases and hosts (``host/path``
for an entry with path sections) after NFKC, case folding, removing a leading "The " and then all
whitespace and ``・``: ``by_name("朝日新聞社")``, ``by_name("the guardian")``, ``by_name("ＮＨＫ")``. A
name that is not known but reads as a host (``www.nikkei.com``) is looked up as one. A name shared by
two outlets answers ``None`` (the shipped table has none; its test checks this).

Platforms (blogs, video and social sites: ``kind == "platform"``) are returned like any entry; whether
a platform counts as an outlet is the caller's decision.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

from kansoku import rx

__all__ = [
    "KINDS",
    "HostTable",
    "Outlet",
    "all_outlets",
    "by_name",
    "default_table",
    "load_table",
    "lookup",
    "normalize_host",
    "normalize_name",
]

KINDS: tuple[str, ...] = (
    "newspaper",
    "broadcaster",
    "agency",
    "portal",
    "magazine",
    "online",
    "think_tank",
    "government",
    "platform",
)

_LABEL = rx.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_LEADING_THE = rx.compile(r"^the\s+")
_DROP = rx.compile(r"[\s・]+")
# a scheme without "//" (mailto:, javascript:, data:, urn:), told apart from a bare host with a port
_OTHER_SCHEME = rx.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?![0-9/])")


@dataclass(frozen=True, slots=True)
class Outlet:
    """One outlet of the table. ``key`` is a stable id: the first host, plus the first path section
    for an entry that is a path section of its hosts (``www3.nhk.or.jp/news/easy``)."""

    ja: str
    en: str
    kind: str
    country: str
    hosts: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    key: str = field(init=False)

    def __post_init__(self) -> None:
        key = self.hosts[0] if self.hosts else ""
        if self.paths:
            key += _norm_path(self.paths[0])
        object.__setattr__(self, "key", key)

    @property
    def is_platform(self) -> bool:
        """True when the host is a platform (blog, video or social site), not the outlet itself."""
        return self.kind == "platform"


def normalize_name(name: str) -> str:
    """The comparison form of an outlet name: NFKC, case-folded, a leading "The " removed, then all
    whitespace and ``・`` removed. Dots and other punctuation are kept (``asahi.com``, ``@nifty``)."""
    s = unicodedata.normalize("NFKC", name).strip().casefold()
    s = _LEADING_THE.sub("", s)
    return _DROP.sub("", s)


def _ascii_host(host: str) -> str | None:
    """A host in lower-case ASCII form (IDN labels as punycode), or None if it is not a valid name."""
    host = unicodedata.normalize("NFKC", host).strip().lower().rstrip(".")
    if not host:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii").lower()
        except (UnicodeError, ValueError):
            return None
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        return None
    return host


def normalize_host(url_or_host: object) -> tuple[str, str] | None:
    """``(host, path)`` of a URL or bare host: the host lower-case ASCII without userinfo, port and
    trailing dot, the path as given (``""`` when there is none). None when no valid host is found."""
    if not isinstance(url_or_host, str):
        return None
    s = unicodedata.normalize("NFKC", url_or_host).strip()
    if not s or _OTHER_SCHEME.match(s):
        return None
    if "://" not in s and not s.startswith("//"):
        s = "//" + s
    try:
        parts = urlsplit(s)
    except ValueError:
        return None
    netloc = parts.netloc.rpartition("@")[2]
    if not netloc or netloc.startswith("["):
        return None
    host = _ascii_host(netloc.partition(":")[0])
    if host is None:
        return None
    return host, parts.path


def _norm_path(path: str) -> str:
    """A path section in comparison form: lower case, one leading slash, no trailing slash."""
    return "/" + path.strip().strip("/").lower()


def _path_in(path: str, section: str) -> bool:
    p = path.lower()
    return p == section or p.startswith(section + "/")


class HostTable:
    """An index of outlets by host, host + path section, and normalised name.

    Conflicts (a host or host + path claimed by two outlets, a name shared by two outlets) do not raise;
    they are listed in ``conflicts``, the first outlet keeps the host and the name answers None."""

    def __init__(self, outlets: Iterable[Outlet]) -> None:
        self.outlets: tuple[Outlet, ...] = tuple(outlets)
        self._hosts: dict[str, Outlet] = {}
        self._sections: dict[str, list[tuple[str, Outlet]]] = {}
        self._names: dict[str, Outlet | None] = {}
        conflicts: list[str] = []
        for o in self.outlets:
            hosts = [h for h in (_ascii_host(h) for h in o.hosts) if h]
            if len(hosts) != len(o.hosts):
                conflicts.append(f"{o.key}: invalid host in {o.hosts}")
            if o.paths:
                sections = [_norm_path(p) for p in o.paths]
                for h in hosts:
                    taken = self._sections.setdefault(h, [])
                    for sec in sections:
                        other = next((x for s, x in taken if s == sec), None)
                        if other is not None:
                            conflicts.append(f"{h}{sec}: {other.key} and {o.key}")
                        else:
                            taken.append((sec, o))
                names = [f"{h}{sec}" for h in hosts for sec in sections]
            else:
                for h in hosts:
                    other = self._hosts.get(h)
                    if other is not None:
                        conflicts.append(f"{h}: {other.key} and {o.key}")
                    else:
                        self._hosts[h] = o
                names = list(hosts)
            for name in (o.ja, o.en, *o.aliases, *names):
                n = normalize_name(name)
                if not n:
                    continue
                other = self._names.get(n, o)
                if other is not o:
                    if other is not None:
                        conflicts.append(f"name {n!r}: {other.key} and {o.key}")
                        self._names[n] = None
                    else:
                        conflicts.append(f"name {n!r}: also {o.key}")
                else:
                    self._names[n] = o
        for taken in self._sections.values():
            taken.sort(key=lambda so: -len(so[0]))
        self.conflicts: tuple[str, ...] = tuple(conflicts)

    def lookup(self, url_or_host: object) -> Outlet | None:
        """The outlet of a URL or host (see the module docstring for the rules), or None."""
        hp = normalize_host(url_or_host)
        if hp is None:
            return None
        host, path = hp
        labels = host.split(".")
        for i in range(len(labels)):
            suffix = ".".join(labels[i:])
            for section, o in self._sections.get(suffix, ()):
                if _path_in(path, section):
                    return o
            o = self._hosts.get(suffix)
            if o is not None:
                return o
        return None

    def by_name(self, name: object) -> Outlet | None:
        """The outlet one of whose names (ja, en, aliases, hosts) equals ``name`` after normalisation;
        a name that reads as a host is looked up as one. None when unknown or ambiguous."""
        if not isinstance(name, str):
            return None
        n = normalize_name(name)
        if not n:
            return None
        if n in self._names:
            return self._names[n]
        if "." in n and "/" not in n and not n.endswith(".") and "@" not in n:
            return self.lookup(n)
        return None


def _outlet(entry: dict) -> Outlet:
    return Outlet(
        ja=str(entry["ja"]),
        en=str(entry["en"]),
        kind=str(entry["kind"]),
        country=str(entry["country"]),
        hosts=tuple(str(h) for h in entry["hosts"]),
        aliases=tuple(str(a) for a in entry.get("aliases", ())),
        paths=tuple(str(p) for p in entry.get("paths", ())),
    )


def load_table(text: str) -> HostTable:
    """A table from the text of a ``news_hosts.toml``-format file."""
    data = tomllib.loads(text)
    return HostTable(_outlet(e) for e in data.get("outlet", ()))


@lru_cache(maxsize=1)
def default_table() -> HostTable:
    """The shipped table (``kansoku/data/news_hosts.toml``), loaded once."""
    text = (resources.files("kansoku") / "data" / "news_hosts.toml").read_text(encoding="utf-8")
    return load_table(text)


def lookup(url_or_host: str) -> Outlet | None:
    """The outlet of a URL or host in the shipped table, or None. Never raises on bad input."""
    return default_table().lookup(url_or_host)


def by_name(name: str) -> Outlet | None:
    """The outlet of the shipped table known by ``name`` (ja, en, alias or host), or None."""
    return default_table().by_name(name)


def all_outlets() -> tuple[Outlet, ...]:
    """Every outlet of the shipped table, in file order."""
    return default_table().outlets
