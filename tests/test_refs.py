"""Exact lookup by reference: a question that names a clause by its numbering gets exactly that clause."""

from __future__ import annotations

import pytest

from assistant.refs import resolve

NAMED = [
    ("附件2第二部分第三项是什么", ["附件2/二/（三）"]),
    ("附件2第一部分讲的是哪个层面的问题？", ["附件2/一"]),  # "哪个层面" names no layer: the ordinal decides
    ("负面清单项目层面第5条", ["附件2/二/（五）"]),
    ("负面清单主体层面第一条", ["附件2/一/（一）"]),
    ("负面清单执行层面第4条说的啥", ["附件2/三/（四）"]),
    ("附件2项目层面（八）是什么意思", ["附件2/二/（八）"]),
    ("通知第二部分（二）", ["正文/二/（二）"]),
    ("正文三（一）", ["正文/三/（一）"]),
    ("正文第二部分第（三）项信息化那段说的啥？", ["正文/二/（三）"]),
    ("附件1第四条", ["附件1/四"]),
    ("附件二第三部分第（四）项", ["附件2/三/（四）"]),
    ("負面清單第二部分第五項是什麼？", ["附件2/二/（五）"]),  # traditional characters
    ("附件２第２部分第３项", ["附件2/二/（三）"]),  # full-width digits
    ("附件2/二/（三）讲什么", ["附件2/二/（三）"]),  # a clause ID typed as such
    ("附件2开头那段导语讲了什么？", ["附件2/导语"]),
    ("负面清单第二部分", ["附件2/二"]),  # a section heading, when named
    ("二（三）", ["正文/二/（三）", "附件2/二/（三）"]),  # both parts have it: 正文 first
    ("二、（三）说了什么", ["正文/二/（三）", "附件2/二/（三）"]),
]

NOT_NAMED = [
    "2022年11月30日前报送",
    "一类事业单位能承接吗",
    "公益二类可以当购买主体吗",
    "第三方绩效评价能不能用",
    "目录分三级还是两级？",
    "1. 绩效评价核心指标有哪些？2. 评价结果跟预算挂钩吗？",
    "①核酸检测可以政府购买服务吗？②能让公司先垫钱吗？",
    "一是这个通知有效期多久，二是广东那边是怎么规定的？",
    "负面清单主体层面那条对我们也适用吗？",  # describes a section, points at no clause
    "负面清单分成哪几个层面？",  # asks which sections there are: no number, no layer named
    "湘财综〔2022〕28号是哪个单位发的",
    "附件2第九部分第一项",  # no such clause
    "",
]


@pytest.mark.parametrize("question,expected", NAMED, ids=[q for q, _ in NAMED])
def test_a_named_clause_resolves_to_exactly_that_clause(question, expected, corpus):
    assert [c.clause_id for c in resolve(question, corpus.clauses)] == expected


@pytest.mark.parametrize("question", NOT_NAMED)
def test_ordinary_questions_with_numbers_name_no_clause(question, corpus):
    assert resolve(question, corpus.clauses) == ()


def test_resolve_returns_the_clause_objects_themselves(corpus):
    (clause,) = resolve("附件1第五条是什么？", corpus.clauses)
    assert clause is corpus.get("附件1/五")
    assert clause.text.startswith("五、政府购买教育公共服务工作")


def test_annex_number_written_in_chinese_next_to_a_section_numeral(corpus):
    from assistant.refs import resolve

    assert [c.clause_id for c in resolve("附件二二（八）讲的是什么？", corpus.clauses)] == ["附件2/二/（八）"]
    assert [c.clause_id for c in resolve("附件二十（八）", corpus.clauses)] == []  # no such annex: nothing, no crash
