"""The splitter: the 56 contract IDs with verbatim text, and the same conventions on another notice."""

import hashlib
from datetime import date
from pathlib import Path

import pytest

from assistant.clauses import Clause, split
from assistant.document import load_corpus
from assistant.errors import CorpusFormatError, UnknownClauseError
from assistant.settings import Settings

SOURCE = Path(__file__).resolve().parent.parent / "corpus" / "xiangcaizong-2022-28.txt"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "xiangcaizong-2022-28.txt"

CN = "一二三四五六七八"
CONTRACT_IDS = (
    ["正文/标题", "正文/主送", "正文/序言", "正文/一"]
    + [f"正文/一/（{n}）" for n in "一二三"] + ["正文/一/末段"]
    + [x for s in "二三四五" for x in [f"正文/{s}"] + [f"正文/{s}/（{n}）" for n in "一二三"]]
    + ["正文/施行", "正文/附件", "正文/落款", "附件1", "附件1/导语"] + [f"附件1/{n}" for n in "一二三四五六"]
    + ["附件2", "附件2/导语", "附件2/一"] + [f"附件2/一/（{n}）" for n in "一二三"]
    + ["附件2/二"] + [f"附件2/二/（{n}）" for n in CN]
    + ["附件2/三"] + [f"附件2/三/（{n}）" for n in "一二三四"]
    + ["附注/信息公开"]
)


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(Settings().corpus_dir)


def test_corpus_is_byte_exact_copy():
    data = SOURCE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == "eaba1ac219c45631e4da6b623ad27ac8fb60f68fed6096979ff2b89479f49cb0"
    if SHARED.exists():
        assert data == SHARED.read_bytes()


def test_document_metadata(corpus):
    d = corpus.document
    assert d.doc_id == "湘财综〔2022〕28号"
    assert d.issuer == "湖南省财政厅"
    assert (d.effective, d.expires) == (date(2022, 11, 16), date(2027, 11, 15))
    assert d.stamp()["sha256"] == hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    assert not d.expired(date(2027, 11, 15)) and d.expired(date(2027, 11, 16))


def test_exactly_the_contract_ids_in_document_order(corpus):
    assert len(CONTRACT_IDS) == 56
    assert [c.clause_id for c in corpus.clauses] == CONTRACT_IDS


def test_every_text_is_its_source_lines_stripped_and_joined(corpus):
    lines = SOURCE.read_text("utf-8").split("\n")
    for c in corpus.clauses:
        span = [s.strip() for s in lines[c.line_start - 1:c.line_end] if s.strip()]
        assert c.text == "\n".join(span), c.clause_id
        assert c.text in "\n".join(s.strip() for s in lines if s.strip())


@pytest.mark.parametrize("cid, text", [
    ("正文/标题", "湘财综〔2022〕28号\n湖南省财政厅关于推进政府购买服务改革\n重点工作的通知"),
    ("正文/主送", "省直有关部门，各市（州）、县（市、区）财政局："),
    ("正文/施行", "本办法自2022年11月16日起施行，有效期5年。"),
    ("正文/附件", "附件：1、重点领域政府购买服务改革清单\n2、政府购买服务负面清单"),
    ("正文/落款", "湖南省财政厅"),
    ("附件1", "附件1\n重点领域政府购买服务改革清单"),
    ("附件2", "附件2\n政府购买服务负面清单"),
    ("附件2/二", "二、政府购买服务项目层面"),
    ("附件2/二/（四）", "（四）融资行为；"),
    ("附注/信息公开", "信息公开选项:主动公开"),
])
def test_pinned_texts(corpus, cid, text):
    assert corpus.get(cid).text == text


def test_labels_parents_and_headings(corpus):
    c = corpus.get("附件2/二/（三）")
    assert c.label == "附件2《政府购买服务负面清单》二、（三）"
    assert c.short_label == "附件2 二、（三）"
    assert c.parent == "附件2/二" and corpus.get("附件2/二").parent == "附件2"
    assert c.heading == ("附件2 政府购买服务负面清单", "二、政府购买服务项目层面")
    assert corpus.get("正文/一/末段").parent == "正文/一"
    assert corpus.get("正文/二/（一）").heading[-1] == "二、加强政府购买服务预算管理"
    for cl in corpus.clauses:
        assert cl.parent is None or cl.parent in corpus


def test_unknown_id_lists_close_ids(corpus):
    with pytest.raises(UnknownClauseError) as e:
        corpus.get("附件2/二/（九）")
    assert "附件2/二/（" in str(e.value)


SECOND = """\
湘财办〔2031〕7号
某某厅关于试行示范事项的通知

各市（州）财政局：

为做好示范工作，现通知如下：

一、总体要求
（一）坚持统筹。统筹推进各项工作。
（二）坚持试点。先试点后推开。
二、工作任务
（一）编制清单。各地编制清单。
本部分未尽事宜另行通知。
三、保障措施
各地要加强组织领导。

本通知自2031年1月1日起施行。
附件：1、示范清单
2、负面事项
3、联系表

某某厅
附件1
示范清单
一、社区服务。
二、养老服务。
附件2
负面事项
前言一段。
一、主体
（一）甲；
（二）乙；
附件3
联系表
一、联系人。
"""


def test_second_notice_same_conventions():
    cs = {c.clause_id: c for c in split(SECOND)}
    assert list(cs) == [
        "正文/标题", "正文/主送", "正文/序言", "正文/一", "正文/一/（一）", "正文/一/（二）",
        "正文/二", "正文/二/（一）", "正文/二/末段", "正文/三", "正文/三/末段",
        "正文/施行", "正文/附件", "正文/落款",
        "附件1", "附件1/一", "附件1/二",
        "附件2", "附件2/导语", "附件2/一", "附件2/一/（一）", "附件2/一/（二）",
        "附件3", "附件3/一",
    ]
    assert cs["正文/标题"].text == "湘财办〔2031〕7号\n某某厅关于试行示范事项的通知"
    assert cs["正文/二/末段"].text == "本部分未尽事宜另行通知。"
    assert cs["正文/附件"].text == "附件：1、示范清单\n2、负面事项\n3、联系表"
    assert cs["附件2/一/（二）"].label == "附件2《负面事项》一、（二）"
    assert cs["正文/落款"].text == "某某厅"


def test_clause_is_frozen():
    c = split(SECOND)[0]
    assert isinstance(c, Clause)
    with pytest.raises(AttributeError):
        c.text = "x"


@pytest.mark.parametrize("data, where", [
    (b"", "为空"),
    (b"   \n\n  \n", "为空"),
    ("标题\n主送：\n只有一段话，没有编号。\n".encode(), "第1行"),
    ("标题\n主送：\n一、甲\n附件1\n清单名称\n只有导语没有条目。\n".encode(), "第4行"),
    ("标题\n主送：\n一、甲\n".encode() + b"\xff\xfe", "第4行"),
    ("标题\n主送：\n一、甲\n三、乙\n".encode(), "第4行"),
    ("标题\n主送：\n一、甲\n（一）子\n（三）子\n".encode(), "第5行"),
])
def test_malformed_input_names_the_line(data, where):
    with pytest.raises(CorpusFormatError) as e:
        split(data)
    assert where in str(e.value)
