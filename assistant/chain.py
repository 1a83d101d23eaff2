"""The answer chain (LangChain LCEL): normalise → (exact reference ∥ checker ∥ hybrid retrieval) → compose → verify.

Each stage is a plain function wrapped as a Runnable, so tests can invoke them one by one. The checker's
verdict is authoritative; retrieval answers only what the checker is silent on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from .answer import Answer
from .compose import PartResult, checker_part, compose, retrieval_part
from .document import Corpus, load_corpus
from .inputs import validate_question
from .normalize import normalize
from .settings import Settings
from .verdict import Decision


@dataclass(frozen=True, slots=True)
class Query:
    question: str  # as asked (validated)
    text: str  # normalised
    parts: tuple[str, ...]  # normalised parts of a multi-part question


def build_chain(corpus: Corpus, rules, retriever, *, today: Callable[[], date] = date.today):
    """The LCEL pipeline. `retriever` needs only .search(text) and .relevant(hits)."""
    from langchain_core.runnables import RunnableLambda, RunnableParallel

    from .extract import check_text, split_parts
    from .refs import resolve
    from .verify import verify

    def normalise(question: str) -> Query:
        text = normalize(question)
        return Query(question, text, tuple(split_parts(text)) or (text,))

    def references(q: Query):
        return tuple(resolve(p, corpus.clauses) for p in q.parts)

    def checker(q: Query):
        return check_text(q.question, rules)

    def retrieval(q: Query):
        whole = retriever.search(q.text)
        per_part = [whole] if len(q.parts) == 1 else [retriever.search(p) for p in q.parts]
        return whole, tuple((h, retriever.relevant(h)) for h in per_part)

    def decide(s: dict) -> Answer:
        q, tv, refs = s["query"], s["checker"], s["refs"]
        whole, per_part = s["retrieval"]
        parts: list[PartResult] = []
        checked = {p.text: p for p in tv.parts if p.verdict.decision != Decision.NOT_COVERED} if tv.applies else {}
        used = set()
        for i, text in enumerate(q.parts):
            cp = _match(checked, text, used)
            if cp is not None:
                parts.append(checker_part(corpus, cp))
            else:
                hits, relevant = per_part[min(i, len(per_part) - 1)]
                parts.append(retrieval_part(corpus, text, refs[i] if i < len(refs) else (), hits, relevant))
        # checker parts the splitter here did not see (the checker splits more finely)
        parts += [checker_part(corpus, p) for t, p in checked.items() if t not in used]
        if all(p.decision == Decision.NOT_COVERED for p in parts) and len(parts) > 1:
            parts = parts[:1]
        nearest = whole[0].clause if whole else None
        return compose(q.question, parts, corpus, hits=whole, disregarded=tv.disregarded, today=today(),
                       nearest=nearest)

    def verified(a: Answer) -> Answer:
        from dataclasses import replace

        return replace(a, citations=verify(a.citations, corpus))

    return (
        RunnableLambda(normalise, name="normalise")
        | RunnableParallel(query=lambda q: q, refs=RunnableLambda(references, name="refs"),
                           checker=RunnableLambda(checker, name="checker"),
                           retrieval=RunnableLambda(retrieval, name="retrieve"))
        | RunnableLambda(decide, name="compose")
        | RunnableLambda(verified, name="verify")
    )


def _match(checked: dict, text: str, used: set):
    """The checker's part for this text (the checker may have split it differently)."""
    for t, p in checked.items():
        if t not in used and (t in text or text in t):
            used.add(t)
            return p
    return None


class Assistant:
    """Everything needed to answer, loaded once (model, index, rules) and reused per question."""

    def __init__(self, corpus: Corpus, rules, retriever, settings: Settings | None = None,
                 today: Callable[[], date] = date.today):
        self.corpus, self.rules, self.retriever = corpus, rules, retriever
        self.settings = settings or Settings()
        self.chain = build_chain(corpus, rules, retriever, today=today)

    @classmethod
    def load(cls, settings: Settings | None = None, *, log=None) -> "Assistant":
        from .retrieve import Retriever
        from .rules import load_rules

        settings = settings or Settings.load()
        corpus = load_corpus(settings.corpus_dir)
        return cls(corpus, load_rules(), Retriever.load(settings, log=log), settings)

    def ask(self, question: object) -> Answer:
        q = validate_question(question, self.settings.max_question_chars)
        return self.chain.invoke(q)
