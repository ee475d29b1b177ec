"""store stage: SQLite corpus store with idempotent, resumable ingest, Japanese full-text search and export.

- :mod:`kansoku.store.db`: schema (docs/store.md), connection settings, the batch writer, schema upgrades
- :mod:`kansoku.store.ingest`: ``ingest`` (files hashed before parsing, analyse + store, one transaction
  per batch), ``reanalyze``
- :mod:`kansoku.store.search`: ``search(db_path, query, **filters) -> list[dict]`` (BM25, trigram + tokens)
- :mod:`kansoku.store.export`: jsonl / csv / parquet export
- :mod:`kansoku.store.cli`: the ``ingest``, ``reanalyze``, ``search`` and ``export`` commands
"""
