"""Time the whole analysis of one document that is a single very long line (no newline at all).

usage: python bench/long_line.py [--sizes 0.5,1,2,5] [--no-stops] [--profile MB [--sort tottime]]

Each size (MB of UTF-8) is built from the same deterministic mix of made-up news sentences (dates,
numbers, quotes, speakers, organisations), joined without any newline, and run through
``kansoku.pipeline.analyze_document``. Prints CPU and wall seconds per size and the ratio of CPU time
to the first size's (CPU time, because the machine may be shared): a linear pipeline gives ratios
close to the size ratio. ``--no-stops`` drops the 。 too, so sentences are 1000-character cuts.
``--profile MB`` runs cProfile on one size and prints the 25 most expensive functions.
"""

from __future__ import annotations

import argparse
import random
import time

_SENTENCES = (
    "政府は{d}日、{org}の{n}億円の補正予算案を閣議決定した。",
    "{who}は記者会見で「{q}」と述べた。",
    "{org}によると、{place}では{n}人が避難し、{m}棟が被害を受けた。",
    "関係者は「{q}」と話している。",
    "{place}の{org}は{d}日、前年比{n}．{m}％増の見通しを示した。",
    "{who}氏は{d}日夜、{place}で演説し、{q}と強調した。",
    "会議には{n}か国の代表が参加し、{m}時間にわたって協議した。",
    "同社の株価は一時{n}円{m}銭まで下落した（{place}・共同）。",
    "専門家は、今後も{q}可能性があると指摘している。",
    "{d}日午前{m}時ごろ、{place}で震度{n}の地震があった。",
)
_ORGS = ("財務省", "気象庁", "日本銀行", "県警", "市教育委員会", "国際連合", "東西電機株式会社")
_WHO = ("山川太郎首相", "報道官", "田中花子議員", "同社社長", "市長", "委員長")
_PLACES = ("東京都", "大阪市", "北海道", "沖縄県", "ワシントン", "北京", "福岡県北部")
_QUOTES = (
    "状況を注視したい",
    "丁寧に説明していく",
    "早急に対応する必要がある",
    "影響は限定的だ",
    "協議を続ける",
)


def long_line(n_bytes: int, seed: int = 0, stops: bool = True) -> str:
    """About ``n_bytes`` bytes of UTF-8 made-up news prose with no line break (nor 。 without ``stops``)."""
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < n_bytes:
        sentence = rng.choice(_SENTENCES).format(
            d=rng.randint(1, 31),
            n=rng.randint(1, 999),
            m=rng.randint(1, 59),
            org=rng.choice(_ORGS),
            who=rng.choice(_WHO),
            place=rng.choice(_PLACES),
            q=rng.choice(_QUOTES),
        )
        parts.append(sentence if stops else sentence.replace("。", "、"))
        size += len(sentence.encode("utf-8"))
    return "".join(parts)


def time_one(mb: float, stops: bool = True) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one analysis; CPU time is what to compare on a shared machine."""
    from kansoku.model import RawDoc
    from kansoku.pipeline import analyze_document

    text = long_line(int(mb * 1_000_000), stops=stops)
    cpu, wall = time.process_time(), time.perf_counter()
    record = analyze_document(RawDoc(source=f"long-{mb}MB.txt", text=text))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert record["text"], "no text in the record"
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes", default="0.5,1,2,5", help="comma-separated sizes in MB (default 0.5,1,2,5)"
    )
    parser.add_argument("--profile", type=float, default=None, help="profile one size (MB) with cProfile")
    parser.add_argument(
        "--no-stops", action="store_true", help="no sentence-final 。 either (one unit per 1000 chars)"
    )
    parser.add_argument(
        "--sort", default="cumulative", help="pstats sort key for --profile (cumulative, tottime)"
    )
    args = parser.parse_args()

    from kansoku.model import RawDoc
    from kansoku.pipeline import analyze_document

    analyze_document(RawDoc(source="warm.txt", text=long_line(2000)))  # load models and data once

    if args.profile is not None:
        import cProfile
        import pstats

        text = long_line(int(args.profile * 1_000_000), stops=not args.no_stops)
        profiler = cProfile.Profile()
        profiler.enable()
        analyze_document(RawDoc(source="profile.txt", text=text))
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(25)
        return

    sizes = [float(s) for s in args.sizes.split(",") if s.strip()]
    first: float | None = None
    print(f"{'MB':>5} {'cpu s':>9} {'wall s':>9} {'ratio':>7} {'size ratio':>10}")
    for mb in sizes:
        cpu, wall = time_one(mb, stops=not args.no_stops)
        first = first or cpu
        print(f"{mb:>5g} {cpu:>9.2f} {wall:>9.2f} {cpu / first:>7.2f} {mb / sizes[0]:>10.1f}", flush=True)


if __name__ == "__main__":
    main()
