"""The web UI without a browser: rendering helpers (badges, escaping, highlight offsets), the event
handlers, the Blocks factory and app.py's start-up rules. The real-browser tests are in test_browser.py."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest

from assistant import ui_render as R
from assistant.answer import Answer, Citation, RuleHit
from assistant.verdict import Decision
from tests.fakes import CORPUS, EchoAssistant

XSS = ['<img src=x onerror=alert(1)>', '<script>alert("x")</script>', '"><svg onload=alert(1)>',
       "${alert(1)} {{constructor}} `x`", "<a href='javascript:alert(1)'>x</a>"]


def make_answer(question="公益一类事业单位能承接吗？", verdict=Decision.PROHIBITED, **kw) -> Answer:
    clause = CORPUS.get("附件2/一/（一）")
    quote = clause.text[3:30]
    cite = Citation(clause.clause_id, clause.label, quote, 3, 30, 0.9)
    base = dict(question=question, verdict=verdict, summary="不可以。不得作为承接主体。",
                answer="**结论**：不可以。\n\n> 附件2（`附件2/一/（一）`）：“引文”\n\n需要确认的条件：\n- 甲\n- 乙",
                citations=(cite,), rules=(RuleHit("r1", clause.clause_id, ("公益一类",)),),
                document=CORPUS.document.stamp(), open_conditions=("是否已安排预算",))
    base.update(kw)
    return Answer(**base)


ALLOWED_TAGS = {"div", "span", "button", "a", "ul", "li", "details", "summary", "blockquote", "strong", "code",
                "mark", "br", "section"}


class TagAudit(HTMLParser):
    """Every tag and attribute in a fragment: only our own markup may appear."""

    def __init__(self):
        super().__init__()
        self.tags, self.bad = set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "src"):
                self.bad.append((tag, name, value))
            if name == "href" and not value.startswith(("data:text/markdown;", "data:application/json;")):
                self.bad.append((tag, name, value))


def audit(fragment: str) -> TagAudit:
    a = TagAudit()
    a.feed(fragment)
    return a


def text_of(fragment: str) -> str:
    """What a browser would show for an HTML fragment (enough for our own markup)."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment.replace("<br>", "\n")))


# ------------------------------------------------------------------ badges


@pytest.mark.parametrize("verdict, text, cls, colour", [
    (Decision.PROHIBITED, "禁止", "v-prohibited", "#d92d20"),  # red
    (Decision.ALLOWED, "允许", "v-allowed", "#079455"),  # green
    (Decision.CONDITIONAL, "视条件", "v-conditional", "#f5a524"),  # amber
    (Decision.NOT_COVERED, "未规定", "v-not-covered", "#667085"),  # grey
    (Decision.INFO, "信息", "v-info", "#1570ef"),  # blue
])
def test_verdict_badge(verdict, text, cls, colour):
    badge = R.badge_html(verdict)
    assert f'class="verdict-badge {cls}"' in badge and f">{text}</span>" in badge
    assert f'data-verdict="{verdict.value}"' in badge
    assert re.search(rf"\.{cls} \{{ background: {colour};", R.UI_CSS)


def test_badge_for_unknown_verdict_is_escaped_and_grey():
    assert R.badge_html("<b>") == '<span class="verdict-badge v-not-covered" data-verdict="&lt;b&gt;">&lt;b&gt;</span>'


# ------------------------------------------------------------------ escaping


@pytest.mark.parametrize("payload", XSS)
def test_user_text_is_never_markup(payload):
    ans = make_answer(question=payload + "施行日期", summary=payload, answer=payload + "\n\n> " + payload,
                      open_conditions=(payload,), disregarded=(payload,), warnings=(payload,))
    page = R.transcript_html([("answer", ans), ("error", payload, payload + " / en")], CORPUS)
    a = audit(page)
    assert a.tags <= ALLOWED_TAGS and not a.bad
    assert html.escape(payload, quote=True) in page
    assert payload in text_of(page)


def test_markdown_subset_is_rendered_after_escaping():
    out = R.md_html("**粗体** 和 `代码` <b>不是标签</b>\n\n> 引文 <i>\n\n条件：\n- 甲\n- 乙")
    assert "<strong>粗体</strong>" in out and "<code>代码</code>" in out
    assert "&lt;b&gt;不是标签&lt;/b&gt;" in out and "<blockquote>引文 &lt;i&gt;</blockquote>" in out
    assert "<ul><li>甲</li><li>乙</li></ul>" in out
    assert "blockquote" not in R.md_html("说明\n\n> 引文\n\n结尾", quotes=False)  # quotes are shown as chips


