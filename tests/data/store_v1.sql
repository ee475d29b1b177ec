-- A store of schema version 1 (kansoku before issue 15): two articles, for the migration test.
-- Made by `kansoku ingest a.txt b.txt` with the schema-1 code; the FTS rows are rebuilt by the triggers.
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    n                INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    source           TEXT NOT NULL,
    title            TEXT,
    outlet           TEXT,
    published        TEXT,
    authors          TEXT,
    genre            TEXT,
    text             TEXT NOT NULL,
    record_json      TEXT NOT NULL,
    content_hash     TEXT NOT NULL,
    pipeline_version TEXT NOT NULL,
    ingested_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_published ON documents(published);
CREATE INDEX IF NOT EXISTS documents_outlet ON documents(outlet);
CREATE INDEX IF NOT EXISTS documents_genre ON documents(genre);
CREATE INDEX IF NOT EXISTS documents_version ON documents(pipeline_version);

CREATE TABLE IF NOT EXISTS sources (
    source       TEXT PRIMARY KEY,
    doc_id       TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    mtime        REAL,
    size         INTEGER,
    ingested_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sources_doc ON sources(doc_id);

CREATE TABLE IF NOT EXISTS entities (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_en     TEXT,
    type        TEXT NOT NULL,
    surname_key TEXT
);
CREATE INDEX IF NOT EXISTS entities_name ON entities(name);
CREATE INDEX IF NOT EXISTS entities_surname ON entities(surname_key) WHERE surname_key IS NOT NULL;

CREATE TABLE IF NOT EXISTS mentions (
    doc_id    TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    entity_id TEXT NOT NULL REFERENCES entities(id),
    text      TEXT NOT NULL,
    start     INTEGER NOT NULL,
    "end"     INTEGER NOT NULL,
    method    TEXT,
    vkey      TEXT,
    PRIMARY KEY (doc_id, start, "end", entity_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id);
CREATE INDEX IF NOT EXISTS mentions_text ON mentions(text);
CREATE INDEX IF NOT EXISTS mentions_vkey ON mentions(vkey);

CREATE TABLE IF NOT EXISTS quantities (
    doc_id           TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx              INTEGER NOT NULL,
    text             TEXT NOT NULL,
    start            INTEGER NOT NULL,
    "end"            INTEGER NOT NULL,
    value            REAL,
    unit             TEXT,
    approx           INTEGER,
    qualifier        TEXT,
    range_to         REAL,
    subject          TEXT,
    source           TEXT,
    source_start     INTEGER,
    source_end       INTEGER,
    source_entity_id TEXT,
    PRIMARY KEY (doc_id, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS quantities_unit ON quantities(unit);

CREATE TABLE IF NOT EXISTS claims (
    doc_id            TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    claim_id          INTEGER NOT NULL,
    text              TEXT NOT NULL,
    start             INTEGER NOT NULL,
    "end"             INTEGER NOT NULL,
    speaker           TEXT,
    speaker_start     INTEGER,
    speaker_end       INTEGER,
    speaker_entity_id TEXT,
    cue               TEXT,
    kind              TEXT,
    content_start     INTEGER,
    content_end       INTEGER,
    PRIMARY KEY (doc_id, claim_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS claims_speaker ON claims(speaker_entity_id);

CREATE TABLE IF NOT EXISTS events (
    doc_id    TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx       INTEGER NOT NULL,
    text      TEXT NOT NULL,
    start     INTEGER NOT NULL,
    "end"     INTEGER NOT NULL,
    date      TEXT,
    entities  TEXT NOT NULL,
    claim_ids TEXT NOT NULL,
    PRIMARY KEY (doc_id, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_date ON events(date);

CREATE TABLE IF NOT EXISTS frames (
    doc_id   TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    frame_id TEXT NOT NULL,
    label    TEXT,
    label_en TEXT,
    family   TEXT,
    score    REAL,
    voice    TEXT,
    start    INTEGER,
    "end"    INTEGER,
    evidence TEXT NOT NULL,
    PRIMARY KEY (doc_id, frame_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS frames_frame ON frames(frame_id);

CREATE TABLE IF NOT EXISTS stance (
    doc_id      TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    target      TEXT NOT NULL,
    target_name TEXT,
    score       REAL NOT NULL,
    mentions    INTEGER,
    start       INTEGER,
    "end"       INTEGER,
    evidence    TEXT NOT NULL,
    drivers     TEXT NOT NULL,
    PRIMARY KEY (doc_id, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stance_target ON stance(target);

CREATE TABLE IF NOT EXISTS timex (
    doc_id   TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx      INTEGER NOT NULL,
    text     TEXT NOT NULL,
    start    INTEGER NOT NULL,
    "end"    INTEGER NOT NULL,
    value    TEXT,
    type     TEXT,
    resolved INTEGER,
    anchor   TEXT,
    zone     TEXT,
    PRIMARY KEY (doc_id, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS timex_value ON timex(value);

CREATE VIRTUAL TABLE IF NOT EXISTS fts_tri USING fts5(
    text, content='documents', content_rowid='n', tokenize='trigram'
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts_tok USING fts5(tok, tokenize='unicode61');

CREATE TRIGGER IF NOT EXISTS documents_ai AFTER INSERT ON documents BEGIN
    INSERT INTO fts_tri(rowid, text) VALUES (new.n, new.text);
END;
CREATE TRIGGER IF NOT EXISTS documents_ad AFTER DELETE ON documents BEGIN
    INSERT INTO fts_tri(fts_tri, rowid, text) VALUES ('delete', old.n, old.text);
    DELETE FROM fts_tok WHERE rowid = old.n;
END;
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO meta VALUES ('created_at', '2026-12-06T05:32:24+00:00');
INSERT INTO sources VALUES ('a.txt', 'dae628bde7520792', 'e9117d14569ca133460b23fac2f363701de5497cc28de816ed7dfb1c338349f2', 1.79653514292164254184e+09, 211, '2026-12-06T05:32:32+00:00');
INSERT INTO sources VALUES ('b.txt', '40a54977dbfe822a', 'e9215668de0729075c14716845be00503c032f4f637e08ed7bf532aff3a4d772', 1.79653514292164254184e+09, 152, '2026-12-06T05:32:32+00:00');
INSERT INTO entities VALUES ('gpe:kyiv', 'キーウ', 'Kyiv', 'GPE', NULL);
INSERT INTO entities VALUES ('gpe:ukraine', 'ウクライナ', 'Ukraine', 'GPE', NULL);
INSERT INTO entities VALUES ('org:russian-armed-forces', 'ロシア軍', 'Russian Armed Forces', 'ORG', NULL);
INSERT INTO entities VALUES ('gpe:russia', 'ロシア', 'Russia', 'GPE', NULL);
INSERT INTO entities VALUES ('other:unmanned-aerial-vehicle', '無人機', 'Unmanned aerial vehicle', 'OTHER', NULL);
INSERT INTO entities VALUES ('person:volodymyr-zelensky', 'ウォロディミル・ゼレンスキー', 'Volodymyr Zelensky', 'PERSON', 'ゼレンスキ');
INSERT INTO entities VALUES ('gpe:pokrovsk', 'ポクロフスク', 'Pokrovsk', 'GPE', NULL);
INSERT INTO entities VALUES ('x:org:東部ポクロフスク', '東部ポクロウシク', NULL, 'ORG', NULL);
INSERT INTO documents VALUES (1, 'dae628bde7520792', 'a.txt', 'キーウで15日に攻撃', NULL, NULL, NULL, 'report', 'キーウで15日に攻撃

ウクライナの首都キーウで15日未明、ロシア軍の無人機による攻撃があった。ゼレンスキー大統領は「断固として対応する」と述べた。', '{"schema_version": "1.2", "id": "dae628bde7520792", "source": "a.txt", "title": "キーウで15日に攻撃", "text": "キーウで15日に攻撃\n\nウクライナの首都キーウで15日未明、ロシア軍の無人機による攻撃があった。ゼレンスキー大統領は「断固として対応する」と述べた。", "metadata": {"authors": [], "outlet": null, "published": null, "updated": null, "original": {"outlet": null, "title": null, "author": null, "published": null}, "urls": [], "handles": [], "series": null, "title_span": {"start": 0, "end": 10}, "url": null, "field_sources": {"title": "body"}}, "sentences": [[0, 10], [12, 48], [48, 74]], "entities": [{"id": "gpe:kyiv", "name": "キーウ", "name_en": "Kyiv", "type": "GPE", "mentions": [{"text": "キーウ", "start": 0, "end": 3}, {"text": "キーウ", "start": 20, "end": 23}], "resolution": [{"mention": 0, "text": "キーウ", "method": "gazetteer"}, {"mention": 1, "text": "キーウ", "method": "gazetteer"}]}, {"id": "gpe:ukraine", "name": "ウクライナ", "name_en": "Ukraine", "type": "GPE", "mentions": [{"text": "ウクライナ", "start": 12, "end": 17}], "resolution": [{"mention": 0, "text": "ウクライナ", "method": "gazetteer"}]}, {"id": "org:russian-armed-forces", "name": "ロシア軍", "name_en": "Russian Armed Forces", "type": "ORG", "mentions": [{"text": "ロシア軍", "start": 30, "end": 34}], "resolution": [{"mention": 0, "text": "ロシア軍", "method": "gazetteer"}]}, {"id": "gpe:russia", "name": "ロシア", "name_en": "Russia", "type": "GPE", "mentions": [{"text": "ロシア", "start": 30, "end": 33}], "resolution": [{"mention": 0, "text": "ロシア", "method": "gazetteer"}]}, {"id": "other:unmanned-aerial-vehicle", "name": "無人機", "name_en": "Unmanned aerial vehicle", "type": "OTHER", "mentions": [{"text": "無人機", "start": 35, "end": 38}], "resolution": [{"mention": 0, "text": "無人機", "method": "gazetteer"}]}, {"id": "person:volodymyr-zelensky", "name": "ウォロディミル・ゼレンスキー", "name_en": "Volodymyr Zelensky", "type": "PERSON", "mentions": [{"text": "ゼレンスキー", "start": 48, "end": 54}], "resolution": [{"mention": 0, "text": "ゼレンスキー", "method": "short_form"}]}], "quantities": [], "timex": [{"text": "15日", "start": 4, "end": 7, "value": "XXXX-XX-15", "type": "DATE", "resolved": false, "anchor": null, "zone": null}, {"text": "15日", "start": 24, "end": 27, "value": "XXXX-XX-15", "type": "DATE", "resolved": false, "anchor": null, "zone": null}], "events": [{"text": "キーウで15日に攻撃", "start": 0, "end": 10, "date": "XXXX-XX-15", "timex_index": [0], "entities": ["gpe:kyiv"], "claim_ids": []}, {"text": "ウクライナの首都キーウで15日未明、ロシア軍の無人機による攻撃があった。", "start": 12, "end": 48, "date": "XXXX-XX-15", "timex_index": [1], "entities": ["gpe:kyiv", "gpe:russia", "gpe:ukraine", "org:russian-armed-forces", "other:unmanned-aerial-vehicle"], "claim_ids": []}], "claims": [{"text": "ゼレンスキー大統領は「断固として対応する」と述べた。", "start": 48, "end": 74, "speaker": "ゼレンスキー大統領", "speaker_span": {"start": 48, "end": 57}, "cue": "と述べた", "kind": "quote", "content_span": {"start": 59, "end": 68}, "id": 0, "speaker_entity_id": "person:volodymyr-zelensky"}], "stance": [{"target": "Russia", "target_name": "ロシア", "score": 0.0, "mentions": 2, "evidence": [], "drivers": []}, {"target": "Ukraine", "target_name": "ウクライナ", "score": 0.0, "mentions": 2, "evidence": [], "drivers": []}], "frames": [], "genre": {"label": "report", "cues": [{"text": "15日に", "start": 4, "end": 8, "cue": "report:date"}, {"text": "と述べた", "start": 69, "end": 73, "cue": "report:said"}]}, "persuasion": [], "sourcing": {"named_sources": [{"name": "ゼレンスキー大統領", "count": 1}], "anonymous_sources": [], "urls": {"news": 0, "video": 0, "blog": 0, "official": 0, "social": 0, "other": 0}, "hedges": [], "unattributed_figures": [], "counts": {"claims": 1, "named": 1, "anonymous": 0, "hedges": 0, "unattributed_figures": 0}}, "warnings": [], "pipeline": {"kansoku": "0.1.0"}}', 'dae628bde7520792cad9c3ae2f97098545ca1e86c53cbb76511d3c817554be46', '0.1.0+s1.2+d1a29007c17', '2026-12-06T05:32:32+00:00');
INSERT INTO documents VALUES (2, '40a54977dbfe822a', 'b.txt', 'ポクロフスクで戦闘続く', NULL, NULL, NULL, 'report', 'ポクロフスクで戦闘続く

東部ポクロウシクの周辺で16日、激しい戦闘が続いた。住民約300人が避難したという。', '{"schema_version": "1.2", "id": "40a54977dbfe822a", "source": "b.txt", "title": "ポクロフスクで戦闘続く", "text": "ポクロフスクで戦闘続く\n\n東部ポクロウシクの周辺で16日、激しい戦闘が続いた。住民約300人が避難したという。", "metadata": {"authors": [], "outlet": null, "published": null, "updated": null, "original": {"outlet": null, "title": null, "author": null, "published": null}, "urls": [], "handles": [], "series": null, "title_span": {"start": 0, "end": 11}, "url": null, "field_sources": {"title": "body"}}, "sentences": [[0, 11], [13, 39], [39, 55]], "entities": [{"id": "gpe:pokrovsk", "name": "ポクロフスク", "name_en": "Pokrovsk", "type": "GPE", "mentions": [{"text": "ポクロフスク", "start": 0, "end": 6}, {"text": "ポクロウシク", "start": 15, "end": 21}], "resolution": [{"mention": 0, "text": "ポクロフスク", "method": "gazetteer"}, {"mention": 1, "text": "ポクロウシク", "method": "gazetteer"}]}, {"id": "x:org:東部ポクロフスク", "name": "東部ポクロウシク", "name_en": null, "type": "ORG", "mentions": [{"text": "東部ポクロウシク", "start": 13, "end": 21}], "resolution": [{"mention": 0, "text": "東部ポクロウシク", "method": "new"}]}], "quantities": [{"text": "約300人", "start": 41, "end": 46, "value": 300, "unit": "person", "approx": true, "subject": "住民", "source": null, "source_span": null, "qualifier": "about", "range_to": null, "source_entity_id": null}], "timex": [{"text": "16日", "start": 25, "end": 28, "value": "XXXX-XX-16", "type": "DATE", "resolved": false, "anchor": null, "zone": null}], "events": [{"text": "東部ポクロウシクの周辺で16日、激しい戦闘が続いた。", "start": 13, "end": 39, "date": "XXXX-XX-16", "timex_index": [0], "entities": ["gpe:pokrovsk", "x:org:東部ポクロフスク"], "claim_ids": []}], "claims": [{"text": "住民約300人が避難したという。", "start": 39, "end": 55, "speaker": null, "speaker_span": null, "cue": "という", "kind": "hearsay", "content_span": {"start": 39, "end": 51}, "id": 0, "speaker_entity_id": null}], "stance": [], "frames": [], "genre": {"label": "report", "cues": [{"text": "16日、", "start": 25, "end": 29, "cue": "report:date"}]}, "persuasion": [], "sourcing": {"named_sources": [], "anonymous_sources": [], "urls": {"news": 0, "video": 0, "blog": 0, "official": 0, "social": 0, "other": 0}, "hedges": [], "unattributed_figures": [{"text": "約300人", "start": 41, "end": 46}], "counts": {"claims": 1, "named": 0, "anonymous": 0, "hedges": 0, "unattributed_figures": 1}}, "warnings": [], "pipeline": {"kansoku": "0.1.0"}}', '40a54977dbfe822a66b629eba6e950441e2f290e48235b830a29ffb7df0e39b3', '0.1.0+s1.2+d1a29007c17', '2026-12-06T05:32:32+00:00');
INSERT INTO mentions VALUES ('40a54977dbfe822a', 'gpe:pokrovsk', 'ポクロフスク', 0, 6, 'gazetteer', 'ポクロフスク');
INSERT INTO mentions VALUES ('40a54977dbfe822a', 'x:org:東部ポクロフスク', '東部ポクロウシク', 13, 21, 'new', '東部ポクロフスク');
INSERT INTO mentions VALUES ('40a54977dbfe822a', 'gpe:pokrovsk', 'ポクロウシク', 15, 21, 'gazetteer', 'ポクロフスク');
INSERT INTO mentions VALUES ('dae628bde7520792', 'gpe:kyiv', 'キーウ', 0, 3, 'gazetteer', 'キウ');
INSERT INTO mentions VALUES ('dae628bde7520792', 'gpe:ukraine', 'ウクライナ', 12, 17, 'gazetteer', 'ウクライナ');
INSERT INTO mentions VALUES ('dae628bde7520792', 'gpe:kyiv', 'キーウ', 20, 23, 'gazetteer', 'キウ');
INSERT INTO mentions VALUES ('dae628bde7520792', 'gpe:russia', 'ロシア', 30, 33, 'gazetteer', 'ロシア');
INSERT INTO mentions VALUES ('dae628bde7520792', 'org:russian-armed-forces', 'ロシア軍', 30, 34, 'gazetteer', 'ロシア軍');
INSERT INTO mentions VALUES ('dae628bde7520792', 'other:unmanned-aerial-vehicle', '無人機', 35, 38, 'gazetteer', '無人機');
INSERT INTO mentions VALUES ('dae628bde7520792', 'person:volodymyr-zelensky', 'ゼレンスキー', 48, 54, 'short_form', 'ゼレンスキ');
INSERT INTO quantities VALUES ('40a54977dbfe822a', 0, '約300人', 41, 46, 300.0, 'person', 1, 'about', NULL, '住民', NULL, NULL, NULL, NULL);
INSERT INTO claims VALUES ('40a54977dbfe822a', 0, '住民約300人が避難したという。', 39, 55, NULL, NULL, NULL, NULL, 'という', 'hearsay', 39, 51);
INSERT INTO claims VALUES ('dae628bde7520792', 0, 'ゼレンスキー大統領は「断固として対応する」と述べた。', 48, 74, 'ゼレンスキー大統領', 48, 57, 'person:volodymyr-zelensky', 'と述べた', 'quote', 59, 68);
INSERT INTO events VALUES ('40a54977dbfe822a', 0, '東部ポクロウシクの周辺で16日、激しい戦闘が続いた。', 13, 39, 'XXXX-XX-16', '["gpe:pokrovsk", "x:org:東部ポクロフスク"]', '[]');
INSERT INTO events VALUES ('dae628bde7520792', 0, 'キーウで15日に攻撃', 0, 10, 'XXXX-XX-15', '["gpe:kyiv"]', '[]');
INSERT INTO events VALUES ('dae628bde7520792', 1, 'ウクライナの首都キーウで15日未明、ロシア軍の無人機による攻撃があった。', 12, 48, 'XXXX-XX-15', '["gpe:kyiv", "gpe:russia", "gpe:ukraine", "org:russian-armed-forces", "other:unmanned-aerial-vehicle"]', '[]');
INSERT INTO stance VALUES ('dae628bde7520792', 0, 'Russia', 'ロシア', 0.0, 2, NULL, NULL, '[]', '[]');
INSERT INTO stance VALUES ('dae628bde7520792', 1, 'Ukraine', 'ウクライナ', 0.0, 2, NULL, NULL, '[]', '[]');
INSERT INTO timex VALUES ('40a54977dbfe822a', 0, '16日', 25, 28, 'XXXX-XX-16', 'DATE', 0, NULL, NULL);
INSERT INTO timex VALUES ('dae628bde7520792', 0, '15日', 4, 7, 'XXXX-XX-15', 'DATE', 0, NULL, NULL);
INSERT INTO timex VALUES ('dae628bde7520792', 1, '15日', 24, 27, 'XXXX-XX-15', 'DATE', 0, NULL, NULL);
INSERT INTO fts_tok(rowid, tok) VALUES (1, 'キーウ で 15 日 に 攻撃 ウクライナ の 首都 キーウ で 15 日 未明 、 ロシア 軍 の 無人機 に よる 攻撃 が あっ た 。 ゼレンスキー 大統領 は 「 断固 と し て 対応 する 」 と 述べ た 。
無人 機 有る 為る 為る 述べる');
INSERT INTO fts_tok(rowid, tok) VALUES (2, 'ポクロフスク で 戦闘 続く 東部 ポクロウシク の 周辺 で 16 日 、 激しい 戦闘 が 続い た 。 住民 約 300 人 が 避難 し た と いう 。
続く 為る 言う');
