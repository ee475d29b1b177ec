"""Bytes → text for Japanese news files.

Detection order, most reliable first:

1. empty input and well-known binary formats (magic numbers) are refused;
2. a byte-order mark decides (UTF-32, UTF-16, UTF-8); UTF-16 without one is recognised by its NULs
   (ASCII characters put a NUL on one side of their byte pair) or, for Japanese without any ASCII, by
   the high bytes of its pairs (0x30 for kana and punctuation, 0x4E–0x9F for kanji);
3. NUL bytes (over 1 % of the bytes before any trailing NUL padding) or many control bytes mean
   binary data; fewer NULs, and NUL padding after the text (a file cut short by a crash), are damage:
   they are removed and noted;
4. strict ISO-2022-JP when the data is 7-bit and has its escape sequences;
5. strict UTF-8;
6. strict CP932 (Shift_JIS) and EUC-JP; when both decode, the one yielding more kana/kanji wins;
7. a decode with replacement of damaged bytes (UTF-8, CP932, EUC-JP, ISO-2022-JP, the declared
   encoding) when the damage is small, see below;
8. charset-normalizer's best guess, only if the result looks like text.

Whatever wins must not be mostly replacement or control characters.

Damage is measured in bytes: the bytes the decoder could not map, as its error handler reports them
(a stray ``0xFF`` is one byte; a UTF-8 character cut after two of its three bytes is two). A file
whose best encoding leaves fewer than 1 % of its bytes invalid (or a single invalid byte, whatever
the file's size) is decoded with U+FFFD for each damaged run, and :func:`decode_bytes` adds one note
such as ``3 invalid bytes replaced (decoded as Shift_JIS)`` (``… and 2 NUL bytes removed …`` when
stray NULs were dropped too). The same holds after a byte-order mark.
A replacement reading must still look like text in its encoding (for UTF-8, at least five valid
non-ASCII characters per damaged run; for CP932/EUC-JP, Japanese prose) so that a Latin-1 file is
not read as damaged UTF-8. More damage than that is refused with one line saying how much of the
file was invalid under its closest encoding.
"""

from __future__ import annotations

import codecs
import threading
from dataclasses import dataclass, replace

from kansoku import rx
from kansoku.read.errors import ReadFailure

__all__ = ["Decoded", "ReadFailure", "decode_bytes", "decode_text", "sniff_binary"]

_SAMPLE_BYTES = 64 * 1024
_SAMPLE_CHARS = 200_000
# Largest share of a file's bytes that may be invalid under its encoding and still be read (replaced).
_MAX_DAMAGE = 0.01

# Invalid bytes seen by the counting error handler during one decode (per thread).
_damage = threading.local()
_COUNTING_HANDLER = "kansoku.count-and-replace"

# (offset, signature, description)
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"%PDF-", "a PDF document"),
    (0, b"PK\x03\x04", "a ZIP archive (or DOCX/XLSX/EPUB)"),
    (0, b"PK\x05\x06", "an empty ZIP archive"),
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"GIF87a", "a GIF image"),
    (0, b"GIF89a", "a GIF image"),
    (0, b"\x1f\x8b", "a gzip-compressed file"),
    (0, b"BZh", "a bzip2-compressed file"),
    (0, b"\xfd7zXZ\x00", "an xz-compressed file"),
    (0, b"\x28\xb5\x2f\xfd", "a zstd-compressed file"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (0, b"Rar!\x1a\x07", "a RAR archive"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Microsoft Office document"),
    (0, b"\x7fELF", "an executable (ELF)"),
    (0, b"SQLite format 3\x00", "an SQLite database"),
    (0, b"OggS", "an Ogg media file"),
    (0, b"ID3", "an MP3 audio file"),
    (0, b"fLaC", "a FLAC audio file"),
    (0, b"\x1aE\xdf\xa3", "a Matroska/WebM video"),
    (0, b"II*\x00", "a TIFF image"),
    (0, b"MM\x00*", "a TIFF image"),
    (0, b"\x00\x00\x01\x00", "an icon image"),
    (0, b"wOFF", "a web font"),
    (0, b"wOF2", "a web font"),
    (4, b"ftyp", "an MP4/QuickTime/HEIC media file"),
)
_RIFF_KINDS = {b"WEBP": "a WebP image", b"WAVE": "a WAV audio file", b"AVI ": "an AVI video"}

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
)

