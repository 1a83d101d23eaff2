"""The REST API over the real answer chain (bigram fake embedder): hostile input gets a 4xx, never a 5xx.

The fuzz test draws request bodies from the REST schemas (and near misses: wrong types, lone surrogates,
control characters, huge and nested values) with hypothesis; a bounded number of examples keeps it CI-fast."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.api import create_api
from assistant.chain import Assistant
from assistant.errors import InvalidInputError
from assistant.extract import check_text
from assistant.rules import load_rules
from assistant.settings import Settings


@pytest.fixture(scope="module")
def client(bigram_retriever, corpus):
    assistant = Assistant(corpus, load_rules(), bigram_retriever, Settings(), today=lambda: date(2026, 11, 26))
    return TestClient(create_api(assistant), raise_server_exceptions=False)


def test_too_many_parts_in_one_question_is_refused_with_the_limit(client):
    r = client.post("/api/ask", json={"question": "公益一类事业单位能承接吗？" * 12})
    assert r.status_code == 422
    err = r.json()["error"]
    assert "不超过 10 个" in err["zh"] and "at most 10" in err["en"]
    assert client.post("/api/ask", json={"question": "公益一类事业单位能承接吗？" * 3}).status_code == 200


def test_checker_honours_the_question_limit_from_the_environment(monkeypatch):
    monkeypatch.setenv("ASSISTANT_MAX_QUESTION_CHARS", "20")
    with pytest.raises(InvalidInputError, match="20"):
        check_text("公益一类事业单位能不能承接县卫健局的购买服务项目？")
    monkeypatch.setenv("ASSISTANT_MAX_PARTS", "2")
    monkeypatch.setenv("ASSISTANT_MAX_QUESTION_CHARS", "2000")
    with pytest.raises(InvalidInputError, match="不超过 2 个"):
        check_text("公益一类能承接吗？公益二类能购买吗？能不能贷款修路？")


def test_a_question_is_validated_and_normalised_once(client, monkeypatch):
    """One answer path: Assistant.ask prepares the question and every stage reads that (issue 14.6)."""
    import assistant.extract as extract
    import assistant.normalize as normalize

    calls = {"validate": 0, "normalize": 0}

    def counting(name, fn):
        def wrapped(*a, **kw):
            calls[name] += 1
            return fn(*a, **kw)
        return wrapped

    monkeypatch.setattr(extract, "validate_question", counting("validate", extract.validate_question))
    monkeypatch.setattr(extract, "normalize", counting("normalize", normalize.normalize))
    r = client.post("/api/ask", json={"question": "我們是公益一類事業單位，能承接縣衛健局的購買服務項目嗎？"})
    assert r.status_code == 200 and r.json()["verdict"] == "prohibited"
    assert calls == {"validate": 1, "normalize": 1}


# ---- fuzz ------------------------------------------------------------------------------------------

ODD = st.sampled_from(["\ud800", "\udfff", "\x00", "\ufffd", "\u202e", "\U0001F600", "\\", '"', "\r\n", "　", "﻿"])
TEXT = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.sampled_from("公益一类事业单位能承接购买服务吗？贷款修路预算目录附件2（一）"), max_size=80),
    st.lists(st.one_of(ODD, st.text(max_size=5)), max_size=8).map("".join),
    st.sampled_from(["公益一类事业单位能承接吗？", "附件2/二/（三）", "本通知什么时候施行？", "问" * 2001, " " * 50]),
)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT)
ANY = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                   st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)
ASK = st.one_of(st.fixed_dictionaries({"question": TEXT}), st.fixed_dictionaries({"question": ANY}), ANY)
BATCH = st.one_of(
    st.fixed_dictionaries({"questions": st.lists(st.fixed_dictionaries(
        {"question": st.one_of(TEXT, ANY)}, optional={"id": st.one_of(st.none(), st.integers(), TEXT, ANY)}),
        max_size=5)}),
    ANY)
CHECK_KEYS = ["purchaser", "provider", "participant", "asker", "service", "content", "area", "catalog_action",
              "budget", "in_catalog", "construction", "financing", "staffing", "admin_functions", "sufficient_staff"]
CHECK = st.one_of(st.dictionaries(st.sampled_from(CHECK_KEYS), st.one_of(TEXT, SCALAR, ANY), max_size=6), ANY)


def _encode(body) -> bytes:
    # ensure_ascii: lone surrogates travel as \\udXXX escapes, as a hostile client sends them
    return json.dumps(body, ensure_ascii=True).encode()


def _no_5xx(client, method: str, path: str, body: bytes | None = None):
    r = client.request(method, path, content=body, headers={"content-type": "application/json"})
    assert r.status_code < 500, (path, body[:300] if body else None, r.text[:300])
    if r.status_code >= 400:
        err = r.json()["error"]
        assert err["zh"] and err["en"]
    return r


FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])


@FUZZ
@given(body=ASK)
def test_fuzz_ask(client, body):
    _no_5xx(client, "POST", "/api/ask", _encode(body))


@FUZZ
@given(body=BATCH)
def test_fuzz_batch(client, body):
    r = _no_5xx(client, "POST", "/api/batch", _encode(body))
    if r.status_code == 200:
        ids = [a["id"] for a in r.json()["answers"] if "error" not in a]
        assert len({str(i) for i in ids}) == len(ids)  # answered ids are unique


@FUZZ
@given(body=CHECK)
def test_fuzz_check(client, body):
    _no_5xx(client, "POST", "/api/check", _encode(body))


@FUZZ
@given(raw=st.binary(max_size=200), path=st.sampled_from(["/api/ask", "/api/batch", "/api/check"]))
def test_fuzz_raw_bytes(client, raw, path):
    _no_5xx(client, "POST", path, raw)


@FUZZ
@given(cid=TEXT)
def test_fuzz_clause_ids(client, cid):
    from urllib.parse import quote

    _no_5xx(client, "GET", "/api/clauses/" + quote(cid.encode("utf-8", "surrogatepass"), safe=""))


# ---- one source for paths and the document's number ---------------------------------------------------

def test_no_machine_paths_in_evals_or_test_data():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    files = [*root.glob("evals/*.py"), *root.glob("tests/data/*"), *root.glob("evals/*.toml"),
             *root.glob("evals/measurements/*")]  # recorded outputs name their inputs neutrally: h15.jsonl, <report>/
    bad = [f"{f.name}: {m.group(0)}" for f in files if f.is_file()
           for m in re.finditer(r"(?<![\w.])/(?:work|home|root|Users|opt|mnt|tmp)/[\w./-]+",
                                f.read_text("utf-8", "replace"))]
    assert files and not bad


def test_doc_id_comes_from_the_corpus(corpus):
    from dataclasses import replace

    from assistant.document import Corpus
    from tests.fakes import EchoAssistant

    other = Corpus(replace(corpus.document, doc_id="测试〔2099〕1号"), corpus.clauses)
    c = TestClient(create_api(EchoAssistant(other)))
    assert c.get("/openapi.json").json()["info"]["title"].startswith("测试〔2099〕1号")
    assert c.get("/healthz").json()["document"]["doc_id"] == "测试〔2099〕1号"


def test_the_doc_id_is_written_nowhere_in_the_code_but_the_corpus(corpus, monkeypatch):
    """The LLM prompt and app.py's --help name the notice from corpus/document.toml. answerable.py keeps the
    number in a comment and a pattern of its own (edited elsewhere)."""
    from dataclasses import replace
    from pathlib import Path

    import app
    import assistant.document
    from assistant.llm import LLMReader

    root = Path(__file__).resolve().parent.parent
    files = [*root.glob("assistant/*.py"), root / "app.py"]
    assert [f.name for f in files if "湘财综〔2022〕28号" in f.read_text("utf-8")] == ["answerable.py"]

    def prompt(reader):
        return reader.request_body("问")["messages"][0]["content"]

    assert "湘财综〔2022〕28号" in prompt(LLMReader("http://x/v1"))  # the shipped notice, read from the corpus
    assert "测试〔2099〕1号" in prompt(LLMReader("http://x/v1", doc_id="测试〔2099〕1号"))
    other = assistant.document.Corpus(replace(corpus.document, doc_id="测试〔2099〕1号"), corpus.clauses)
    monkeypatch.setattr(assistant.document, "load_corpus", lambda corpus_dir: other)
    assert app.build_parser().description.startswith("测试〔2099〕1号")


def test_a_long_question_embeds_a_bounded_text(bigram_retriever):
    """Embedding cost grows with the text: a 2,000-character question must not cost seconds."""
    import copy

    from assistant.retrieve import MAX_EMBED_CHARS

    seen: list[str] = []

    class Recording:
        def __init__(self, inner):
            self.inner = inner

        def embed_query(self, text):
            seen.append(text)
            return self.inner.embed_query(text)

    retriever = copy.copy(bigram_retriever)
    retriever.embeddings = Recording(bigram_retriever.embeddings)
    long = "公益一类事业单位能不能承接" + "，能不能" * 600 + "县卫健局的购买服务项目？"
    retriever.dense(long)
    retriever.dense("公益一类事业单位能承接吗？")
    assert len(seen[0]) == MAX_EMBED_CHARS and seen[0].startswith("公益一类") and seen[0].endswith("购买服务项目？")
    assert seen[1] == "公益一类事业单位能承接吗？"


# ---- the real server -------------------------------------------------------------------------------

@pytest.mark.slow
def test_api_only_with_two_workers_serves_and_a_second_start_exits_5(tmp_path):
    """`app.py --api-only --workers 2` answers over HTTP; starting another server on its port exits 5 at once."""
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    root = Path(__file__).resolve().parent.parent
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "app.py", "--api-only", "--port", str(port)]
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen([*cmd, "--workers", "2"], cwd=root, stdout=log, stderr=subprocess.STDOUT)
    try:
        base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        r = httpx.post(f"{base}/api/ask", json={"question": "公益一类事业单位能承接政府购买服务吗？"}, timeout=60,
                       trust_env=False)
        assert r.status_code == 200 and r.json()["verdict"] == "prohibited"
        t = time.monotonic()
        second = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=60)
        assert second.returncode == 5 and "已被占用" in second.stderr
        assert time.monotonic() - t < 30  # refused before loading anything
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
