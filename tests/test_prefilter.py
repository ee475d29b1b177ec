"""Literal guards (kansoku.prefilter): a pattern skipped by its guard has no match."""

from __future__ import annotations

import random
import re

from kansoku.prefilter import literal_guard, may_match

PATTERNS = [
    r"(?<=[」』])(?P<q>などと|と)、?(?P<np>[^、。]{1,8})(?:は|が)述べた",
    r"(?<=[ぁ-ゖー])(?P<q>と)、(?P<np>[^、。]{1,8})が",
    r"[米英露]軍",
    r"[0-9]{1,2}月[0-9]+日",
    r"第[一二三]次(?:世界)?大戦",
    r"(?:ab|cd)?ef",
    r"x(?=y)z?",
    r"(?<!a)bc",
    r"(?<=a|b)c",
    r"(?:[ab]|c[de])(?:f|gh)i?",
    r"[^x]y",
    r"\bab\b",
    r"a(?:b|)c",
    r"(?<=[a-c])(?:d|e)",
    r"(?i:ab)c",
    r"(?<=[はが])(?:甲|乙|丙|丁|戊|己|庚|辛|壬|癸)年",  # more literals than _MANY: tested as one alternation
]
ALPHABET = "abcdefghixyz」』と、などは述べが米英露軍0123456789月日第一二三次世界大戦 甲乙丙年"


def _text(rng: random.Random, longest: int = 14) -> str:
    """A random text over ALPHABET, up to ``longest`` characters."""
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, longest)))


def _range(rng: random.Random, text: str) -> tuple[int, int]:
    """A random (lo, hi) range inside ``text``."""
    lo = rng.randint(0, len(text))
    return lo, rng.randint(lo, len(text))


def _ranged_cases(seed: int, per_pattern: int):  # type: ignore[no-untyped-def]
    """(compiled pattern, random text, lo, hi) for each of PATTERNS, ``per_pattern`` texts each."""
    rng = random.Random(seed)
    for pattern in PATTERNS:
        compiled = re.compile(pattern)
        for _ in range(per_pattern):
            text = _text(rng)
            yield (compiled, text, *_range(rng, text))


def test_guard_never_skips_a_match() -> None:
    rng = random.Random(7)
    for pattern in PATTERNS:
        compiled = re.compile(pattern)
        guard = literal_guard(compiled)
        assert guard is None or all(guard), pattern
        for _ in range(3000):
            text = _text(rng)
            if compiled.search(text):
                assert may_match(compiled, text), (pattern, text, guard)
        # and texts built to match: the guard passes them
        for text in ("」と、山田は述べた", "ぁと、彼が", "米軍", "12月3日", "第二次世界大戦", "abef", "xz", "bc", "bbc",
                     "bgh", "zy", "ab", "ac", "ad", "ABc"):
            if compiled.search(text):
                assert may_match(compiled, text), (pattern, text)


def test_runs_join_small_classes_groups_and_lookbehinds() -> None:
    def guard(p: str) -> frozenset[str] | None:
        return literal_guard(re.compile(p))

    # the lookbehind and the group after it: not just と (the verbs after it are not a small set)
    assert guard(r"(?<=[」』])(?P<q>などと|と)、?(?P<np>[^、。]{1,8})(?:は|が)[^。]{0,4}(?:述べ|語っ|話し|明かし|強調し)") == {
        "」と", "』と", "」などと", "』などと"}  # minimal: 」と、 holds 」と
    assert guard(PATTERNS[1]) == {"と、"}
    assert guard(r"[米英露]軍") == {"米軍", "英軍", "露軍"}
    assert guard(r"第[一二三]次(?:世界)?大戦") == {f"第{n}次{w}大戦" for n in "一二三" for w in ("", "世界")}
    assert guard(r"(?i)abc") is None
    assert guard(r"[^x]y") == {"y"}
    assert guard(r"x(?=y)z?") == {"x"}
    assert len(guard(PATTERNS[-1])) == 20  # type: ignore[arg-type]


def test_may_match_in_a_range_sees_a_lookbehind_before_it() -> None:
    from kansoku.prefilter import may_match_in

    for compiled, text, lo, hi in _ranged_cases(11, 2000):
        if compiled.search(text, lo, hi):
            assert may_match_in(compiled, text, lo, hi), (compiled.pattern, text, lo, hi)
    p = re.compile(r"(?<=[」』])と、")
    assert may_match_in(p, "「はい」と、", 4, 6) and p.search("「はい」と、", 4, 6)  # 」 sits before the range
    assert not may_match_in(p, "「はい」と、", 0, 4)


