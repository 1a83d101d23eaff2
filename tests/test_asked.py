"""What a question asks (issue 13, item 4): the question span.

A message often tells its case before it asks. Values, lists and decisions in the case are not what is asked:
"项目金额50万，……在哪个平台公示？" asks where, not how much.

Every question here is invented for these tests (none is copied from evals/gold.jsonl); each group has near
misses both ways."""

from __future__ import annotations

import pytest

from assistant.answerable import DURATION, MONEY, QUANTITY, RATIO, asked, asked_for, question_sentences, question_span
from assistant.normalize import normalize


def _n(q: str) -> str:
    return normalize(q)  # the chain reads normalised text (half-width punctuation)


# ---- the question span ---------------------------------------------------------------------------------

@pytest.mark.parametrize("question, span_has, span_lacks", [
    # the case first, the question last
    ("我们街道的项目一年预算50万，已经进了目录。这个项目该在哪个平台公示？", "哪个平台", "50万"),
    ("合同里写了首付40%、尾款60%，这算不算融资？", "算不算融资", "40%"),
    # a verdict is asked: what the other party would decide ("每户补多少") is the case
    ("由第三方机构来定补给哪些人、每户补多少，我们只管发钱，行不行？", "行不行", "多少"),
    # a confirming tag asks about the clause before it
    ("合同最长能签五年，对吧？", "五年", ""),
    ("单次服务的收费上限是多少，通知里有没有规定？", "多少", ""),
    # an earlier clause that asks on its own is asked too
    ("限额标准到底是多少，去哪里查？", "多少", ""),
    # a request, not a question, ends the sentence
    ("请直接告诉我质保金比例是多少，给个数就行。", "比例是多少", "给个数"),
])
def test_question_span_is_what_is_asked(question, span_has, span_lacks):
    span = question_span(_n(question))
    assert span_has in span
    if span_lacks:
        assert span_lacks not in span


def test_question_sentences_skip_the_story_before_the_question():
    text = _n("去年签了三年的合同。今年想续签。续签要走什么程序？")
    assert question_sentences(text) == [_n("续签要走什么程序？")]
    assert question_sentences(_n("想问下采购限额标准")) == [_n("想问下采购限额标准")]  # no question mark: the last sentence


@pytest.mark.parametrize("question, kinds", [
    # values in the case are not asked for …
    ("我们项目预算80万，在限额标准以上，要按什么程序采购？", set()),
    ("合同约定首付四成、验收后付清，这不算融资吧？", set()),
    ("服务期三年的项目，履约验收由谁组织？", set()),
    ("由承接方自己定每家企业补助多少钱，我们照单拨付，可以吗？", set()),
    ("招标文件写了注册资本不低于1000万，这个条件合规吗？", set()),
    # … the value the question span asks for or states for confirmation is
    ("采购代理费到底收多少钱，20万还是30万？", {MONEY}),
    ("通知说承接主体要成立满五年才能接项目，是这样吗？", {DURATION}),
    ("请告诉我质保金比例是多少，直接给个数。", {RATIO}),
    ("购买服务合同的期限有没有上限？", {DURATION}),
    ("合同最长签5年吧？", {DURATION}),
    ("第三方评价的收费，通知规定是合同金额的3%对吧？", {RATIO}),
    ("合同最长3年吗？", {DURATION}),
    ("比如年底前要付到八成、90%？", {RATIO}),
    ("绩效评价不合格要扣多少？", {QUANTITY}),
    ("保证金按合同金额的多少收？", {RATIO}),  # a share of an amount
    # a value in a verdict question is the case, not a value to confirm
    ("能预付30%吗？", set()),
    ("预付30%，可以吗？", set()),
    ("180万的项目还要走政府采购程序吗？", set()),
    ("省里是不是鼓励这一块？", set()),  # 一块 is an area here, not one yuan
])
def test_asked_reads_the_question_span(question, kinds):
    assert set(asked(_n(question))) == kinds


@pytest.mark.parametrize("question, kinds", [
    ("交给物业公司核定补助金额，社区只盖个章，这样合规吗？", set()),  # 金额 is the case
    ("合同写明预付30%，这样可以吗？", set()),  # a stated percentage is not an ask
    ("能买吗？律师费一般定多少？", {QUANTITY}),  # each question sentence is read
    ("服务收费标准是多少？", {MONEY}),
    ("金额20万的项目在哪个平台公示？", set()),  # a sum named in the question is not asked for …
    ("单个项目金额最高多少？", {MONEY}),  # … a sum asked for is
    ("项目金额有没有上限？", {MONEY}),
])
def test_asked_for_is_what_the_question_span_asks_for(question, kinds):
    assert set(asked_for(_n(question))) == kinds


# ---- end to end ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("question, clause_id", [
    ("金额20万的项目在哪个平台公示？", "正文/四/（三）"),  # 金额 names the case's sum, it does not ask for one
    ("项目预算才30万，在采购限额标准以下，领导问要在哪个平台公示？", "正文/四/（三）"),
    ("合同一签三年，绩效评价的核心指标应当包括哪些？", "正文/四/（二）"),
])
def test_a_value_in_the_case_leaves_the_answer_info(corpus, question, clause_id):
    """The clause found answers where / what; the sum or period in the case is not asked for."""
    from assistant.compose import retrieval_part
    from assistant.retrieve import Hit

    part = retrieval_part(corpus, _n(question), (), (Hit(corpus.get(clause_id), 0.9, 1, 1),), True)
    assert part.decision.value == "info" and part.citations[0].clause_id == clause_id


def test_a_value_in_the_case_does_not_overturn_the_checker(assistant):
    """"首付30%" is the case: the question asks whether it is 融资, which the checker answers."""
    a = assistant.ask("预算已经安排，合同约定首付30%、验收后付70%，这个不算融资吧？")
    assert str(a.verdict) != "not_covered"
