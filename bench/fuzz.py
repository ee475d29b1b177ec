"""Run the fuzz generator of tests/test_fuzz.py at a larger scale and print what came out.

usage: python bench/fuzz.py [--cases 500] [--seed 1] [--scale 4] [--timeout 60] [--reasons 25]

Each case is written to a temporary folder, read with ``kansoku.read.iter_documents`` and analysed with
``kansoku.pipeline.analyze_batch`` in this process (SIGALRM per case). Prints the number of records and
errors, the problems ``tests/test_fuzz.py`` would fail on, the slowest cases and the most common error
reasons (numbers and paths masked so that alike reasons count together).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fuzz_cases import cases  # noqa: E402
from test_fuzz import CaseTimeout, problems, run_case, time_limit  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=int, default=4, help="size multiplier of the big inputs (test: 1)")
    parser.add_argument("--timeout", type=int, default=60, help="seconds per case")
    parser.add_argument("--reasons", type=int, default=25, help="how many common error reasons to list")
    args = parser.parse_args()

    from kansoku.model import RawDoc
    from kansoku.pipeline import analyze_batch

    analyze_batch(
        [RawDoc(source="warm", text="東京都の山田太郎知事は12日、記者会見で「予算を増やす」と述べた。")]
    )

    records = errors = 0
    failures: list[str] = []
    timings: list[tuple[float, str]] = []
    reasons: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    start_all = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for number, case in enumerate(cases(args.cases, seed=args.seed, scale=args.scale)):
            start = time.perf_counter()
            try:
                with time_limit(args.timeout, case.description):
                    case_records, case_errors = run_case(case, Path(tmp) / f"case{number}")
            except CaseTimeout as timeout:
                failures.append(str(timeout))
                continue
            except Exception as err:
                failures.append(f"{case.description}: {type(err).__name__} escaped: {err!s:.200}")
                continue
            timings.append((time.perf_counter() - start, case.description))
            records += len(case_records)
            errors += len(case_errors)
            failures += problems(case, case_records, case_errors)
            for error in case_errors:
                reasons[re.sub(r"\d+(?:\.\d+)?", "N", error.reason)[:120]] += 1
            for record in case_records:
                for warning in record.get("warnings", []):
                    warnings[re.sub(r"\d+", "N", warning)] += 1

    total = time.perf_counter() - start_all
    print(f"{args.cases} cases (seed {args.seed}, scale {args.scale}) in {total:.1f} s")
    print(f"records: {records}  errors: {errors}  problems: {len(failures)}")
    for failure in failures:
        print(f"  PROBLEM {failure}")
    print("slowest cases:")
    for seconds, description in sorted(timings, reverse=True)[:5]:
        print(f"  {seconds:7.2f} s  {description}")
    print("most common error reasons:")
    for reason, count in reasons.most_common(args.reasons):
        print(f"  {count:5d}  {reason}")
    print("record warnings:")
    for warning, count in warnings.most_common(10):
        print(f"  {count:5d}  {warning}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