# C0 control bytes that never occur in text files (tab, LF, VT, FF, CR and ESC do).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_ISO2022_ESCAPES = (b"\x1b$B", b"\x1b$@", b"\x1b$(D", b"\x1b(J", b"\x1b(I")

# High bytes of UTF-16 Japanese: kana and CJK punctuation (0x30), kanji (0x4E–0x9F), full-width forms.
_UTF16_JAPANESE_HIGH = bytes([0x30, *range(0x4E, 0xA0), 0xFF])

# Human names of the codecs a note or an error message may mention (codecs.lookup names).
_ENCODING_NAMES = {
    "utf_8": "UTF-8",
    "cp932": "Shift_JIS",
    "shift_jis": "Shift_JIS",
    "euc_jp": "EUC-JP",
    "iso2022_jp": "ISO-2022-JP",
    "utf_16_le": "UTF-16LE",
    "utf_16_be": "UTF-16BE",
    "cp1252": "Windows-1252",
}

# Web pages declare the narrow standard names but use the Microsoft supersets.
_ALIASES = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "csshiftjis": "cp932",
    "euc-jp": "euc_jp",
    "x-euc-jp": "euc_jp",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}

# charset-normalizer names of encodings a news file plausibly uses.
_COMMON_ENCODINGS = frozenset(
    {
        "utf_8", "utf_16", "utf_32", "ascii", "cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2",
        "cp1251", "koi8_r", "iso8859_5", "cp1253", "iso8859_7", "cp1254", "iso8859_9", "cp1255", "cp1256",
        "big5", "big5hkscs", "cp950", "gb18030", "gbk", "gb2312", "euc_kr", "cp949", "johab",
        "cp932", "shift_jis", "shift_jis_2004", "euc_jp", "euc_jis_2004", "iso2022_jp", "iso2022_kr",
    }
)  # fmt: skip

# Characters of JIS X 0208 text: kana, kanji, CJK and full-width punctuation, and the dashes, arrows,
# shapes, circled numbers and unit symbols Japanese news uses (―, →, ■, ①, ㈱, ㎞, ×, °).
_JAPANESE = rx.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e\uffe0-\uffe5"
    "\u2010-\u203b\u2100-\u22ff\u2460-\u24ff\u2500-\u26ff\u3200-\u33ff\u00a7\u00a8\u00a9\u00ae\u00b0\u00b1\u00b4\u00b6"
    "\u00d7\u00f7]"
)
_KANA = rx.compile(r"[\u3041-\u3096\u30a1-\u30fa]")
_HALFWIDTH_KANA = rx.compile(r"[\uff61-\uff9f]")
_NON_ASCII = rx.compile(r"[^\x00-\x7f]")
_SPACED = rx.compile(r"[^\x00-\x7f] (?=[^\x00-\x7f])")
_KANALESS_MAX = 64
_ACCIDENTAL_UTF8 = rx.compile(r"[\u0100-\u07ff]")
# A non-ASCII character wedged between ASCII letters: "fran軋is" is French read as Shift_JIS.
_WEDGED = rx.compile(r"(?<=[A-Za-z])[^\x00-\x7f](?=[A-Za-z])")
_CP932_UNASSIGNED = rx.compile("[\uf8f0-\uf8f3]")
_BAD_CHARS = rx.compile(r"[\ufffd\x00-\x08\x0b\x0e-\x1f\x7f-\x84\x86-\x9f]")
_TEXTY = rx.compile(r"[\s\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u3000-\u303f\uff01-\uff5e]")


