"""kansoku.rx: regular expressions compiled from the cross-process cache are the ones re.compile makes."""

import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kansoku import rx

PATTERNS = [
    (r"(?P<speaker>[一-龥ァ-ヴー]{2,12})(?:は|が)、?(?P<verb>述べ|語っ|強調し)た", 0),
    (r"(?<=[」』])(?:などと|と)、?", 0),
    (r"\b(?:Kyiv|Kiev)\b", re.IGNORECASE),
    (r"^\s*(?:出典|Source)\s*[:：]\s*(.+)$", re.MULTILINE),
    (r"[\u3040-\u30ff\u4e00-\u9fff]+.*?。", re.DOTALL),
    (r"(\d{1,3}(?:,\d{3})+|\d+)(?:億|万)?(?P<unit>人|ドル|円)", 0),
]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KANSOKU_CACHE_DIR", str(tmp_path))
    rx.reset()
    yield tmp_path
    rx.reset()


def _same(a: re.Pattern, b: re.Pattern) -> bool:
    return a == b and a.groupindex == b.groupindex and a.groups == b.groups and a.flags == b.flags


def test_compiled_patterns_equal_re_compile(cache):
    for pat, flags in PATTERNS:
        assert _same(rx.compile(pat, flags), re.compile(pat, flags)), pat
    assert rx.compile(PATTERNS[0][0]) is rx.compile(PATTERNS[0][0])  # one object per process


def test_saved_patterns_are_read_back_by_a_later_process(cache):
    for pat, flags in PATTERNS:
        rx.compile(pat, flags)
    assert rx.save() is True
    assert rx.path() is not None and rx.path().parent == cache and rx.path().is_file()
    assert rx.save() is False  # nothing new since
    rx.reset()  # a new process: empty memory, the file on disk
    stored = rx._load()
    assert set(stored) == {(p, int(f)) for p, f in PATTERNS}
    text = "出典: Kyiv Post\n「停戦は近い」と、ゼレンスキー大統領は述べた。死者は1,200人。"
    for pat, flags in PATTERNS:
        got = rx.compile(pat, flags)
        assert _same(got, re.compile(pat, flags))
        assert [m.span() for m in got.finditer(text)] == [m.span() for m in re.finditer(pat, text, flags)]
    assert not rx._new  # all came from the file


def test_a_damaged_cache_file_falls_back_to_compiling(cache):
    rx.compile(PATTERNS[0][0])
    rx.save()
    rx.path().write_bytes(b"\x00garbage")
    rx.reset()
    assert _same(rx.compile(PATTERNS[0][0]), re.compile(PATTERNS[0][0]))
    assert rx.save() is True  # rewritten whole
    rx.reset()
    assert (PATTERNS[0][0], 0) in rx._load()


def test_a_damaged_entry_is_compiled_afresh(cache):
    pat = PATTERNS[2][0]
    rx.compile(pat, re.IGNORECASE)
    rx.save()
    rx.reset()
    store = rx._load()
    flags, code, groups, gi, ig = store[(pat, int(re.IGNORECASE))]
    store[(pat, int(re.IGNORECASE))] = (flags, [999999, *code], groups, gi, ig)  # the engine rejects it
    assert _same(rx.compile(pat, re.IGNORECASE), re.compile(pat, re.IGNORECASE))


def test_cache_off_writes_nothing_and_still_compiles(tmp_path, monkeypatch):
    monkeypatch.setenv("KANSOKU_CACHE_DIR", "off")
    rx.reset()
    try:
        assert _same(rx.compile(PATTERNS[1][0]), re.compile(PATTERNS[1][0]))
        assert rx.path() is None
        assert rx.save() is False
    finally:
        rx.reset()


def test_bad_pattern_raises_like_re(cache):
    with pytest.raises(re.error):
        rx.compile(r"(?P<a>x")


def test_every_pattern_the_analysis_caches_equals_re_compile(tmp_path):
    """A fresh process analyses the sample corpus; each entry it stored rebuilds to what re.compile makes,
    and a second process analysing the same files gets byte-identical records from the stored code."""
    import _sre

    root = Path(__file__).resolve().parents[1]
    files = sorted(str(p) for p in (root / "examples" / "corpus").glob("*.txt"))[:4]
    outs, files_after = [], []
    for i in range(2):
        # another hash seed each run: a pattern built from a set in hash order would be a new entry
        env = dict(os.environ, KANSOKU_CACHE_DIR=str(tmp_path), PYTHONHASHSEED=str(i + 1))
        out = tmp_path / f"run{i}.jsonl"
        subprocess.run([sys.executable, "-m", "kansoku.cli", "analyze", *files, "-o", str(out), "--quiet"],
                       env=env, check=True, capture_output=True)  # fmt: skip
        outs.append(out.read_bytes())
        files_after.append({p.name: p.read_bytes() for p in tmp_path.glob("regex-*.marshal")})
    assert outs[0] == outs[1]
    assert files_after[0] == files_after[1]  # the second run compiled nothing new: all came from the file
    [path] = tmp_path.glob("regex-*.marshal")
    stored = marshal.loads(path.read_bytes())
    assert len(stored) > 300
    for (pat, flags), args in stored.items():
        assert _same(_sre.compile(pat, *args), re.compile(pat, flags)), pat[:80]
