"""Fixtures of the engine tests: one SparkSession (local[2]) per test session.

Spark tests skip, with the reason, when pyspark or Java is absent (``.ci/run`` installs both); the rest
run everywhere.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from engine_helpers import FAULT_MARKER, LIVEDOOR, POISON_LINES

from kansoku.pipeline import FAULT_ENV

# before any Spark JVM or worker pool starts: they inherit the environment (see engine_helpers.POISON_LINES)
os.environ[FAULT_ENV] = FAULT_MARKER


def _spark_missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'kansoku[spark]')"
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        return "Java is not installed (apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="session")
def spark():
    why = _spark_missing()
    if why:
        pytest.skip(why)
    from kansoku.engine.spark import session

    s = session("local[2]", app="kansoku tests")
    yield s
    s.stop()


@pytest.fixture(scope="session")
def poison_file(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("poison") / "poison.jsonl"
    p.write_text(POISON_LINES, encoding="utf-8")
    return p


@pytest.fixture(scope="session")
def livedoor_200() -> list[str]:
    if not LIVEDOOR.is_dir():
        pytest.skip("../shared/eval/livedoor-news/text is not present")
    files = sorted(p for p in LIVEDOOR.glob("*/*-*.txt"))
    step = max(1, len(files) // 200)
    return [str(p) for p in files[::step][:200]]
