"""Pure HTML rendering for the web UI (no gradio here, so it is fast to test).

Every string that reaches the page goes through `esc` first: questions, answers, quotes and clause text
alike. The only markup added is ours (fixed tags and classes), so a question such as
`<img src=x onerror=alert(1)>` shows as text and never runs."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence
from urllib.parse import quote as urlquote

from .answer import Answer, Citation
from .verdict import Decision

# verdict → (badge text, css class); colours live in UI_CSS
BADGES: dict[str, tuple[str, str]] = {
    Decision.PROHIBITED: ("禁止", "v-prohibited"),  # red
    Decision.ALLOWED: ("允许", "v-allowed"),  # green
    Decision.CONDITIONAL: ("视条件", "v-conditional"),  # amber
    Decision.NOT_COVERED: ("未规定", "v-not-covered"),  # grey
    Decision.INFO: ("信息", "v-info"),  # blue
}
CHECK_MARKS = {"triggered": ("✗", "触发", "st-triggered"), "clear": ("✓", "未触发", "st-clear"),
               "unknown": ("?", "需确认", "st-unknown")}
QUOTE_PREVIEW = 120  # characters of a quote shown under its chip


def esc(value: object) -> str:
    """HTML-escape anything (quotes too, so the result is safe inside attributes)."""
    return html.escape(str(value), quote=True)


def badge_html(verdict: str) -> str:
    text, cls = BADGES.get(str(verdict), (str(verdict), "v-not-covered"))
    return f'<span class="verdict-badge {cls}" data-verdict="{esc(verdict)}">{esc(text)}</span>'


# ---------------------------------------------------------------- minimal, safe Markdown


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def inline_md(text: str) -> str:
    """Escape, then turn **bold** and `code` into tags. Nothing else is interpreted."""
    out = esc(text)
    out = _CODE.sub(r"<code>\1</code>", out)
    return _BOLD.sub(r"<strong>\1</strong>", out)


def md_html(text: str, quotes: bool = True) -> str:
    """The few Markdown forms the composer writes (paragraphs, `> ` quotes, `- ` lists, bold, code).

    quotes=False drops `> ` paragraphs (the answer card lists the quoted clauses as chips instead)."""
    blocks = []
    for para in re.split(r"\n\s*\n", text.strip()):
        lines = para.split("\n")
        if all(ln.startswith(">") for ln in lines):
            if not quotes:
                continue
            body = "<br>".join(inline_md(ln[1:].lstrip()) for ln in lines)
            blocks.append(f"<blockquote>{body}</blockquote>")
            continue
        html_lines, items = [], []
        for ln in lines:
            if ln.lstrip().startswith(("- ", "* ")):
                items.append(f"<li>{inline_md(ln.lstrip()[2:])}</li>")
                continue
            if items:
                html_lines.append("<ul>" + "".join(items) + "</ul>")
                items = []
            html_lines.append(inline_md(ln))
        if items:
            html_lines.append("<ul>" + "".join(items) + "</ul>")
        blocks.append('<div class="para">' + "<br>".join(html_lines).replace("<br><ul>", "<ul>") + "</div>")
    return "\n".join(blocks)


# ---------------------------------------------------------------- the notice, with highlighted spans


@dataclass(frozen=True, slots=True)
class Mark:
    """A span of one clause's text to highlight; offsets index clause.text (Python characters)."""

    start: int
    end: int
    active: bool = False


