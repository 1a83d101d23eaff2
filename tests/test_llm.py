"""The optional LLM fact reader: fake OpenAI-compatible servers on 127.0.0.1 (fixed JSON, slow, broken) prove
that it fills typed Facts, that any failure falls back to the deterministic answer, and that its facts only
ever make an answer more careful. A slow test runs a real llama_cpp server when one and a model are installed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.chain import Assistant
from assistant.facts import Content, Entity
from assistant import llm
from assistant.llm import LLMOpinion, LLMReader, facts_schema, parse_facts
from assistant.rules import load_rules
from assistant.settings import Settings

STAFFING = {"purchaser": "行政机关", "content": ["服务", "人员招聘·劳务派遣·公益性岗位"]}


def _free_port() -> int:
    for port in range(18300, 18400):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    pytest.skip("no free port in 18300–18399")


def _serve(reply):
    """A local server answering every POST with reply(body) → (status, bytes, delay seconds)."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(body)
            status, data, delay = reply(body)
            time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up first

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def _chat(content: str) -> bytes:
    return json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()


@pytest.fixture
def server():
    started = []

    def start(reply):
        srv, seen = _serve(reply)
        started.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}/v1", seen

    yield start
    for s in started:
        s.shutdown()
        s.server_close()


def test_fills_typed_facts_under_a_json_schema(server):
    url, seen = server(lambda body: (200, _chat(json.dumps(STAFFING)), 0))
    facts = LLMReader(url).read("局里想招几个临时工")
    assert facts.purchaser is Entity.ADMIN_ORGAN and Content.STAFFING in facts.content
    sent = seen[0]
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["schema"] == facts_schema()
    assert sent["messages"][-1]["content"] == "局里想招几个临时工"


def _llama_cpp_python(body):
    """What llama_cpp.server 0.3.x answers: its response_format knows only text/json_object (+ schema), and a
    json_schema request fails its validation with a 500 whose message names response_format."""
    fmt = body.get("response_format", {})
    if fmt.get("type") != "json_object":
        msg = ("1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
               "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}")
        return 500, json.dumps({"error": {"message": msg, "type": "internal_server_error"}}).encode(), 0
    return 200, _chat(json.dumps(STAFFING)), 0


def test_llama_cpp_python_server_form_is_used_when_json_schema_is_refused(server):
    url, seen = server(_llama_cpp_python)
    reader = LLMReader(url)
    assert Content.STAFFING in reader.read("局里想招几个临时工").content
    assert [b["response_format"]["type"] for b in seen] == ["json_schema", "json_object"]
    assert seen[1]["response_format"]["schema"] == facts_schema()
    assert Content.STAFFING in reader.read("局里想招几个临时工").content  # remembered: one request, no retry
    assert [b["response_format"]["type"] for b in seen] == ["json_schema", "json_object", "json_object"]


def test_a_server_error_not_about_the_format_is_not_retried(server):
    url, seen = server(lambda body: (500, b'{"error": {"message": "out of memory"}}', 0))
    assert LLMReader(url).read("问题") is None
    assert len(seen) == 1


@pytest.mark.parametrize("reply", [
    lambda body: (200, _chat("这不是 JSON"), 0),  # not JSON
    lambda body: (200, _chat(json.dumps({"purchaser": "外星人"})), 0),  # outside the schema
    lambda body: (200, b'{"unexpected": true}', 0),  # not the OpenAI shape
    lambda body: (500, b"{}", 0),  # server error
], ids=["not-json", "bad-value", "bad-shape", "http-500"])
def test_broken_server_gives_none(server, reply):
    url, _ = server(reply)
    assert LLMReader(url).read("问题") is None


def test_slow_server_times_out(server):
    url, _ = server(lambda body: (200, _chat(json.dumps(STAFFING)), 2.0))
    t = time.perf_counter()
    assert LLMReader(url, timeout=0.5).read("问题") is None
    assert time.perf_counter() - t < 1.8


def test_endpoint_down_gives_none():
    assert LLMReader(f"http://127.0.0.1:{_free_port()}/v1", timeout=0.5).read("问题") is None


