"""A plain LangChain RAG over the same notice, scored with the same metrics, so every report shows the lift.

What it is, deliberately generic:
- RecursiveCharacterTextSplitter(chunk_size=250, chunk_overlap=30) over the raw notice text;
- the same embeddings as the assistant (assistant.embed.make_embeddings), langchain's InMemoryVectorStore,
  top-k chunks by cosine similarity;
- each chunk mapped to the clause(s) whose source lines it overlaps, the clause with the most overlapping
  characters first; the ranked clause list (deduplicated) is its "citations";
- no checker, no lexicon, no normalisation. Its "verdict" is a naive keyword rule: 不得 or 禁止 in the top
  chunk → prohibited, anything else → info. It never says allowed, conditional or not_covered.
- its "answer" is the text of the top-k chunks (for key-fact coverage). Its citations carry no quotes, so
  quote_verbatim_rate does not apply to it.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Sequence

from .cases import Case
from .metrics import CaseResult, score_case

CHUNK_SIZE = 250
CHUNK_OVERLAP = 30
TOP_K = 3
PROHIBITION_WORDS = ("不得", "禁止")


@dataclass(frozen=True, slots=True)
class Chunk:
    text: str
    start: int  # character offset in the notice text
    clauses: tuple[str, ...]  # clause IDs it overlaps, most overlapping characters first


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each source line, index 0 = line 1, newline excluded."""
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def map_chunk(start: int, end: int, clauses, spans: Sequence[tuple[int, int]]) -> tuple[str, ...]:
    """Clause IDs whose source lines overlap [start, end), by overlapping characters, most first."""
    overlap: dict[str, int] = {}
    for c in clauses:
        n = 0
        for no in range(c.line_start, c.line_end + 1):
            s, e = spans[no - 1]
            n += max(0, min(e, end) - max(s, start))
        if n:
            overlap[c.clause_id] = n
    return tuple(sorted(overlap, key=lambda cid: -overlap[cid]))


def split_notice(text: str, clauses) -> list[Chunk]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP,
                                              add_start_index=True)
    spans = line_spans(text)
    out = []
    for doc in splitter.create_documents([text]):
        start = doc.metadata["start_index"]
        out.append(Chunk(doc.page_content, start, map_chunk(start, start + len(doc.page_content), clauses, spans)))
    return out


class BaselineRAG:
    """Built once over the notice; `.ask(question)` returns an answer-like dict."""

    def __init__(self, text: str, clauses, embeddings, *, k: int = TOP_K) -> None:
        from langchain_core.documents import Document
        from langchain_core.vectorstores import InMemoryVectorStore

        self.k = k
        self.chunks = split_notice(text, clauses)
        self.store = InMemoryVectorStore(embeddings)
        self.store.add_documents([Document(page_content=c.text, metadata={"i": i}) for i, c in enumerate(self.chunks)])

    def ask(self, question: str) -> dict:
        hits = self.store.similarity_search_with_score(question, k=self.k)
        chunks = [self.chunks[doc.metadata["i"]] for doc, _ in hits]
        ranked: list[str] = []
        for ch in chunks:
            ranked += [cid for cid in ch.clauses if cid not in ranked]
        top = chunks[0].text if chunks else ""
        verdict = "prohibited" if any(w in top for w in PROHIBITION_WORDS) else "info"
        return {"verdict": verdict, "summary": "", "answer": "\n".join(c.text for c in chunks),
                "citations": [{"clause_id": cid} for cid in ranked]}


def run_baseline(cases: Sequence[Case], *, text: str, clauses, embeddings, k: int = TOP_K,
                 progress: bool = False) -> tuple[list[CaseResult], dict]:
    """Score the baseline on `cases`; returns (results, config with build time and chunk count)."""
    from tqdm import tqdm

    t0 = time.perf_counter()
    rag = BaselineRAG(text, clauses, embeddings, k=k)
    build_s = time.perf_counter() - t0
    texts = {c.clause_id: c.text for c in clauses}
    results = []
    for case in tqdm(cases, desc="baseline", unit="q", file=sys.stderr, disable=not progress):
        t = time.perf_counter()
        answer = rag.ask(case.question)
        results.append(score_case(case, answer, (time.perf_counter() - t) * 1000, texts, check_quotes=False))
    config = {"splitter": f"RecursiveCharacterTextSplitter(chunk_size={CHUNK_SIZE}, chunk_overlap={CHUNK_OVERLAP})",
              "store": "langchain_core InMemoryVectorStore (cosine)", "top_k": k, "chunks": len(rag.chunks),
              "verdict_rule": "不得/禁止 in top chunk → prohibited, else info", "build_s": round(build_s, 3),
              "embeddings": getattr(embeddings, "model_id", type(embeddings).__name__)}
    return results, config
