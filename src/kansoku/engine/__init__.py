"""Engines: where :func:`kansoku.pipeline.analyze_batch` runs.

The analysis core is one pure batch function; an engine only decides where the batches run and how the
corpus-wide step (:mod:`kansoku.resolve.corpus`) sees all documents:

* ``local`` (:mod:`kansoku.engine.local`) — the embedded default: a multiprocessing pool on this machine;
  no Java, no pyspark;
* ``spark`` (:mod:`kansoku.engine.spark`) — Apache Spark, from ``local[2]`` on a laptop to a cluster
  (``pip install kansoku[spark]`` and Java 17); inputs are read where the bytes are, records are written
  as Parquet in the output contract.

An engine is an object with a ``name`` and an :meth:`Engine.analyze` method (see :class:`Engine`).  The
pieces an adapter needs besides its scheduler are plain Python and shared by every engine:

* :func:`kansoku.engine.inputs.plan_inputs` lists the inputs and gives each file its place in the
  corpus order;
* :func:`kansoku.engine.partition.read_files` turns file bytes into raw documents on the worker that holds
  them (kansoku's own readers), :func:`kansoku.engine.partition.analyze_rows` calls ``analyze_batch``
  and returns each document's record with its summary for the corpus step;
* :func:`kansoku.resolve.corpus.corpus_links` and :func:`~kansoku.resolve.corpus.apply_links` are the
  corpus step in two halves (a small driver-side pass, then a per-record map).

A Dask or Ray adapter is therefore one short module: a bag/dataset of ``(path, bytes)`` → ``read_files`` →
``analyze_rows`` per partition → collect the anchors → ``corpus_links`` → ``apply_links`` per partition.
Register it in :data:`ENGINES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kansoku.model import ReadError
    from kansoku.pipeline import Options

#: engine name → "module:class"; modules are imported only when the engine is asked for
ENGINES: dict[str, str] = {
    "local": "kansoku.engine.local:LocalEngine",
    "spark": "kansoku.engine.spark:SparkEngine",
}


class EngineError(Exception):
    """An engine cannot run (missing pyspark or Java, a bad master URL …); ``str()`` is one line."""


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """How to run, not what to compute: results never depend on these."""

    #: local engine: worker processes (None: CPU count, at most 4)
    workers: int | None = None
    #: spark engine: master URL (None: spark-submit's, else ``local[*]``)
    master: str | None = None
    #: spark engine: partitions of the analysis stage (None: keep the input's split, at least 2 per core)
    partitions: int | None = None


class Engine(Protocol):
    """What the CLI needs of an engine."""

    name: str

    def analyze(self, inputs: Sequence[str], options: Options) -> Iterator[dict | ReadError]:
        """Records of INPUTS (paths or URIs), corpus-linked, in input order; a :class:`ReadError` per input
        that failed (and the read warnings), in input order among the records."""
        ...


def get_engine(name: str, config: EngineConfig | None = None) -> Engine:
    """The engine called NAME; raises :class:`EngineError` when it is unknown or cannot run here."""
    spec = ENGINES.get(name)
    if spec is None:
        raise EngineError(f"--engine: unknown engine {name!r} (one of {', '.join(ENGINES)})")
    module, cls = spec.split(":")
    return getattr(importlib.import_module(module), cls)(config or EngineConfig())


__all__ = ["ENGINES", "Engine", "EngineConfig", "EngineError", "get_engine"]
