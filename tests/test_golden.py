"""Refactors and speed changes leave records byte-identical: digests of the sample corpus and of 500
livedoor articles (when ../shared is present) against tests/data/golden_records.json.

A commit that changes analysis results on purpose regenerates the file with
``python tools/golden_records.py --update`` and says why.
"""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("golden_records", ROOT / "tools" / "golden_records.py")
golden = importlib.util.module_from_spec(spec)
spec.loader.exec_module(golden)


def test_records_match_the_golden_digests():
    want = json.loads(golden.GOLDEN.read_text(encoding="utf-8"))
    paths = sorted((ROOT / "examples" / "corpus").iterdir())
    livedoor = golden.LIVEDOOR.is_dir()
    if livedoor:
        paths += golden.livedoor_files(500)
    got = golden.compute(paths)
    sample = {k for k in want if not k.split("#")[0].rsplit("-", 1)[-1].removesuffix(".txt").isdigit()}
    assert sample <= set(got), sorted(sample - set(got))
    if livedoor:
        assert len(got) == len(want), (len(got), len(want))
    changed = sorted(k for k in got if k in want and got[k] != want[k])
    from importlib.metadata import version

    libs = ", ".join(f"{d} {version(d)}" for d in ("sudachipy", "sudachidict-core", "ja-timex", "trafilatura"))
    assert not changed, f"{len(changed)} records changed (rerun tools/golden_records.py --update only on purpose; " \
                        f"the digests depend on the pinned tokeniser and dictionary, here {libs}): {changed[:8]}"
