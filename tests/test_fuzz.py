"""Fuzz the read stage and the pipeline with ~150 damaged or hostile files (deterministic, seeded).

Every case must give records or one-line ReadErrors: no exception escapes, no reason spans lines or
carries a traceback, no reader falls back to "unexpected ..." and no document fails analysis; and each
case must finish within ``CASE_SECONDS`` (SIGALRM, same process). ``bench/fuzz.py`` runs the same
generator at a larger scale.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from fuzz_cases import Case, cases
from kansoku.model import RawDoc, ReadError
from kansoku.pipeline import analyze_batch
from kansoku.read import iter_documents

N_CASES = 150
SEED = 20250113
CASE_SECONDS = 10


class CaseTimeout(BaseException):
    """Not an Exception, so that analyze_batch's per-document ``except Exception`` lets it through."""


@contextmanager
def time_limit(seconds: int, description: str) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise CaseTimeout(f"{description}: still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_case(case: Case, folder: Path) -> tuple[list[dict], list[ReadError]]:
    """Write the case's file, read it and analyse what was read; return records and errors."""
    folder.mkdir()
    path = folder / case.name
    path.write_bytes(case.data)
    items = list(iter_documents([path]))
    docs = [item for item in items if isinstance(item, RawDoc)]
    errors = [item for item in items if isinstance(item, ReadError)]
    assert len(docs) + len(errors) == len(items), f"reader yielded something else: {items!r:.200}"
    records: list[dict] = []
    for result in analyze_batch(docs):
        (errors if isinstance(result, ReadError) else records).append(result)
    return records, errors


def problems(case: Case, records: list[dict], errors: list[ReadError]) -> list[str]:
    found = []
    if not records and not errors:
        found.append("neither a record nor an error")
    for error in errors:
        reason = error.reason
        if not reason or "\n" in reason or "\r" in reason or "Traceback" in reason:
            found.append(f"reason is not one line: {reason!r:.200}")
        if reason.startswith(("unexpected ", "analysis failed")) or ": unexpected " in reason:
            found.append(f"a bug surfaced as an error: {error}")
        if not isinstance(error.source, str) or not error.source:
            found.append(f"error without a source: {error!r:.200}")
    for record in records:
        if not isinstance(record.get("text"), str):
            found.append("record without text")
        for warning in record.get("warnings", []):
            if "\n" in warning:
                found.append(f"warning is not one line: {warning!r:.200}")
    return [f"{case.description}: {p}" for p in found]


@pytest.fixture(scope="module")
def warm() -> None:
    """Load the models and data once, outside the per-case time limit."""
    analyze_batch(
        [RawDoc(source="warm", text="東京都の山田太郎知事は12日、記者会見で「予算を増やす」と述べた。")]
    )


def test_damaged_and_hostile_inputs_give_records_or_one_line_errors(tmp_path: Path, warm: None) -> None:
    failures: list[str] = []
    records = errors = 0
    slowest = (0.0, "")
    for number, case in enumerate(cases(N_CASES, seed=SEED)):
        start = time.perf_counter()
        try:
            with time_limit(CASE_SECONDS, case.description):
                case_records, case_errors = run_case(case, tmp_path / f"case{number}")
        except CaseTimeout as timeout:
            failures.append(str(timeout))
            continue
        except Exception as err:  # an exception escaped the reader or the pipeline
            failures.append(f"{case.description}: {type(err).__name__} escaped: {err!s:.200}")
            continue
        slowest = max(slowest, (time.perf_counter() - start, case.description))
        records += len(case_records)
        errors += len(case_errors)
        failures += problems(case, case_records, case_errors)
    assert not failures, "\n".join(failures)
    assert records > N_CASES // 2 and errors > 10, (records, errors)  # the generator still exercises both
    print(
        f"\nfuzz: {N_CASES} cases, {records} records, {errors} errors, slowest {slowest[0]:.2f} s: {slowest[1]}"
    )
