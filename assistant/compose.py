"""The extractive composer: verdict + evidence → the answer object, with no language model.

The checker's verdict is authoritative; retrieval only supplies informational answers and related clauses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Sequence

from .answer import Answer, Citation, Part, RuleHit
from .answerable import (DATES, DOC_NUMBER, ISSUER, META_CLAUSES, PROCEDURE, asked, asks_what_it_says, describe,
                         describe_not_held, metadata_asked, missing_value, not_held, overrides_verdict,
                         question_sentences, value_asked_of_clause)
from .clauses import Clause
from .document import Corpus
from .normalize import expand
from .refs import missing as missing_clause
from .verdict import Decision, most_severe
from .verify import cite

SUMMARY_LEAD = {
    Decision.PROHIBITED: "不可以。",
    Decision.ALLOWED: "可以。",
    Decision.CONDITIONAL: "需满足以下条件才可以：",
    Decision.NOT_COVERED: "本通知未作规定。",
    Decision.INFO: "",
}
GENERAL_PRECONDITIONS = "已纳入省级部门指导性目录且已有预算安排的服务事项"  # 正文/三/（三）, verbatim
_SENT = re.compile(r"[^。；！？\n]+[。；！？]?")


@dataclass(frozen=True, slots=True)
class PartResult:
    """What the chain decided for one part of a (possibly multi-part) question."""

    text: str
    decision: Decision
    citations: tuple[Citation, ...]
    reasons: tuple[str, ...]
    rules: tuple[RuleHit, ...] = ()
    open_conditions: tuple[str, ...] = ()  # case-specific (→ conditional)
    understood: str = ""
    preconditions: tuple[str, ...] = ()  # general 前提 left open (目录, 预算): listed with allowed
    nearest: Clause | None = None  # for not_covered: the nearest clause, named for reference only


def bigrams(s: str) -> set[str]:
    s = re.sub(r"[\s，。；：、（）《》“”,.;:!?？！]", "", s)
    return {s[i:i + 2] for i in range(len(s) - 1)}


@lru_cache(maxsize=256)
def _question_bigrams(question: str) -> frozenset[str]:
    """Computed once per question, not once per candidate clause."""
    return frozenset(bigrams(expand(question)))


def best_sentence(clause: Clause, question: str) -> tuple[int, int]:
    """Span of the sentence of `clause` that shares the most character bigrams with the question."""
    q = _question_bigrams(question)
    best, span = -1.0, (0, len(clause.text))
    for m in _SENT.finditer(clause.text):
        s = m.group(0)
        if len(s.strip()) < 4:
            continue
        overlap = len(q & bigrams(s)) + 0.001 * len(s)  # ties → the longer, more complete sentence
        if overlap > best:
            best, span = overlap, (m.start(), m.end())
    return span


def sentence_citation(corpus: Corpus, clause: Clause, question: str, score: float) -> Citation | None:
    if clause.kind in ("item", "section", "effective", "note", "title", "addressee", "signature", "annex") \
            and len(clause.text) <= 200:
        return cite(corpus, clause.clause_id, clause.text, score)  # short clauses: the whole item is the rule
    start, end = best_sentence(clause, question)
    return cite(corpus, clause.clause_id, clause.text[start:end].strip(), score)


def checker_part(corpus: Corpus, part) -> PartResult:
    """A part the checker decided: cite each fired rule's own quote, deciding rule first."""
    firings = tuple(part.verdict.fired) + tuple(getattr(part.verdict, "excepted", ()))
    cites = unique_clauses(c for f in firings if (c := cite(corpus, f.clause_id, f.quote)))
    reasons = tuple(dict.fromkeys(f.explanation for f in firings if f.explanation))
    rules = tuple(RuleHit(f.rule_id, f.clause_id, tuple(f.matched)) for f in part.verdict.fired)
    decision = Decision(part.verdict.decision)
    # "广东省能不能买养老服务"; a prohibition stands unless only content is asked ("擅自扩大范围具体扣几分")
    if (kind := not_held(part.text)) and (decision is not Decision.PROHIBITED or overrides_verdict(part.text, kind)):
        return PartResult(part.text, Decision.NOT_COVERED, (), (_not_held(kind, corpus),), understood=part.understood,
                          nearest=corpus.get(cites[0].clause_id) if cites else None)
    if decision is Decision.PROHIBITED and asks_what_it_says(part.text):  # "擅自扩大范围的，规定了哪些处理后果"
        return PartResult(part.text, Decision.INFO, cites, reasons, rules, understood=part.understood)
    # "社会组织承接，增值税税率是6%还是3%？": the parties make a rule fire, but what is asked is a value the
    # deciding clauses do not state. A prohibition always stands; a permission does not answer the question.
    texts = [corpus.get(f.clause_id).text for f in firings]
    if decision is not Decision.PROHIBITED and (missing := _only_value_asked(part.text, texts)
                                                or value_asked_of_clause(part.text, texts)):
        return PartResult(part.text, Decision.NOT_COVERED, (), (_not_stated(missing, corpus),))
    return PartResult(part.text, decision, cites, reasons, rules, tuple(part.verdict.open_conditions), part.understood,
                      tuple(getattr(part.verdict, "preconditions", ())))


