"""Cross-article analysis over a corpus of output records (docs/output.md).

Stories, timelines and entity pages run on a store (:mod:`kansoku.corpus.base`): the SQLite store as it
is, or records (read from JSONL files with :func:`load_records_from_jsonl`, or given as a list) written
into an in-memory store first.  Modules:

* :mod:`kansoku.corpus.base` — :class:`~kansoku.corpus.base.Corpus`, the store a command runs on;
* :mod:`kansoku.store.features` (in the store) — what is derived from each record once, when it is stored;
* :mod:`kansoku.corpus.stories` — near-duplicates (MinHash/LSH) and event-level story clusters;
* :mod:`kansoku.corpus.compare` — two articles or groups side by side: entities, claims, figures that agree
  or conflict, frames, stance and blind spots;
* :mod:`kansoku.corpus.timeline` — events merged across articles with independent-source counts;
* :mod:`kansoku.corpus.entity` — one entity across the corpus (variants, sources, co-occurrence, claims).

The small helpers they share (dates, outlets, sentences, places) live in :mod:`kansoku.records` and are
re-exported here.
"""

from kansoku.records import *  # noqa: F403 - the shared helpers (records.__all__), re-exported
from kansoku.records import __all__  # noqa: F401
