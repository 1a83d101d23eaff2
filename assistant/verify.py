"""Citation verification: a citation that is not verbatim is a defect in every mode, so it is dropped (and logged)."""

from __future__ import annotations

import logging
from typing import Iterable

from .answer import Citation
from .document import Corpus

log = logging.getLogger("assistant.verify")


def cite(corpus: Corpus, clause_id: str, quote: str, score: float = 1.0) -> Citation | None:
    """A verified Citation for `quote` inside clause `clause_id`, or None when it is not verbatim there."""
    if clause_id not in corpus or not quote:
        return None
    clause = corpus.get(clause_id)
    start = clause.text.find(quote)
    if start < 0:
        return None
    return Citation(clause_id, clause.label, quote, start, start + len(quote), score)


def verify(citations: Iterable[Citation], corpus: Corpus) -> tuple[Citation, ...]:
    """Keep citations whose ID exists and whose quote is text[start:end]; drop and log the rest; no duplicates."""
    kept: list[Citation] = []
    seen: set[tuple[str, int, int]] = set()
    for c in citations:
        ok = c.clause_id in corpus and corpus.get(c.clause_id).text[c.start:c.end] == c.quote
        if not ok:
            log.warning("dropped a non-verbatim citation of %s: %r", c.clause_id, c.quote[:40])
            continue
        if (c.clause_id, c.start, c.end) not in seen:
            seen.add((c.clause_id, c.start, c.end))
            kept.append(c)
    return tuple(kept)
