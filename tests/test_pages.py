"""Provenance on real-world page layouts: ``tests/data/pages/`` against ``expected.json``.

Each fixture is a fictional article in the layout of a kind of real page (news site with a JSON-LD
``@graph``, OGP-only page, Shift_JIS table layout, AMP, paywall stub, portal carrying a provider's story,
blog, RSS feed, text dumps, DOCX, PDF, ...). ``expected.json`` holds, per file, what a careful human
reads from it: title, authors with their kind, outlet, dates, canonical URL, original outlet, where the
running text starts and, where unambiguous, which source each field comes from. A document that must be
refused has ``error`` (a substring of the one-line reason) instead.

Every file is run through the real pipeline (``iter_documents`` then ``analyze_batch``) once, and each
(file, field) pair is its own test, so a failure names both. A feed's items are keyed ``FILE#N`` and
matched by the record's ``source``.

Comparisons are about content, not representation: strings are NFKC-normalised with whitespace runs
collapsed; author names are also compared without spaces and middle dots; dates by their first ten
characters. The DOCX/PDF fixtures are made by ``tools/make_fixture_docs.py``, which the tests never run.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from pathlib import Path

import pytest

from kansoku.model import ReadError
from kansoku.pipeline import analyze_batch
from kansoku.read import iter_documents

DATA = Path(__file__).parent / "data" / "pages"
EXPECTED: dict[str, dict] = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))

FIELDS = ("title", "authors", "outlet", "published", "updated", "url", "original_outlet", "body_start")
BINARY_SUFFIXES = (".docx", ".pdf")
MAX_BINARY_BYTES = 150 * 1024
BODY_WINDOW = 400


def _file_of(key: str) -> str:
    return key.split("#", 1)[0]


def _norm(value: object) -> str | None:
    """NFKC, whitespace runs (including U+3000) collapsed to one space, stripped; None and "" are None."""
    if value is None:
        return None
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip()
    return text or None


def _name_key(name: object) -> str:
    return re.sub(r"[\s・･]", "", unicodedata.normalize("NFKC", str(name or "")))


def _date10(value: object) -> str | None:
    return str(value)[:10] if value else None


@functools.cache
def _run(file_name: str) -> tuple[tuple[dict, ...], tuple[ReadError, ...]]:
    """Records and read/analysis errors of one fixture file, computed once per test session."""
    path = DATA / file_name
    raws, errors = [], []
    for item in iter_documents([path]):
        (errors if isinstance(item, ReadError) else raws).append(item)
    records = []
    for out in analyze_batch(raws) if raws else []:
        (errors if isinstance(out, ReadError) else records).append(out)
    return tuple(records), tuple(errors)


def _record(key: str) -> dict:
    file_name = _file_of(key)
    records, errors = _run(file_name)
    if not records:
        reasons = "; ".join(str(e) for e in errors) or "nothing was yielded"
        pytest.fail(f"{file_name}: no record ({reasons})")
    wanted = str(DATA / key)
    for rec in records:
        if rec.get("source") == wanted:
            return rec
    if "#" not in key and len(records) == 1:
        return records[0]
    pytest.fail(f"{key}: no record with source {wanted!r}; got {[r.get('source') for r in records]}")


def _actual(rec: dict, field: str) -> object:
    meta = rec.get("metadata") or {}
    if field == "title":
        return _norm(rec.get("title"))
    if field == "authors":
        return {(_name_key(a.get("name")), a.get("kind")) for a in meta.get("authors") or []}
    if field == "outlet":
        return _norm(meta.get("outlet"))
    if field in ("published", "updated"):
        return _date10(meta.get(field))
    if field == "url":
        return _norm(meta.get("url"))
    if field == "original_outlet":
        return _norm((meta.get("original") or {}).get("outlet"))
    raise KeyError(field)


def _wanted(exp: dict, field: str) -> object:
    value = exp[field]
    if field == "authors":
        return {(_name_key(a["name"]), a["kind"]) for a in value}
    if field in ("published", "updated"):
        return _date10(value)
    return _norm(value)


def _body_without_title(rec: dict, titles: list[str | None]) -> str:
    keys = {_norm(t) for t in titles if t}
    lines = [ln for ln in (rec.get("text") or "").splitlines() if _norm(ln.lstrip("#")) not in keys]
    return "\n".join(lines).lstrip()


def _cases() -> list:
    cases = []
    for key, exp in EXPECTED.items():
        if "error" in exp:
            cases.append(pytest.param(key, "error", id=f"{key}-error"))
            continue
        cases += [pytest.param(key, f, id=f"{key}-{f}") for f in FIELDS if f in exp]
        cases += [
            pytest.param(key, f"field_sources.{f}", id=f"{key}-field_sources.{f}")
            for f in exp.get("field_sources", {})
        ]
    return cases


@pytest.mark.parametrize(("key", "field"), _cases())
def test_page_field(key: str, field: str) -> None:
    exp = EXPECTED[key]
    if field == "error":
        records, errors = _run(_file_of(key))
        assert not records, f"{key} must be refused, but gave a record titled {records[0].get('title')!r}"
        assert errors, f"{key} must be refused with a ReadError"
        reasons = [e.reason for e in errors]
        assert any(exp["error"].lower() in r.lower() for r in reasons), f"reasons: {reasons}"
        assert all("\n" not in r for r in reasons), f"reasons must be one line: {reasons}"
        return
    rec = _record(key)
    if field == "body_start":
        body = _body_without_title(rec, [rec.get("title"), exp.get("title")])
        window = re.sub(r"\s+", "", unicodedata.normalize("NFKC", body[:BODY_WINDOW]))
        needle = re.sub(r"\s+", "", unicodedata.normalize("NFKC", exp["body_start"]))
        assert needle in window, (
            f"{exp['body_start']!r} not in the first {BODY_WINDOW} characters: {body[:200]!r}"
        )
        return
    if field.startswith("field_sources."):
        name = field.split(".", 1)[1]
        sources = (rec.get("metadata") or {}).get("field_sources") or {}
        assert sources.get(name) == exp["field_sources"][name], f"field_sources: {sources}"
        return
    assert _actual(rec, field) == _wanted(exp, field)


def test_every_fixture_has_an_expectation_and_binaries_are_small() -> None:
    files = sorted(p.name for p in DATA.iterdir() if p.name != "expected.json")
    covered = {_file_of(k) for k in EXPECTED}
    assert set(files) == covered, (
        f"without expectation: {set(files) - covered}; missing: {covered - set(files)}"
    )
    for name in files:
        if name.endswith(BINARY_SUFFIXES):
            assert (DATA / name).stat().st_size < MAX_BINARY_BYTES, name
    for key, exp in EXPECTED.items():
        assert exp.get("layout"), f"{key}: no layout sentence"
        assert ("error" in exp) != ("title" in exp), f"{key}: either error or the expected fields"
        for a in exp.get("authors", []):
            assert a["kind"] in {"person", "team", "ai", "organisation"}, (key, a)
        for src in exp.get("field_sources", {}).values():
            assert src in {"jsonld", "meta", "header", "byline", "host", "body", "feed", "docx", "pdf"}, (
                key,
                src,
            )
