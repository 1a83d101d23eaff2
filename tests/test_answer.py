"""The contract object: shape, verbatim citations, verification drops a corrupted quote, expiry warning."""

import logging
from dataclasses import replace
from datetime import date

import pytest

from assistant.answer import Citation
from assistant.compose import PartResult, best_sentence, compose
from assistant.schema import AnswerModel
from assistant.verdict import Decision, most_severe
from assistant.verify import cite, verify
from tests.fakes import CORPUS, EchoAssistant


def test_cite_finds_verbatim_offsets():
    c = cite(CORPUS, "附件2/二/（四）", "融资行为")
    assert (c.start, c.end) == (3, 7)
    assert CORPUS.get(c.clause_id).text[c.start:c.end] == c.quote
    assert cite(CORPUS, "附件2/二/（四）", "贷款行为") is None
    assert cite(CORPUS, "附件9", "融资行为") is None


def test_citation_validates_its_span():
    with pytest.raises(ValueError):
        Citation("附件2/二/（四）", "x", "", 0, 0)
    with pytest.raises(ValueError):
        Citation("附件2/二/（四）", "x", "融资", 3, 9)


def test_verify_drops_a_corrupted_citation_and_logs_it(caplog):
    good = cite(CORPUS, "附件2/二/（四）", "融资行为")
    bad = replace(good, quote="贷款行为")  # same span, other words: not verbatim
    moved = replace(good, start=4, end=8)
    unknown = replace(good, clause_id="附件2/二/（九）")
    with caplog.at_level(logging.WARNING, logger="assistant.verify"):
        kept = verify([good, bad, moved, unknown, good], CORPUS)
    assert kept == (good,)
    assert caplog.text.count("dropped") == 3


def test_best_sentence_picks_the_sentence_that_matters():
    clause = CORPUS.get("正文/五/（一）")
    s, e = best_sentence(clause, "市州半年度信息报告什么时候报")
    assert "7月15日" in clause.text[s:e] and "2022年11月30日" not in clause.text[s:e]


def test_most_severe_order():
    assert most_severe([Decision.ALLOWED, Decision.PROHIBITED]) == Decision.PROHIBITED
    assert most_severe([Decision.INFO, Decision.CONDITIONAL]) == Decision.CONDITIONAL
    assert most_severe([]) == Decision.NOT_COVERED


def test_compose_prohibited_cites_first_and_validates_against_schema():
    c = cite(CORPUS, "附件2/二/（四）", "融资行为")
    part = PartResult("能贷款吗", Decision.PROHIBITED, (c,), ("融资行为不得实行政府购买服务。",))
    a = compose("能贷款吗", [part], CORPUS, today=date(2026, 1, 1))
    d = a.to_dict()
    AnswerModel.model_validate(d)
    assert d["verdict"] == "prohibited" and d["summary"].startswith("不可以")
    assert d["citations"][0]["clause_id"] == "附件2/二/（四）"
    assert d["document"] == {"doc_id": "湘财综〔2022〕28号", "effective": "2022-11-16", "expires": "2027-11-15",
                             "sha256": CORPUS.document.sha256}
    assert "已失效" not in d["answer"]


def test_expired_notice_warns():
    part = PartResult("q", Decision.NOT_COVERED, (), ())
    a = compose("q", [part], CORPUS, today=date(2027, 11, 16))
    assert "已失效" in a.answer and a.warnings


def test_conditional_lists_conditions_and_general_precondition():
    part = PartResult("q", Decision.CONDITIONAL, (), ("纯服务事项。",), open_conditions=("已安排预算",))
    a = compose("q", [part], CORPUS)
    assert "已安排预算" in a.summary
    assert any(c.clause_id == "正文/三/（三）" for c in a.citations)


def test_info_answer_quotes_the_fact():
    a = EchoAssistant().ask("本通知从哪天开始施行，有效期多久？")
    assert a.verdict == Decision.INFO
    assert a.citations[0].clause_id == "正文/施行"
    assert "2022年11月16日" in a.summary