def test_parse_facts_rejects_what_the_schema_does_not_offer(monkeypatch):
    assert parse_facts({"budget": True}) is None  # a yes/no fact is not offered (see llm.FIELDS)
    assert parse_facts({"content": "服务"}) is None and parse_facts({"content": [1]}) is None
    assert parse_facts({"purchaser": "未说明"}).purchaser is Entity.UNKNOWN  # not offered, but it means unknown
    assert parse_facts({}) == parse_facts({"content": []})  # nothing stated: an empty reading, not a failure
    monkeypatch.setattr("assistant.llm.FIELDS", (*llm.FIELDS, "budget"))
    assert parse_facts({"budget": "是"}) is None
    assert parse_facts({"budget": True}).budget is True


def test_schema_offers_no_unknown_and_requires_nothing():
    schema = facts_schema()
    assert set(schema["properties"]) == set(llm.FIELDS) and not schema.get("required")
    assert all("未说明" not in p.get("enum", ()) for p in schema["properties"].values())
    assert LLMReader("http://x/v1").request_body("问")["max_tokens"] == llm.MAX_TOKENS


@pytest.fixture(scope="module")
def plain(bigram_retriever, corpus):
    return Assistant(corpus, load_rules(), bigram_retriever, Settings(), today=lambda: date(2026, 11, 26))


def test_llm_facts_go_through_the_rules_and_only_add_caution(server, plain):
    url, _ = server(lambda body: (200, _chat(json.dumps(STAFFING)), 0))
    llm = plain.with_second((LLMOpinion(LLMReader(url), plain.rules),))
    q = "社区想请社工机构开展养老服务，可以吗？"
    a = llm.ask(q)
    assert plain.ask(q).verdict != "prohibited"
    assert a.verdict == "conditional" and a.citations[0].clause_id == "附件2/二/（五）" and "语言模型" in a.answer


def test_llm_down_means_the_deterministic_answer(plain):
    down = plain.with_second((LLMOpinion(LLMReader(f"http://127.0.0.1:{_free_port()}/v1", timeout=0.5),
                                         plain.rules),))
    for q in ("社区想请社工机构开展养老服务，可以吗？", "能不能把新建教学楼和物业打包成购买服务？"):
        assert down.ask(q).to_dict() == plain.ask(q).to_dict()


def test_settings_read_the_endpoint_from_the_environment():
    s = Settings.load(env={"ASSISTANT_LLM_URL": "http://127.0.0.1:8000/v1", "ASSISTANT_LLM_TIMEOUT": "3"})
    assert s.llm_url == "http://127.0.0.1:8000/v1" and s.llm_timeout == 3.0
    assert Settings.load(env={}).llm_url == ""


# ---- a real server, when installed (never by default: llama-cpp-python is an 11-minute build) -------------

def _model_file() -> Path | None:
    p = os.environ.get("ASSISTANT_TEST_GGUF")
    if p and Path(p).is_file():
        return Path(p)
    return next(iter(sorted(Path.home().glob(".cache/**/*.gguf"))), None)


@pytest.mark.slow
def test_real_llama_cpp_server_reads_facts():
    """`python -m llama_cpp.server` with its default flags. Its response_format takes {type: json_object,
    schema} only (a json_schema request is a 500): the reader must switch form and get schema-shaped facts.
    The first answer waits for the ~530-token system prompt to be evaluated (20–40 s on 2 busy cores); later
    ones reuse it."""
    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] is not installed (optional)")
    model = _model_file()
    if model is None:
        pytest.skip("no .gguf model (set ASSISTANT_TEST_GGUF)")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        reader = LLMReader(f"http://127.0.0.1:{port}/v1", timeout=120)
        deadline = time.monotonic() + 300
        facts = None
        while facts is None and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(2)
            facts = reader.read("县民政局想通过购买服务招几个劳务派遣人员，可以吗？")
        assert facts is not None, "the server gave no schema-shaped facts"
        assert reader.style == "json_object", "llama_cpp.server took OpenAI's json_schema form (update the docs)"
        again = reader.read("街道办想请物业公司做办公楼保洁，可以吗？")  # the prompt prefix is cached now
        assert again is not None
    finally:
        proc.terminate()  # a server still generating for a reader that gave up does not stop on SIGTERM
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
