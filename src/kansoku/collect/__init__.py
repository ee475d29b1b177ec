"""``kansoku collect``: feeds, sitemaps, home pages, URL lists and OPML files into the store, politely and
incrementally.

>>> from kansoku.collect import CollectOptions, collect
>>> stats = collect(["https://example.org/feed.xml"], "corpus.db", CollectOptions(delay=2.0),
...                 on_event=lambda e: print(e.kind, e.url, e.status, e.detail))
>>> stats.added, stats.failed

kansoku makes no network call unless this is called (or the ``collect`` command is run). The stages:
:mod:`~kansoku.collect.sources` (what a listing lists), :mod:`~kansoku.collect.fetch` (robots.txt, delay,
retries, limits), :mod:`~kansoku.collect.net` (the address policy against SSRF),
:mod:`~kansoku.collect.state` (what is remembered between runs), :mod:`~kansoku.collect.run` (the run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kansoku import __version__

if TYPE_CHECKING:
    from kansoku.collect.run import CollectOptions, CollectStats, Event, collect

DEFAULT_USER_AGENT = f"kansoku/{__version__} (+https://github.com/kansoku/kansoku)"

__all__ = ["DEFAULT_USER_AGENT", "CollectOptions", "CollectStats", "Event", "collect"]


def __getattr__(name: str) -> Any:
    # lazy: the run pulls in httpx (~0.2 s), which only `collect` needs, not every command's start-up
    if name in __all__[1:]:
        from kansoku.collect import run

        return getattr(run, name)
    raise AttributeError(f"module 'kansoku.collect' has no attribute {name!r}")
