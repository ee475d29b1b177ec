"""Real saved pages (../shared/eval/realpages, scored by its own scorer) meet issue 13's provenance bars.

Skipped where ../shared is absent. The pages are other publishers' copyright: read for evaluation only.
"""

import subprocess
import sys
from pathlib import Path

import pytest

PAGES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "realpages"
pytestmark = pytest.mark.skipif(not (PAGES / "score.py").exists(), reason="../shared not present")


def test_real_pages_provenance(tmp_path):
    out = tmp_path / "pages.jsonl"
    r = subprocess.run([sys.executable, "-m", "kansoku.cli", "analyze", PAGES / "pages", "--out", out, "--quiet"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    s = subprocess.run([sys.executable, PAGES / "score.py", out, "--gold", PAGES / "gold.jsonl", "-v",
                        "--require", "title>=0.95,authors>=0.9,outlet>=0.95,published>=0.95,body>=1.0"],
                       capture_output=True, text=True, timeout=600)
    assert s.returncode == 0, s.stdout + s.stderr
