"""A second reader's opinion on one part: it can only make an answer more careful, never less.

When the regex checker does not prohibit a part but a second reader (the learned classifier, or the optional
LLM reader whose facts go through the same rules) proposes a prohibition, the part becomes `conditional` with
the named check, cites that clause first, and says that the readers disagree. A prohibition is never
weakened: a part the checker prohibits is returned unchanged.

The learned reader may also hold that the notice does not decide a one-part question the chain answered
`info` or `allowed` (a tangential quote, a key-area match on a question the notice does not answer): the part
becomes `not_covered`, names the clause it had cited for reference only, and says so. "Not covered" claims
nothing, so it is the careful direction; a permission or a prohibition is never produced this way."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from .compose import PartResult
from .document import Corpus
from .verdict import Decision
from .verify import cite


@dataclass(frozen=True, slots=True)
class Objection:
    """A second reader's proposal that the part is prohibited."""

    reader: str  # "学习模型" / "语言模型"
    clause_id: str  # the 附件2 (or 正文) clause it reads the part under
    confidence: float | None = None  # calibrated probability (None: the reader gives none)


class SecondReader(Protocol):
    """What the chain needs of a second reader: an objection to a part, or None. A reader may also offer
    `not_covered(text) -> float | None` (its confidence that the notice does not decide the text)."""

    def objection(self, text: str) -> Objection | None: ...


# The learned reader's confidence from which its "not covered" replaces an info or allowed answer. Chosen on the
# first-measurement answers of h15 and h16 with the reader trained without them: at 0.6 not_covered recall rose
# .540 → .600 (h15) and .551 → .755 (h16), info precision .679 → .704 and .667 → .773, no info case lost.
NOT_COVERED_AT = 0.6


class LearnedOpinion:
    """Adapts assistant.learned.LearnedReader (its act-on threshold was chosen on dev cross-validation)."""

    def __init__(self, reader) -> None:
        self.reader = reader

    def objection(self, text: str) -> Objection | None:
        prop = self.reader.disagrees(text)
        return Objection("学习模型", prop.clause_id, prop.p_prohibited) if prop else None

    def not_covered(self, text: str) -> float | None:
        prop = self.reader.propose(text)
        return prop.confidence if prop.verdict == "not_covered" and prop.confidence >= NOT_COVERED_AT else None


def not_covered_instead(part: PartResult, confidence: float, corpus: Corpus) -> PartResult:
    """An info or allowed part the learned reader holds the notice does not decide: not_covered, with the clause
    it cited named for reference only (see the module docstring)."""
    if part.decision not in (Decision.INFO, Decision.ALLOWED):
        return part
    near = corpus.get(part.citations[0].clause_id) if part.citations else part.nearest
    note = (f"学习模型（置信度 {confidence:.2f}）判断本通知没有对此作出规定：检索到的条款只是相近内容，不能据此给出结论；"
            "请查阅其他相关规定或咨询财政部门。")
    return PartResult(part.text, Decision.NOT_COVERED, (), (note,), understood=part.understood, nearest=near)


def reconsider(part: PartResult, objection: Objection | None, corpus: Corpus, rules=()) -> PartResult:
    """The part as answered once a second reader's objection is weighed (see the module docstring). The clause
    is quoted as its prohibitive rule quotes it, so another part citing the same rule shows one citation."""
    if objection is None or part.decision is Decision.PROHIBITED:
        return part
    if objection.clause_id not in corpus:
        return part
    clause = corpus.get(objection.clause_id)
    check = f"请核实是否属于{clause.label}所列情形（{clause.clause_id}）：属于则不得作为政府购买服务"
    how = f"（置信度 {objection.confidence:.2f}）" if objection.confidence is not None else ""
    note = (f"两个读者意见不一：规则检查未认定禁止（原结论：{part.decision.zh}），但{objection.reader}{how}认为"
            f"本问可能属于{clause.label}的禁止情形，因此结论改为视条件，须先核实。")
    quote = next((r.quote for r in rules if r.clause_id == clause.clause_id and r.effect is Decision.PROHIBITED),
                 clause.text)
    first = cite(corpus, clause.clause_id, quote) or cite(corpus, clause.clause_id, clause.text)
    return replace(part, decision=Decision.CONDITIONAL,
                   citations=(*((first,) if first else ()), *(c for c in part.citations if c.clause_id != clause.clause_id)),
                   reasons=(note, *part.reasons), open_conditions=(check, *part.open_conditions))


def load_second_readers(settings, rules) -> tuple:
    """The second readers settings ask for: the learned reader stored in the current index build (unless
    second_reader = off) and, when llm_url is set, the LLM reader. Learned first: it is ~1 ms, the LLM ~2.5 s."""
    from pathlib import Path

    from .index import LEARNED, read_manifest
    from .learned import load_reader

    out: list = []
    manifest = read_manifest(settings.index_dir)
    if settings.second_reader == "learned" and manifest is not None and manifest.learned:
        reader = load_reader(Path(settings.index_dir) / manifest.build / LEARNED)
        if reader is not None:
            out.append(LearnedOpinion(reader))
    if settings.llm_url:
        from .document import load_corpus
        from .llm import LLMOpinion, LLMReader

        doc_id = load_corpus(settings.corpus_dir).document.doc_id
        reader = LLMReader(settings.llm_url, model=settings.llm_model, timeout=settings.llm_timeout, doc_id=doc_id)
        out.append(LLMOpinion(reader, rules))
    return tuple(out)
