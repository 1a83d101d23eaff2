"""Predictable stand-ins for the slow collaborators (model, index), for fast tests."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answer import Answer
from assistant.compose import bigrams, compose, retrieval_part
from assistant.document import load_corpus
from assistant.inputs import validate_question
from assistant.normalize import expand, normalize
from assistant.settings import Settings

CORPUS = load_corpus(Settings().corpus_dir)


@dataclass(frozen=True, slots=True)
class FakeHit:
    clause: object
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None


class OverlapRetriever:
    """Ranks clauses by shared character bigrams: similarity you can check by hand."""

    def __init__(self, corpus=CORPUS, threshold: float = 0.08):
        self.corpus, self.threshold = corpus, threshold

    def search(self, text: str, k: int = 5):
        q = bigrams(expand(normalize(text)))
        scored = []
        for c in self.corpus.clauses:
            b = bigrams(c.text)
            scored.append((len(q & b) / ((len(q) * len(b)) ** 0.5 or 1), c))  # cosine of bigram sets
        scored.sort(key=lambda x: -x[0])
        return tuple(FakeHit(c, s, i + 1) for i, (s, c) in enumerate(scored[:k]))

    def relevant(self, hits) -> bool:
        return bool(hits) and hits[0].score >= self.threshold


class EchoAssistant:
    """Answers every question with an `info` answer citing the best-overlapping clause (no checker)."""

    def __init__(self, corpus=CORPUS):
        self.corpus = corpus
        self.retriever = OverlapRetriever(corpus)
        self.asked: list[str] = []

    def ask(self, question) -> Answer:
        q = validate_question(question)
        self.asked.append(q)
        if "爆炸" in q:
            raise RuntimeError("boom")  # an unexpected failure, for error-line tests
        hits = self.retriever.search(q)
        part = retrieval_part(self.corpus, q, (), hits, self.retriever.relevant(hits))
        return compose(q, [part], self.corpus, hits=hits)
