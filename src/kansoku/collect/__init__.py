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

from kansoku.collect.run import DEFAULT_USER_AGENT, CollectOptions, CollectStats, Event, collect

__all__ = ["DEFAULT_USER_AGENT", "CollectOptions", "CollectStats", "Event", "collect"]
