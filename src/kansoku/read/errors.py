"""The one exception the readers raise for an input they cannot turn into a document."""

from __future__ import annotations

__all__ = ["ReadFailure", "one_line"]

_MAX_REASON = 300


def one_line(message: str, limit: int = _MAX_REASON) -> str:
    """Collapse whitespace (newlines included) and cut ``message`` to ``limit`` characters."""
    text = " ".join(message.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


class ReadFailure(Exception):
    """An input could not be read; ``reason`` is one human sentence (no newline, no traceback)."""

    def __init__(self, reason: str) -> None:
        self.reason = one_line(reason)
        super().__init__(self.reason)
