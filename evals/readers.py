"""Each reader alone and combined: the regex checker (the chain with no second reader), the learned reader
(its own proposed verdict), the optional LLM reader (its facts through the rules), and the chain as shipped.

Only verdict metrics: the learned and LLM rows propose no citations. On split dev the learned row is
in-sample (the model was trained on dev); held-out is the honest one."""

from __future__ import annotations

from typing import Mapping, Sequence

from .cases import Case
from .metrics import CaseResult, aggregate, score_case

KEYS = ("verdict_accuracy", "verdict_macro_accuracy", "prohibited_recall", "false_prohibition_rate")


def _verdict_only(cases: Sequence[Case], verdicts: Sequence[str]) -> list[CaseResult]:
    return [score_case(c, {"verdict": v}, 0.0, {}, check_quotes=False) for c, v in zip(cases, verdicts)]


def _row(results: Sequence[CaseResult], **extra) -> dict:
    m = aggregate(results)
    return {**{k: m[k] for k in KEYS}, "cases": m["cases"], **extra}


def reader_rows(cases: Sequence[Case], assistant, combined: Sequence[CaseResult], clause_texts: Mapping[str, str],
                *, run_cases, split: str) -> dict:
    """{row name: verdict metrics}. `run_cases` is evals.__main__.run_cases (injected: no import cycle)."""
    from assistant.learned import LearnedReader
    from assistant.normalize import normalize

    second = tuple(getattr(assistant, "second", ()) or ())
    rows: dict = {}
    if second and hasattr(assistant, "with_second"):
        regex = run_cases(cases, assistant.with_second(()), clause_texts)
        changed = [(r, c) for r, c in zip(regex, combined) if r.predicted_verdict != c.predicted_verdict]
        rows["regex reader"] = _row(regex)
        rows["combined (shipped)"] = _row(combined, changed=len(changed),
                                          changed_gold=_count(c.expected_verdict for _, c in changed))
    else:
        rows["regex reader (= shipped: no second reader)"] = _row(combined)
    for s in second:
        reader = getattr(s, "reader", None)
        if isinstance(reader, LearnedReader):
            verdicts = [reader.propose(normalize(c.question)).verdict for c in cases]
            name = "learned reader" + (" (in-sample: trained on dev)" if split in ("dev", "all") else "")
            rows[name] = _row(_verdict_only(cases, verdicts))
        elif hasattr(reader, "read") and hasattr(s, "rules"):
            rows["llm reader"] = _row(_verdict_only(cases, [_llm_verdict(reader, s.rules, c.question) for c in cases]))
    return rows


def _llm_verdict(reader, rules, question: str) -> str:
    from assistant.normalize import normalize
    from assistant.rules import check

    facts = reader.read(normalize(question))
    return "error" if facts is None else str(check(facts, rules).decision)


def _count(xs) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in xs:
        out[x] = out.get(x, 0) + 1
    return dict(sorted(out.items()))


def table(rows: Mapping[str, Mapping]) -> str:
    """The rows as aligned text for the terminal."""
    head = f"{'reader':44} {'cases':>5} {'verdict':>8} {'macro':>6} {'prohib.recall':>13} {'false prohib.':>13}"
    lines = ["", "读者对比 / readers alone and combined (verdict metrics)", head]
    fmt = lambda v: "   –" if v is None else f"{v:.3f}"  # noqa: E731
    for name, r in rows.items():
        lines.append(f"{name:44} {r['cases']:>5} {fmt(r['verdict_accuracy']):>8} {fmt(r['verdict_macro_accuracy']):>6} "
                     f"{fmt(r['prohibited_recall']):>13} {fmt(r['false_prohibition_rate']):>13}")
        if "changed" in r:
            lines.append(f"{'':44} second reader changed {r['changed']} verdicts (gold of those: {r['changed_gold']})")
    return "\n".join(lines)
