"""The answer object of CONTRACT.md §2 — the same from the CLI, batch, REST and the web UI."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .verdict import Decision


@dataclass(frozen=True, slots=True)
class Citation:
    clause_id: str  # "附件2/二/（三）"
    label: str  # "附件2《政府购买服务负面清单》二、（三）"
    quote: str  # text[start:end] of that clause, verbatim
    start: int
    end: int
    score: float = 1.0

    def __post_init__(self) -> None:
        if not self.quote:
            raise ValueError(f"Citation for {self.clause_id!r} has an empty quote")
        if self.end - self.start != len(self.quote) or self.start < 0:
            raise ValueError(f"Citation for {self.clause_id!r}: span {self.start}:{self.end} "
                             f"does not fit a quote of {len(self.quote)} characters")

    def to_dict(self) -> dict:
        return {"clause_id": self.clause_id, "label": self.label, "quote": self.quote,
                "start": self.start, "end": self.end, "score": round(float(self.score), 4)}


@dataclass(frozen=True, slots=True)
class RuleHit:
    rule_id: str
    clause_id: str
    matched: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"rule_id": self.rule_id, "clause_id": self.clause_id, "matched": list(self.matched)}


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    verdict: Decision
    summary: str
    answer: str
    citations: tuple[Citation, ...]
    rules: tuple[RuleHit, ...]
    document: dict
    mode: str = "extractive"
    # Not part of the contract object; shown by the UI.
    understood: str = ""
    open_conditions: tuple[str, ...] = ()
    disregarded: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "verdict": str(self.verdict),
            "summary": self.summary,
            "answer": self.answer,
            "citations": [c.to_dict() for c in self.citations],
            "rules": [r.to_dict() for r in self.rules],
            "document": dict(self.document),
            "mode": self.mode,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def to_text(self) -> str:
        """Readable plain text for the terminal and the UI's copy button."""
        lines = [f"【{self.verdict.zh}】{self.summary}", "", self.answer]
        more = [c for c in self.citations if c.quote not in self.answer]  # not already quoted above
        if more:
            lines += ["", "相关条款："]
            lines += [f"- {c.label}（{c.clause_id}）：“{c.quote}”" for c in more]
        return "\n".join(lines).strip() + "\n"

    def to_markdown(self) -> str:
        cites = "\n".join(f"> **{c.label}**（`{c.clause_id}`）\n> {c.quote}\n" for c in self.citations)
        return (f"## 问：{self.question}\n\n**结论：{self.verdict.zh}** — {self.summary}\n\n{self.answer}\n\n"
                + (f"### 引用条款\n\n{cites}" if cites else "")
                + f"\n---\n{self.document.get('doc_id', '')}，{self.document.get('effective', '')} 起施行，"
                  f"有效期至 {self.document.get('expires', '')}\n")