def unique_clauses(citations) -> tuple[Citation, ...]:
    """Citations with each clause once (the first, most relevant, quote of it kept)."""
    seen: dict[str, Citation] = {}
    for c in citations:
        seen.setdefault(c.clause_id, c)
    return tuple(seen.values())


def retrieval_part(corpus: Corpus, text: str, refs: Sequence[Clause], hits, relevant: bool) -> PartResult:
    """A part the checker is silent on: a named clause, a fact the notice states, or not covered."""
    kind = not_held(text)  # a list, a formula, another document or province…: nearest is not an answer
    named = [r.text for r in refs]
    if refs and not kind and (missing := _only_value_asked(text, named) or value_asked_of_clause(text, named)):
        # "正文四（三）提到的采购限额标准，具体是多少万元？": the named clause does not state the value asked
        return PartResult(text, Decision.NOT_COVERED, (), (_not_stated(missing, corpus),), nearest=refs[0])
    if refs and not kind:  # a named clause is answered with its text, unless what is asked is not in it
        cites = tuple(c for r in refs if (c := cite(corpus, r.clause_id, r.text)))
        names = "、".join(r.label for r in refs)
        return PartResult(text, Decision.INFO, cites, (f"您问的是{names}，原文如下。",))
    if kind == PROCEDURE and not refs:  # "预算批复…由哪一级领导签发、文号格式有什么要求": not the notice's own 文号
        return PartResult(text, Decision.NOT_COVERED, (), (_not_held(kind, corpus),),
                          nearest=hits[0].clause if hits else None)
    if meta := metadata_asked(text):  # 文号, 发文机关, 主送, 施行/到期: from the metadata and those clauses
        return metadata_part(corpus, text, meta)
    if not refs and (gone := missing_clause(text, corpus.clauses)):  # "附件2第二部分第（九）项是什么内容": there is none
        return PartResult(text, Decision.NOT_COVERED, (), (f"本通知（{corpus.document.doc_id}）没有您所说的条款（{gone}），"
                                                         "无法据此回答；请核对条款编号。",),
                          nearest=hits[0].clause if hits else None)
    if kind:  # "第（八）项的'其他事项'具体包括哪些": the named clause is the nearest one, for reference only
        near = refs[0] if refs else hits[0].clause if hits else None
        return PartResult(text, Decision.NOT_COVERED, (), (_not_held(kind, corpus),), nearest=near)
    if not hits or not relevant:
        return PartResult(text, Decision.NOT_COVERED, (), (), nearest=hits[0].clause if hits else None)
    top = hits[0]
    cited = [top]
    cites = [c for c in [sentence_citation(corpus, top.clause, text, top.score)] if c]
    for h in hits[1:3]:  # a second clause when it is nearly as good (facts split across clauses)
        if h.score >= 0.9 * top.score and (c := sentence_citation(corpus, h.clause, text, h.score)):
            cites.append(c)
            cited.append(h)
    # Nearest is not an answer: a question asking for an amount, a rate, a time limit… is answered only
    # by a clause that states one (assistant/answerable.py).
    if missing := missing_value(text, [h.clause.text for h in cited]):
        return PartResult(text, Decision.NOT_COVERED, (), (_not_stated(missing, corpus),), nearest=top.clause)
    return PartResult(text, Decision.INFO, tuple(cites), (f"依据{top.clause.label}的规定。",))