def highlight_html(text: str, marks: Sequence[Mark] = ()) -> str:
    """Escaped clause text with each span wrapped in <mark>; newlines become <br>.

    Spans may overlap; out-of-range or empty spans are ignored. The mark's text is exactly text[start:end]."""
    good = [m for m in marks if 0 <= m.start < m.end <= len(text)]
    cuts = sorted({0, len(text), *(m.start for m in good), *(m.end for m in good)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        piece = esc(text[a:b]).replace("\n", "<br>")
        covering = [m for m in good if m.start <= a and b <= m.end]
        if covering:
            cls = "cite active" if any(m.active for m in covering) else "cite"
            piece = f'<mark class="{cls}">{piece}</mark>'
        out.append(piece)
    return "".join(out)


def clause_dom_id(clause_id: str) -> str:
    return "clause-" + clause_id.replace("/", "-")


PART_TITLES = {"正文": "通知正文", "附件1": "附件1 重点领域政府购买服务改革清单",
               "附件2": "附件2 政府购买服务负面清单", "附注": "附注"}


def source_html(corpus, marks: Mapping[str, Sequence[Mark]] | None = None, nonce: int = 0,
                reveal: bool = False) -> str:
    """The whole notice, one element per clause (`data-clause-id`), spans in `marks` highlighted.

    `nonce` makes each render differ, so the page's script re-focuses even when the same chip is clicked twice;
    `reveal` asks it to bring the panel itself into view (a chip was clicked), not only scroll inside it."""
    marks = marks or {}
    doc = corpus.document
    out = ['<div class="panel-title">原文 <span class="hint">被引用的原句以黄色标出</span></div>',
           f'<div class="source-doc" data-render="{int(nonce)}" data-reveal="{int(reveal)}">',
           f'<div class="source-meta">{esc(doc.doc_id)} · {esc(doc.effective.isoformat())} 起施行 · '
           f'有效期至 {esc(doc.expires.isoformat())}</div>']
    part = None
    for c in corpus.clauses:
        if c.part != part:
            if part is not None:
                out.append("</section>")
            part = c.part
            out.append(f'<section class="source-part" data-part="{esc(part)}">'
                       f'<div class="part-title">{esc(PART_TITLES.get(part, part))}</div>')
        heading = c.kind in ("title", "section", "annex") and len(c.text) <= 40
        cls = f"clause kind-{esc(c.kind)}" + (" heading" if heading else "") + (" has-mark" if c.clause_id in marks else "")
        out.append(
            f'<div class="{cls}" id="{esc(clause_dom_id(c.clause_id))}" data-clause-id="{esc(c.clause_id)}">'
            f'<span class="clause-ref" title="{esc(c.label)}">{esc(c.short_label)}</span>'
            f'<div class="clause-text">{highlight_html(c.text, marks.get(c.clause_id, ()))}</div></div>')
    if part is not None:
        out.append("</section>")
    out.append("</div>")
    return "".join(out)


def citation_marks(citations: Iterable[Citation], active: int | None = 0) -> dict[str, list[Mark]]:
    """Marks for an answer's citations; the `active` one (index) is emphasised."""
    marks: dict[str, list[Mark]] = {}
    for i, c in enumerate(citations):
        marks.setdefault(c.clause_id, []).append(Mark(c.start, c.end, active=(i == active)))
    return marks


# ---------------------------------------------------------------- chat transcript


def chip_html(clause_id: str, label: str, start: int, end: int, title: str = "") -> str:
    """A clickable clause reference; the page's script shows the span in the 原文 panel."""
    return (f'<button type="button" class="chip" data-cite="1" data-clause-id="{esc(clause_id)}" '
            f'data-start="{int(start)}" data-end="{int(end)}" title="{esc(title or label)}">{esc(label)}</button>')


def _short(corpus, clause_id: str, fallback: str) -> str:
    try:
        return corpus.get(clause_id).short_label
    except Exception:
        return fallback


def data_url(text: str, mime: str) -> str:
    return f"data:{mime};charset=utf-8," + urlquote(text, safe="")


def answer_exports(answer: Answer) -> dict[str, str]:
    """The texts behind 复制 / 下载 Markdown / 下载 JSON (the contract object)."""
    return {"text": answer.to_text(), "markdown": answer.to_markdown(),
            "json": json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) + "\n"}


def question_html(question: str) -> str:
    return f'<div class="msg msg-user"><div class="bubble">{esc(question)}</div></div>'


def split_citations(answer: Answer) -> tuple[list[Citation], list[Citation]]:
    """(the clauses the verdict rests on, related clauses): the first citation, and any quoted in the answer,
    are the basis (as Answer.to_text lists them); the rest are related."""
    basis, related = [], []
    for i, c in enumerate(answer.citations):
        (basis if i == 0 or c.quote in answer.answer else related).append(c)
    return basis, related


def _citation_row(c: Citation, corpus) -> str:
    quote = c.quote if len(c.quote) <= QUOTE_PREVIEW else c.quote[:QUOTE_PREVIEW] + "…"
    chip = chip_html(c.clause_id, _short(corpus, c.clause_id, c.label), c.start, c.end, c.label)
    return f'<li>{chip}<span class="quote">“{esc(quote)}”</span></li>'


def parts_html(answer: Answer, corpus) -> str:
    """One row per sub-question, in the order asked: its own verdict badge, summary and clause chips."""
    rows = []
    for i, p in enumerate(answer.parts, 1):
        chips = "".join(chip_html(c.clause_id, _short(corpus, c.clause_id, c.label), c.start, c.end, c.label)
                        for c in p.citations)
        rows.append(f'<li class="part" data-part="{i}" data-verdict="{esc(p.verdict)}">'
                    f'<span class="part-no">第{i}问</span>{badge_html(p.verdict)}'
                    f'<span class="part-q">{esc(p.question)}</span>'
                    f'<div class="part-summary">{esc(p.summary)}</div>'
                    + (f'<div class="part-cites">{chips}</div>' if chips else "") + "</li>")
    return f'<div class="parts"><div class="sub">分问结论</div><ul>{"".join(rows)}</ul></div>'


def answer_html(answer: Answer, corpus, n: int = 1) -> str:
    parts = [f'<div class="msg msg-bot" data-answer="{n}"><div class="card">',
             f'<div class="card-head">{badge_html(answer.verdict)}'
             f'<span class="summary">{esc(answer.summary)}</span></div>']
    for w in answer.warnings:
        parts.append(f'<div class="warn">{esc(w)}</div>')
    if len(answer.parts) > 1:
        parts.append(parts_html(answer, corpus))
    if answer.open_conditions:
        items = "".join(f"<li>{esc(c)}</li>" for c in answer.open_conditions)
        parts.append(f'<div class="conditions"><div class="sub">需要确认的条件</div><ul>{items}</ul></div>')
    if answer.preconditions:
        items = "".join(f"<li>{esc(c)}</li>" for c in answer.preconditions)
        parts.append(f'<div class="conditions preconditions"><div class="sub">前提（每项购买都须满足）</div>'
                     f'<ul>{items}</ul></div>')
    parts.append(f'<details class="reasoning" open><summary>说明</summary>{md_html(answer.answer, quotes=False)}</details>')
    basis, related = split_citations(answer)
    hint = '<span class="hint">点击条款，在原文中查看引用的原句</span>'
    for title, cites in (("依据条款", basis), ("相关条款", related)):
        if cites:
            rows = "".join(_citation_row(c, corpus) for c in cites)
            parts.append(f'<div class="cites"><div class="sub">{title} {hint}</div><ul>{rows}</ul></div>')
            hint = ""
    ex = answer_exports(answer)
    parts.append(
        '<div class="actions">'
        f'<button type="button" class="act" data-copy="{esc(ex["text"])}">复制</button>'
        f'<a class="act" download="answer-{n}.md" href="{esc(data_url(ex["markdown"], "text/markdown"))}">下载 Markdown</a>'
        f'<a class="act" download="answer-{n}.json" href="{esc(data_url(ex["json"], "application/json"))}">下载 JSON</a>'
        "</div></div></div>")
    return "".join(parts)


def error_html(message: str) -> str:
    zh = message.partition(" / ")[0]
    return f'<div class="msg msg-bot"><div class="card card-error"><span class="err-icon">!</span>{esc(zh)}</div></div>'


WELCOME = ('<div class="welcome"><div class="welcome-title">请用自己的话提问</div>'
           '<div>例如：“公益一类事业单位能承接政府购买服务吗？”本助手只依据{doc_id}及其附件作答，'
           '每个结论都标明所依据的条款，点击条款即可在原文中看到被引用的原句。</div></div>')


def transcript_html(history: Sequence[tuple], corpus) -> str:
    """history: ("answer", Answer) | ("error", question, message) entries, oldest first."""
    if not history:
        return f'<div class="transcript">{WELCOME.format(doc_id=esc(corpus.document.doc_id))}</div>'
    out = ['<div class="transcript">']
    for n, entry in enumerate(history, 1):
        out.append(f'<div class="exchange" data-n="{n}">')
        if entry[0] == "answer":
            out.append(question_html(entry[1].question))
            out.append(answer_html(entry[1], corpus, n))
        else:
            _, question, message = entry
            if question.strip():
                out.append(question_html(question if len(question) <= 300 else question[:300] + "…"))
            out.append(error_html(message))
        out.append("</div>")
    out.append("</div>")
    return "".join(out)


# ---------------------------------------------------------------- eligibility checklist


def checklist_html(result: Mapping, corpus) -> str:
    """The checker's verdict and the negative list as ✓ / ✗ / ? rows (result: check_payload's dict)."""
    decision = str(result.get("decision", "not_covered"))
    fired = list(result.get("fired") or ())
    summary = fired[0].get("explanation") if fired and decision == "prohibited" else _check_summary(result)
    out = ['<div class="check-result">',
           f'<div class="card-head">{badge_html(decision)}<span class="summary">{esc(summary or "")}</span></div>']
    if result.get("understood"):
        out.append(f'<div class="understood">{esc(result["understood"])}</div>')
    reasons = [f for f in fired if f.get("explanation")][1:] if decision == "prohibited" else fired
    if reasons:
        out.append('<div class="conditions"><div class="sub">其他触发的规定</div><ul>'
                   + "".join(f"<li>{esc(f['explanation'])}</li>" for f in reasons if f.get("explanation"))
                   + "</ul></div>")
    conds = result.get("open_conditions") or ()
    if conds:
        out.append('<div class="conditions"><div class="sub">需要确认的条件</div><ul>'
                   + "".join(f"<li>{esc(c)}</li>" for c in conds) + "</ul></div>")
    quotes = {f.get("clause_id"): f.get("quote", "") for f in reversed(fired)}
    counts = {k: 0 for k in CHECK_MARKS}
    rows = []
    for item in result.get("checklist") or ():
        status = item.get("status", "unknown")
        status = status if status in CHECK_MARKS else "unknown"
        counts[status] += 1
        mark, word, cls = CHECK_MARKS[status]
        cid = str(item.get("clause_id", ""))
        rows.append(f'<li class="check-row {cls}" data-status="{esc(status)}" data-clause-id="{esc(cid)}">'
                    f'<span class="check-mark" title="{esc(word)}">{esc(mark)}</span>'
                    f'<div class="check-body"><div class="check-text">{_clause_chip(corpus, cid, quotes.get(cid))}'
                    f'<span class="check-label">{esc(item.get("label", ""))}</span>'
                    f'<span class="check-word">{esc(word)}</span></div>{_matched(item.get("matched"))}</div></li>')
    out.append(f'<div class="sub">负面清单逐项检查：✗ 触发 {counts["triggered"]} 项 · '
               f'? 需确认 {counts["unknown"]} 项 · ✓ 未触发 {counts["clear"]} 项 '
               '<span class="hint">点击条款查看原文</span></div>')
    out.append(f'<ul class="checklist">{"".join(rows)}</ul></div>')
    return "".join(out)


def _clause_chip(corpus, clause_id: str, quote: str | None) -> str:
    """A chip for a whole 附件2 item, or for the fired rule's quote inside it."""
    try:
        clause = corpus.get(clause_id)
    except Exception:
        return f'<span class="chip chip-static">{esc(clause_id)}</span>'
    start = clause.text.find(quote) if quote else -1
    start, end = (start, start + len(quote)) if start >= 0 else (0, len(clause.text))
    return chip_html(clause_id, clause.short_label, start, end, clause.label)


def _matched(matched) -> str:
    if isinstance(matched, str):
        matched = (matched,)
    if not matched:
        return ""
    return f'<div class="matched">依据您填写的：{esc("、".join(map(str, matched)))}</div>'


def _check_summary(result: Mapping) -> str:
    d = str(result.get("decision", ""))
    return {"prohibited": "不可以：所填情形触发了负面清单。",
            "allowed": "未发现负面清单禁止的情形。",
            "conditional": "尚有条件需要确认，确认后才能下结论。",
            "not_covered": "本通知对所填情形未作规定。",
            "info": ""}.get(d, "")


def header_html(corpus) -> str:
    doc = corpus.document
    return ('<div class="app-header"><div class="app-title">政府购买服务政策问答助手</div>'
            f'<div class="app-sub">依据 {esc(doc.doc_id)}《{esc(doc.title)}》及附件1、附件2作答 · '
            f'{esc(doc.effective.isoformat())} 起施行，有效期至 {esc(doc.expires.isoformat())} · '
            '结论由负面清单规则判定，逐字引用原文</div></div>')


UI_CSS = """
.gradio-container { max-width: 1480px !important; overflow: visible !important; overflow-x: clip !important; }
#app-header .app-header { padding: 14px 4px 6px; border-bottom: 1px solid var(--border-color-primary); margin-bottom: 4px; }
.app-title { font-size: 1.35rem; font-weight: 700; color: var(--body-text-color); letter-spacing: .02em; }
.app-sub { font-size: .85rem; color: var(--body-text-color-subdued); margin-top: 4px; }
.hint { font-weight: 400; font-size: .78rem; color: var(--body-text-color-subdued); margin-left: 6px; }

/* transcript */
.transcript { height: 56vh; min-height: 320px; overflow-y: auto; padding: 12px; border: 1px solid var(--border-color-primary);
  border-radius: 10px; background: var(--background-fill-secondary); }
.welcome { color: var(--body-text-color-subdued); line-height: 1.7; padding: 8px 4px; font-size: .92rem; }
.welcome-title { font-weight: 600; color: var(--body-text-color); margin-bottom: 4px; font-size: 1rem; }
.msg { display: flex; margin: 10px 0; }
.msg-user { justify-content: flex-end; }
.msg-user .bubble { max-width: 80%; background: #1d4ed8; color: #fff; padding: 8px 12px; border-radius: 12px 12px 2px 12px;
  white-space: pre-wrap; word-break: break-word; line-height: 1.6; }
.msg-bot .card { width: 100%; background: var(--background-fill-primary); border: 1px solid var(--border-color-primary);
  border-radius: 10px; padding: 12px 14px; line-height: 1.65; box-shadow: 0 1px 2px rgba(16,24,40,.05); }
.card-head { display: flex; gap: 10px; align-items: flex-start; }
.summary { font-weight: 600; color: var(--body-text-color); }
.verdict-badge { flex: none; display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: .82rem; font-weight: 700;
  letter-spacing: .05em; color: #fff; line-height: 1.6; }
.v-prohibited { background: #d92d20; }
.v-allowed { background: #079455; }
.v-conditional { background: #f5a524; color: #3d2600; }
.v-not-covered { background: #667085; }
.v-info { background: #1570ef; }
.sub { font-size: .8rem; font-weight: 600; color: var(--body-text-color-subdued); margin: 10px 0 4px; }
.conditions ul, .cites ul, .parts ul { margin: 0; padding-left: 0; list-style: none; }
.parts li.part { padding: 4px 0; border-bottom: 1px dashed #e5e7eb; }
.parts .part-no { font-weight: 700; margin-right: 6px; }
.parts .part-q { margin-left: 6px; }
.parts .part-summary { margin: 2px 0 0 0; font-size: .92rem; }
.preconditions li::before { color: #10b981; }
.conditions li { padding-left: 1em; position: relative; }
.conditions li::before { content: "•"; position: absolute; left: 0; color: #f5a524; }
.cites li { margin: 4px 0; display: flex; gap: 8px; align-items: baseline; }
.quote { color: var(--body-text-color-subdued); font-size: .88rem; }
.chip { flex: none; cursor: pointer; border: 1px solid #b2ccff; background: #eff4ff; color: #1849a9; border-radius: 6px;
  padding: 1px 8px; font-size: .82rem; font-weight: 600; white-space: nowrap; }
.chip:hover, .chip.selected { background: #1849a9; color: #fff; border-color: #1849a9; }
.chip-static { cursor: default; }
.warn { margin-top: 6px; color: #b54708; font-size: .88rem; }
details.reasoning { margin-top: 8px; font-size: .9rem; }
details.reasoning summary { cursor: pointer; color: var(--body-text-color-subdued); font-size: .82rem; font-weight: 600; }
details.reasoning .para { margin: 6px 0; }
details.reasoning blockquote { margin: 6px 0; padding: 4px 10px; border-left: 3px solid #b2ccff; color: var(--body-text-color-subdued); }
.actions { display: flex; gap: 6px; margin-top: 10px; border-top: 1px dashed var(--border-color-primary); padding-top: 8px; }
.act { font-size: .78rem; padding: 2px 10px; border-radius: 6px; border: 1px solid var(--border-color-primary);
  background: var(--background-fill-secondary); color: var(--body-text-color) !important; text-decoration: none !important; cursor: pointer; }
.act:hover { background: var(--background-fill-primary); border-color: #84adff; }
.card-error { border-color: #fda29b !important; background: #fef3f2 !important; color: #912018; display: flex; gap: 8px; align-items: center; }
.err-icon { flex: none; width: 20px; height: 20px; border-radius: 50%; background: #d92d20; color: #fff; font-weight: 700;
  text-align: center; line-height: 20px; font-size: .8rem; }
#examples-row { align-items: center; gap: 6px; flex-wrap: wrap; }
#examples-row > * { flex: none !important; min-width: 0 !important; width: auto !important; }
.examples-label { font-size: .82rem; color: var(--body-text-color-subdued); }
.example-btn, .clear-btn { font-weight: 400 !important; }

/* 原文 panel: stays in view while the left side scrolls (long form, long chat) */
#source-col { position: sticky; top: 8px; align-self: flex-start; }
.panel-title { font-weight: 700; padding: 8px 2px 6px; }
.source-doc { height: calc(100vh - 120px); min-height: 420px; overflow-y: auto; border: 1px solid var(--border-color-primary);
  border-radius: 10px; padding: 10px 14px; background: var(--background-fill-primary); font-size: .9rem; line-height: 1.75; }
.source-meta { font-size: .78rem; color: var(--body-text-color-subdued); margin-bottom: 6px; }
.part-title { position: sticky; top: -10px; background: var(--background-fill-primary); font-weight: 700; padding: 8px 0 4px;
  border-bottom: 1px solid var(--border-color-primary); margin: 6px 0; z-index: 1; }
.clause { display: flex; gap: 8px; padding: 3px 6px; border-radius: 6px; scroll-margin: 80px; }
.clause.has-mark { background: #fffbea; }
.clause-ref { flex: none; width: 9.2em; font-size: .72rem; color: #98a2b3; padding-top: .28em; white-space: nowrap; }
.clause-text { flex: 1; word-break: break-word; }
.clause.heading .clause-text { font-weight: 700; }
mark.cite { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
mark.cite.active { background: #facc15; box-shadow: 0 0 0 2px #f59e0b; animation: flash 1.2s ease-out 1; }
@keyframes flash { 0% { box-shadow: 0 0 0 6px rgba(245,158,11,.7); } 100% { box-shadow: 0 0 0 2px #f59e0b; } }

#ask-btn, #check-btn { background: #1d4ed8 !important; border-color: #1d4ed8 !important; color: #fff !important; }
#ask-btn:hover, #check-btn:hover { background: #1e40af !important; }

@media (max-width: 640px) {
  .clause { flex-direction: column; gap: 0; }
  .clause-ref { width: auto; padding-top: 0; }
  .source-doc { height: 75vh; }
  .transcript { height: 60vh; }
}

/* 资格自查 */
fieldset.fact { display: flex !important; align-items: center; gap: 12px; padding: 6px 12px !important; }
fieldset.fact > span[data-testid="block-info"] { flex: 1; background: none !important; color: var(--body-text-color) !important;
  font-size: .9rem; font-weight: 400; padding: 0 !important; margin: 0 !important; border: 0 !important; }
fieldset.fact .wrap { flex: none; gap: 6px; }
fieldset.fact label { padding: 3px 12px !important; }
.form-intro { font-size: .88rem; color: var(--body-text-color-subdued); padding: 6px 2px 2px; }
.check-placeholder { color: var(--body-text-color-subdued); padding: 12px; border: 1px dashed var(--border-color-primary); border-radius: 10px; }
.check-result { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 12px 14px; background: var(--background-fill-primary); }
.understood { font-size: .85rem; color: var(--body-text-color-subdued); margin-top: 6px; white-space: pre-wrap; }
.checklist { list-style: none; margin: 0; padding: 0; }
.check-row { display: flex; gap: 10px; padding: 7px 4px; border-bottom: 1px solid var(--border-color-primary); }
.check-row:last-child { border-bottom: 0; }
.check-mark { flex: none; width: 22px; height: 22px; border-radius: 50%; text-align: center; line-height: 22px; font-weight: 700; color: #fff; }
.st-triggered .check-mark { background: #d92d20; }
.st-clear .check-mark { background: #079455; }
.st-unknown .check-mark { background: #f5a524; color: #3d2600; }
.st-triggered { background: #fef3f2; }
.check-text { display: flex; gap: 8px; align-items: baseline; font-size: .88rem; }
.check-body { flex: 1; min-width: 0; }
.check-label { flex: 1; }
.check-word { flex: none; font-size: .78rem; color: var(--body-text-color-subdued); }
.st-triggered .check-word { color: #b42318; font-weight: 700; }
.matched { font-size: .82rem; color: #b42318; margin-top: 2px; }
"""
