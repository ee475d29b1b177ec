"""Charts for the corpus briefing, rendered to self-contained SVG strings with matplotlib.

Japanese text is drawn with the IPAex Gothic font that ships inside the japanize-matplotlib package, and
SVG text is stored as paths (``svg.fonttype = "path"``) so the page needs no font at all.  Every
``savefig`` runs under ``warnings.catch_warnings``: missing-glyph warnings are collected and re-issued
as :class:`GlyphWarning` (or raised with ``strict=True``), so a tofu box never slips through silently.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Sequence
from datetime import date

_GLYPH = re.compile(r"missing from|Glyph", re.I)


class GlyphWarning(UserWarning):
    """A character could not be drawn with the chart font."""


def _mpl():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    _japanese_font()

    matplotlib.rcParams["svg.fonttype"] = "path"
    matplotlib.rcParams["svg.hashsalt"] = "kansoku"  # deterministic ids inside the SVG
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["font.family"] = ["IPAexGothic", "sans-serif"]
    return plt


_FONT_READY = False


def _japanese_font() -> None:
    """Register IPAex Gothic from the japanize-matplotlib package (its import needs distutils, which newer
    Pythons lack, so the font file is registered directly when the import fails)."""
    global _FONT_READY
    if _FONT_READY:
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import japanize_matplotlib  # noqa: F401 - registers IPAexGothic
    except ImportError:
        import importlib.util
        from pathlib import Path

        from matplotlib import font_manager

        spec = importlib.util.find_spec("japanize_matplotlib")
        if spec is None or not spec.submodule_search_locations:
            raise
        for loc in spec.submodule_search_locations:
            for ttf in sorted(Path(loc, "fonts").glob("*.ttf")):
                font_manager.fontManager.addfont(str(ttf))
    _FONT_READY = True


def to_svg(fig, strict: bool = False) -> str:  # type: ignore[no-untyped-def]
    """The figure as an inline ``<svg>`` element (no XML prolog, no external references)."""
    plt = _mpl()
    buf = io.StringIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    glyphs = [str(w.message) for w in caught if _GLYPH.search(str(w.message))]
    if glyphs:
        if strict:
            raise RuntimeError("missing glyphs in chart: " + "; ".join(sorted(set(glyphs))[:5]))
        for g in sorted(set(glyphs)):
            warnings.warn(f"kansoku chart: {g}", GlyphWarning, stacklevel=2)
    svg = buf.getvalue()
    svg = svg[svg.find("<svg") :]
    return svg


def _short(s: str, n: int = 18) -> str:
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[: n - 1] + "…"


def heatmap(
    rows: Sequence[str], cols: Sequence[str], values: Sequence[Sequence[float | None]], title: str,
    xlabel: str = "", ylabel: str = "", diverging: bool = False, strict: bool = False,
) -> str:
    """Rows × columns heatmap with the value printed in each cell (blank cell = not present)."""
    plt = _mpl()
    import numpy as np

    data = np.array([[np.nan if v is None else float(v) for v in row] for row in values], dtype=float)
    w = max(4.5, 1.2 + 1.1 * len(cols))
    h = max(2.2, 0.9 + 0.38 * len(rows))
    fig, ax = plt.subplots(figsize=(w, h))
    cmap = plt.get_cmap("RdBu" if diverging else "Blues").with_extremes(bad="#f2f2f2")
    vmin, vmax = (-1.0, 1.0) if diverging else (0.0, 1.0)
    ax.imshow(np.ma.masked_invalid(data), cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(range(len(cols)), [_short(c, 14) for c in cols], rotation=30, ha="right", fontsize=9)
    ax.set_yticks(range(len(rows)), [_short(r, 22) for r in rows], fontsize=9)
    for i in range(len(rows)):
        for j in range(len(cols)):
            v = data[i, j]
            if not math.isnan(v):
                dark = abs(v) > 0.55
                ax.text(j, i, f"{v:+.2f}" if diverging else f"{v:.2f}", ha="center", va="center", fontsize=8,
                        color="white" if dark else "black")
    ax.set_title(title, fontsize=11)
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=9)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=9)
    return to_svg(fig, strict)


def spring_layout(n: int, edges: dict[tuple[int, int], float], iterations: int = 200, seed: int = 7):  # type: ignore[no-untyped-def]
    """Fruchterman–Reingold layout in numpy (deterministic for a given seed)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    pos = rng.uniform(-1, 1, size=(n, 2))
    if n <= 1:
        return np.zeros((n, 2))
    k = 1.0 / math.sqrt(n)
    adj = np.zeros((n, n))
    for (i, j), w in edges.items():
        adj[i, j] = adj[j, i] = w
    if adj.max() > 0:
        adj = adj / adj.max()
    t = 0.1
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((delta**2).sum(-1)) + 1e-9
        rep = (k * k / dist**2)[:, :, None] * delta
        att = (adj * dist / k)[:, :, None] * delta
        disp = (rep - att).sum(1)
        length = np.sqrt((disp**2).sum(1)) + 1e-9
        pos += disp / length[:, None] * np.minimum(length, t)[:, None]
        t *= 0.98
    pos -= pos.mean(0)
    scale = np.abs(pos).max() or 1.0
    return pos / scale