def sniff_binary(data: bytes) -> str | None:
    """Describe ``data`` if it is a known binary format or obviously not text, else return ``None``."""
    for offset, signature, description in _MAGIC:
        if data[offset : offset + len(signature)] == signature:
            return f"looks like {description}, not text"
    if data[:4] == b"RIFF" and data[8:12] in _RIFF_KINDS:
        return f"looks like {_RIFF_KINDS[data[8:12]]}, not text"
    if any(data.startswith(bom) for bom, _, _ in _BOMS):
        return None  # UTF-16/32 text legitimately contains NUL bytes
    body = data.rstrip(b"\x00")  # NUL padding after the text (a file cut by a crash) is damage
    if not body:
        return "contains only NUL bytes, not text"
    sample = body[:_SAMPLE_BYTES]
    nul = sample.count(0)
    if nul > 1 and nul > _MAX_DAMAGE * len(sample):  # a few stray NULs are damage too
        return "looks like binary data (it contains NUL bytes), not text"
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if control / len(sample) > 0.02:
        return "looks like binary data (too many control bytes), not text"
    return None


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded file: its text, the encoding used (a human name) and how many bytes were replaced."""

    text: str
    encoding: str
    replaced: int = 0
    nuls: int = 0  # NUL bytes removed (stray ones, or padding after the text)

    def note(self) -> str | None:
        """The one-line warning for a repaired decode (``None`` when nothing was repaired)."""
        parts = []
        if self.replaced:
            parts.append(f"{self.replaced} invalid byte{'s' if self.replaced != 1 else ''} replaced")
        if self.nuls:
            parts.append(f"{self.nuls} NUL byte{'s' if self.nuls != 1 else ''} removed")
        return f"{' and '.join(parts)} (decoded as {self.encoding})" if parts else None


def decode_bytes(
    data: bytes, source: str = "", *, declared: str | None = None, notes: list[str] | None = None
) -> str:
    """Decode a whole file to ``str``; raise :class:`ReadFailure` for binary, empty or undecodable data.

    ``declared`` is an encoding the container itself announced (an HTML ``<meta charset>``); it is
    tried strictly after UTF-8 and before guessing, so a lying declaration costs nothing.
    ``source`` only names the input in messages. When ``notes`` is given, a one-line warning is
    appended to it if damaged bytes had to be replaced (see the module docstring).
    """
    decoded = decode_text(data, declared=declared)
    if notes is not None and (note := decoded.note()):
        notes.append(note)
    return decoded.text


def decode_text(data: bytes, *, declared: str | None = None, expect_utf8: bool = False) -> Decoded:
    """Like :func:`decode_bytes`, but also say which encoding was used and how many bytes were replaced.

    ``expect_utf8``: the format is UTF-8 by definition (JSON), so damaged UTF-8 needs no non-ASCII
    evidence (an ASCII-escaped JSON line with one flipped byte) and no code page is guessed.
    """
    if not data:
        raise ReadFailure("file is empty")
    decoded = _utf16_without_bom(data)
    if decoded is None:
        binary = sniff_binary(data)
        if binary:
            raise ReadFailure(binary)
        nuls = 0 if any(data.startswith(bom) for bom, _, _ in _BOMS) else data.count(0)
        if nuls:
            data = data.replace(b"\x00", b"")
        decoded = replace(_decode(data, declared, expect_utf8), nuls=nuls)
    _check_text(decoded.text)
    if decoded.text.startswith("\ufeff"):
        decoded = replace(decoded, text=decoded.text[1:])
    return decoded


def _utf16_without_bom(data: bytes) -> Decoded | None:
    """UTF-16 text saved without a byte-order mark.

    ASCII characters put a NUL on one side of each byte pair only; Japanese without any ASCII has
    no NUL at all, but the high byte of its pairs is 0x30 (kana, 、。「」) or a kanji row (0x4E–0x9F).
    A few damaged bytes (a cut-off last byte, a flipped byte) are replaced as for other encodings.
    """
    if len(data) < 4 or any(data.startswith(bom) for bom, _, _ in _BOMS):
        return None
    sample = data[: min(len(data), _SAMPLE_BYTES) // 2 * 2]
    even_column, odd_column = sample[0::2], sample[1::2]
    even, odd = even_column.count(0), odd_column.count(0)
    half = len(sample) // 2
    if even or odd:
        # ASCII in one column; a damaged byte may put a stray NUL in the other
        if min(even, odd) > max(1, 0.01 * max(even, odd)):
            return None
        codec = "utf-16-le" if odd > even else "utf-16-be"
        mostly_ascii = max(even, odd) >= 0.05 * half
    else:
        codec = next(
            (
                codec
                for codec, high in (("utf-16-le", odd_column), ("utf-16-be", even_column))
                if high.count(0x30) >= 0.1 * half
                and len(high) - len(high.translate(None, _UTF16_JAPANESE_HIGH)) >= 0.9 * half
            ),
            "",
        )
        if not codec:
            return None
        mostly_ascii = False
    text, replaced = _decode_counting(data, codec)
    if not _small_damage(replaced, len(data)):
        return None
    sample_text = _sample(text)
    if len(_BAD_CHARS.findall(sample_text)) - sample_text.count("\ufffd") > 0.01 * len(sample_text):
        return None
    # Mostly-ASCII text has NULs in half its pairs; Japanese prose has few (only its ASCII) but has kana.
    if mostly_ascii or (_KANA.search(sample_text) and _looks_japanese(text)):
        return Decoded(text, "UTF-16LE" if codec == "utf-16-le" else "UTF-16BE", replaced)
    return None


def _decode(data: bytes, declared: str | None, expect_utf8: bool = False) -> Decoded:
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            body = memoryview(data)[len(bom) :]
            try:
                return Decoded(str(body, codec), name)  # no copy of the bytes
            except UnicodeDecodeError as err:
                text, replaced = _decode_counting(body, codec)
                if _small_damage(replaced, len(body)):
                    return Decoded(text, name, replaced)
                raise ReadFailure(
                    f"invalid {name} data after the byte-order mark (at byte {err.start + len(bom)}; "
                    f"{_share(replaced, len(body))} of the bytes are invalid)"
                ) from None

    # ISO-2022-JP is 7-bit, so it must be tried before UTF-8 (which would accept it verbatim).
    iso2022 = data.isascii() and any(esc in data for esc in _ISO2022_ESCAPES)
    if iso2022:
        for codec in ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2004", "iso2022_jp_2"):
            text = _try_strict(data, codec)
            if text is not None:
                return Decoded(text, "ISO-2022-JP")

    text = _try_strict(data, "utf-8")
    if text is not None and not iso2022:
        return _unless_accidental_utf8(data, text)

    declared_codec = _ALIASES.get(declared.strip().lower(), declared.strip()) if declared else None
    if declared_codec:
        text = _try_strict(data, declared_codec)
        if text is not None:
            text, replaced = _unassigned_cp932(text, _canonical(declared_codec))
            if _small_damage(replaced, len(data)):
                return Decoded(text, _encoding_name(declared_codec), replaced)

    strict = [
        Decoded(text, _encoding_name(codec), replaced)
        for codec in (() if iso2022 else ("cp932", "euc_jp"))  # 7-bit data reads as anything
        if (strict_text := _try_strict(data, codec)) is not None
        for text, replaced in [_unassigned_cp932(strict_text, codec)]
        if _small_damage(replaced, len(data))
    ]
    candidates = [d for d in strict if _looks_japanese(d.text)] or [
        d for d in strict if _all_japanese(d.text)
    ]
    if candidates:
        return max(candidates, key=lambda d: _japanese_score(d.text))

    tolerant = ["iso2022_jp"] if iso2022 else ["utf-8", "cp932", "euc_jp"]
    if declared_codec and not iso2022 and _canonical(declared_codec) not in ("utf_8", "cp932", "euc_jp"):
        tolerant.append(declared_codec)
    repaired, closest = _lenient(data, tolerant, expect_utf8)
    if repaired is not None:
        return repaired

    guessed = None if iso2022 or expect_utf8 else _charset_normalizer_guess(data)
    if guessed is not None:
        return guessed
    tried = "tried UTF-8, Shift_JIS/CP932, EUC-JP, ISO-2022-JP"
    if closest is not None and not _small_damage(*closest[1:]):
        name, replaced, size = closest
        raise ReadFailure(
            f"could not decode the bytes as text: {_share(replaced, size)} of the bytes are invalid "
            f"even as {name}, the closest fit ({tried})"
        )
    raise ReadFailure(f"could not decode the bytes as text ({tried})")


def _unless_accidental_utf8(data: bytes, text: str) -> Decoded:
    """Short EUC-JP is sometimes valid UTF-8 by accident: "2026年" (EUC) reads as "2026ǯ" (UTF-8).

    When the UTF-8 reading has no Japanese at all but letters from the U+0100–U+07FF block (where
    such accidents land), a clean Japanese reading of the same bytes wins.
    """
    sample = _sample(text)
    if text.isascii() or _JAPANESE.search(sample) or not _ACCIDENTAL_UTF8.search(sample):
        return Decoded(text, "UTF-8")
    for codec in ("euc_jp", "cp932"):
        candidate = _try_strict(data, codec)
        if (
            candidate is not None
            and not _HALFWIDTH_KANA.search(candidate)
            and (_looks_japanese(candidate) or _all_japanese(candidate))
        ):
            return Decoded(candidate, _encoding_name(codec))
    return Decoded(text, "UTF-8")


def _try_strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _sample(text: str) -> str:
    return text if len(text) <= _SAMPLE_CHARS else text[:_SAMPLE_CHARS]


def _japanese_score(text: str) -> int:
    sample = _sample(text)
    return len(_JAPANESE.findall(sample)) - 2 * len(_HALFWIDTH_KANA.findall(sample))


def _looks_japanese(text: str) -> bool:
    """Japanese prose always has kana; mis-decoded Latin or Chinese bytes rarely do."""
    sample = _sample(text)
    non_ascii = len(_NON_ASCII.findall(sample))
    if not non_ascii:
        return True
    kana = len(_KANA.findall(sample))
    return kana >= max(1, 0.05 * non_ascii) and _japanese_score(sample) > 0.5 * non_ascii


def _all_japanese(text: str) -> bool:
    """A short kana-less snippet ("全長2", "――日", "関係国") whose every non-ASCII character is Japanese.

    Longer Japanese prose always has kana, and long all-hanzi text is Chinese (or Korean read in the
    wrong code page, which also puts spaces between "words"); those go to charset-normalizer.
    """
    sample = _sample(text)
    non_ascii = len(_NON_ASCII.findall(sample))
    return (
        0 < non_ascii <= _KANALESS_MAX
        and len(_JAPANESE.findall(sample)) == non_ascii
        and len(_WEDGED.findall(sample)) <= 0.1 * non_ascii
        and len(_SPACED.findall(sample)) <= 1
    )


def _lenient(
    data: bytes, tolerant: list[str], expect_utf8: bool = False
) -> tuple[Decoded | None, tuple[str, int, int] | None]:
    """The best decode with replaced bytes among ``codecs`` when the damage is small (module docstring).

    Also returns the closest fit ``(encoding name, invalid bytes, bytes measured)`` for the error message;
    the damage of a large file is first measured on its head, and a hopeless codec is not decoded whole.
    """
    best: tuple[int, Decoded] | None = None
    closest: tuple[str, int, int] | None = None
    for codec in tolerant:
        name = _encoding_name(codec)
        try:
            if len(data) > _SAMPLE_BYTES:
                head, head_replaced = _decode_counting(data[:_SAMPLE_BYTES], codec, final=False)
                if head_replaced > _MAX_DAMAGE * 5 * _SAMPLE_BYTES:
                    if closest is None or head_replaced / _SAMPLE_BYTES < closest[1] / closest[2]:
                        closest = (name, head_replaced, _SAMPLE_BYTES)
                    continue
            text, replaced = _decode_counting(data, codec)
        except LookupError:
            continue
        if closest is None or replaced / len(data) < closest[1] / closest[2]:
            closest = (name, replaced, len(data))
        if not _small_damage(replaced, len(data)):
            continue
        sample = _sample(text)
        runs = sample.count("\ufffd")
        valid_non_ascii = len(_NON_ASCII.findall(sample)) - runs
        if valid_non_ascii < 5 * runs and not (expect_utf8 and codec == "utf-8"):
            continue
        if codec != "utf-8" and not _looks_japanese(text):
            continue
        score = _japanese_score(text) - 10 * runs
        if best is None or score > best[0]:
            best = (score, Decoded(text, name, replaced))
    return (best[1] if best else None), closest


def _decode_counting(data: bytes | memoryview, codec: str, *, final: bool = True) -> tuple[str, int]:
    """Decode with U+FFFD for each damaged run; also return how many bytes were invalid.

    ``final=False`` leaves a character cut off by the end of ``data`` uncounted (a head sample).
    """
    _damage.count = 0
    decoder = codecs.getincrementaldecoder(codec)(errors=_COUNTING_HANDLER)
    text = decoder.decode(data, final)
    text, unassigned = _unassigned_cp932(text, codec)
    return text, _damage.count + unassigned


def _unassigned_cp932(text: str, codec: str) -> tuple[str, int]:
    """Python's CP932 maps the unassigned single bytes 0xA0 and 0xFD–0xFF to U+F8F0–U+F8F3: damage."""
    if codec != "cp932" or not _CP932_UNASSIGNED.search(text):
        return text, 0
    return _CP932_UNASSIGNED.subn("\ufffd", text)


