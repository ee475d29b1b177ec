"""``clean_text``: the one text-cleaning step between reading and analysis.

No Unicode normalisation (NFKC) is applied: the analysed text must stay as written, full-width
digits and U+3000 ideographic spaces included.
"""

from __future__ import annotations

from kansoku import rx
from kansoku.normalize.boilerplate import strip_boilerplate

__all__ = ["clean_text"]

_NEWLINES = rx.compile(r"\r\n?|[\u2028\u2029\x85]")
# C0/C1 controls except \t and \n; zero-width and bidi formatting characters; BOM; soft hyphen.
_INVISIBLE = rx.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]"
)
# Non-breaking and typographic spaces become a plain space; U+3000 stays.
_SPACES = rx.compile(r"[\u00a0\u2000-\u200a\u202f\u205f]")
_LEADING_BLANK_LINES = rx.compile(r"\A(?:[ \t\u3000]*\n)+")


def clean_text(text: str) -> str:
    """Newlines to ``\\n``, invisible characters out, odd spaces to ``" "``, boilerplate lines out.

    Leading and trailing blank lines are removed; indentation of the first line is kept.
    """
    text = _NEWLINES.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    text = strip_boilerplate(text)
    text = _LEADING_BLANK_LINES.sub("", text)
    return text.rstrip(" \t\u3000\n")
