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
class Part:
    """One sub-question of a (possibly multi-part) question, with its own verdict (CONTRACT.md §2 `parts`)."""

    question: str  # the sub-question as read (with the context stated before it)
    verdict: Decision
    summary: str
    citations: tuple[Citation, ...] = ()
    preconditions: tuple[str, ...] = ()  # general 前提 listed with an allowed verdict (not in the contract)

    def __post_init__(self) -> None:
        if not isinstance(self.verdict, Decision):
            raise ValueError(f"Part.verdict must be a Decision, got {self.verdict!r}")
        if not isinstance(self.citations, tuple):
            raise ValueError(f"Part.citations must be a tuple, got {type(self.citations).__name__}")
        ids = [c.clause_id for c in self.citations]
        if len(ids) != len(set(ids)):
            raise ValueError(f"Part cites a clause twice: {ids}")

    def to_dict(self) -> dict:
        return {"question": self.question, "verdict": str(self.verdict), "summary": self.summary,
                "citations": [c.to_dict() for c in self.citations]}


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
    parts: tuple[Part, ...] = ()  # one per sub-question, in the order asked
    # Not part of the contract object; shown by the UI.
    understood: str = ""
    open_conditions: tuple[str, ...] = ()
    preconditions: tuple[str, ...] = ()  # general 前提 (目录, 预算…) of an allowed or conditional answer
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
            "parts": [p.to_dict() for p in self.parts],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def to_text(self) -> str:
        """Readable plain text for the terminal and the UI's copy button."""
        lines = [f"【{self.verdict.zh}】{self.summary}", "", self.answer]
        if len(self.parts) > 1:
            lines[1:1] = [f"  第{i}问【{p.verdict.zh}】{p.summary}" for i, p in enumerate(self.parts, 1)]
        more = [c for c in self.citations if c.quote not in self.answer]  # not already quoted above
        if more:
            lines += ["", "相关条款："]
            lines += [f"- {c.label}（{c.clause_id}）：“{c.quote}”" for c in more]
        return "\n".join(lines).strip() + "\n"

    def to_markdown(self) -> str:
        cites = "\n".join(f"> **{c.label}**（`{c.clause_id}`）\n> {c.quote}\n" for c in self.citations)
        per_part = "".join(f"- 第{i}问 **{p.verdict.zh}**：{p.summary}\n" for i, p in enumerate(self.parts, 1)) \
            if len(self.parts) > 1 else ""
        return (f"## 问：{self.question}\n\n**结论：{self.verdict.zh}** — {self.summary}\n\n"
                + (per_part + "\n" if per_part else "") + f"{self.answer}\n\n"
                + (f"### 引用条款\n\n{cites}" if cites else "")
                + f"\n---\n{self.document.get('doc_id', '')}，{self.document.get('effective', '')} 起施行，"
                  f"有效期至 {self.document.get('expires', '')}\n")
