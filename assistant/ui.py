"""The staff web UI (Gradio): 智能问答 with cited clause chips, the 原文 panel, and the 资格自查 form.

`build_demo(assistant)` builds the Blocks; `mount_ui(app, assistant)` serves it on the REST API's FastAPI app.
Gradio is imported only inside these functions. Rendering (and all escaping) lives in `ui_render`.
Per-session state is a `gr.State` (the conversation), never a global; the assistant is loaded once by the caller."""

from __future__ import annotations

import hmac
import itertools
import logging
import threading
from dataclasses import dataclass

from . import ui_render as R
from .errors import AssistantError

log = logging.getLogger("assistant.ui")

TITLE = "{doc_id} 政府购买服务问答助手"  # doc_id from corpus/document.toml
EXAMPLES = (
    "公益一类事业单位能承接政府购买服务吗？",
    "能不能把新建教学楼和物业打包成购买服务？",
    "没有安排预算能先买服务吗？",
    "本通知什么时候开始施行，有效期多久？",
)
MAX_HISTORY = 30  # exchanges kept per session
ASK_CONCURRENCY = 8  # questions answered at once across all sessions
BROWSER_INPUT_CAP = 10_000  # the textarea's own cap; the assistant's 2,000-character limit gives the message
INTERNAL_ERROR = "服务内部错误，请稍后重试或联系管理员 / internal error"
_nonce = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Fact:
    key: str  # the checker's payload key
    question: str  # as the form asks it


# The 资格自查 form → assistant.checkcli.check_payload's payload (keys and values as that function accepts them).
PURCHASER_DEFAULT, PROVIDER_DEFAULT = "行政机关", "社会组织"
FACT_FIELDS = (
    Fact("budget", "财政是否已安排预算？"),
    Fact("in_catalog", "是否已纳入政府购买服务指导性目录？"),
    Fact("construction", "是否涉及工程或货物（含工程和服务打包）？"),
    Fact("staffing", "是否涉及人员招聘、劳务派遣或设置公益性岗位？"),
    Fact("financing", "是否涉及融资（如贷款、垫资）？"),
    Fact("sufficient_staff", "现有人员、物资设备是否已足以保障履职？"),
    Fact("admin_functions", "所涉事业单位是否承担行政职能？"),
    Fact("admin_duty", "是否属于行政决策、执法、监督等应由政府直接履职的事项？"),
    Fact("direct_grant", "是否为对行业协会商会的直接拨款？"),
    Fact("discriminatory", "是否以不合理条件对承接主体实行差别或歧视待遇？"),
)
TRI_STATE = {"是": True, "否": False, "不确定": None}


def facts_payload(purchaser: str, provider: str, service: str, answers) -> dict:
    """The form's values as check_payload's dict (不确定 → None, i.e. left open)."""
    payload = {"purchaser": purchaser or "", "provider": provider or "", "service": (service or "").strip()}
    for fact, ans in zip(FACT_FIELDS, answers):
        payload[fact.key] = TRI_STATE.get(ans)
    return payload


def entity_choices() -> list[str]:
    from .facts import Entity

    return [e.value for e in Entity]  # the checker's own words; 未说明 last


def run_check(purchaser: str, provider: str, service: str, answers) -> dict:
    from .checkcli import check_payload

    return check_payload(facts_payload(purchaser, provider, service, answers))


# Clicks inside the transcript / checklist: chips → the `cite` event (Python highlights the span),
# 复制 → clipboard (with a fallback for plain-http pages where navigator.clipboard is missing).
CLICK_JS = """
const copyText = async (text) => {
  try { await navigator.clipboard.writeText(text); return true; } catch (e) {
    const ta = document.createElement('textarea');
    ta.value = text; ta.setAttribute('readonly', ''); ta.style.position = 'fixed'; ta.style.opacity = '0';
    document.body.appendChild(ta); ta.select();
    let ok = false; try { ok = document.execCommand('copy'); } catch (e2) { ok = false; }
    ta.remove(); return ok;
  }
};
element.addEventListener('click', async (ev) => {
  const chip = ev.target.closest('[data-cite]');
  if (chip && element.contains(chip)) {
    ev.preventDefault();
    element.querySelectorAll('.chip.selected').forEach((c) => c.classList.remove('selected'));
    chip.classList.add('selected');
    trigger('cite', {clause_id: chip.dataset.clauseId, start: Number(chip.dataset.start),
                     end: Number(chip.dataset.end)});
    return;
  }
  const btn = ev.target.closest('[data-copy]');
  if (btn && element.contains(btn)) {
    const ok = await copyText(btn.dataset.copy);
    const old = btn.dataset.label || btn.textContent; btn.dataset.label = old;
    btn.textContent = ok ? '已复制 ✓' : '复制失败';
    setTimeout(() => { btn.textContent = old; }, 1600);
  }
});
const showLatest = () => {  // the newest exchange's top (its question and verdict), not the bottom of a long answer
  const t = element.querySelector('.transcript'); const all = element.querySelectorAll('.exchange');
  if (!t || !all.length) return;
  t.scrollTop += all[all.length - 1].getBoundingClientRect().top - t.getBoundingClientRect().top - 8;
};
watch('value', showLatest);
"""

