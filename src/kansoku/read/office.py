"""Word (.docx) and PDF files → :class:`RawDoc`, with the document properties as provenance candidates.

- DOCX through python-docx: paragraphs in order (table cells row by row), the core properties
  ``title``, ``author``, ``created``, ``modified`` as candidates with origin ``docx``; a paragraph styled
  Title / Heading 1 at the top is offered as a ``heading``.
- PDF through pypdf: the text layer page by page, the document information (``/Title``, ``/Author``,
  ``/CreationDate``, ``/ModDate``) as candidates with origin ``pdf``. A PDF without a text layer (a scan)
  is refused with one line that says so; an encrypted one likewise.

Old binary formats (.doc, .xls, .ppt) and other office formats are not read: ``read/__init__.py`` names
them in a one-line error.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime
from typing import Any

from kansoku.model import Candidate, RawDoc
from kansoku.read.errors import ReadFailure

__all__ = ["read_docx", "read_pdf"]

logging.getLogger("pypdf").setLevel(logging.CRITICAL)

#: fewer characters than this per page, on average, means the PDF is a scan without a text layer
_MIN_CHARS_PER_PAGE = 20
_MAX_PAGES = 2000


def _date(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    return None


def read_docx(data: bytes, source: str) -> RawDoc:
    """The text of a Word document and its core properties."""
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError:  # pragma: no cover - a declared dependency
        raise ReadFailure("reading .docx needs python-docx (pip install python-docx)") from None
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as err:
        raise ReadFailure(f"not a readable Word document ({type(err).__name__})") from None
    except Exception as err:  # zipfile.BadZipFile, lxml errors on a damaged package
        raise ReadFailure(f"damaged Word document ({type(err).__name__}: {err})") from None
    lines: list[str] = []
    candidates: list[Candidate] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = docx.text.paragraph.Paragraph(child, document)
            text = para.text.strip()
            if not text:
                continue
            style = (para.style.name if para.style is not None else "") or ""
            if style in ("Title", "Heading 1", "見出し 1", "表題") and len(lines) < 3:
                candidates.append(Candidate("heading", text, "docx", "h1"))
            lines.append(text)
        elif tag == "tbl":
            table = docx.table.Table(child, document)
            for row in table.rows:
                cells = [c.text.strip() for c in row.cells if c.text.strip()]
                if cells:
                    lines.append("\t".join(dict.fromkeys(cells)))
    text = "\n".join(lines)
    if not text.strip():
        raise ReadFailure("Word document contains no text")
    props = document.core_properties
    created, modified = _date(props.created), _date(props.modified)
    for field, value in (("title", props.title), ("author", props.author), ("published", created)):
        if value and str(value).strip():
            candidates.append(Candidate(field, str(value).strip(), "docx"))
    if modified and modified != created:
        candidates.append(Candidate("updated", modified, "docx"))
    title = next((c.value for c in candidates if c.field == "title"), None)
    if title is None:
        heading = next((c.value for c in candidates if c.field == "heading"), None)
        if heading:
            candidates.append(Candidate("title", heading, "body"))
    return RawDoc(source=source, text=text, candidates=candidates, fmt="docx")


def _pdf_date(value: Any) -> str | None:
    """``D:20240415100000+09'00'`` → ISO 8601."""
    m = re.match(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?", str(value or ""))
    if not m:
        return None
    y, mo, d, h, mi, s = (int(x) if x else None for x in m.groups())
    try:
        return datetime(y, mo or 1, d or 1, h or 0, mi or 0, s or 0).isoformat()
    except (TypeError, ValueError):
        return None


def read_pdf(data: bytes, source: str) -> RawDoc:
    """The text layer of a PDF and its document information."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - a declared dependency
        raise ReadFailure("reading .pdf needs pypdf (pip install pypdf)") from None
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise ReadFailure("PDF is encrypted with a password; decrypt it first")
            except (NotImplementedError, PdfReadError):
                raise ReadFailure("PDF is encrypted; decrypt it first") from None
        pages = reader.pages
        n = len(pages)
    except ReadFailure:
        raise
    except Exception as err:  # pypdf raises assorted errors on damaged files
        raise ReadFailure(f"damaged PDF ({type(err).__name__}: {str(err)[:80]})") from None
    if n == 0:
        raise ReadFailure("PDF has no pages")
    if n > _MAX_PAGES:
        raise ReadFailure(f"PDF has {n:,} pages, over the {_MAX_PAGES:,}-page limit; split it first")
    texts: list[str] = []
    for page in pages:
        try:
            texts.append((page.extract_text() or "").strip())
        except Exception:  # one bad page must not lose the others
            texts.append("")
    text = "\n\n".join(t for t in texts if t)
    chars = len(re.sub(r"\s", "", text))
    if chars < _MIN_CHARS_PER_PAGE * n:
        raise ReadFailure(
            f"PDF has no text layer ({chars} characters on {n} page{'s' if n != 1 else ''}; a scan?): "
            "run OCR on it first (e.g. ocrmypdf -l jpn)"
        )
    candidates: list[Candidate] = []
    try:
        info = reader.metadata or {}
    except Exception:
        info = {}
    created = _pdf_date(info.get("/CreationDate"))
    modified = _pdf_date(info.get("/ModDate"))
    for field, value in (("title", info.get("/Title")), ("author", info.get("/Author")), ("published", created)):
        if value and str(value).strip():
            candidates.append(Candidate(field, str(value).strip(), "pdf"))
    if modified and modified != created:
        candidates.append(Candidate("updated", modified, "pdf"))
    return RawDoc(source=source, text=_join_lines(text), candidates=candidates, fmt="pdf")


def _join_lines(text: str) -> str:
    """Undo the PDF's visual line breaks inside Japanese paragraphs: a line that does not end a sentence
    is joined to the next when both are Japanese text."""
    out: list[str] = []
    for line in text.split("\n"):
        s = line.rstrip()
        if (out and out[-1] and s and not re.search(r"[。！？!?」』）)：:]$", out[-1])
                and re.search(r"[\u3040-\u30FF\u4E00-\u9FFF、]$", out[-1])
                and re.match(r"[\u3040-\u30FF\u4E00-\u9FFF「『（(、。]", s) and len(out[-1]) >= 25):
            out[-1] += s
        else:
            out.append(s)
    return "\n".join(out)
