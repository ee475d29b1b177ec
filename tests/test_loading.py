"""How models and data are loaded (kansoku.nlp.cache): the compiled forms in the user cache give exactly
what the shipped files give, the cache is safe (keyed, atomic, optional), and start-up shortcuts change no
output.

The end-to-end check runs ``kansoku analyze examples/corpus`` with the cache off (every index built from the
shipped files at start, as before the cache existed), cold (built and written) and warm (read back), and
compares the outputs byte for byte.  It compares the same code both ways, so it holds while the analysis
itself changes.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from kansoku.nlp import cache, ner
from kansoku.nlp import gazetteer as gz

ROOT = Path(__file__).resolve().parents[1]


def _model_bytes() -> bytes:
    return (resources.files("kansoku") / "data" / "ner" / ner.MODEL_FILE).read_bytes()


def test_compiled_ner_model_is_the_model_file(tmp_path: Path) -> None:
    data = _model_bytes()
    try:
        old = ner.load_file(io.BytesIO(data))
        clusters = dict(ner._CLUSTERS)
        ner.compile_model(io.BytesIO(data), tmp_path)
        new = ner.load_compiled(tmp_path)
        table = ner._CLUSTERS
        assert isinstance(table, ner.ClusterTable)
        assert new.index == old.index and list(new.index) == list(old.index)
        assert new.weights.dtype == old.weights.dtype and np.array_equal(new.weights, old.weights)
        assert new.trans.dtype == old.trans.dtype and np.array_equal(new.trans, old.trans)
        assert old.pair_words is None and new.pair_words == ner.pair_words(old.index)
        assert old.direct_vocab is None and new.direct_vocab == ner.direct_vocab(old.index)
        assert len(table) == len(clusters)
        words = list(clusters)
        for w in words[::7] + words[-50:]:
            assert table.get(w) == clusters[w]
        for w in ("", "no such word", "ロシア連邦軍参謀本部情報総局", "\ud800", *(w + "x" for w in words[:500])):
            assert table.get(w) == clusters.get(w)
        sent = "ロシア国防省は２０日、ドネツク州の集落を制圧したと発表した。"
        from kansoku.nlp.tokens import tokenize

        toks = tokenize(sent)
        ner.set_clusters(clusters)
        tags_old = old.tag(toks)
        ner.set_clusters(table)
        assert new.tag(toks) == tags_old
    finally:
        ner.model.cache_clear()  # the next user reloads the shipped model with its own clusters


def test_compiled_gazetteer_is_the_gazetteer_file() -> None:
    old = gz.load()
    new = gz._loads(gz._dumps(old))
    for f in ("by_surface", "by_variant", "trie", "version", "cased"):
        assert getattr(new, f) == getattr(old, f), f
    assert list(new.entities) == list(old.entities) and list(new.by_surface) == list(old.by_surface)
    assert all(new.entities[k] == e for k, e in old.entities.items())


def test_cache_entry_is_keyed_atomic_and_optional(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "c"))
    built: list[Path] = []

    def build(folder: Path) -> None:
        built.append(folder)
        (folder / "x").write_text("1")

    a = cache.entry("t", [b"data"], build)
    assert a is not None and (a / "x").read_text() == "1" and len(built) == 1
    assert built[0] != a  # built under a temporary name, renamed when complete
    assert cache.entry("t", [b"data"], build) == a and len(built) == 1  # read back, not rebuilt
    b = cache.entry("t", [b"other data"], build)
    assert b is not None and b != a and len(built) == 2

    def fail(folder: Path) -> None:
        (folder / "half").write_text("")
        raise OSError("disk full")

    assert cache.entry("t", [b"third"], fail) is None
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == sorted([a.name, b.name])  # no half entry

    monkeypatch.setenv(cache.ENV, "off")
    assert cache.cache_root() is None and cache.entry("t", [b"data"], build) is None
    if os.geteuid() != 0:  # root writes anywhere
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        monkeypatch.setenv(cache.ENV, str(ro / "c"))
        assert cache.entry("t", [b"data"], build) is None


def test_unreadable_entry_falls_back_and_is_discarded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path))
    data = _model_bytes()
    try:
        ner.load_bytes(data)
        (entry,) = tmp_path.glob("ner-*")
        (entry / "weights.npy").write_bytes(b"\x93NUMPY broken")
        m = ner.load_bytes(data)
        assert not entry.exists()
        assert len(m.index) + 1 == len(m.weights)
    finally:
        ner.model.cache_clear()


def test_cached_guards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kansoku.prefilter import cached_guards

    patterns = ["(?:東京|大阪)都?", "[0-9]+年", "a|b*", "x(?i:y)z"]
    monkeypatch.setenv("KANSOKU_CACHE_DIR", "off")
    want = cached_guards("t", patterns)
    assert want == [("大阪", "東京"), ("年",), None, ("x",)]
    monkeypatch.setenv("KANSOKU_CACHE_DIR", str(tmp_path))
    assert cached_guards("t", patterns) == want  # built
    assert cached_guards("t", patterns) == want  # read
    (entry,) = tmp_path.glob("t-*")
    (entry / "guards.marshal").write_bytes(b"broken")
    assert cached_guards("t", patterns) == want  # an unreadable entry is discarded, the guards computed
    assert not entry.exists()
    assert cached_guards("t", patterns[:2]) == want[:2]  # another pattern list, another entry


def _analyze(env_cache: str) -> bytes:
    env = dict(os.environ, KANSOKU_CACHE_DIR=env_cache)
    p = subprocess.run(
        [sys.executable, "-m", "kansoku.cli", "analyze", str(ROOT / "examples" / "corpus"), "--quiet"],
        capture_output=True, env=env, cwd=ROOT, check=False, timeout=600,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    return p.stdout


def test_analyze_output_is_the_same_with_and_without_the_cache(tmp_path: Path) -> None:
    off = _analyze("off")
    cold = _analyze(str(tmp_path))
    # the NER model, the gazetteer, the literal guards of the frame cues and ja-timex's patterns, the other
    # patterns' guards, and the compiled regular expressions
    names = sorted(p.name.split("-")[0] for p in tmp_path.iterdir())
    assert names == ["frames", "gazetteer", "guards", "jatimex", "ner", "regex"]
    warm = _analyze(str(tmp_path))
    assert off.count(b"\n") >= len(list((ROOT / "examples" / "corpus").iterdir()))
    assert cold == off
    assert warm == off


def test_time_machine_is_imported_only_when_used() -> None:
    pytest.importorskip("pendulum")
    code = (
        "import sys, kansoku, ja_timex, pendulum\n"
        "assert 'unittest.mock' not in sys.modules, 'time_machine loaded at import'\n"
        "with pendulum.travel_to(pendulum.datetime(2020, 1, 2), freeze=True):\n"
        "    assert pendulum.now().date().isoformat() == '2020-01-02'\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert p.returncode == 0, p.stderr


def test_a_few_inputs_are_analysed_without_a_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    import kansoku.pipeline
    from kansoku import cli

    seen: list[int | None] = []
    real = kansoku.pipeline.run

    def spy(items, options=None, workers=None, **kw):  # type: ignore[no-untyped-def]
        seen.append(workers)
        return real(items, options, workers=1, **kw)

    monkeypatch.setattr(kansoku.pipeline, "run", spy)
    corpus = sorted((ROOT / "examples" / "corpus").iterdir())
    cli._collect(corpus[:2], None, None, True)
    cli._collect(corpus[:2], None, 2, True)  # an explicit --workers is kept
    many = corpus
    assert len(many) > cli.SMALL_RUN
    cli._collect(many, None, None, True)
    assert seen == [1, 2, None]