# The checklist appears below a long form: bring it into view.
RESULT_JS = """
watch('value', () => { const r = element.querySelector('.check-result, .card-error');
  if (r) r.scrollIntoView({block: 'start', behavior: 'smooth'}); });
"""

# After the 原文 panel re-renders: scroll its own box to the active <mark>; move the page only after a chip click
# (on a narrow screen the panel sits below the chat, and a new answer must not jump away from it).
SOURCE_JS = """
const focusMark = () => {
  const box = element.querySelector('.source-doc');
  const m = element.querySelector('mark.active') || element.querySelector('mark.cite');
  if (!box || !m) return;
  const r = box.getBoundingClientRect();
  if (box.dataset.reveal === '1' && (r.bottom < 0 || r.top > window.innerHeight)) box.scrollIntoView({block: 'start'});
  box.scrollTop += m.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 3;
};
watch('value', focusMark);
"""


class Handlers:
    """What the page's events do, as plain methods (gradio-free, so tests call them directly).

    The conversation lives in the caller's per-session state and is passed in and returned, never kept here.
    `skip()` is the "leave this output unchanged" marker (gr.skip in the app)."""

    def __init__(self, assistant, skip=lambda: None):
        self.assistant, self.corpus, self.skip = assistant, assistant.corpus, skip

    def source(self, marks=None, reveal: bool = False) -> str:
        return R.source_html(self.corpus, marks, nonce=next(_nonce), reveal=reveal)

    def respond(self, question, history):
        """→ (history, transcript HTML, 原文 HTML, new textbox value). A failed question keeps its text."""
        history = list(history or [])  # a new list: another session's state is never touched
        question = question if isinstance(question, str) else ""
        try:
            answer = self.assistant.ask(question)
        except AssistantError as e:  # empty, too long, not Chinese… — the message is for the user
            shown = question.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot go back as JSON
            entry, src, box = ("error", shown, str(e)), self.skip(), self.skip()
        except Exception:  # a bug: log it, never show a traceback
            log.exception("answering failed")
            entry, src, box = ("error", question, INTERNAL_ERROR), self.skip(), self.skip()
        else:
            entry, src, box = ("answer", answer), self.source(R.citation_marks(answer.citations)), ""
        history = (history + [entry])[-MAX_HISTORY:]
        return history, R.transcript_html(history, self.corpus), src, box

    def clear(self):
        return [], R.transcript_html([], self.corpus), self.source()

    def cite(self, data) -> str:
        """A chip was clicked: the 原文 panel with that span marked (the whole clause if the span is off)."""
        data = data if isinstance(data, dict) else {}
        try:
            clause = self.corpus.get(str(data.get("clause_id", "")))
            start, end = int(data.get("start", 0)), int(data.get("end", 0))
        except (AssistantError, TypeError, ValueError):
            return self.skip()
        if not 0 <= start < end <= len(clause.text):
            start, end = 0, len(clause.text)
        return self.source({clause.clause_id: [R.Mark(start, end, active=True)]}, reveal=True)

    def check(self, purchaser, provider, service, *answers) -> str:
        try:
            result = run_check(purchaser, provider, service, answers)
        except AssistantError as e:
            return R.error_html(str(e))
        except Exception:
            log.exception("checking failed")
            return R.error_html(INTERNAL_ERROR)
        return R.checklist_html(result, self.corpus)


