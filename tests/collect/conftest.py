"""Fixtures for the collect tests: a local HTTP server on 127.0.0.1 (nothing touches the internet)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from collect_server import LocalServer  # noqa: E402


@pytest.fixture
def server():
    with LocalServer() as s:
        s.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        yield s
