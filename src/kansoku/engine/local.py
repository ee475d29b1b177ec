"""The embedded engine: kansoku's own multiprocessing runner on this machine (the default).

Nothing new here: :func:`kansoku.pipeline.run` (a process pool calling
:func:`~kansoku.pipeline.analyze_batch`, bounded look-ahead, results in input order) over
:func:`kansoku.read.iter_documents`, then :func:`kansoku.resolve.corpus.link_corpus`.  Re-exported so that
every engine is found under :mod:`kansoku.engine`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from kansoku.engine import EngineConfig
from kansoku.model import RawDoc, ReadError
from kansoku.pipeline import Options, analyze_batch, run
from kansoku.resolve.corpus import link_corpus

__all__ = ["LocalEngine", "Options", "analyze_batch", "expand", "run"]


def expand(paths: Iterable[str | Path]) -> Iterator[RawDoc | ReadError]:
    """Inputs → raw documents and read errors, in input order (the CLI's expansion of ARTICLES)."""
    from kansoku.read import iter_documents

    paths = [Path(p) for p in paths]
    for p in paths:
        if not p.exists():
            yield ReadError(str(p), "no such file or directory")
    yield from iter_documents([p for p in paths if p.exists()])


class LocalEngine:
    name = "local"

    def __init__(self, config: EngineConfig | None = None) -> None:
        self.config = config or EngineConfig()

    def analyze(self, inputs: Sequence[str], options: Options) -> Iterator[dict | ReadError]:
        results = list(run(expand(inputs), options, workers=self.config.workers))
        link_corpus([r for r in results if isinstance(r, dict)])
        yield from results