def test_error_shows_only_the_chinese_message():
    out = R.error_html("问题为空，请输入要咨询的内容 / the question is empty")
    assert "问题为空" in out and "the question is empty" not in out and "Traceback" not in out


# ------------------------------------------------------------------ highlight offsets


def test_highlight_wraps_exactly_the_span():
    text = "第一行<甲>\n第二行&乙"
    out = R.highlight_html(text, [R.Mark(2, 8, active=True)])
    inner = re.search(r'<mark class="cite active">(.*?)</mark>', out).group(1)
    assert text_of(inner) == text[2:8]
    assert text_of(out) == text


def test_highlight_overlapping_and_bad_spans():
    text = "abcdefghij"
    out = R.highlight_html(text, [R.Mark(1, 5), R.Mark(3, 8, active=True), R.Mark(7, 99), R.Mark(4, 4)])
    assert out == 'a<mark class="cite">bc</mark><mark class="cite active">de</mark>' \
                  '<mark class="cite active">fgh</mark>ij'
    assert R.highlight_html(text, [R.Mark(-1, 3)]) == text


def test_every_clause_is_addressable_and_verbatim():
    page = R.source_html(CORPUS, R.citation_marks(make_answer().citations))
    a = audit(page)
    assert a.tags <= ALLOWED_TAGS and not a.bad
    for c in CORPUS.clauses:
        m = re.findall(rf'<div class="[^"]*" id="([^"]+)" data-clause-id="{re.escape(html.escape(c.clause_id))}">'
                       r'.*?<div class="clause-text">(.*?)</div></div>', page)
        assert len(m) == 1, c.clause_id
        assert m[0][0] == R.clause_dom_id(c.clause_id)
        assert text_of(m[0][1]) == c.text


def test_citation_marks_highlight_the_quotes_of_a_real_answer():
    a = EchoAssistant().ask("联系点要报送什么信息？")
    assert a.citations
    page = R.source_html(CORPUS, R.citation_marks(a.citations))
    for i, c in enumerate(a.citations):
        block = re.search(rf'data-clause-id="{re.escape(c.clause_id)}">.*?</div></div>', page).group(0)
        marked = "".join(text_of(x) for x in re.findall(r"<mark[^>]*>(.*?)</mark>", block))
        assert c.quote in marked
    assert page.count('class="cite active"') >= 1


def test_basis_and_related_citations():
    clause = CORPUS.get("附件2/二/（三）")
    extra = Citation(clause.clause_id, clause.label, clause.text[:10], 0, 10)
    a = make_answer()
    a2 = Answer(**{**{f: getattr(a, f) for f in a.__slots__}, "citations": (*a.citations, extra)})
    basis, related = R.split_citations(a2)
    assert basis == [a.citations[0]] and related == [extra]
    card = R.answer_html(a2, CORPUS)
    assert card.index("依据条款") < card.index("附件2 一、（一）") < card.index("相关条款") < card.index("附件2 二、（三）")


def test_chip_carries_the_citation_offsets():
    a = make_answer()
    card = R.answer_html(a, CORPUS)
    c = a.citations[0]
    chip = re.search(r"<button[^>]*class=\"chip\"[^>]*>([^<]*)</button>", card)
    assert chip.group(1) == "附件2 一、（一）"
    assert f'data-clause-id="{c.clause_id}" data-start="3" data-end="30"' in chip.group(0)


# ------------------------------------------------------------------ copy / export


def test_exports_are_the_answer_text_markdown_and_contract_json():
    a = make_answer(question="<img src=x onerror=alert(1)>能承接吗")
    card = R.answer_html(a, CORPUS, n=7)
    copy = html.unescape(re.search(r'data-copy="([^"]*)"', card).group(1))
    assert copy == a.to_text()
    md = re.search(r'download="answer-7.md" href="([^"]*)"', card).group(1)
    js = re.search(r'download="answer-7.json" href="([^"]*)"', card).group(1)
    assert unquote(html.unescape(md).split(",", 1)[1]) == a.to_markdown()
    assert json.loads(unquote(html.unescape(js).split(",", 1)[1])) == a.to_dict()


# ------------------------------------------------------------------ checklist