def _count_and_replace(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeDecodeError):
        raise err
    _damage.count += err.end - err.start
    return "\ufffd", err.end


def _small_damage(replaced: int, size: int) -> bool:
    return replaced <= 1 or replaced < _MAX_DAMAGE * size


def _share(replaced: int, size: int) -> str:
    percent = 100 * replaced / max(size, 1)
    return f"{percent:.1f} %" if percent >= 0.1 else "under 0.1 %"


def _canonical(codec: str) -> str:
    try:
        return codecs.lookup(codec).name.replace("-", "_")
    except LookupError:
        return codec


def _encoding_name(codec: str) -> str:
    """A human name for a Python codec name: ``cp932`` → ``Shift_JIS``."""
    return _ENCODING_NAMES.get(_canonical(codec), codec)


def _charset_normalizer_guess(data: bytes) -> Decoded | None:
    from charset_normalizer import from_bytes

    match = from_bytes(data[: 4 * _SAMPLE_BYTES]).best()
    if match is None:
        return None
    encoding = match.encoding
    if encoding not in _COMMON_ENCODINGS and _try_strict(data, "cp1252") is not None:
        # On a few accented letters among ASCII it may pick hp_roman8 or cp1006; Windows-1252 is likelier.
        encoding = "cp1252"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    sample = _sample(text)
    # Guard against confident nonsense (any byte soup "decodes" in some single-byte code page):
    # real text has ASCII whitespace between words, or is CJK.
    if not sample or len(_TEXTY.findall(sample)) / len(sample) < 0.05:
        return None
    if sample.count(" ") + sample.count("\n") == 0 and len(_JAPANESE.findall(sample)) < 0.3 * len(sample):
        return None
    return Decoded(text, _encoding_name(encoding))


def _check_text(text: str) -> None:
    if not text or text.isspace():
        raise ReadFailure("file contains only whitespace")
    sample = _sample(text)
    visible = len(sample) - sum(sample.count(c) for c in " \t\r\n\u3000")
    if not visible:  # 200 000 blank characters, then text
        return
    replacement = sample.count("\ufffd")
    bad = len(_BAD_CHARS.findall(sample))
    if replacement / visible > 0.3:
        raise ReadFailure("decoded text is mostly replacement characters (U+FFFD); the file is corrupted")
    if bad / visible > 0.3:
        raise ReadFailure("decoded text is mostly control characters; this is not a text file")


codecs.register_error(_COUNTING_HANDLER, _count_and_replace)
