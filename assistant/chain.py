"""The answer chain (LangChain LCEL): normalise → checker → exact reference → hybrid retrieval → compose → verify.

Each stage is a plain function wrapped as a Runnable, so tests can invoke them one by one. The checker's
verdict is authoritative; retrieval answers only what the checker is silent on."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache, partial
from datetime import date
from typing import Callable, Sequence

from .answer import Answer
from .answerable import metadata_asked, not_held, overrides_verdict
from .compose import PartResult, checker_part, compose, retrieval_part
from .document import Corpus, load_corpus
from .extract import Prepared, prepare
from .settings import Settings
from .verdict import Decision


def build_chain(corpus: Corpus, rules, retriever, *, today: Callable[[], date] = date.today,
                second: Sequence = (), settings: Settings | None = None):
    """The LCEL pipeline. `retriever` needs only .search(text) and .relevant(hits).

    The checker runs first (pure, < 5 ms): it also splits a multi-part question and strips instruction-like
    text, so reference lookup and retrieval then work on the same parts, and the checker's clauses feed retrieval.
    Retrieval embeds only parts that neither the checker nor an exact clause reference has settled, and of those
    only the ones its cheaper signals leave open (search_parts). `second` readers (assistant/second.py) may
    make a part more careful (`conditional` with a named check, or `not_covered`), turn a disputed prohibition
    into `conditional` (never allowed), and turn only a quoted clause (info) into allowed.
    `settings`: the limits the checker applies (None: the environment's, read per question)."""
    from langchain_core.runnables import RunnableLambda, RunnableSequence

    from .extract import check_text
    from .refs import resolve
    from .verify import verify

    def normalise(question) -> Prepared:  # Assistant.ask has prepared it already; a bare string is prepared here
        return question if isinstance(question, Prepared) else prepare(question)

    def checker(q: Prepared) -> dict:
        return {"query": q, "checker": check_text(q, rules, limits=settings)}

    def references(s: dict) -> dict:
        return {**s, "refs": tuple(resolve(p.text, corpus.clauses) for p in s["checker"].parts)}

    def retrieval(s: dict):
        per_part = tuple((hits, retriever.relevant(hits))
                         for hits in search_parts(retriever, s["checker"].parts, s["refs"], s["query"].text))
        return _merge([h for h, _ in per_part]), per_part

    def decide(s: dict) -> Answer:
        q, tv, refs = s["query"], s["checker"], s["refs"]
        whole, per_part = s["retrieval"]
        parts: list[PartResult] = []
        for i, p in enumerate(tv.parts):
            if _decided(p) and not (refs[i] and not p.verdict.fired):
                parts.append(checker_part(corpus, p))
            else:
                hits, relevant = per_part[i]
                parts.append(retrieval_part(corpus, p.text, refs[i], hits, relevant))
            # a part naming its clause, asking what a prohibitive rule says or asking for the notice's own 文号 or
            # dates asks what the notice says, not whether the case may go ahead: no second opinion on it
            # nor on one the notice does not hold whatever the case (a unit's own class, a person's status, after 2027)
            if second and not refs[i] and not (parts[-1].decision is Decision.INFO
                                               and (p.verdict.fired or metadata_asked(p.text))) \
                    and not (parts[-1].decision is Decision.NOT_COVERED and (kind := not_held(p.text))
                             and overrides_verdict(p.text, kind)):
                hits, relevant = per_part[i]  # a reader may ask for the best clause despite weak evidence
                from_text = partial(retrieval_part, corpus, p.text, refs[i], hits, relevant=relevant)
                parts[-1] = _second_opinion(parts[-1], p.reading, second, corpus, rules, from_text)
        if not parts:  # the whole question was instruction-like text
            parts.append(retrieval_part(corpus, q.text, (), (), False))
        nearest = whole[0].clause if whole else None
        return compose(q.question, parts, corpus, hits=whole, disregarded=tv.disregarded, today=today(),
                       nearest=nearest)

    def verified(a: Answer) -> Answer:
        parts = tuple(replace(p, citations=tuple(verify(p.citations, corpus))) for p in a.parts)
        return replace(a, citations=tuple(verify(a.citations, corpus)), parts=parts)

    stages = (("normalise", normalise), ("checker", checker), ("refs", references),
              ("retrieve", lambda s: {**s, "retrieval": retrieval(s)}), ("compose", decide), ("verify", verified))
    return RunnableSequence(*(RunnableLambda(fn, name=name) for name, fn in stages))


def run_stages(chain, question):
    """chain.invoke(question) without LangChain's per-step bookkeeping: the same stage functions, in order.
    RunnableLambda.invoke configures callbacks and inspects each function's signature on every call (24
    inspect.signature calls a question): 1.5–2 ms of a ~5 ms answer when the question is not embedded. Used by
    Assistant.ask; `chain` stays a LangChain Runnable for anything that wants one (tests invoke its steps)."""
    for step in chain.steps:
        question = step.func(question)
    return question


def _second_opinion(part: PartResult, text: str, readers, corpus: Corpus, rules, from_text=None) -> PartResult:
    """`from_text()`: the part answered from the notice's text (retrieval), should a reader read it as asking
    what the notice says."""
    from .second import reconsider

    if part.decision is Decision.PROHIBITED:  # only the learned reader's confident view can dispute it
        return _view(part, text, readers, corpus, rules)
    for r in readers:
        if (objection := r.objection(text)) is not None:
            return reconsider(part, objection, corpus, rules)
    # each part, not only a one-part question: on the multi-part dev cases (reader trained without the split) every
    # part right .584 → .641, per part .837 → .879, the most severe part right .867 → .908
    return _view(part, text, readers, corpus, rules, from_text)


def _view(part: PartResult, text: str, readers, corpus: Corpus, rules, from_text=None) -> PartResult:
    from .second import weigh

    for r in readers:
        if (view := getattr(r, "view", None)) and (prop := view(text)) is not None:
            return weigh(part, prop, corpus, rules, from_text)
    return part


def search_parts(retriever, parts, refs, text: str) -> list:
    """Hits per part (the whole normalised question when there are no parts). A part the checker decided, or
    one that names its clause, needs only related clauses: no embedding (~25–30 ms); the rest is embedded
    unless the retriever's cheaper signals are confident. The checker's clauses are passed in, not re-read."""
    from .extract import part_clauses

    texts = [p.text for p in parts] or [text]
    dense, concepts = _takes(retriever, "dense"), _takes(retriever, "concepts")  # fakes may offer neither
    out = []
    for i, (part_text, done) in enumerate(zip(texts, settled(parts, refs))):
        kw = {"dense": False} if done and dense else {}
        if concepts and parts:
            kw["concepts"] = part_clauses(parts[i])
        out.append(retriever.search(part_text, **kw))
    return out


def settled(parts, refs) -> list[bool]:
    """Per part: settled by the checker or by a clause the part names, so retrieval needs no embedding."""
    return [_decided(p) or bool(r) for p, r in zip(parts, refs)] or [False]


def _decided(part) -> bool:
    return part.applies and part.verdict.decision != Decision.NOT_COVERED


def _takes(retriever, keyword: str) -> bool:
    return keyword in _search_parameters(type(retriever))


@lru_cache(maxsize=32)
def _search_parameters(cls) -> frozenset[str]:
    """Once per retriever class: inspect.signature on every question cost ~2 ms of a ~10 ms answer."""
    import inspect

    return frozenset(inspect.signature(cls.search).parameters)


def _merge(hit_lists):
    """One ranking over several parts' hits: best score per clause, best first."""
    if len(hit_lists) == 1:
        return hit_lists[0]
    best = {}
    for hits in hit_lists:
        for h in hits:
            if h.clause.clause_id not in best or h.score > best[h.clause.clause_id].score:
                best[h.clause.clause_id] = h
    return tuple(sorted(best.values(), key=lambda h: -h.score))


class Assistant:
    """Everything needed to answer, loaded once (model, index, rules) and reused per question."""

    def __init__(self, corpus: Corpus, rules, retriever, settings: Settings | None = None,
                 today: Callable[[], date] = date.today, second: Sequence = ()):
        self.corpus, self.rules, self.retriever = corpus, rules, retriever
        self.settings = settings or Settings()
        self.second, self._today = tuple(second), today
        # Settings given (Assistant.load always gives them): the checker's limits are these, fixed at load like
        # max_question_chars; none given: the environment's, read per question as check_text does alone.
        self._given = settings
        self.chain = build_chain(corpus, rules, retriever, today=today, second=self.second, settings=settings)

    @classmethod
    def load(cls, settings: Settings | None = None, *, log=None) -> "Assistant":
        from .retrieve import Retriever
        from .rules import load_rules
        from .second import load_second_readers

        settings = settings or Settings.load()
        corpus = load_corpus(settings.corpus_dir)
        retriever = Retriever.load(settings, log=log)  # builds the index (and trains the learned reader) if needed
        rules = load_rules()
        return cls(corpus, rules, retriever, settings, second=load_second_readers(settings, rules))

    def with_second(self, second: Sequence) -> "Assistant":
        """The same assistant with other second readers (evals: () is the regex reader alone)."""
        return Assistant(self.corpus, self.rules, self.retriever, self._given, self._today, second)

    def ask(self, question: object) -> Answer:
        return run_stages(self.chain, prepare(question, self.settings.max_question_chars, chinese=True))
