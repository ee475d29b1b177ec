"""Regenerate the DOCX and PDF fixtures of ``tests/data/pages/`` from the text written below.

Usage::

    .venv/bin/python tools/make_fixture_docs.py            # rewrite the four files
    .venv/bin/python tools/make_fixture_docs.py --out DIR  # write them somewhere else

Files written (their expected provenance is in ``tests/data/pages/expected.json``)::

    20_docx_props.docx    core properties title/author/created set; Heading 1 + body, no visible byline/date
    21_docx_visible.docx  core properties emptied; "Title" paragraph, "文・…" byline, date line, body
    22_pdf_text.pdf       DOCX -> PDF by LibreOffice; document info Title/Author/CreationDate set; text layer
    23_scanned.pdf        page 1 of 22 rendered to a grey PNG and wrapped as an image-only PDF (no text)

Needs (only to regenerate; the tests never run this script):

* Python packages ``python-docx`` and ``pypdf`` (``pip install python-docx pypdf``);
* Debian packages ``libreoffice-writer-nogui`` (``soffice``), ``fonts-ipafont`` (Japanese glyphs for the
  PDF), ``poppler-utils`` (``pdftoppm``) and ``img2pdf``.

The articles are fictional and written for these fixtures. Each file stays well under 150 KB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "pages"

JST = dt.timezone(dt.timedelta(hours=9))

# 20: everything a reader needs is in the core properties; the text has the heading and the body only.
DOC20 = {
    "title": "対ロ制裁2年、日本企業は撤退と残留の間で揺れる",
    "author": "片山 由紀",
    "created": dt.datetime(2024, 2, 20, 12, 0, tzinfo=JST),
    "paragraphs": [
        "ロシアのウクライナ侵攻から間もなく2年となる。欧米や日本による対ロシア制裁が長期化する中、"
        "ロシアに進出していた日本企業の対応は、事業からの完全撤退、現地パートナーへの譲渡、"
        "そして操業の継続に大きく分かれている。",
        "民間の調査会社によると、侵攻前にロシアで事業を展開していた日本の上場企業のうち、"
        "完全に撤退したのは2割強にとどまる。多くの企業は新規投資を凍結したまま、"
        "既存の事業を縮小して様子をみている。",
        "撤退をためらわせる最大の要因は、ロシア政府が外国企業の資産売却に厳しい条件を課していることだ。"
        "売却には政府委員会の承認が必要で、評価額の大幅な割引や、ロシアの予算への「自発的な拠出」も求められる。"
        "ある自動車部品メーカーの幹部は「出るにも出られない。資産をただ同然で手放すことになる」と話す。",
        "一方、サハリンの石油・天然ガス開発事業のように、エネルギー安全保障の観点から政府が関与の継続を"
        "求める案件もある。制裁の対象外とされている事業でも、決済や物流の制約は年々強まっており、"
        "企業は法令順守の負担と事業上のリスクを天秤にかける難しい判断を迫られている。",
        "停戦の見通しが立たない中、各社に求められるのは、最悪の事態を想定した損失の見積もりと、"
        "株主や取引先への丁寧な説明である。",
    ],
}

# 21: empty core properties; the title, byline and date are visible paragraphs.
DOC21 = {
    "title": "中東の緊張と日本の原油備蓄　「240日分」は本当に安心か",
    "byline": "文・吉岡 達也",
    "dateline": "2024年5月30日",
    "paragraphs": [
        "中東情勢が緊迫するたびに、日本の石油備蓄は「約240日分ある」と説明される。"
        "国家備蓄と民間備蓄、産油国との共同備蓄を合わせた量で、国際エネルギー機関（IEA）が"
        "加盟国に求める90日分を大きく上回る水準だ。",
        "しかし、この数字だけで安心するのは早い。備蓄の多くは原油のままで保管されており、"
        "ガソリンや軽油として使うには製油所での精製が欠かせない。国内の製油所は需要の減少に伴って"
        "統廃合が進み、精製能力には余裕がなくなりつつある。",
        "また、ホルムズ海峡が長期間にわたって通航できなくなれば、原油だけでなく液化天然ガス（LNG）の"
        "調達にも影響が及ぶ。LNGは長期の貯蔵に向かず、国内の在庫は2週間分程度とされる。"
        "電力の安定供給という面では、原油よりもむしろLNGの方が弱点だといえる。",
        "政府は調達先の多様化や再生可能エネルギーの拡大を進めているが、中東への依存を短期間で"
        "大きく減らすのは難しい。備蓄の量を誇るだけでなく、いざという時に実際に使える形で"
        "備えているかを点検することが求められている。",
    ],
}

# 22 (and 23, its scan): a text-layer PDF; title, author and date are in the document information.
DOC22 = {
    "title": "北朝鮮とロシアの軍事協力、東アジアの安全保障に何をもたらすか",
    "author": "今井 宗一郎",
    "created": dt.datetime(2024, 4, 15, 10, 0, tzinfo=JST),
    "paragraphs": [
        "北朝鮮とロシアの軍事協力が急速に深まっている。北朝鮮はロシアに砲弾や弾道ミサイルを供与しているとされ、"
        "その見返りとして、ロシアから食料やエネルギーに加え、軍事技術の提供を受けている可能性が指摘されている。",
        "とりわけ懸念されるのは、偵察衛星や原子力潜水艦、弾道ミサイルの再突入技術など、北朝鮮が独力では"
        "開発に手間取ってきた分野での技術移転である。これらが進めば、日本や韓国に対する脅威は質的に高まる。",
        "国連安全保障理事会では、北朝鮮への制裁の履行状況を監視してきた専門家パネルの任期延長に"
        "ロシアが拒否権を行使し、パネルは活動を終えた。制裁の実効性はさらに低下するとみられる。",
        "日本としては、米韓両国との情報共有を一層緊密にするとともに、欧州の国々とも連携し、"
        "ロシアと北朝鮮の協力の実態を国際社会に示していく努力が欠かせない。",
    ],
}


def _set_core(doc, *, title: str, author: str, created: dt.datetime | None) -> None:
    """Set every core property python-docx writes, so nothing of its template leaks into the file."""
    cp = doc.core_properties
    cp.title = title
    cp.author = author
    cp.last_modified_by = author
    cp.comments = ""
    cp.subject = ""
    cp.keywords = ""
    cp.category = ""
    cp.content_status = ""
    cp.identifier = ""
    cp.language = ""
    cp.version = ""
    cp.revision = 1
    if created is not None:
        utc = created.astimezone(dt.UTC).replace(tzinfo=None)
        cp.created = utc
        cp.modified = utc
        cp.last_printed = utc
    else:
        # Empty properties: drop the date elements instead of leaving the template's 2013 dates.
        root = cp._element
        for child in list(root):
            local = child.tag.rsplit("}", 1)[-1]
            if local in {"created", "modified", "lastPrinted"}:
                root.remove(child)


def _docx_with_heading(spec: dict, heading_style: str) -> object:
    from docx import Document
    from docx.shared import Mm

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4, as Japanese documents are
    section.left_margin = section.right_margin = Mm(25)
    doc.add_paragraph(spec["title"], style=heading_style)
    for line in (spec.get("byline"), spec.get("dateline")):
        if line:
            doc.add_paragraph(line)
    for text in spec["paragraphs"]:
        doc.add_paragraph(text)
    return doc


def make_docx_props(path: Path) -> None:
    doc = _docx_with_heading(DOC20, "Heading 1")
    _set_core(doc, title=DOC20["title"], author=DOC20["author"], created=DOC20["created"])
    doc.save(path)


def make_docx_visible(path: Path) -> None:
    doc = _docx_with_heading(DOC21, "Title")
    _set_core(doc, title="", author="", created=None)
    doc.save(path)


def _pdf_date(when: dt.datetime) -> str:
    off = when.utcoffset() or dt.timedelta(0)
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return when.strftime("D:%Y%m%d%H%M%S") + f"{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def make_pdf_text(path: Path, work: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    docx_path = work / "22_pdf_text.docx"
    doc = _docx_with_heading(DOC22, "Heading 1")
    for para in doc.paragraphs:
        for run in para.runs:
            run.font.name = "IPAMincho"
            run.element.rPr.rFonts.set(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", "IPAMincho"
            )
    _set_core(doc, title=DOC22["title"], author=DOC22["author"], created=DOC22["created"])
    doc.save(docx_path)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{work}/lo-profile",
         "--convert-to", "pdf", "--outdir", str(work), str(docx_path)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    reader = PdfReader(work / "22_pdf_text.pdf")
    writer = PdfWriter(clone_from=reader)
    stamp = _pdf_date(DOC22["created"])
    writer.metadata = None  # start from an empty information dictionary, then set ours
    writer.add_metadata(
        {
            "/Title": DOC22["title"],
            "/Author": DOC22["author"],
            "/Creator": "Writer",
            "/Producer": "LibreOffice",
            "/CreationDate": stamp,
            "/ModDate": stamp,
        }
    )
    root = writer._root_object
    if "/Metadata" in root:  # an XMP packet would carry LibreOffice's own export time
        del root["/Metadata"]
    with path.open("wb") as fh:
        writer.write(fh)


def make_pdf_scanned(path: Path, source_pdf: Path, work: Path) -> None:
    prefix = work / "scan"
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "72", "-gray", "-png", str(source_pdf), str(prefix)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    pngs = sorted(work.glob("scan*.png"))
    if not pngs:
        raise SystemExit("pdftoppm wrote no page image")
    subprocess.run(
        ["img2pdf", "--nodate", "--output", str(path), str(pngs[0])],
        check=True,
        capture_output=True,
        timeout=120,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write into (default: %(default)s)")
    args = parser.parse_args(argv)
    for tool in ("soffice", "pdftoppm", "img2pdf"):
        if shutil.which(tool) is None:
            print(f"missing {tool}: see this script's docstring for the packages it needs", file=sys.stderr)
            return 2
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    make_docx_props(out / "20_docx_props.docx")
    make_docx_visible(out / "21_docx_visible.docx")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        make_pdf_text(out / "22_pdf_text.pdf", work)
        make_pdf_scanned(out / "23_scanned.pdf", out / "22_pdf_text.pdf", work)
    for name in ("20_docx_props.docx", "21_docx_visible.docx", "22_pdf_text.pdf", "23_scanned.pdf"):
        size = (out / name).stat().st_size
        print(f"{name}: {size} bytes")
        if size >= 150 * 1024:
            print(f"{name} is over 150 KB", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
