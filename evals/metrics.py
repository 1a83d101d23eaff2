"""Pure scorer functions: one answer object (CONTRACT.md §2) against one gold case, then aggregates.

No I/O, no assistant, no model: everything here is tested on hand-made cases.

Definitions (every rate is a fraction in [0, 1]; None when its denominator is empty):

- hit@1: the first citation's clause_id is one of expected_clauses (any listed counts).
- hit@3: one of the first three citations is.
- expected_cited: for a single-part case, at least one expected clause is cited anywhere (the gold lists
  alternatives / equivalents); for a case tagged `multi-part`, every expected clause is cited (each part
  has its own clause). Gold lists that mix both (a part with two equivalent clauses) make this a lower bound.
- all_cited: every expected clause is cited, whatever the case (strict; a lower bound for equivalents).
  Cases with empty expected_clauses (not_covered) are excluded from all four.
- verdict_accuracy: predicted verdict == expected verdict, over all cases (an error counts as wrong).
- verdict_accuracy_by_type: the same within each expected verdict, so the many `info` cases cannot hide
  a weak type; verdict_macro_accuracy is their unweighted mean over the types present.
- prohibited_recall: gold prohibited predicted prohibited.
- false_prohibition_rate: predicted prohibited among gold non-prohibited cases (lower is better).
- not_covered_accuracy: gold not_covered predicted not_covered (recall).
- info_precision: predicted info whose gold verdict is info (an info answer quotes a clause as if it answered).
- parts_exact: over cases with expected_parts, the answer's per-part verdicts equal them, in order and count;
  part_verdict_accuracy: the same per part, aligned by position (a missing part counts as wrong).
- quote_verbatim_rate: citations whose quote == clause.text[start:end] (unknown clause → not verbatim),
  over all citations of all cases.
- key_fact_coverage: key facts found in summary + answer + quotes (whitespace ignored on both sides),
  over all key facts of all cases (micro average). Many gold key facts are also substrings of the question
  (31 of the first 243 cases), so an answer that echoes the question ("我理解：…") gets them for free; hence also
- key_fact_quote_coverage: key facts found in the citations' quotes alone (grounded in the notice).
- latency p50/p95/mean in milliseconds: per-question wall time of Assistant.ask (linear interpolation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from .cases import VERDICTS, Case

ERROR = "error"  # the "predicted verdict" of a case whose ask() raised
MULTI_PART_TAG = "multi-part"
_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class CaseResult:
    id: str
    tags: tuple[str, ...]
    expected_verdict: str
    expected_clauses: tuple[str, ...]
    predicted_verdict: str  # one of VERDICTS, another string the system returned, or ERROR
    cited: tuple[str, ...]  # clause_ids of the citations, in order
    hit_at_1: bool | None  # None: no expected clause (excluded from hit metrics)
    hit_at_3: bool | None
    expected_cited: bool | None
    all_cited: bool | None
    quotes: int  # citations checked for verbatim quotes
    quotes_verbatim: int
    facts: int
    facts_found: int
    facts_in_quotes: int
    missing_facts: tuple[str, ...]
    latency_ms: float
    error: str = ""
    summary: str = ""
    expected_parts: tuple[str, ...] = ()
    predicted_parts: tuple[str, ...] = ()

    @property
    def verdict_ok(self) -> bool:
        return self.predicted_verdict == self.expected_verdict


def is_verbatim(citation: Mapping, clause_texts: Mapping[str, str]) -> bool:
    """quote == text[start:end] of a clause that exists, and the quote is not empty."""
    text = clause_texts.get(citation.get("clause_id"))
    quote, start, end = citation.get("quote"), citation.get("start"), citation.get("end")
    if text is None or not isinstance(quote, str) or not quote:
        return False
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start <= end <= len(text):
        return False
    return text[start:end] == quote


def _squash(s: str) -> str:
    return _WS.sub("", s)


def score_case(case: Case, answer: Mapping | None, latency_ms: float, clause_texts: Mapping[str, str], *,
               error: str = "", check_quotes: bool = True) -> CaseResult:
    """Score one answer dict (Answer.to_dict()) against its gold case. `answer=None` means ask() failed."""
    answer = answer or {}
    citations = [c for c in answer.get("citations") or [] if isinstance(c, Mapping)]
    cited = tuple(str(c.get("clause_id", "")) for c in citations)
    expected = set(case.expected_clauses)
    if expected:
        hit1 = bool(cited) and cited[0] in expected
        hit3 = any(cid in expected for cid in cited[:3])
        all_cited = expected <= set(cited)
        any_cited = bool(expected & set(cited))
        expected_cited = all_cited if MULTI_PART_TAG in case.tags else any_cited
    else:
        hit1 = hit3 = expected_cited = all_cited = None
    quotes = len(citations) if check_quotes else 0
    verbatim = sum(is_verbatim(c, clause_texts) for c in citations) if check_quotes else 0
    quoted = _squash("\n".join(str(c.get("quote") or "") for c in citations))
    haystack = _squash("\n".join([str(answer.get("summary") or ""), str(answer.get("answer") or "")])) + quoted
    missing = tuple(f for f in case.key_facts if _squash(f) not in haystack)
    in_quotes = sum(1 for f in case.key_facts if _squash(f) in quoted)
    verdict = ERROR if error else str(answer.get("verdict") or ERROR)
    return CaseResult(
        id=case.id, tags=case.tags, expected_verdict=case.expected_verdict,
        expected_clauses=case.expected_clauses, predicted_verdict=verdict, cited=cited,
        hit_at_1=hit1, hit_at_3=hit3, expected_cited=expected_cited, all_cited=all_cited,
        quotes=quotes, quotes_verbatim=verbatim, facts=len(case.key_facts),
        facts_found=len(case.key_facts) - len(missing), facts_in_quotes=in_quotes, missing_facts=missing,
        latency_ms=float(latency_ms), error=error, summary=str(answer.get("summary") or ""),
        expected_parts=case.expected_parts,
        predicted_parts=tuple(str(p.get("verdict")) for p in answer.get("parts") or [] if isinstance(p, Mapping)),
    )


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"q must be within 0..100, got {q}")
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _rate(flags: Iterable[bool | None]) -> float | None:
    xs = [bool(f) for f in flags if f is not None]
    return sum(xs) / len(xs) if xs else None


def aggregate(results: Sequence[CaseResult]) -> dict:
    """All metrics of a list of case results (see the module docstring)."""
    rs = list(results)
    by_type = {v: _rate(r.verdict_ok for r in rs if r.expected_verdict == v) for v in VERDICTS}
    present = [a for a in by_type.values() if a is not None]
    hit_cases = [r for r in rs if r.hit_at_1 is not None]
    quotes = sum(r.quotes for r in rs)
    facts = sum(r.facts for r in rs)
    lat = [r.latency_ms for r in rs]
    multi = [r for r in rs if r.expected_parts]
    return {
        "cases": len(rs),
        "errors": sum(1 for r in rs if r.error),
        "hit_cases": len(hit_cases),
        "hit_at_1": _rate(r.hit_at_1 for r in hit_cases),
        "hit_at_3": _rate(r.hit_at_3 for r in hit_cases),
        "expected_cited": _rate(r.expected_cited for r in hit_cases),
        "all_cited": _rate(r.all_cited for r in hit_cases),
        "verdict_accuracy": _rate(r.verdict_ok for r in rs),
        "verdict_macro_accuracy": sum(present) / len(present) if present else None,
        "verdict_accuracy_by_type": by_type,
        "cases_by_type": {v: sum(1 for r in rs if r.expected_verdict == v) for v in VERDICTS},
        "prohibited_recall": by_type["prohibited"],
        "false_prohibition_rate": _rate(r.predicted_verdict == "prohibited" for r in rs
                                        if r.expected_verdict != "prohibited"),
        "not_covered_accuracy": by_type["not_covered"],
        "info_precision": _rate(r.expected_verdict == "info" for r in rs if r.predicted_verdict == "info"),
        "parts_cases": len(multi),
        "parts_exact": _rate(r.predicted_parts == r.expected_parts for r in multi),
        "part_verdict_accuracy": _rate(i < len(r.predicted_parts) and r.predicted_parts[i] == v
                                       for r in multi for i, v in enumerate(r.expected_parts)),
        "citations": quotes,
        "quote_verbatim_rate": sum(r.quotes_verbatim for r in rs) / quotes if quotes else None,
        "key_facts": facts,
        "key_fact_coverage": sum(r.facts_found for r in rs) / facts if facts else None,
        "key_fact_quote_coverage": sum(r.facts_in_quotes for r in rs) / facts if facts else None,
        "latency_p50_ms": percentile(lat, 50),
        "latency_p95_ms": percentile(lat, 95),
        "latency_mean_ms": sum(lat) / len(lat) if lat else None,
    }


def by_tag(results: Sequence[CaseResult]) -> dict[str, dict]:
    """aggregate() per tag (a case counts under each of its tags), tags sorted by name."""
    tags = sorted({t for r in results for t in r.tags})
    return {t: aggregate([r for r in results if t in r.tags]) for t in tags}


def confusion(results: Sequence[CaseResult]) -> dict:
    """Rows = gold verdict, columns = predicted verdict (plus `error` and any unknown value the system gave)."""
    extra = sorted({r.predicted_verdict for r in results} - set(VERDICTS) - {ERROR})
    cols = [*VERDICTS, *extra, ERROR]
    matrix = [[sum(1 for r in results if r.expected_verdict == g and r.predicted_verdict == p) for p in cols]
              for g in VERDICTS]
    return {"gold": list(VERDICTS), "predicted": cols, "matrix": matrix}


# Metrics the gate understands. Lower-is-better ones belong under [max], the rest under [min].
GATEABLE = ("hit_at_1", "hit_at_3", "expected_cited", "all_cited", "verdict_accuracy", "verdict_macro_accuracy",
            "prohibited_recall", "false_prohibition_rate", "not_covered_accuracy", "quote_verbatim_rate",
            "key_fact_coverage", "key_fact_quote_coverage", "latency_p50_ms", "latency_p95_ms", "latency_mean_ms", "errors")


def check_thresholds(thresholds: Mapping) -> None:
    """ValueError (naming what is wrong) unless thresholds is {"min": {metric: number}, "max": {...}}."""
    unknown = set(thresholds) - {"min", "max", "meta"}
    if unknown:
        raise ValueError(f"unknown section(s) {sorted(unknown)}; use [min] and [max]")
    for section in ("min", "max"):
        table = thresholds.get(section, {})
        if not isinstance(table, Mapping):
            raise ValueError(f"[{section}] must be a table")
        for name, value in table.items():
            if name not in GATEABLE and not name.startswith("verdict_accuracy."):
                raise ValueError(f"[{section}] {name}: unknown metric; known: {', '.join(GATEABLE)}, "
                                 f"verdict_accuracy.<type>")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"[{section}] {name}: threshold must be a number, got {value!r}")


def _lookup(metrics: Mapping, name: str):
    if name.startswith("verdict_accuracy."):
        return metrics.get("verdict_accuracy_by_type", {}).get(name.split(".", 1)[1])
    return metrics.get(name)


def gate(metrics: Mapping, thresholds: Mapping) -> tuple[list[str], list[str]]:
    """(failures, skipped): a failure is a metric below its [min] or above its [max]; a metric that is None
    (no case of that kind in the run) is skipped, not failed."""
    check_thresholds(thresholds)
    failures: list[str] = []
    skipped: list[str] = []
    for section, bad, word in (("min", lambda v, t: v < t, "below"), ("max", lambda v, t: v > t, "above")):
        for name, limit in thresholds.get(section, {}).items():
            value = _lookup(metrics, name)
            if value is None:
                skipped.append(name)
            elif bad(value, limit):
                failures.append(f"{name} = {value:.4g} is {word} the {section} threshold {limit:g}")
    return failures, skipped


def suggest_thresholds(metrics: Mapping) -> dict:
    """Thresholds "just under" a measured run: every rate may lose one case of its denominator (rounded
    down to 2 decimals; up for the false-prohibition ceiling), quotes must stay verbatim (1.0 when measured
    so), no errors, and latency ceilings at 4x the measured value (at least 0.5 s / 2 s) because timings
    vary with machine load."""
    import math

    by_type = metrics.get("cases_by_type") or {}
    dens = {"hit_at_1": metrics["hit_cases"], "hit_at_3": metrics["hit_cases"],
            "expected_cited": metrics["hit_cases"], "verdict_accuracy": metrics["cases"],
            # one case of the smallest type moves the macro mean by 1 / (its size × number of types)
            "verdict_macro_accuracy": min([n for n in by_type.values() if n] or [metrics["cases"]])
            * max(1, sum(1 for n in by_type.values() if n)),
            "prohibited_recall": by_type.get("prohibited", 0),
            "not_covered_accuracy": by_type.get("not_covered", 0),
            "key_fact_coverage": metrics["key_facts"],
            **{f"verdict_accuracy.{v}": n for v, n in by_type.items()
               if v not in ("prohibited", "not_covered")}}  # those two are the recall metrics above
    lo: dict[str, float] = {}
    for name, n in dens.items():
        value = _lookup(metrics, name)
        if value is not None and n:
            lo[name] = max(0.0, math.floor((value - 1 / n) * 100 + 1e-9) / 100)
    if metrics.get("quote_verbatim_rate") is not None:
        q = metrics["quote_verbatim_rate"]
        lo["quote_verbatim_rate"] = 1.0 if q == 1.0 else math.floor(q * 100) / 100
    hi: dict[str, float] = {"errors": float(metrics.get("errors") or 0)}
    if metrics.get("false_prohibition_rate") is not None:
        n = metrics["cases"] - by_type.get("prohibited", 0)
        hi["false_prohibition_rate"] = math.ceil((metrics["false_prohibition_rate"] + 1 / max(n, 1)) * 100 - 1e-9) / 100
    for key, floor_ms in (("latency_p50_ms", 500), ("latency_p95_ms", 2000)):
        if metrics.get(key) is not None:
            hi[key] = float(max(floor_ms, math.ceil(4 * metrics[key] / 100) * 100))
    return {"min": lo, "max": hi}
