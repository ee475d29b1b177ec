"""Genre of a document: opinion, report, analysis, dialogue or blog (SemEval-2023 Task 3 st.1 flavour).

Each genre collects weighted cues (regexes over the text); the scores are normalised by document size
and the best genre wins.  Strong structural signals short-cut the vote: three or more speaker-prefixed
lines by at least two speakers make a dialogue.
"""

from __future__ import annotations

import re
from typing import Any

from kansoku import rx
from kansoku.model import Document

LABELS = ("opinion", "report", "analysis", "dialogue", "blog")

_SPEAKER = rx.compile(r"^[ \t　]*((?:[^\s:：「」。、]{1,12}|[QＱAＡ問答])[:：])(?=[^\n])", re.M)
_INTERVIEW = rx.compile(r"^[ \t　]*(?:――|──|—{2}|[-－]{2})(?=\S)", re.M)

# genre -> [(cue name, regex, weight)]
_CUES: dict[str, list[tuple[str, re.Pattern[str], float]]] = {
    "report": [
        (
            "dateline",
            rx.compile(
                r"【[^】\n]{1,24}(?:=|＝)[^】\n]{0,12}】|（[^）\n]{1,12}(?:=|＝)(?:共同|時事|ロイター|AFP|ＡＦＰ|AP|ＡＰ)[^）\n]{0,6}）"
            ),
            3.0,
        ),
        (
            "wire",
            rx.compile(
                r"(?:共同通信|時事通信|ロイター|AFP|ＡＦＰ|AP通信|ＡＰ通信|タス通信|新華社|聯合ニュース|ブルームバーグ)"
            ),
            0.7,
        ),
        ("according_to", rx.compile(r"によると|によれば|関係者の話"), 1.0),
        (
            "said",
            rx.compile(r"と(?:述べ|語っ|話し|明らかにし|発表し|表明し|強調し|伝え|報じ|指摘し)(?:た|ました)"),
            1.0,
        ),
        ("date", rx.compile(r"(?:\d{1,2}|[０-９]{1,2})日(?:、|に|夜|朝|午前|午後)"), 0.6),
    ],
    "opinion": [
        (
            "first_person",
            rx.compile(r"(?:私|筆者|わたし|我々|われわれ|私たち)(?:は|が|の考え|としては)"),
            1.0,
        ),
        ("should", rx.compile(r"べき(?:だ|である|です|ではない|であろう|なのだ)"), 1.2),
        (
            "think",
            rx.compile(
                r"と(?:思う|思われる|考える|確信する|信じる)(?:。|$)|に違いない|ではないか(?:。|$)|ないだろうか"
            ),
            1.0,
        ),
        ("exclaim", rx.compile(r"断じて|許されない|言語道断|恥ずべき"), 0.8),
        (
            "assert",
            rx.compile(
                r"にすぎ(?:ない|ません)|ほかならない|過言ではない|言うまでもない|明らか(?:だ|です)。|はずがない"
            ),
            0.8,
        ),
    ],
    "blog": [
        (
            "polite_casual",
            rx.compile(r"(?:ですね|ますね|ですよね|でしょうね|ませんね|ですよ|ますよ|かな(?:。|$)|ましょう)"),
            1.0,
        ),
        ("casual_first_person", rx.compile(r"(?:僕|俺|ぼく|おれ|自分的)(?:は|も|が|の)"), 1.2),
        ("laugh", rx.compile(r"（笑）|\(笑\)|ｗｗ|ww|！！|!!"), 1.0),
        ("readers", rx.compile(r"(?:皆さん|みなさん|読者の皆様|今回は|今日は)"), 0.7),
        ("polite_ending", rx.compile(r"(?:です|ます|ません|でしょう)。"), 0.3),
        ("self_reference", rx.compile(r"本稿|拙稿|当ブログ|本ブログ|させていただ|管理人"), 0.8),
        ("link", rx.compile(r"https?://\S+"), 0.3),
        ("blog_meta", rx.compile(r"(?:ブログ|記事を書|拡散|いいね|フォロー|コメント欄|更新日)"), 0.6),
    ],
    "analysis": [
        (
            "heading",
            rx.compile(
                r"^[ \t　]*(?:\d+[.．、)]|[①-⑳]|[■●◆◇□▼▶]|第[一二三四五]に|[（(][0-9０-９一二三四五][）)])[^\n]{0,40}$",
                re.M,
            ),
            0.8,
        ),
        ("bullet", rx.compile(r"^[ \t　]*(?:[・•\-－*＊])[^\n]{2,}", re.M), 0.5),
        ("summary", rx.compile(r"(?:まとめ|結論|考察|要点|ポイント|背景|展望|シナリオ|含意|示唆)"), 0.8),
        (
            "hedge",
            rx.compile(
                r"可能性(?:が|は)(?:ある|高い|低い)|とみられる|と考えられる|かもしれない|見通し|であろう|だろう(?:。|$)|リスク"
            ),
            0.6,
        ),
        ("enumeration", rx.compile(r"第一に|第二に|第三に|一方で|他方で|したがって"), 0.5),
    ],
}


def _nonempty_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def classify_genre(doc: Document, title: str | None = None) -> dict[str, Any]:
    """Classify ``doc`` into one of :data:`LABELS`; returns ``{"label", "cues": [...]}``.

    Every cue is ``{"text", "start", "end", "cue"}`` with ``text == doc[start:end]`` (cue = "genre:name").
    """
    text, sentences = doc.text, doc.sentences
    n_sent = max(1, len(sentences) if sentences else len(re.findall(r"[。！？!?]", text)) or 1)
    lines = _nonempty_lines(text)

    speakers = [m for m in _SPEAKER.finditer(text)]
    speaker_names = {m.group(1).rstrip(":：") for m in speakers}
    interview = list(_INTERVIEW.finditer(text))
    if (len(speakers) >= 3 and len(speaker_names) >= 2 and len(speakers) >= 0.25 * len(lines)) or len(
        interview
    ) >= 3:
        cues = [
            {"text": m.group(1), "start": m.start(1), "end": m.end(1), "cue": "dialogue:speaker"}
            for m in speakers
        ] + [
            {"text": m.group(0), "start": m.start(), "end": m.end(), "cue": "dialogue:interview"}
            for m in interview
        ]
        cues.sort(key=lambda c: c["start"])
        return {"label": "dialogue", "cues": cues[:20]}

    scores: dict[str, float] = {g: 0.0 for g in LABELS}
    found: dict[str, list[dict[str, Any]]] = {g: [] for g in LABELS}
    for genre, cues_ in _CUES.items():
        for name, pat, w in cues_:
            for m in pat.finditer(text):
                if m.end() == m.start():
                    continue
                scores[genre] += w
                found[genre].append(
                    {"text": m.group(0), "start": m.start(), "end": m.end(), "cue": f"{genre}:{name}"}
                )
    if title and re.search(r"(?:べき|か？|\?|！|!)", title):
        scores["opinion"] += 1.0
    scale = max(3.0, n_sent**0.5 * 2.0)
    norm = {g: s / scale for g, s in scores.items()}
    # polite casual style with first person leans blog even with some opinion cues
    if norm["blog"] >= 0.6 and norm["blog"] >= 0.5 * norm["opinion"]:
        norm["blog"] += 0.3
    label = max(("report", "analysis", "opinion", "blog"), key=lambda g: norm[g])
    if norm[label] < 0.3:
        label = "report"
    cues = sorted(found[label], key=lambda c: c["start"])[:20]
    return {"label": label, "cues": cues}