def metadata_part(corpus: Corpus, text: str, kinds: Sequence[str]) -> PartResult:
    """A question about the notice itself, answered from corpus/document.toml and quoted from the 标题, 落款,
    主送 and 施行 clauses."""
    doc = corpus.document
    quotes = {DOC_NUMBER: {"正文/标题": doc.doc_id}, ISSUER: {"正文/标题": doc.issuer, "正文/落款": doc.issuer}}
    cites, reasons = [], []
    for kind in kinds:
        for cid in META_CLAUSES[kind]:
            quote = quotes.get(kind, {}).get(cid) or corpus.get(cid).text
            if c := cite(corpus, cid, quote):
                cites.append(c)
    day = "{0.year}年{0.month}月{0.day}日".format
    for kind in kinds:
        if kind == DOC_NUMBER:
            reasons.append(f"本通知文号为{doc.doc_id}（{doc.title}）。")
        elif kind == ISSUER:
            reasons.append(f"本通知由{doc.issuer}印发（见标题和落款）。")
        elif kind == DATES:
            late = [int(y) for y in re.findall(r"(20\d\d)年", text) if int(y) > doc.expires.year]
            reasons.append(f"本通知自{day(doc.effective)}起施行，有效期5年，至{day(doc.expires)}止"
                           + (f"；到{late[0]}年已过有效期，届时请以现行规定为准。" if late else "。"))
        else:
            reasons.append(f"本通知主送{corpus.get('正文/主送').text.rstrip('：:')}。")
    return PartResult(text, Decision.INFO, unique_clauses(cites), ("".join(reasons),))


def _not_held(kind: str, corpus: Corpus) -> str:
    return (f"本通知（{corpus.document.doc_id}）没有规定您所问的{describe_not_held(kind)}，无法据此给出结论；"
            "请查阅相关文件或咨询财政部门。")


def _not_stated(missing, corpus: Corpus) -> str:
    return (f"本通知（{corpus.document.doc_id}）没有规定您所问的{describe(missing)}，无法据此给出结论；"
            "请查阅其他相关规定或咨询财政部门。")


def _only_value_asked(text: str, clause_texts: list[str]) -> frozenset[str]:
    """Kinds of value asked for and not stated, when every question in `text` asks for a value. Each
    question sentence is read in its question span (answerable.question_span): a scenario may mention sums
    or periods ("一年几十场", "每家拿多少，……可以吗？") without asking, and "能买吗？律师费定多少？" still asks 能买吗."""
    questions = question_sentences(text)
    kinds = [asked(q) for q in questions]  # asked for, or stated to confirm ("…是项目金额的2%对吧？")
    if not kinds or not all(kinds):
        return frozenset()
    return missing_value(" ".join(questions), clause_texts)


def related(corpus: Corpus, question: str, hits, have: set[str], limit: int) -> tuple[Citation, ...]:
    out = []
    for h in hits:
        if len(out) >= limit:
            break
        if h.clause.clause_id not in have and h.clause.kind in ("item", "closing", "preface", "intro", "effective") \
                and (c := sentence_citation(corpus, h.clause, question, h.score)):
            out.append(c)
            have.add(h.clause.clause_id)
    return tuple(out)


STAFF_PRECONDITION = "现有人员配备、物资设备不足以保障履职（否则属附件2二、（七））"


