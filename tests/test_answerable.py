"""Does the notice actually answer the question? Answer-type check (assistant/answerable.py), its use in
compose.retrieval_part, and the [[off_topic]] vocabulary. All questions here are invented for these tests
(none is copied from evals/gold.jsonl)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answerable import DATE, DURATION, MONEY, QUANTITY, RATIO, asked, missing_value, stated
from assistant.compose import retrieval_part
from assistant.normalize import normalize
from assistant.retrieve import Hit, off_topic_words
from assistant.verdict import Decision

ROOT = Path(__file__).resolve().parent.parent

# In-scope factual questions and the clause that answers them: must stay `info`.
IN_SCOPE = [
    ("通知哪天起开始执行？有效期几年？", "正文/施行"),
    ("年度信息报告最晚几号要报上去？", "正文/五/（一）"),
    ("半年报几号前报？", "正文/五/（一）"),  # 年报/半年报: lexicon synonym of 信息报告
    ("联系点省直部门报送2022年工作情况的截止日期是哪天？", "正文/五/（一）"),
    ("一级目录分成几大类？", "正文/三/（一）"),
    ("通知规定有效期是10年，对不对？", "正文/施行"),  # a wrong value to correct: the clause states 5年
    ("采购限额标准以下的项目在哪个平台公示？", "正文/四/（三）"),
    ("事业单位的税后收入由谁支配？", "正文/一/（二）"),
    ("绩效工资核定要考虑购买服务成效吗？", "正文/一/（二）"),
    ("政府购买服务信息管理系统什么时候覆盖到市县？", "正文/二/（三）"),
    ("购买服务合同里要写清楚哪些要件？", "正文/四/（二）"),
    ("绩效评价的核心指标有哪几项？", "正文/四/（二）"),
    ("省级通用指导性目录由哪个部门公开？", "正文/四/（三）"),
    ("附件1一共列了多少个重点领域？", "附件1/一"),  # a count: answered by enumeration
    ("联系点要做哪些工作？", "正文/五/（一）"),  # its duties, not the list of 联系点
]

# Out-of-scope questions that ask for a value the nearest clause does not state: must become `not_covered`.
VALUE_NOT_STATED = [
    ("政府采购限额标准是多少万元？", "正文/四/（三）", MONEY),
    ("购买服务合同的质保金比例一般是多少？", "正文/四/（二）", RATIO),
    ("承接主体收到款项后多少天内要开具发票？", "正文/四/（二）", DURATION),
    ("绩效评价不合格要扣多少？", "正文/四/（一）", QUANTITY),
    ("政府购买服务合同一般签几年？", "正文/四/（二）", DURATION),
    ("购买服务合同最长不超过5年，是吗？", "正文/四/（二）", DURATION),
    ("社区养老服务每人每月补贴多少钱？", "附件1/三", MONEY),
    ("第三方绩效评价机构的收费标准是多少？", "正文/四/（一）", MONEY),
    ("承接主体要按多少比例缴纳增值税？", "正文/一/（二）", RATIO),  # 39号 in the clause is a name, not a value
    ("省级联系点名单是哪一天公布的？", "正文/一/末段", DATE),
]

# Questions on topics the notice never addresses: must hit the [[off_topic]] vocabulary.
OFF_TOPIC = [
    "投标保证金什么时候退还？",
    "中标后能不能转包给其他公司？",
    "广州市政府购买服务目录怎么查？",
    "政府购买服务项目能不能采用PPP模式？",
    "承接单位员工的公积金由谁缴纳？",
    "去长沙出差的住宿费能报多少？",
    "政府购买服务的发票怎么开？",
    "评标委员会由几个人组成？",
    "購買服務合同的違約金怎麼約定？",  # traditional characters
    "地方政府专项债能不能用来买服务？",
]


def _hits(corpus, clause_id, score=0.9):
    return (Hit(corpus.get(clause_id), score, 1, 1),)


@pytest.mark.parametrize("question, kinds", [
    ("限额标准是多少万元？", {MONEY}),
    ("预付款比例最高多少？", {RATIO}),
    ("增值税税率是多少", {RATIO}),
    ("合同最长能签几年", {DURATION}),
    ("质疑要在几天内提出", {DURATION}),
    ("半年报几号前交", {DATE}),
    ("补贴标准是多少", {MONEY}),  # a sum (session 9: 收费/补贴…多少 is money)
    ("托育机构每月收费上限定多少", {MONEY}),
    ("合同最长3年，对吧", {DURATION}),
    ("一级目录分几类", set()),
    ("负面清单一共有多少条", set()),
    ("绩效评价结果跟下一年预算挂钩吗", set()),
    ("到2028年这个通知还有效吗", set()),
    ("什么时候开始施行", set()),
])
def test_what_a_question_asks_for(question, kinds):
    assert set(asked(normalize(question))) == kinds


def test_what_the_notice_states(corpus):
    assert {DATE, DURATION} <= stated(corpus.get("正文/施行").text)
    assert DATE in stated(corpus.get("正文/五/（一）").text)
    assert QUANTITY in stated(corpus.get("正文/三/（一）").text)  # 分三级、2大类
    for cid in ("正文/四/（二）", "正文/四/（三）", "附件1/三"):  # no amounts, rates or time limits
        assert not stated(corpus.get(cid).text) & {MONEY, RATIO, DURATION}
    # a document number is a name, not a quantity — unless the question asks for a document number
    assert QUANTITY not in stated(corpus.get("正文/一/（二）").text)
    assert not missing_value("这份文件的文号是多少", [corpus.get("正文/标题").text])
    # the notice states no money amount or percentage anywhere
    assert not stated("\n".join(c.text for c in corpus.clauses)) & {MONEY, RATIO}


@pytest.mark.parametrize("question, clause_id", IN_SCOPE)
def test_in_scope_questions_stay_info(corpus, question, clause_id):
    part = retrieval_part(corpus, normalize(question), (), _hits(corpus, clause_id), True)
    assert part.decision == Decision.INFO
    assert part.citations and part.citations[0].clause_id == clause_id


@pytest.mark.parametrize("question, clause_id, kind", VALUE_NOT_STATED)
def test_value_the_clause_does_not_state_is_not_covered(corpus, question, clause_id, kind):
    text = normalize(question)
    assert kind in missing_value(text, [corpus.get(clause_id).text])
    part = retrieval_part(corpus, text, (), _hits(corpus, clause_id), True)
    assert part.decision == Decision.NOT_COVERED
    assert part.citations == ()  # a not_covered answer cites nothing …
    assert part.reasons and "没有规定" in part.reasons[0]  # … and says the notice does not decide it


def test_a_named_clause_is_info(corpus):
    """A reference ("正文四（二）说了什么") is answered with the clause, whatever words it contains."""
    part = retrieval_part(corpus, normalize("正文四（二）里对履约管理说了什么？"), (corpus.get("正文/四/（二）"),),
                          _hits(corpus, "正文/四/（二）"), True)
    assert part.decision == Decision.INFO and part.citations[0].clause_id == "正文/四/（二）"


@pytest.mark.parametrize("question", ["正文四（二）里合同要签几年？", "合同最长能签几年，正文四（二）有没有限定？"])
def test_a_value_the_named_clause_does_not_state_is_not_covered(corpus, question):
    """Session 16 (h46): asked for a value, the named clause is the nearest one, not the answer."""
    part = retrieval_part(corpus, normalize(question), (corpus.get("正文/四/（二）"),), _hits(corpus, "正文/四/（二）"), True)
    assert part.decision == Decision.NOT_COVERED and part.citations == ()
    assert "没有规定" in part.reasons[0]


@pytest.mark.parametrize("question", ["附件2第二部分第（九）项是什么内容？", "附件2第四部分讲的是什么层面？"])
def test_a_clause_the_notice_does_not_have_is_not_covered(corpus, question):
    part = retrieval_part(corpus, normalize(question), (), _hits(corpus, "附件2/二"), True)
    assert part.decision == Decision.NOT_COVERED and part.citations == ()
    assert "没有您所说的条款" in part.reasons[0]


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_vocabulary_catches_topics_the_notice_never_covers(question):
    words = off_topic_words(ROOT / "corpus" / "lexicon.toml")
    text = normalize(question)
    assert any(w in text for w in words), question


@pytest.mark.parametrize("question", [q for q, _ in IN_SCOPE])
def test_off_topic_vocabulary_leaves_in_scope_questions_alone(question):
    words = off_topic_words(ROOT / "corpus" / "lexicon.toml")
    text = normalize(question)
    assert not [w for w in words if w in text]


def test_no_off_topic_word_occurs_in_the_notice():
    """An off-topic word is, by definition, one the notice does not use (and is stored normalised)."""
    notice = normalize((ROOT / "corpus" / "xiangcaizong-2022-28.txt").read_text("utf-8"))
    words = off_topic_words(ROOT / "corpus" / "lexicon.toml")
    assert not [w for w in words if w in notice]
    assert not [w for w in words if normalize(w) != w]


@pytest.mark.parametrize("question", [q for q, _, _ in VALUE_NOT_STATED] + OFF_TOPIC)
def test_out_of_scope_end_to_end_is_not_covered(assistant, question):
    a = assistant.ask(question)
    assert str(a.verdict) == "not_covered", (question, [c.clause_id for c in a.citations])
    assert a.citations == () and a.rules == ()
    assert "没有" in a.answer and "相关条款" in a.answer  # says so, names the nearest clause as related only


@pytest.mark.slow
@pytest.mark.parametrize("question, clause_id", IN_SCOPE)
def test_in_scope_real_model(question, clause_id):
    a = _real().ask(question)
    assert str(a.verdict) == "info" and clause_id in [c.clause_id for c in a.citations]


@pytest.mark.slow
@pytest.mark.parametrize("question", [q for q, _, _ in VALUE_NOT_STATED] + OFF_TOPIC)
def test_out_of_scope_real_model(question):
    a = _real().ask(question)
    assert str(a.verdict) == "not_covered" and a.citations == ()


_REAL = []


def _real():
    if not _REAL:
        from assistant.chain import Assistant

        _REAL.append(Assistant.load())
    return _REAL[0]


@pytest.mark.parametrize("question", [
    "心得里提到通知要求开展购买服务征文等活动。今年省里征文的截止时间和奖项设置是什么？",
    "事业单位政府购买服务改革要开展“回头看”，要在什么时候前完成？",
    "报送2022年改革工作开展情况，应当用什么表格格式？",
    "半年度信息报告是通过哪个系统提交？",
    "政府购买服务项目的预算批复应由哪一级领导签发、文号格式有什么要求？",
])
def test_forms_systems_and_deadlines_the_notice_does_not_give_are_not_covered(assistant, question):
    assert assistant.ask(question).verdict == "not_covered"


@pytest.mark.parametrize("question", ["联系点要在什么时候前报送2022年改革工作开展情况？", "这个通知的文号是什么？"])
def test_deadlines_and_the_notices_own_number_it_gives_stay_info(assistant, question):
    assert assistant.ask(question).verdict == "info"


@pytest.mark.parametrize("question, kind", [
    ("102号令对承接主体有什么要求", "other_document"),
    ("我翻了《残疾人保障法》没找到答案，28号文对残联能不能当承接主体怎么说？", None),
])
def test_another_document_is_not_held_unless_the_question_turns_to_this_notice(question, kind):
    from assistant.answerable import not_held

    assert not_held(question) == kind
