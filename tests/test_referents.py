"""Several units set out first, one picked later by 前者/后者, 甲/乙 or 那家/该: the class of the unit not picked
is not read as a party's (assistant/referents.py). Invented phrasings, each with its near miss the other way."""

import pytest

from assistant.referents import focus
from assistant.vocab import load_vocab
from tests.checking import A, C, P, assert_reads, table

CASES = {
    "前者后者": [
        ("县文旅局下面两家单位：县图书馆是不承担行政职能的公益一类事业单位，县剧院是公益二类事业单位。局里想买一批送戏下乡演出，让后者承接，可以吗？", A),
        ("县文旅局下面两家单位：县图书馆是不承担行政职能的公益一类事业单位，县剧院是公益二类事业单位。局里想买一批送戏下乡演出，让前者承接，可以吗？", P),
        ("县妇联机关使用行政编制，县妇女儿童活动中心是公益一类事业单位。前者用财政资金向一家社工机构购买家庭教育指导服务，可以吗？", A),
        ("县妇联机关使用行政编制，县妇女儿童活动中心是不承担行政职能的公益一类事业单位。后者用财政资金向一家社工机构购买家庭教育指导服务，可以吗？", P),
    ],
    "甲乙": [
        ("县卫健局两家直属单位：甲是县皮肤病防治所，公益一类、没有行政职能，乙是县卫生监督所，承担行政职能。乙想用财政资金向一家公司购买档案整理服务，可以吗？", A),
        ("县卫健局两家直属单位：甲是县皮肤病防治所，公益一类、没有行政职能，乙是县卫生监督所，承担行政职能。甲想用财政资金向一家公司购买档案整理服务，可以吗？", P),
    ],
    "那家这家": [
        ("县人社局、县就业服务中心（公益一类，无行政职能）和一家人力资源公司。局里向那家公司购买招聘会组织服务，可以吗？", A),
        ("县人社局、县就业服务中心（公益一类，无行政职能）和一家人力资源公司。局里把招聘会组织服务交给该中心承接，可以吗？", P),
    ],
}


@pytest.mark.parametrize("category,question,want", table(CASES))
def test_the_unit_picked_is_read(category, question, want):
    assert_reads(question, want)


@pytest.mark.parametrize("text,kept,hidden", [
    ("县档案馆是公益一类，县史志中心是公益二类。局里请后者整理年鉴，可以吗？", "请公益二类整理", "县档案馆是公益一类"),
    ("甲是县养老院，公益二类，乙是县救助站，公益一类。民政局让甲承接助餐服务，可以吗？", "县养老院（公益二类）", "乙是县救助站，公益一类"),
])
def test_pronoun_written_out_and_bystander_hidden(text, kept, hidden):
    out = focus(text, load_vocab())
    assert kept in out and hidden not in out and len(out) >= len(text) - len(hidden)


@pytest.mark.parametrize("text", [
    # one unit only: 该中心 is the unit just described, nothing to hide
    "县疾控中心是公益一类事业单位，经费由财政保障。今年消杀任务重，该中心想以自己的名义购买消杀服务，可以吗？",
    # a narrative, no pronoun picking among units
    "县人民医院是公益二类，县疾控中心是公益一类。两家都想承接县卫健局的健康讲座服务，可以吗？",
])
def test_nothing_hidden_without_a_choice_among_units(text):
    assert "□" not in focus(text, load_vocab())