def compose(question: str, parts: Sequence[PartResult], corpus: Corpus, *, hits=(), disregarded=(),
            today: date | None = None, nearest: Clause | None = None) -> Answer:
    """The answer object: one Part per sub-question in the order asked; the most severe part leads the
    top verdict, summary and citations; no clause is cited twice."""
    decision = most_severe(p.decision for p in parts)
    deciding = next(p for p in parts if p.decision == decision)
    ordered = [deciding, *(p for p in parts if p is not deciding)]
    citations: list[Citation] = list(unique_clauses(c for p in ordered for c in p.citations))
    have = {c.clause_id for c in citations}
    eligibility = decision in (Decision.ALLOWED, Decision.CONDITIONAL)
    if eligibility and "正文/三/（三）" not in have and (c := _general_cite(corpus)):
        citations.append(c)
        have.add(c.clause_id)
    from_metadata = decision == Decision.INFO and bool(deciding.reasons) and deciding.reasons[0].startswith("本通知")
    if decision != Decision.NOT_COVERED and not from_metadata:
        citations += related(corpus, question, hits, have, limit=max(0, 4 - len(citations)))
    conditions = tuple(dict.fromkeys(x for p in ordered for x in p.open_conditions))
    preconditions = _preconditions(ordered)
    doc = corpus.document
    out_parts = tuple(_part(corpus, p) for p in parts)
    summary = out_parts[parts.index(deciding)].summary if len(parts) == 1 else \
        _summary(decision, deciding, conditions, citations, _preconditions([deciding]))
    body: list[str] = []
    understood = "\n".join(p.understood for p in parts if p.understood)
    if understood:
        body.append(understood)
    multi = len(parts) > 1
    for i, p in enumerate(parts, 1):  # in the order asked; each part shows its own verdict
        head = f"**第{i}问**（{p.decision.zh}）：" if multi else ""
        if p.reasons:
            body.append(head + " ".join(p.reasons))
        elif p.decision == Decision.NOT_COVERED:
            body.append(head + f"本通知（{corpus.document.doc_id}）对此没有作出规定，无法据此给出结论；"
                               "请查阅其他相关规定或咨询财政部门。")
        elif head:
            body.append(head)
        for c in p.citations:
            body.append(f"> {c.label}（`{c.clause_id}`）：“{c.quote}”")
        near = p.nearest or (nearest if not multi else None)
        if p.decision == Decision.NOT_COVERED and near is not None:
            body.append(f"相关条款（仅供参考，并非对此问题的规定）：{near.label}（`{near.clause_id}`）。")
    if conditions:
        body.append("需要确认的条件：\n" + "\n".join(f"- {c}" for c in conditions))
    if preconditions:
        body.append("前提（每一项政府购买服务都须满足，正文三、（二）（三）、附件2二、（七））：\n"
                    + "\n".join(f"- {c}" for c in preconditions))
    elif eligibility:
        body.append("一般前提：购买的服务事项须属于本部门政府购买服务指导性目录，且财政已安排预算"
                    "（正文三、（三）：“已纳入省级部门指导性目录且已有预算安排的服务事项，可按规定实施购买服务”）。")
    if disregarded:
        body.append("提示：提问中试图改变规则或结论的文字（" + "；".join(f"“{d[:30]}”" for d in disregarded)
                    + "）已被忽略，结论只依据通知原文和负面清单规则。")
    warnings = ()
    if doc.expired(today):
        warnings = (f"注意：本通知有效期至 {doc.expires.isoformat()}，现已失效，请核实现行规定。",)
        body.append(warnings[0])
    body.append(f"依据：{doc.doc_id}，{doc.effective.isoformat()} 起施行，有效期至 {doc.expires.isoformat()}。")
    return Answer(
        question=question, verdict=decision, summary=summary, answer="\n\n".join(body),
        citations=tuple(citations), rules=tuple(r for p in ordered for r in p.rules), document=doc.stamp(),
        parts=out_parts, understood=understood, open_conditions=conditions, preconditions=preconditions,
        disregarded=tuple(disregarded), warnings=warnings,
    )


def _general_cite(corpus: Corpus) -> Citation | None:
    return cite(corpus, "正文/三/（三）", GENERAL_PRECONDITIONS)


def _preconditions(parts: Sequence[PartResult]) -> tuple[str, ...]:
    """The general 前提 of the eligibility parts: those the checker left open, and then 人员设备."""
    got = tuple(dict.fromkeys(x for p in parts if p.decision in (Decision.ALLOWED, Decision.CONDITIONAL)
                              for x in p.preconditions))
    return (*got, STAFF_PRECONDITION) if got else ()


def _part(corpus: Corpus, p: PartResult) -> Part:
    """The contract's view of one part: its own verdict, summary and citations (the specific clause first,
    then 正文三、（三） for the preconditions of an eligibility answer; each clause once)."""
    cites = list(p.citations)
    if p.decision in (Decision.ALLOWED, Decision.CONDITIONAL) and p.preconditions \
            and all(c.clause_id != "正文/三/（三）" for c in cites) and (c := _general_cite(corpus)):
        cites.append(c)
    cites = unique_clauses(cites)
    return Part(p.text, p.decision, _summary(p.decision, p, p.open_conditions, cites, _preconditions([p])),
                cites, _preconditions([p]))


def _summary(decision: Decision, deciding: PartResult, conditions, citations, preconditions=()) -> str:
    lead = SUMMARY_LEAD[decision]
    pre = ("前提：" + "；".join(preconditions) + "。") if preconditions else ""
    if decision == Decision.CONDITIONAL:
        return lead + ("；".join(conditions) or "属于本部门指导性目录且已安排预算") + "。" + pre
    if decision == Decision.INFO and deciding.reasons and deciding.reasons[0].startswith("本通知"):
        return deciding.reasons[0]  # answered from the notice's metadata
    if decision == Decision.INFO and citations:
        c = citations[0]
        quote = c.quote if len(c.quote) <= 80 else c.quote[:78] + "…"
        return f"根据{c.label}：{quote}"
    if decision == Decision.NOT_COVERED:
        reason = deciding.reasons[0] if deciding.reasons else ""
        return reason if reason.startswith("本通知") and len(reason) <= 120 \
            else lead + "无法据此给出结论，请以其他相关规定为准或咨询财政部门。"
    reason = deciding.reasons[0] if deciding.reasons else ""
    if decision == Decision.ALLOWED and pre:
        return lead + reason + pre
    return lead + reason