def network(
    nodes: Sequence[tuple[str, float]], edges: dict[tuple[int, int], float], title: str, strict: bool = False
) -> str:
    """Co-occurrence network: ``nodes`` = (label, size), ``edges`` = {(i, j): weight}."""
    plt = _mpl()
    fig, ax = plt.subplots(figsize=(7.5, 6))
    if nodes:
        pos = spring_layout(len(nodes), edges)
        wmax = max(edges.values()) if edges else 1.0
        for (i, j), w in sorted(edges.items()):
            ax.plot([pos[i, 0], pos[j, 0]], [pos[i, 1], pos[j, 1]], color="#8aa", alpha=0.25 + 0.6 * w / wmax,
                    linewidth=0.5 + 3.0 * w / wmax, zorder=1)
        smax = max(s for _, s in nodes) or 1.0
        for i, (label, size) in enumerate(nodes):
            ax.scatter([pos[i, 0]], [pos[i, 1]], s=80 + 900 * size / smax, color="#3b6ea8", alpha=0.85, zorder=2,
                       edgecolors="white")
            ax.text(pos[i, 0], pos[i, 1] - 0.07, _short(label, 14), ha="center", va="top", fontsize=8, zorder=3)
    ax.set_title(title, fontsize=11)
    ax.set_axis_off()
    ax.margins(0.12)
    return to_svg(fig, strict)


def timeline_chart(
    events: Sequence[dict], title: str, xlabel: str, strict: bool = False, max_events: int = 14
) -> str:
    """Dated events as points on a date axis (size = independent sources), one labelled row each."""
    plt = _mpl()
    dated = []
    for e in events:
        d = e.get("date") or ""
        m = re.match(r"(\d{4})-(\d{2})-(\d{2})", d)
        if m:
            try:
                dated.append((date(int(m[1]), int(m[2]), int(m[3])), e))
            except ValueError:
                continue
    dated = sorted(dated, key=lambda x: (-x[1].get("independent_sources", 1), x[0]))[:max_events]
    dated.sort(key=lambda x: (x[0], x[1].get("text", "")))
    fig, ax = plt.subplots(figsize=(8.5, max(2.5, 0.36 * len(dated) + 1.2)))
    if dated:
        xs = [d for d, _ in dated]
        ys = list(range(len(dated)))[::-1]
        sizes = [30 + 50 * e.get("independent_sources", 1) for _, e in dated]
        ax.hlines(ys, min(xs), xs, color="#dddddd", linewidth=0.8, zorder=1)
        ax.scatter(xs, ys, s=sizes, color="#c0504d", zorder=3)
        ax.set_yticks(ys, [f"{d.isoformat()}  {_short(e.get('text', ''), 30)}" for d, e in dated], fontsize=8)
        lo, hi = min(xs), max(xs)
        from datetime import timedelta

        pad = timedelta(days=max(1, (hi - lo).days // 10 + 1))
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(-0.8, len(dated) - 0.2)
        fig.autofmt_xdate()
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel, fontsize=9)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    return to_svg(fig, strict)


def bars(labels: Sequence[str], values: Sequence[float], title: str, strict: bool = False) -> str:
    """Horizontal bars (used for counts such as articles per outlet)."""
    plt = _mpl()
    fig, ax = plt.subplots(figsize=(6, max(2.0, 0.35 * len(labels) + 0.8)))
    ys = list(range(len(labels)))[::-1]
    ax.barh(ys, values, color="#3b6ea8")
    ax.set_yticks(ys, [_short(lab, 22) for lab in labels], fontsize=9)
    ax.set_title(title, fontsize=11)
    for side in ("right", "top"):
        ax.spines[side].set_visible(False)
    return to_svg(fig, strict)
