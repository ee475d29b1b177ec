"""The nlp stage over a batch (kansoku.nlp.batch) and analyze_batch's groups: the same records as one
document at a time, and a failure stays with its document."""

from __future__ import annotations

from pathlib import Path

from kansoku.model import RawDoc, ReadError

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def _raws() -> list[RawDoc]:
    from kansoku.engine.local import expand

    return [r for r in expand([str(EXAMPLES)]) if isinstance(r, RawDoc)]


def test_tagging_a_batch_gives_each_document_its_own_tags() -> None:
    from kansoku.nlp.batch import tag_documents
    from kansoku.nlp.ner import predict_many
    from kansoku.nlp.tokens import tokens
    from kansoku.pipeline import prepare

    docs = [prepare(r) for r in _raws()]
    assert len(docs) >= 3
    tag_documents(docs)
    for doc in docs:
        alone = predict_many([tokens(doc, s) for s in doc.sentences])
        assert doc.ner == alone and len(doc.ner) == len(doc.sentences)
    assert any(any(spans) for doc in docs for spans in doc.ner)  # the samples do name things


def test_analyze_batch_gives_the_records_of_one_document_at_a_time(monkeypatch) -> None:
    import kansoku.pipeline as pipeline

    raws = _raws()
    monkeypatch.setattr(pipeline, "NLP_GROUP", 2)  # groups of two, the last one short
    grouped = pipeline.analyze_batch(raws)
    single = [pipeline.analyze_document(r) for r in raws]
    assert grouped == single


def test_a_failing_batch_pass_falls_back_to_each_document(monkeypatch) -> None:
    import kansoku.nlp.batch as batch
    import kansoku.pipeline as pipeline

    raws = _raws()[:3]
    want = pipeline.analyze_batch(raws)

    def broken(docs):  # type: ignore[no-untyped-def]
        raise RuntimeError("tagger down")

    monkeypatch.setattr(batch, "tag_documents", broken)
    assert pipeline.analyze_batch(raws) == want


def test_a_document_that_fails_to_prepare_is_its_own_error(monkeypatch) -> None:
    import kansoku.pipeline as pipeline

    raws = _raws()[:3]
    real = pipeline.prepare

    def flaky(raw):  # type: ignore[no-untyped-def]
        if raw is raws[1]:
            raise ValueError("unreadable\nsecond line")
        return real(raw)

    monkeypatch.setattr(pipeline, "prepare", flaky)
    out = pipeline.analyze_batch(raws)
    assert isinstance(out[1], ReadError) and out[1].reason == "analysis failed: ValueError: unreadable"
    assert [isinstance(r, dict) for r in out] == [True, False, True]
    assert out[0]["source"] == raws[0].source and out[2]["source"] == raws[2].source