def test_checklist_rows():
    result = {"decision": "prohibited", "fired": [], "excepted": [], "open_conditions": ["<b>预算</b>"],
              "understood": "购买主体：行政机关",
              "checklist": [
                  {"clause_id": "附件2/二/（三）", "label": "…", "status": "triggered", "matched": ["工程<script>"]},
                  {"clause_id": "附件2/二/（四）", "label": "…", "status": "clear", "matched": []},
                  {"clause_id": "附件2/二/（六）", "label": "…", "status": "unknown", "matched": []},
              ]}
    out = R.checklist_html(result, CORPUS)
    rows = re.findall(r'<li class="check-row (st-\w+)" data-status="(\w+)" data-clause-id="([^"]+)">', out)
    assert rows == [("st-triggered", "triggered", "附件2/二/（三）"), ("st-clear", "clear", "附件2/二/（四）"),
                    ("st-unknown", "unknown", "附件2/二/（六）")]
    assert "✗" in out and "✓" in out and "?" in out and "工程&lt;script&gt;" in out
    a = audit(out)
    assert a.tags <= ALLOWED_TAGS and not a.bad
    assert R.badge_html("prohibited") in out and "&lt;b&gt;预算" in out


# ------------------------------------------------------------------ handlers (no gradio)


@pytest.fixture()
def handlers():
    from assistant.ui import Handlers

    return Handlers(EchoAssistant(), skip=lambda: "SKIP")


def test_respond_appends_an_answer_without_touching_the_callers_history(handlers):
    before = []
    history, page, src, box = handlers.respond("什么时候起施行？", before)
    assert before == [] and len(history) == 1 and history[0][0] == "answer"
    assert "verdict-badge v-info" in page and 'class="chip"' in page and box == ""
    assert '<mark class="cite active">' in src


@pytest.mark.parametrize("question, message", [
    ("", "问题为空"), ("   ", "问题为空"), ("问" * 2001, "问题过长（2001 字）"), (None, "问题为空"),
    ("What is this?", "请用中文提问"),
])
def test_bad_input_gets_a_friendly_message(handlers, question, message):
    history, page, src, box = handlers.respond(question, [])
    assert history[0][0] == "error" and message in page
    assert src == "SKIP" and box == "SKIP"  # the text stays in the box to be fixed


def test_unexpected_failure_shows_no_traceback(handlers, caplog):
    _, page, _, _ = handlers.respond("爆炸了怎么办", [])
    assert "服务内部错误" in page and "Traceback" not in page and "boom" not in page


def test_history_is_bounded(handlers):
    from assistant.ui import MAX_HISTORY

    history = []
    for _ in range(MAX_HISTORY + 3):
        history, *_ = handlers.respond("施行日期", history)
    assert len(history) == MAX_HISTORY


def test_cite_marks_the_requested_span(handlers):
    clause = CORPUS.get("附件2/二/（三）")
    out = handlers.cite({"clause_id": clause.clause_id, "start": 3, "end": 20})
    marked = text_of(re.search(r'<mark class="cite active">(.*?)</mark>', out).group(1))
    assert marked == clause.text[3:20]
    whole = handlers.cite({"clause_id": clause.clause_id, "start": 5, "end": 10_000})  # off → whole clause
    assert text_of(re.search(r'<mark class="cite active">(.*?)</mark>', whole).group(1)) == clause.text
    assert handlers.cite({"clause_id": "附件9/九"}) == "SKIP" and handlers.cite("junk") == "SKIP"


def test_facts_payload():
    from assistant.ui import FACT_FIELDS, facts_payload

    answers = ["是", "否"] + ["不确定"] * (len(FACT_FIELDS) - 2)
    p = facts_payload("行政机关", "社会组织", "  社区养老  ", answers)
    assert p["purchaser"] == "行政机关" and p["provider"] == "社会组织" and p["service"] == "社区养老"
    assert [p[f.key] for f in FACT_FIELDS] == [True, False] + [None] * (len(FACT_FIELDS) - 2)


# ------------------------------------------------------------------ gradio factory and app.py


def test_ui_module_imports_no_gradio():
    code = "import sys, assistant.ui, assistant.ui_render; print('gradio' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


def test_build_demo_with_a_fake_assistant():
    import gradio as gr

    from assistant.ui import build_demo

    demo = build_demo(EchoAssistant())
    assert isinstance(demo, gr.Blocks)
    ids = {getattr(b, "elem_id", None) for b in demo.blocks.values()}
    assert {"chat-view", "source-view", "question", "ask-btn", "check-btn", "check-view"} <= ids
    states = [b for b in demo.blocks.values() if isinstance(b, gr.State)]
    assert len(states) == 1 and states[0].value == []  # the conversation is per session


def test_app_serves_api_and_ui_on_one_port():
    from fastapi.testclient import TestClient

    import app

    client = TestClient(app.create_app(EchoAssistant()))
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.post("/api/ask", json={"question": "施行日期"}).json()["verdict"] == "info"
    page = client.get("/")
    assert page.status_code == 200 and "gradio" in page.text.lower()