def test_guards_are_kept_for_later_processes(tmp_path, monkeypatch) -> None:
    """A guard computed once is written to the user cache and read back by a later process (here: a fresh
    store over the same folder), which then parses nothing."""
    import kansoku.prefilter as pf
    from kansoku.cachedir import MarshalMemo

    monkeypatch.setenv("KANSOKU_CACHE_DIR", str(tmp_path))
    first = MarshalMemo("guards", pf._guard_file_key)
    monkeypatch.setattr(pf, "_STORE", first)
    pattern = re.compile(r"(?<=[」』])と述べ[たる]")
    pf.literal_guard.cache_clear()
    want = pf.literal_guard(pattern)
    assert want == {f"{q}と述べ{e}" for q in "」』" for e in "たる"} and pf.save() and not pf.save()  # nothing new the second time
    later = MarshalMemo("guards", pf._guard_file_key)
    monkeypatch.setattr(pf, "_STORE", later)
    pf.literal_guard.cache_clear()
    monkeypatch.setattr(pf, "_required", lambda items: None)  # a parse would now give no guard
    assert pf.literal_guard(pattern) == want
    pf.literal_guard.cache_clear()


def test_finditer_gives_the_patterns_own_matches() -> None:
    """prefilter.finditer over a whole text or a range yields exactly what pattern.finditer does."""
    from kansoku.prefilter import finditer

    for compiled, text, lo, hi in _ranged_cases(13, 500):
        assert [m.span() for m in finditer(compiled, text)] == [m.span() for m in compiled.finditer(text)]
        assert [m.span() for m in finditer(compiled, text, lo, hi)] == [
            m.span() for m in compiled.finditer(text, lo, hi)]


def test_live_rules_out_only_patterns_the_document_cannot_match() -> None:
    """prefilter.Live: searching a slice, a per-character mapping of a slice or a □-masked slice of a
    document finds what the pattern itself finds, and a pattern the document lacks is dead."""
    from kansoku.prefilter import Live

    compiled = [re.compile(p) for p in PATTERNS]
    fold = str.maketrans("甲乙", "丙丁")  # a per-character mapping, applied to the document and its parts alike
    rng = random.Random(17)
    for _ in range(400):
        doc = _text(rng, 40)
        live, mapped = Live(compiled, doc), Live(compiled, doc.translate(fold))
        for p in compiled:
            assert live.dead(p) == (not may_match(p, doc))
            for _ in range(4):
                lo, hi = _range(rng, doc)
                part = doc[lo:hi]
                masked = "".join("□" if rng.random() < 0.2 else c for c in part)
                folded = part.translate(fold)
                for got, searched in ((live, part), (live, masked), (mapped, folded)):
                    assert [m.span() for m in got.finditer(p, searched)] == [m.span() for m in p.finditer(searched)]
                    assert got.may_match(p, searched) or p.search(searched) is None
    other = re.compile("甲乙")
    assert [m.span() for m in Live(compiled, "").finditer(other, "甲乙")] == [(0, 2)]  # not listed: searched


def test_document_wide_guards_hold_for_the_stages_that_use_them() -> None:
    """The stages search parts of a document that are mapped or masked; Live is exact there only when no
    literal their patterns need has a character the mapping adds or the masking writes."""
    from kansoku.extract import claims, quantities, timex

    def literals(patterns) -> set[str]:  # type: ignore[no-untyped-def]
        return {lit for p in patterns for lit in (literal_guard(p) or ())}

    pats = claims._patterns()
    cue = literals(pats[f] for f in (*claims._CUE_FAMILIES, "reaction", "according", "wording"))
    assert cue and not any("□" in lit for lit in cue)
    source = literals(quantities._SOURCE_PATTERNS)
    assert source and not any("□" in lit for lit in source)
    own = literals(timex._own_patterns())  # _normalize writes digits (kansuji, 元年) and drops commas between them
    assert own and not any(c.isdigit() for lit in own for c in lit)


def test_stage_mappings_are_one_character_to_one() -> None:
    """quantities and timex read a sentence as a slice of the mapped document: their mappings must keep
    every character one character."""
    from kansoku.extract import quantities, timex

    assert all(isinstance(v, int) for v in quantities._NORM.values())  # maketrans(from, to): code points
    sample = "".join(map(chr, range(0x20, 0x3100))) + "ﬁ㍻①Ⅻ"
    assert len(sample.translate(timex._NFKC_ONE)) == len(sample)
    assert sample.translate(quantities._NORM) == "".join(c.translate(quantities._NORM) for c in sample)