def build_demo(assistant) -> "gr.Blocks":
    """The Blocks app over an already-loaded assistant (anything with .ask(question) and .corpus)."""
    import gradio as gr

    corpus = assistant.corpus
    entities = entity_choices()
    h = Handlers(assistant, skip=gr.skip)

    def cite(evt: gr.EventData):
        return h.cite(getattr(evt, "_data", None))

    cite.__annotations__["evt"] = gr.EventData  # a real class: gradio injects event data by type hint

    with gr.Blocks(title=TITLE.format(doc_id=corpus.document.doc_id), analytics_enabled=False) as demo:
        history = gr.State([])
        gr.HTML(R.header_html(corpus), elem_id="app-header", container=False, padding=False,
                js_on_load=None)
        with gr.Row(equal_height=False, elem_id="main-row"):
            with gr.Column(scale=11, min_width=420):
                with gr.Tabs():
                    with gr.Tab("智能问答", id="chat"):
                        chat = gr.HTML(R.transcript_html([], corpus), elem_id="chat-view", container=False,
                                       padding=False, js_on_load=CLICK_JS)
                        with gr.Row(elem_id="ask-row", equal_height=True):
                            box = gr.Textbox(placeholder="请输入您的问题（Enter 发送，Shift+Enter 换行），"
                                                         "例如：公益一类事业单位能承接县卫健局的购买服务项目吗？",
                                             show_label=False, lines=1, max_lines=6, scale=8,
                                             max_length=BROWSER_INPUT_CAP, elem_id="question", autofocus=True)
                            send = gr.Button("提问", variant="primary", scale=1, min_width=90, elem_id="ask-btn")
                        with gr.Row(elem_id="examples-row"):
                            gr.HTML('<span class="examples-label">示例问题：</span>', container=False,
                                    padding=False, js_on_load=None)
                            example_btns = [gr.Button(q, size="sm", variant="secondary", elem_classes="example-btn")
                                            for q in EXAMPLES]
                            reset = gr.Button("清空对话", size="sm", variant="stop", elem_classes="clear-btn")
                    with gr.Tab("资格自查", id="check"):
                        gr.HTML('<div class="form-intro">填写购买项目的基本情况，系统按附件2《政府购买服务负面清单》'
                                '逐项检查。拿不准的事项选“不确定”，结果中会列为需确认。</div>',
                                container=False, padding=False, js_on_load=None)
                        with gr.Row():
                            purchaser = gr.Dropdown(entities, label="购买主体类型", value=PURCHASER_DEFAULT,
                                                    elem_id="purchaser")
                            provider = gr.Dropdown(entities, label="承接主体类型", value=PROVIDER_DEFAULT,
                                                   elem_id="provider")
                        service = gr.Textbox(label="拟购买的服务内容", lines=2, max_length=BROWSER_INPUT_CAP,
                                             placeholder="例如：社区居家养老上门服务", elem_id="service")
                        with gr.Column(elem_id="facts"):
                            facts = [gr.Radio(["是", "否", "不确定"], value="不确定", label=f.question,
                                              elem_classes="fact", elem_id=f"fact-{f.key}") for f in FACT_FIELDS]
                        run = gr.Button("检查负面清单", variant="primary", elem_id="check-btn")
                        result = gr.HTML('<div class="check-placeholder">检查结果将显示在这里。</div>',
                                         elem_id="check-view", container=False, padding=False,
                                         js_on_load=CLICK_JS + RESULT_JS)
            with gr.Column(scale=9, min_width=360, elem_id="source-col"):
                src = gr.HTML(h.source(), elem_id="source-view", container=False, padding=False, js_on_load=SOURCE_JS)

        ask_out = [history, chat, src, box]
        # Several questions at once: one user's long question must not hold up everyone else's (each question's
        # work is bounded by max_question_chars and max_parts).
        ask_opts = dict(concurrency_id="ask", concurrency_limit=ASK_CONCURRENCY, show_progress="minimal")
        box.submit(h.respond, [box, history], ask_out, **ask_opts)
        send.click(h.respond, [box, history], ask_out, **ask_opts)
        for b in example_btns:
            b.click(h.respond, [b, history], ask_out, **ask_opts)
        reset.click(h.clear, None, [history, chat, src], show_progress="hidden")
        chat.cite(cite, None, src, show_progress="hidden", concurrency_limit=None)
        result.cite(cite, None, src, show_progress="hidden", concurrency_limit=None)
        run.click(h.check, [purchaser, provider, service, *facts], result, concurrency_limit=None)
    return demo


def theme():
    import gradio as gr

    system_fonts = ["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei",
                    "Helvetica Neue", "Arial", "sans-serif"]  # no web fonts: the app runs offline
    return gr.themes.Soft(primary_hue="blue", neutral_hue="slate", radius_size="md",
                          font=system_fonts, font_mono=["SFMono-Regular", "Consolas", "monospace"])


def _warm_up() -> None:
    """Gradio wraps every event in a matplotlib backend switch; the first one imports matplotlib (~0.8 s).
    Pay that in the background at start-up rather than on the first question."""
    try:
        import matplotlib

        matplotlib.get_backend()
    except Exception:  # matplotlib missing or broken: gradio copes, and so do we
        pass


def mount_ui(app, assistant, *, path: str = "/", token: str = ""):
    """Mount the UI on `app` (the REST API's FastAPI app). With a token, the page asks for it as the password."""
    import gradio as gr

    demo = build_demo(assistant)
    demo.queue(default_concurrency_limit=4)
    threading.Thread(target=_warm_up, name="ui-warm-up", daemon=True).start()
    kwargs = {}
    if token:
        kwargs["auth"] = lambda _user, password: hmac.compare_digest(str(password).encode(), token.encode())
        kwargs["auth_message"] = "请输入访问令牌（ASSISTANT_API_TOKEN）作为密码，用户名任意。"
    return gr.mount_gradio_app(app, demo, path=path, theme=theme(), css=R.UI_CSS,
                               footer_links=[], run_history=False, ssr_mode=False, **kwargs)