@pytest.fixture()
def fake_start(monkeypatch):
    """app.main with the assistant and the server replaced: returns what uvicorn would have been given."""
    import app

    from assistant.chain import Assistant

    loads, runs = [], []
    monkeypatch.setattr(Assistant, "load", classmethod(lambda cls, settings=None, **kw: loads.append(settings)
                                                       or EchoAssistant()))
    monkeypatch.setattr(app, "bind", lambda host, port: (host, port))  # no real socket: tests never bind 7860
    monkeypatch.setattr(app, "serve", lambda served, sock, workers=1: runs.append(sock))
    for var in ("ASSISTANT_HOST", "ASSISTANT_PORT", "ASSISTANT_API_TOKEN", "ASSISTANT_WORKERS"):
        monkeypatch.delenv(var, raising=False)
    return loads, runs


def test_host_and_port_flag_beats_env_beats_default(fake_start, monkeypatch):
    import app

    loads, runs = fake_start
    assert app.main(["--api-only"]) == 0 and runs[-1] == ("127.0.0.1", 7860)
    monkeypatch.setenv("ASSISTANT_PORT", "7999")
    assert app.main(["--api-only"]) == 0 and runs[-1] == ("127.0.0.1", 7999)
    assert app.main(["--api-only", "--port", "8123"]) == 0 and runs[-1] == ("127.0.0.1", 8123)
    assert len(loads) == 3  # once per start, never per question


def test_binding_beyond_loopback_needs_a_token(fake_start, monkeypatch, capsys):
    import app

    loads, runs = fake_start
    assert app.main(["--host", "0.0.0.0", "--api-only"]) == 2
    assert "ASSISTANT_API_TOKEN" in capsys.readouterr().err and not loads and not runs
    monkeypatch.setenv("ASSISTANT_API_TOKEN", "s3cret")
    assert app.main(["--host", "0.0.0.0", "--api-only"]) == 0 and runs[-1] == ("0.0.0.0", 7860)


def test_a_taken_port_exits_5_with_a_message_before_loading(monkeypatch, capsys):
    import socket

    import app
    from assistant.chain import Assistant

    loads = []
    monkeypatch.setattr(Assistant, "load", classmethod(lambda cls, settings=None, **kw: loads.append(1)))
    monkeypatch.delenv("ASSISTANT_API_TOKEN", raising=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert app.main(["--api-only", "--port", str(port)]) == 5
    err = capsys.readouterr().err
    assert f"端口 {port} 已被占用" in err and "--port" in err and not loads


def test_bind_gives_a_listening_socket_on_a_free_port():
    import app

    sock = app.bind("127.0.0.1", 0)
    try:
        assert sock.getsockname()[0] == "127.0.0.1" and sock.getsockname()[1] > 0
    finally:
        sock.close()


def test_workers_need_api_only(fake_start, capsys):
    import app

    loads, runs = fake_start
    assert app.main(["--workers", "2"]) == 2 and not runs
    assert "--api-only" in capsys.readouterr().err


def test_ui_answers_several_questions_at_once():
    """A heavy question must not queue everyone else: the ask events allow several at a time."""
    from assistant.ui import build_demo

    demo = build_demo(EchoAssistant())
    limits = {fn.concurrency_limit for fn in demo.fns.values() if getattr(fn.fn, "__name__", "") == "respond"}
    assert limits and all(isinstance(n, int) and n > 1 for n in limits)


def test_ui_login_is_rate_limited_per_client():
    from fastapi.testclient import TestClient

    import app

    client = TestClient(app.create_app(EchoAssistant(), token="s3cret"), raise_server_exceptions=False)
    codes = [client.post("/login", data={"username": "x", "password": f"guess{i}"}).status_code for i in range(11)]
    assert codes[:10] == [400] * 10 and codes[10] == 429
    r = client.post("/login", data={"username": "x", "password": "s3cret"})
    assert r.status_code == 429 and "次数过多" in r.json()["error"]["zh"]
    fresh = TestClient(app.create_app(EchoAssistant(), token="s3cret"), raise_server_exceptions=False)
    assert fresh.post("/login", data={"username": "x", "password": "s3cret"}).status_code == 200


def test_a_lone_surrogate_question_gets_a_message_the_page_can_carry(handlers):
    history, page, src, box = handlers.respond("\ud800施行日期", [])
    assert history[0][0] == "error" and "孤立代理项" in page
    page.encode("utf-8")  # gradio sends the page as JSON: it must be valid Unicode
